"""A shot changed in its screenplay as a person would change it in a text editor (issue 32): its length, framing
or transition written in its `[[shot: ...]]` note (the word it had for that setting replaced, the rest of the note
and of the file kept), and shots added, duplicated, deleted or moved within their scene (whole blocks: the action
paragraph with the dialogue that follows it). Pure text in, text out: the routes check the file's version."""

from __future__ import annotations

import re

from ..errors import ScriptError
from ..model import CAMERAS, TRANSITIONS
from ..story.screenplay import parse_shot_note, paragraph_span as _paragraph

NOTE = re.compile(r"\[\[\s*shot\s*:([^\]]*)\]\]", re.I)
FIELDS = {"seconds": "length", "camera": "framing", "transition": "transition into the next shot"}
NEW_SHOT = "What we see next."


def field_of(part: str) -> str | None:
    """Which setting a part of a shot note gives ('4s' -> 'seconds', 'cam: wide' -> 'camera'), or None."""
    try:
        meta = parse_shot_note("shot: " + part)
    except ValueError:
        return None
    if meta is None:
        return None
    for f in ("seconds", "camera", "transition", "mood", "id", "video", "seed", "illustrator", "animator"):
        if getattr(meta, f) is not None:
            return f
    return None


def written(field: str, value) -> str:
    """A setting as a person writes it in the note: 4.5 -> '4.5s', 'close-up', 'transition: crossfade'."""
    if field == "seconds":
        v = float(value)
        if not 0.5 <= v <= 60:
            raise ScriptError(f"a shot lasts from 0.5 to 60 s, not {v:g}")
        return f"{v:g}s"
    if field == "camera":
        if value not in CAMERAS:
            raise ScriptError(f"{value!r}: a framing is one of {', '.join(CAMERAS)}")
        return str(value)
    if field == "transition":
        if value not in TRANSITIONS:
            raise ScriptError(f"{value!r}: a transition is one of {', '.join(TRANSITIONS)}")
        return f"transition: {value}"
    raise ScriptError(f"{field!r}: a shot's page sets its length, framing or transition")


def set_field(text: str, source_line: int, field: str, value) -> str:
    """The screenplay with the shot (its action paragraph holds `source_line`) saying `value` for `field`
    (seconds, camera, transition): the part of its note that said it is replaced in place (or the value is
    added at the note's end; a note is added when it has none); `value` None or "" takes the setting away."""
    lines = text.split("\n")
    a, b = _paragraph(lines, source_line)
    new = written(field, value) if value not in (None, "") else ""
    for k in range(a, b + 1):
        m = NOTE.search(lines[k])
        if not m:
            continue
        parts = [p.strip() for p in re.split(r"[;,]", m.group(1)) if p.strip()]
        out, placed = [], False
        for p in parts:
            if field_of(p) == field:
                if new and not placed:
                    out.append(new)
                    placed = True
                continue
            out.append(p)
        if new and not placed:
            out.append(new)
        note = ("[[shot: " + "; ".join(out) + "]]") if out else ""
        lines[k] = (lines[k][:m.start()] + note + lines[k][m.end():]).rstrip()
        if not lines[k].strip():
            del lines[k]
        return "\n".join(lines)
    if new:
        lines[b] = lines[b].rstrip() + f" [[shot: {new}]]"
    return "\n".join(lines)


def blocks(text: str, episode) -> list[dict]:
    """Each shot's block of lines (0-based [start, end): its action paragraph and the dialogue after it, without
    the blank lines that follow), in the screenplay's order, with its scene's id."""
    lines = text.split("\n")
    starts = []
    for sc in episode.scenes:
        for sh in sc.shots:
            a, _ = _paragraph(lines, sh.source_line)
            starts.append((a, sh.id, sc.id))
    heads = sorted(sc.source_line - 1 for sc in episode.scenes if sc.source_line)
    out = []
    for i, (a, sid, scid) in enumerate(starts):
        nxt = [s for s, _, _ in starts if s > a] + [h for h in heads if h > a] + [len(lines)]
        e = min(nxt)
        while e > a and not lines[e - 1].strip():
            e -= 1
        out.append({"id": sid, "scene": scid, "start": a, "end": e})
    return out


def _find(bl: list[dict], sid: str) -> int:
    for i, b in enumerate(bl):
        if b["id"] == sid:
            return i
    raise ScriptError(f"{sid}: no such shot in the screenplay; reload the page")


def move(text: str, episode, sid: str, step: int) -> str:
    """The screenplay with shot `sid` swapped with the one before (step -1) or after (+1) it in its scene."""
    bl = blocks(text, episode)
    i = _find(bl, sid)
    j = i + step
    if not 0 <= j < len(bl) or bl[j]["scene"] != bl[i]["scene"]:
        raise ScriptError("that shot is already the " + ("first" if step < 0 else "last") + " of its scene")
    first, second = (bl[i], bl[j]) if i < j else (bl[j], bl[i])
    lines = text.split("\n")
    out = (lines[:first["start"]] + lines[second["start"]:second["end"]] + lines[first["end"]:second["start"]]
           + lines[first["start"]:first["end"]] + lines[second["end"]:])
    return "\n".join(out)


def delete(text: str, episode, sid: str) -> str:
    """The screenplay without shot `sid` (its action paragraph and its dialogue); a scene keeps at least one."""
    bl = blocks(text, episode)
    i = _find(bl, sid)
    if sum(1 for b in bl if b["scene"] == bl[i]["scene"]) == 1:
        raise ScriptError("that is the scene's only shot: a scene needs one (delete the scene in the screenplay)")
    lines = text.split("\n")
    s, e = bl[i]["start"], bl[i]["end"]
    while e < len(lines) and not lines[e].strip():  # the blank lines after it go with it
        e += 1
    if e == len(lines):  # the file's last shot: the blank line before it goes instead
        while s > 0 and not lines[s - 1].strip():
            s -= 1
    return "\n".join(lines[:s] + lines[e:])


def insert_after(text: str, episode, sid: str, paragraph: str) -> str:
    bl = blocks(text, episode)
    i = _find(bl, sid)
    lines = text.split("\n")
    e = bl[i]["end"]
    return "\n".join(lines[:e] + ["", paragraph] + lines[e:])


def duplicate(text: str, episode, sid: str) -> str:
    """The screenplay with a copy of shot `sid`'s action paragraph (its note too, less an `id:`) after its
    block: a new shot that looks the same, without its lines."""
    bl = blocks(text, episode)
    i = _find(bl, sid)
    lines = text.split("\n")
    a, b = _paragraph(lines, bl[i]["start"] + 1)
    para = " ".join(ln.strip() for ln in lines[a:b + 1])

    def no_id(m):
        parts = [p.strip() for p in re.split(r"[;,]", m.group(1)) if p.strip() and field_of(p.strip()) != "id"]
        return ("[[shot: " + "; ".join(parts) + "]]") if parts else ""
    para = NOTE.sub(no_id, para).strip()
    return insert_after(text, episode, sid, para)


def add(text: str, episode, sid: str) -> str:
    """The screenplay with a new shot after shot `sid` (a plain action to change on its page)."""
    return insert_after(text, episode, sid, f"{NEW_SHOT} [[shot: medium; 3s]]")


__all__ = ["set_field", "blocks", "move", "delete", "duplicate", "add", "field_of", "FIELDS"]
