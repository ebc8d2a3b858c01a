"""`filmcrew continuity`: the series' continuity report (out/continuity.html and .json): per character the
states over the episodes, each shot's evidence measured on its keyframe, and the breaks with shot and line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..consistency import continuity
from ..crew import common
from ..engine import atomic
from ..engine.layout import Layout
from .making import episode_graphs


def states_of(c) -> list[dict]:
    """A character's states in story order: before any change, then one per change."""
    out = []
    for at in [(0, 0), *((ch.episode, ch.scene) for ch in c.changes)]:
        s = c.at(*at)
        out.append({"id": s.state_id, "since": s.since, "costume": s.costume, "palette": list(s.palette),
                    "costume_colour": s.palette[0] if s.palette else "", "note": s.state, "props": list(s.props)})
    return out


def report(root: Path, st, ctxs, graphs) -> dict:
    """The continuity report of the made keyframes of these episodes."""
    bible = ctxs[0].bible
    chars = {c.name: states_of(c) for c in bible.characters}
    places = {p.name: [(p.at(ch.episode, ch.scene).since, p.at(ch.episode, ch.scene).state) for ch in p.changes]
              for p in bible.places if p.changes}
    shots = []
    for ctx, g in zip(ctxs, graphs):
        path = Layout.of(root).episode(ctx.episode.number)
        for sc in ctx.episode.scenes:
            for sh in sc.shots:
                key = g.by_artifact.get(f"{sh.id}.keyframe")
                pick = g.by_artifact.get(f"{sh.id}.keyframe.pick")
                verdicts = {}
                if pick is not None and st.made(pick):
                    rec = json.loads((st.path(pick.key) / "pick.json").read_text(encoding="utf-8"))
                    chosen = next((t for t in rec["takes"] if t["take"] == rec["chosen"]), {})
                    verdicts = {n: f"{chosen.get('verdict', '')} ({chosen.get('method', '')})"
                                for n in rec.get("names", [])}
                text = " ".join([sh.action, *(ln.text for ln in sh.lines)])
                for c in common.cast(ctx, sc, sh):
                    shots.append({"episode": ctx.episode.id, "shot": sh.id, "name": c.name, "state": c.state_id,
                                  "path": str(path.relative_to(root)), "line": sh.source_line, "text": text,
                                  "folder": str(st.path(key.key)) if key is not None and st.made(key) else None,
                                  "face": verdicts.get(c.name)})
    return continuity.build(bible.title, chars, shots, places)


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
        print(f"{b['where']}: shot {b['shot']}: {b['character']}: {b['kind']}: {b['why']}")
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
