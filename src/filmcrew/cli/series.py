"""`filmcrew series PROJECT`: the series card (out/series.html and .json): episodes, characters and places with
their state episode by episode, the continuity breaks (crew/series_card.py, crew/supervisor.py)."""

from __future__ import annotations

import json

from ..crew import series_card, supervisor
from ..engine.layout import Layout
from .making import episode_graphs


def cmd_series(a) -> int:
    root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
    cont = supervisor.report(root, Layout.of(root).store(), ctxs, graphs) if ctxs else None
    card = series_card.build(root, cfg, ctxs[0].bible, [c.episode for c in ctxs], cont, a.preview)
    j, h = series_card.write(root, card)
    if a.json:
        print(json.dumps(card, indent=1, ensure_ascii=False))
        return 0
    print(f"{card['title']}: {len(card['episodes'])} episode(s)")
    for ep in card["episodes"]:
        print(f"  ep{ep['number']:02d} {ep['title']}: {ep['scenes']} scenes, {ep['shots']} shots, "
              f"{ep['written_seconds']:.0f} s written" + (f", {ep['made_seconds']:.0f} s made" if ep["made_seconds"]
                                                          is not None else ", not made"))
    for c in card["characters"]:
        if c["states"] > 1:
            print(f"  {c['name']}: " + " | ".join(f"ep{x['episode']:02d}: {x['words'] or '-'}" for x in c["by_episode"]))
    n = len(card["continuity"]["breaks"]) if card["continuity"] else 0
    print(f"{n} continuity break(s); wrote {h} and {j.name}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("series", help="the series card: episodes, characters' states by episode, continuity breaks")
    p.add_argument("project")
    p.add_argument("--preview", action="store_true", help="the preview's films and keyframes")
    p.add_argument("--json", action="store_true", help="print the card as JSON")
    p.set_defaults(fn=cmd_series)
