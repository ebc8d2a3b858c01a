"""The series card (issue 37): one page (and its JSON) for a whole series: its episodes (title, what happens, the hook,
scenes, shots and lines, length written and made, recap), its characters and places with the state each is in
through the episodes (the bible's `changes:`), and the continuity breaks the script supervisor found.

`filmcrew series PROJECT` writes out/series.html and series.json; the studio's series page shows the same dict.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from ..engine.layout import Layout
from ..story.screenplay import estimated_shot_seconds


# the offline writer's episode summary is its beats ("opening / crisis / hook"); two of them are its own names
BEAT_WORDS = {"micro_open": "a short opening", "micro_end": "a short ending"}
HOOK_WORDS = {"resolution": "resolved", "cliffhanger": "cliffhanger"}


def in_words(summary: str) -> str:
    """A summary as a person reads it: the writer's beat names in words (a person's own summary as written)."""
    return " / ".join(BEAT_WORDS.get(p.strip(), p.strip()) for p in summary.split(" / ")) if summary else ""


def _state_words(s) -> str:
    return "; ".join(x for x in (s.costume, getattr(s, "state", ""),
                                 f"carries {', '.join(s.props)}" if getattr(s, "props", ()) else "") if x)


def build(root: Path, cfg, bible, episodes: list, continuity: dict | None, preview: bool = False) -> dict:
    """The card's facts. `episodes`: the parsed episodes (model.Episode) in order; `continuity`: the supervisor's
    report (crew/supervisor.report) or None when not checked."""
    root = Path(root)
    out = Layout.of(root).out
    arcs = {a.number: a for a in bible.arcs}
    eps = []
    for ep in episodes:
        stem = f"{ep.id}{'.preview' if preview else ''}"
        film, recap = out / f"{stem}.mp4", out / f"{stem}.recap.mp4"
        made = None
        if film.exists():
            from ..media import ffmpeg
            made = round(ffmpeg.probe(film).duration, 1)
        a = arcs.get(ep.number)
        eps.append({"number": ep.number, "id": ep.id, "title": (a.title if a and a.title else ep.title),
                    "summary": in_words(a.summary) if a else "", "hook": HOOK_WORDS.get(a.hook, a.hook) if a else "",
                    "scenes": len(ep.scenes), "shots": len(ep.shots()), "lines": len(ep.lines()),
                    "written_seconds": round(sum(estimated_shot_seconds(s, cfg.language) for s in ep.shots()), 1),
                    "film": film.name if film.exists() else None, "made_seconds": made,
                    "recap": recap.name if recap.exists() else None})
    numbers = [e.number for e in episodes]
    chars = []
    for c in bible.characters:
        by_ep = []
        for n in numbers:
            s = c.at(n)
            inside = [ch for ch in c.changes if ch.episode == n and ch.scene > 0]
            by_ep.append({"episode": n, "state": s.state_id, "words": _state_words(s),
                          "changes": [{"since": ch.since, "words": _state_words(c.at(ch.episode, ch.scene))}
                                      for ch in inside]})
        chars.append({"name": c.name, "role": c.role, "states": len({x["state"] for x in by_ep}
                                                                      | {ch.since for ch in c.changes}),
                      "by_episode": by_ep})
    places = [{"name": p.name, "by_episode": [{"episode": n, "words": p.at(n).state,
                                               "changes": [{"since": ch.since, "words": ch.note or ""}
                                                           for ch in p.changes if ch.episode == n and ch.scene > 0]}
                                              for n in numbers]}
              for p in bible.places if p.changes]
    cont = None
    if continuity is not None:
        cont = {"breaks": continuity["breaks"], "unmade": len(continuity.get("unmade", [])),
                "checked_shots": sum(len(c["shots"]) for c in continuity["characters"].values()),
                "times": len(continuity.get("times", []))}
    return {"title": bible.title, "logline": bible.logline, "format": cfg.format, "language": cfg.language,
            "preview": preview, "episodes": eps, "characters": chars, "places": places, "continuity": cont,
            "recap": {"shots": cfg.recap, "cold_open": cfg.cold_open}}


CSS = ("body{font:15px system-ui,sans-serif;margin:1.2em;max-width:72em}table{border-collapse:collapse}"
       "td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}.wide{overflow-x:auto}"
       ".card{border:2px solid #222;border-radius:.6em;padding:1em;margin-bottom:1em}.b{background:#fdd}"
       ".note{color:#555}.ch{color:#7a3b00}")


def section(card: dict, level: int = 2) -> str:
    """The card's body (no page around it): the studio's page and the standalone page share it."""
    e = html.escape
    h = f"h{level}"
    out = [f"<div class='card'><p><b>{e(card['title'])}</b>: {e(card['logline'])}</p><p class='note'>"
           f"{len(card['episodes'])} episode(s), {e(card['language'])}"
           + (f"; each from the 2nd opens with the last {card['recap']['shots']} shot(s) of the one before"
              if card["recap"]["shots"] else "") + "</p></div>"]
    out.append(f"<{h}>Episodes</{h}><div class='wide'><table><tr><th>#</th><th>title</th><th>what happens</th>"
               "<th>hook</th><th>scenes / shots / lines</th><th>length</th><th>film</th></tr>")
    for ep in card["episodes"]:
        length = f"{ep['written_seconds']:.0f} s written" + (f", {ep['made_seconds']:.0f} s made"
                                                                if ep["made_seconds"] is not None else "")
        film = (e(ep["film"]) if ep["film"] else "<span class='note'>not made</span>") + (
            f"<br><span class='note'>+ {e(ep['recap'])}</span>" if ep["recap"] else "")
        out.append(f"<tr><td>{ep['number']}</td><td>{e(ep['title'])}</td><td>{e(ep['summary'])}</td>"
                   f"<td>{e(ep['hook'])}</td><td>{ep['scenes']} / {ep['shots']} / {ep['lines']}</td><td>{length}</td>"
                   f"<td>{film}</td></tr>")
    out.append("</table></div>")
    out.append(f"<{h}>Characters, episode by episode</{h}><div class='wide'><table><tr><th>character</th>"
               + "".join(f"<th>ep{ep['number']:02d}</th>" for ep in card["episodes"]) + "</tr>")
    for c in card["characters"]:
        cells = "".join(f"<td>{e(x['words']) or '<span class=note>-</span>'}" + "".join(
            f"<br><span class='ch'>{e(ch['since'])}: {e(ch['words'])}</span>" for ch in x["changes"]) + "</td>"
            for x in c["by_episode"])
        out.append(f"<tr><td><b>{e(c['name'])}</b><br><span class='note'>{e(c['role'])}, {c['states']} "
                   f"state(s)</span></td>{cells}</tr>")
    for p in card["places"]:
        cells = "".join(f"<td>{e(x['words']) or '<span class=note>-</span>'}" + "".join(
            f"<br><span class='ch'>{e(ch['since'])}: {e(ch['words'])}</span>" for ch in x["changes"]) + "</td>"
            for x in p["by_episode"])
        out.append(f"<tr><td><b>{e(p['name'])}</b><br><span class='note'>place</span></td>{cells}</tr>")
    out.append("</table></div>")
    cont = card["continuity"]
    out.append(f"<{h}>Continuity</{h}>")
    if cont is None:
        out.append("<p class='note'>Not checked yet: <code>filmcrew continuity</code> (or the consistency report) "
                   "checks the made keyframes.</p>")
    else:
        n = len(cont["breaks"])
        out.append(f"<p>{n} break{'s' if n != 1 else ''} in {cont['checked_shots']} character shot(s) and "
                   f"{cont['times']} time-of-day check(s)" + (f"; {cont['unmade']} shot(s) not made yet, not checked"
                                                             if cont["unmade"] else "") + ".</p>")
        if n:
            out.append("<div class='wide'><table><tr><th>shot</th><th>who</th><th>what</th><th>where</th></tr>" + "".join(
                f"<tr class='b'><td>{e(b['shot'])}</td><td>{e(b['character'])}</td><td>{e(b['kind'])}: "
                f"{e(b['why'])}</td><td>{e(b['where'])}</td></tr>" for b in cont["breaks"]) + "</table></div>")
    return "\n".join(out) + "\n"


def render(card: dict) -> str:
    e = html.escape
    return (f"<!doctype html><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
            f"<title>{e(card['title'])}: the series</title><style>{CSS}</style><h1>{e(card['title'])}</h1>\n"
            + section(card))


def write(root: Path, card: dict) -> tuple[Path, Path]:
    from ..engine import atomic
    out = Layout.of(root).out
    j, h = out / "series.json", out / "series.html"
    atomic.write_text(j, json.dumps(card, indent=1, ensure_ascii=False))
    atomic.write_text(h, render(card))
    return j, h
