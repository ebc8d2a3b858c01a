"""`filmcrew continuity`: the series' continuity report (out/continuity.html and .json): per character the
states over the episodes, each shot's evidence measured on its keyframe, the time of day each heading states
against the keyframe's light, and the breaks with shot and line (crew/supervisor.py gathers it)."""

from __future__ import annotations

import json
import sys

from ..consistency import continuity
from ..crew.supervisor import report
from ..engine import atomic
from ..engine.layout import Layout
from .making import episode_graphs


def cmd_continuity(a) -> int:
    root, _cfg, ctxs, graphs = episode_graphs(a, a.preview)
    st = Layout.of(root).store()
    rep = report(root, st, ctxs, graphs)
    out = Layout.of(root).out
    j, h = out / "continuity.json", out / "continuity.html"
    atomic.write_text(j, json.dumps(rep, indent=1, ensure_ascii=False))
    atomic.write_text(h, continuity.render(rep))
    if a.json:
        print(json.dumps(rep, indent=1, ensure_ascii=False))
        return 1 if rep["breaks"] else 0
    for name, c in rep["characters"].items():
        if len(c["states"]) > 1:
            print(f"{name}: " + " -> ".join(f"{s['label']}: {s['costume'] or '-'}{', ' + s['note'] if s['note'] else ''}"
                                            for s in c["states"]))
    for b in rep["breaks"]:
        print(f"{b['where']}: shot {b['shot']}: {b['character'] + ': ' if b['character'] else ''}{b['kind']}: {b['why']}")
    if rep["unmade"]:
        print(f"{len(rep['unmade'])} shot(s) not made yet, not checked: `filmcrew make {root}"
              f"{' --preview' if a.preview else ''}` makes them", file=sys.stderr)
    print(f"{len(rep['breaks'])} break(s); wrote {h} and {j.name}")
    return 1 if rep["breaks"] else 0


def register(sub) -> None:
    p = sub.add_parser("continuity", help="the series' continuity: each character's states over the episodes, "
                                          "each shot measured against the state in force, the breaks")
    p.add_argument("project")
    p.add_argument("--preview", action="store_true", help="check the preview's keyframes")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(fn=cmd_continuity)
