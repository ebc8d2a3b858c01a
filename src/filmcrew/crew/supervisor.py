"""The script supervisor: continuity across a series (issue 37). Gathers, for `filmcrew continuity` and for the
consistency report that `make` and `filmcrew consistency` write, every character's states over the episodes (the
bible's `changes:`), each made keyframe's evidence (consistency/continuity.py measures it) and the time of day
each scene heading states against the keyframe's measured light."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..consistency import continuity
from ..engine.layout import Layout
from ..story.screenplay import TIMES
from . import common


def states_of(c) -> list[dict]:
    """A character's states in story order: before any change, then one per change."""
    out = []
    for at in [(0, 0), *((ch.episode, ch.scene) for ch in c.changes)]:
        s = c.at(*at)
        out.append({"id": s.state_id, "since": s.since, "costume": s.costume, "palette": list(s.palette),
                    "costume_colour": s.palette[0] if s.palette else "", "note": s.state, "props": list(s.props)})
    return out


def stated_time(heading: str, parsed: str) -> str:
    """The time of day a scene heading states ("" when it states none: the parser's "day" is then a default)."""
    last = re.split(r"\s+[-–—]\s+", heading.strip())[-1].strip().lower()
    if last in TIMES or any(not k.isascii() and heading.strip().endswith(k) for k in TIMES):
        return parsed
    return ""


def report(root: Path, st, ctxs, graphs) -> dict:
    """The continuity report of the made keyframes of these episodes."""
    bible = ctxs[0].bible
    chars = {c.name: states_of(c) for c in bible.characters}
    places = {p.name: [(p.at(ch.episode, ch.scene).since, p.at(ch.episode, ch.scene).state) for ch in p.changes]
              for p in bible.places if p.changes}
    shots, times = [], []
    for ctx, g in zip(ctxs, graphs):
        path = Layout.of(root).episode(ctx.episode.number)
        for sc in ctx.episode.scenes:
            said = stated_time(sc.heading, sc.time_of_day)
            for sh in sc.shots:
                key = g.by_artifact.get(f"{sh.id}.keyframe")
                pick = g.by_artifact.get(f"{sh.id}.keyframe.pick")
                folder = str(st.path(key.key)) if key is not None and st.made(key) else None
                verdicts = {}
                if pick is not None and st.made(pick):
                    rec = json.loads((st.path(pick.key) / "pick.json").read_text(encoding="utf-8"))
                    chosen = next((t for t in rec["takes"] if t["take"] == rec["chosen"]), {})
                    verdicts = {n: f"{chosen.get('verdict', '')} ({chosen.get('method', '')})"
                                for n in rec.get("names", [])}
                text = " ".join([sh.action, *(ln.text for ln in sh.lines)])
                where = {"episode": ctx.episode.id, "shot": sh.id, "path": str(path.relative_to(root)),
                         "line": sh.source_line}
                if said:
                    times.append({**where, "heading": sc.heading, "time": said, "folder": folder})
                for c in common.cast(ctx, sc, sh):
                    shots.append({**where, "name": c.name, "state": c.state_id, "text": text, "folder": folder,
                                  "face": verdicts.get(c.name)})
    return continuity.build(bible.title, chars, shots, places, times)
