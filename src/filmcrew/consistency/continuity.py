"""The continuity check across a series (`filmcrew continuity`): per character, the states the bible's
`changes:` give them over the episodes, each shot's evidence, and the breaks.

The evidence is measured on the made keyframes, not read from the prompts: the share of the character's
pixels near each state's costume colour (its palette's first colour, the colour the costume is drawn in).
Inside the box the procedural illustrator reports for the figure (faces.json) only the figure's own pixels
count; a keyframe without that box (a model's still, a person's picture) is measured whole, which is
coarser. A shot is a break when the character is drawn in another state's costume colour more than in the
state in force (the old coat after it was lost). The props a state no longer carries are looked for in the
shots' action and lines ("a prop that vanished" and came back), and the face check's verdict of the shot,
where the consistency check made one, is shown beside the colours.

Time of day: a scene heading that states one (DAY, NIGHT, DAWN, DUSK, MORNING; NUIT, 夜...) is held against its
shots' keyframes' measured light: the mean luma (BT.709 Y, 0-255) of the whole keyframe, its layers flattened,
with its warmth (mean red minus mean blue) shown beside it. The measure tells a dark picture from a lit one, and
no more: a NIGHT heading drawn with a mean luma of LIT or more is "daylight at night", a DAY, MORNING, DAWN or
DUSK heading drawn under DARK is "night in a DAY scene"; between the two it says nothing. It does not tell dawn from
day (their light overlaps), and a dark interior by day, a bright night street or a close-up on a dark coat read
as what they measure. The thresholds were set on the procedural illustrator (5 seeds each, 270x480, wide, medium
and close-up, inside and out): night 48-60, dusk 67-103, dawn 68-112, day and morning 74-143.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

NEAR = 40  # how far (sum of the channels' differences) a pixel may lie from a colour and count as it
SHOWN = 0.02  # the least share of the pixels in a colour for a costume to count as drawn
DARK, LIT = 56.0, 80.0  # mean luma under which a picture reads as night, and from which it reads as lit


def rgb(colour: str) -> tuple[int, int, int]:
    from PIL import ImageColor
    return ImageColor.getrgb(colour)[:3]


def pixels(folder: Path, name: str) -> tuple[np.ndarray, str]:
    """(the RGB pixels the character is drawn with, how they were chosen): the figure's box on the characters
    layer when the illustrator reported one, else the whole keyframe (its layers flattened)."""
    from PIL import Image
    folder = Path(folder)
    fj, layer = folder / "faces.json", folder / "characters.png"
    if fj.exists() and layer.exists():
        box = next((f.get("body") for f in json.loads(fj.read_text(encoding="utf-8")) if f.get("name") == name), None)
        if box:
            with Image.open(layer) as im:
                a = np.asarray(im.convert("RGBA")).astype(np.int32)
            x0, y0, x1, y1 = (int(round(v)) for v in box)
            crop = a[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
            return crop[..., :3][crop[..., 3] > 128], "the figure's pixels"
    im = None
    for n in ("background", "midground", "characters", "foreground"):
        p = folder / f"{n}.png"
        if p.exists():
            with Image.open(p) as layer_im:
                top = layer_im.convert("RGBA")
            im = top if im is None else (im.alpha_composite(top) or im)
    if im is None:
        return np.zeros((0, 3), np.int32), "no picture"
    return np.asarray(im.convert("RGB")).astype(np.int32).reshape(-1, 3), "the whole keyframe"


def shares(px: np.ndarray, colours: dict[str, str]) -> dict[str, float]:
    """{label: the share of `px` near that colour}."""
    if not len(px):
        return {k: 0.0 for k in colours}
    return {k: round(float((np.abs(px - np.array(rgb(c))).sum(axis=1) < NEAR).mean()), 4) for k, c in colours.items()}


def light(folder: Path) -> dict | None:
    """The keyframe's measured light: mean luma (BT.709 Y, 0-255) and warmth (mean R - mean B) of the whole
    picture; None when there is no picture."""
    px, how = pixels(Path(folder), "")  # (no figure is named: the whole keyframe)
    if not len(px):
        return None
    px = px.astype(np.float64)
    y = 0.2126 * px[:, 0] + 0.7152 * px[:, 1] + 0.0722 * px[:, 2]
    return {"luma": round(float(y.mean()), 1), "warmth": round(float((px[:, 0] - px[:, 2]).mean()), 1)}


def judge_time(time: str, measured: dict) -> dict | None:
    """The break, if any, between the time of day a heading states and the keyframe's measured light."""
    y = measured["luma"]
    if time == "night" and y >= LIT:
        return {"kind": "daylight at night", "why": f"the heading says NIGHT; the keyframe's mean luma is {y:.0f} "
                                                     f"(a lit picture: {LIT:.0f} or more)"}
    if time != "night" and y < DARK:
        return {"kind": f"night in a {time} scene", "why": f"the heading says {time.upper()}; the keyframe's mean luma is "
                                                           f"{y:.0f} (a night picture: under {DARK:.0f})"}
    return None


def judge(shot: dict, states: list[dict]) -> list[dict]:
    """The breaks of one shot of one character: `shot` has "state" (the id in force), "colours" (the share of
    each state's costume colour) and "text" (its action and lines); `states` the character's states in order."""
    out = []
    mine = next(s for s in states if s["id"] == shot["state"])
    own = shot["colours"].get(mine["id"], 0.0)
    for s in states:
        if s["id"] == mine["id"] or not s.get("costume_colour") or s["costume_colour"] == mine.get("costume_colour"):
            continue
        other = shot["colours"].get(s["id"], 0.0)
        if other >= SHOWN and other > 2 * own:
            older = states.index(s) < states.index(mine)
            out.append({"kind": "old costume" if older else "costume before its change",
                        "why": f"drawn in the costume of {s['label']} ({s['costume'] or s['costume_colour']}: "
                               f"{other:.0%} of {shot['measured']}) instead of {mine['label']} "
                               f"({mine['costume'] or mine['costume_colour']}: {own:.0%})"})
    text = shot["text"].lower()
    for s in states[:states.index(mine)]:
        for prop in s.get("props") or []:
            if prop.lower() in text and prop not in (mine.get("props") or []):
                out.append({"kind": "prop gone", "why": f"the shot names {prop!r}, which the character no longer "
                                                        f"carries since {mine['label']}"})
    return out


def state_label(since: str) -> str:
    return f"from {since}" if since else "at the start"


def build(title: str, characters: dict[str, list[dict]], shots: list[dict], places: dict | None = None,
          times: list[dict] | None = None) -> dict:
    """The report. `characters`: {name: [state, ...]} (each {"id", "since", "costume", "costume_colour",
    "palette", "note", "props"}); `shots`: one per character shown, each {"episode", "shot", "name", "state",
    "path", "line", "text", "folder" (the keyframe, or None when not made), "face" (the face check's verdict
    or None)}. Measures each made keyframe and judges it."""
    rep: dict = {"title": title, "characters": {}, "places": places or {}, "breaks": [], "unmade": [], "times": [],
                 "time_measure": {"what": "mean luma (BT.709 Y, 0-255) of the whole keyframe", "dark_under": DARK,
                                  "lit_from": LIT}}
    for name, states in characters.items():
        for s in states:
            s["label"] = state_label(s["since"])
        rep["characters"][name] = {"states": states, "shots": []}
    for sh in shots:
        states = rep["characters"][sh["name"]]["states"]
        if sh.get("folder") is None:
            rep["unmade"].append(sh["shot"])
            continue
        px, how = pixels(Path(sh["folder"]), sh["name"])
        colours = shares(px, {s["id"]: s["costume_colour"] for s in states if s.get("costume_colour")})
        ev = {k: v for k, v in sh.items() if k != "folder"} | {"colours": colours, "measured": how}
        ev["breaks"] = judge(ev, states)
        rep["characters"][sh["name"]]["shots"].append(ev)
        for b in ev["breaks"]:
            rep["breaks"].append({"character": sh["name"], "episode": sh["episode"], "shot": sh["shot"],
                                  "where": f"{sh['path']}:{sh['line']}", **b})
    for t in times or []:  # the time of day each heading states, against the keyframe's light
        if t.get("folder") is None:
            continue
        measured = light(Path(t["folder"]))
        if measured is None:
            continue
        b = judge_time(t["time"], measured)
        rep["times"].append({k: v for k, v in t.items() if k != "folder"} | measured | {"break": b})
        if b:
            rep["breaks"].append({"character": "", "episode": t["episode"], "shot": t["shot"],
                                  "where": f"{t['path']}:{t['line']}", **b})
    return rep


STYLE = ("<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left}.b{background:#fdd}"
         ".sw{display:inline-block;width:1em;height:1em;border:1px solid #888;vertical-align:middle}"
         ".wide{overflow-x:auto;max-width:100%}</style>")


def render(rep: dict) -> str:
    """The report as one self-contained page."""
    e = html.escape
    return (f"<!doctype html><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
            f"<title>Continuity: {e(rep['title'])}</title>{STYLE}<h1>Continuity: {e(rep['title'])}</h1>\n"
            + section(rep))


def section(rep: dict, level: int = 2) -> str:
    """The report's body (breaks, characters, places, time of day), headings from <h`level`>: a page of its own, or
    a part of the consistency report."""
    e = html.escape
    h = f"h{level}"
    out = []
    n = len(rep["breaks"])
    out.append(f"<{h}>{n} continuity break{'s' if n != 1 else ''}</{h}>")
    if n:
        out.append("<div class='wide'><table><tr><th>shot</th><th>character</th><th>what</th><th>where</th></tr>" + "".join(
            f"<tr class='b'><td>{e(b['shot'])}</td><td>{e(b['character'])}</td><td>{e(b['kind'])}: {e(b['why'])}</td>"
            f"<td>{e(b['where'])}</td></tr>" for b in rep["breaks"]) + "</table></div>")
    if rep["unmade"]:
        out.append(f"<p>Not made yet (not checked): {e(', '.join(rep['unmade']))}</p>")
    for name, c in rep["characters"].items():
        out.append(f"<{h}>{e(name)}</{h}><div class='wide'><table><tr><th>state</th><th>costume</th><th>note</th><th>carries</th></tr>")
        for s in c["states"]:
            sw = "".join(f"<span class='sw' style='background:{e(col)}'></span>" for col in s.get("palette") or [])
            out.append(f"<tr><td>{e(s['label'])}</td><td>{sw} {e(s['costume'])}</td><td>{e(s['note'])}</td>"
                       f"<td>{e(', '.join(s.get('props') or []))}</td></tr>")
        out.append("</table><table><tr><th>shot</th><th>state in force</th><th>costume colours measured</th>"
                   "<th>face check</th><th>breaks</th></tr>")
        labels = {s["id"]: s["label"] for s in c["states"]}
        for sh in c["shots"]:
            cols = ", ".join(f"{e(labels[k])} {v:.0%}" for k, v in sh["colours"].items())
            out.append(f"<tr class='{'b' if sh['breaks'] else ''}'><td>{e(sh['shot'])}</td>"
                       f"<td>{e(labels[sh['state']])}</td><td>{cols} <small>({e(sh['measured'])})</small></td>"
                       f"<td>{e(sh.get('face') or '')}</td>"
                       f"<td>{e('; '.join(b['why'] for b in sh['breaks']))}</td></tr>")
        out.append("</table></div>")
    if rep["places"]:
        out.append(f"<{h}>Places</{h}><table><tr><th>place</th><th>states</th></tr>" + "".join(
            f"<tr><td>{e(p)}</td><td>{e('; '.join(f'{state_label(s[0])}: {s[1]}' for s in st))}</td></tr>"
            for p, st in rep["places"].items()) + "</table>")
    if rep.get("times"):
        m = rep["time_measure"]
        out.append(f"<{h}>Time of day</{h}><p>Each heading's stated time against the keyframe's {e(m['what'])}: under "
                   f"{m['dark_under']:g} reads as night, from {m['lit_from']:g} as lit, between says nothing. It tells "
                   f"dark from lit only (not dawn from day).</p><div class='wide'><table><tr><th>shot</th>"
                   f"<th>heading</th><th>luma</th><th>warmth (R-B)</th><th>break</th></tr>" + "".join(
                       f"<tr class='{'b' if t['break'] else ''}'><td>{e(t['shot'])}</td><td>{e(t['heading'])}</td>"
                       f"<td>{t['luma']:.0f}</td><td>{t['warmth']:.0f}</td>"
                       f"<td>{e(t['break']['why'] if t['break'] else '')}</td></tr>" for t in rep["times"])
                   + "</table></div>")
    return "\n".join(out) + "\n"
