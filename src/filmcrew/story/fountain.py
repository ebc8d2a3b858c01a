"""A parser and writer for the Fountain screenplay format (https://fountain.io/syntax).

Handles the title page, scene headings (incl. forced ``.`` and ``#scene numbers#``),
action (incl. forced ``!``), character cues (incl. forced ``@``, extensions such as
``(V.O.)`` and dual dialogue ``^``), parentheticals, dialogue, lyrics ``~``,
transitions (incl. forced ``>``), centered text ``>text<``, notes ``[[ ]]``,
boneyard ``/* */``, sections ``#``, synopses ``=``, page breaks ``===``, emphasis
and CRLF files. Pure: text in, elements out, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ScriptError

SCENE_RE = re.compile(r"^(INT\.?/EXT|EXT\.?/INT|I/E|I\./E|INT|EXT|EST)(\.|\s|$)", re.IGNORECASE)
SCENE_NUMBER_RE = re.compile(r"\s*#([\w.\-]+)#\s*$")
TITLE_KEY_RE = re.compile(r"^([A-Za-z][A-Za-z0-9 _-]*):(.*)$")
PAGE_BREAK_RE = re.compile(r"^={3,}$")
NOTE_TOKEN_RE = re.compile(r"\x00(\d+)\x00")
TITLE_KEYS = {"title", "credit", "author", "authors", "source", "draft date", "date", "contact",
              "copyright", "notes", "revision", "format", "font", "episode", "language"}
EXTENSION_RE = re.compile(r"\(([^)]*)\)")
EMPHASIS_RE = re.compile(r"(?<!\\)(\*{1,3}|_)(?=\S)(.+?)(?<=\S)(?<!\\)\1")


@dataclass(frozen=True)
class Element:
    """One element of a screenplay. ``text`` is the raw text (emphasis kept, notes removed)."""

    type: str  # title_page, scene_heading, action, character, parenthetical, dialogue,
    # lyrics, transition, centered, note, section, synopsis, page_break
    text: str = ""
    line: int = 0  # 1-based line in the source file
    notes: tuple[str, ...] = ()  # notes found inside this element
    number: str = ""  # scene number
    extension: str = ""  # character extension(s), e.g. "V.O."
    dual: bool = False
    forced: bool = False
    level: int = 0  # section depth
    meta: tuple[tuple[str, str], ...] = field(default=())  # title page entries

    @property
    def plain(self) -> str:
        return plain_text(self.text)


def plain_text(text: str) -> str:
    """Strip Fountain emphasis markers (``*italic*``, ``**bold**``, ``_underline_``)."""
    prev = None
    while prev != text:
        prev = text
        text = EMPHASIS_RE.sub(lambda m: m.group(2), text)
    return text.replace("\\*", "*").replace("\\_", "_")


BLANK_LINE_RE = re.compile(r"\n(?!  \r?\n)[ \t]*\r?\n")  # an empty line (two spaces keep a note's line, as Fountain says)


def _strip_boneyard_and_notes(text: str, path: str | None) -> tuple[list[str], list[int], list[str]]:
    """Remove ``/* */`` and replace ``[[ ]]`` by tokens; keep a map to source lines."""
    out: list[str] = []
    notes: list[str] = []
    line = 1
    linemap = [1]
    i, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise ScriptError("unclosed boneyard '/*': add '*/' where the commented-out part ends",
                                  path=path, line=line)
            line += text.count("\n", i, j + 2)
            i = j + 2
            continue
        if text.startswith("[[", i):
            j = text.find("]]", i + 2)
            blank = BLANK_LINE_RE.search(text, i + 2)
            if j < 0 or (blank is not None and blank.start() < j):
                # Fountain ends a note at a blank line: one that runs past it is unclosed (it would swallow the
                # screenplay up to the next ']]': lines, scene headings, shots)
                raise ScriptError("unclosed note '[[': add ']]' where the note ends (a note ends before the next "
                                  "blank line)", path=path, line=line)
            notes.append(" ".join(text[i + 2:j].split()))
            out.append(f"\x00{len(notes) - 1}\x00")
            line += text.count("\n", i, j + 2)
            i = j + 2
            continue
        if text.startswith("*/", i):
            raise ScriptError("'*/' without an opening '/*': remove it or open the boneyard", path=path, line=line)
        c = text[i]
        out.append(c)
        if c == "\n":
            line += 1
            linemap.append(line)
        i += 1
    return "".join(out).split("\n"), linemap, notes


def _take_notes(s: str, notes: list[str]) -> tuple[str, tuple[str, ...]]:
    found = tuple(notes[int(m)] for m in NOTE_TOKEN_RE.findall(s))
    cleaned = NOTE_TOKEN_RE.sub("", s)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned) if found else cleaned
    return cleaned.strip() if found else cleaned, found


def split_character_cue(s: str) -> tuple[str, str, bool, bool]:
    """``@McDUCK (V.O.) ^`` -> (name, extension, dual, forced)."""
    s = s.strip()
    dual = s.endswith("^")
    if dual:
        s = s[:-1].rstrip()
    forced = s.startswith("@")
    if forced:
        s = s[1:]
    exts = EXTENSION_RE.findall(s)
    name = EXTENSION_RE.sub("", s).strip()
    return name, ", ".join(e.strip() for e in exts), dual, forced


def is_character_cue(s: str) -> bool:
    s = s.strip()
    if not s or s.startswith("!"):
        return False
    if s.startswith("@"):
        return True
    name, _, _, _ = split_character_cue(s)
    return bool(name) and any(ch.isalpha() for ch in name) and name == name.upper() \
        and not any(ch.islower() for ch in name)


def parse(text: str, path: str | None = None) -> list[Element]:
    """Parse Fountain text into a list of elements. Raises ScriptError with the line."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines, linemap, notes = _strip_boneyard_and_notes(text, path)
    elements: list[Element] = []
    i = 0
    # Title page: key: value pairs at the very top, ending at the first blank line.
    first = next((k for k, ln in enumerate(lines) if ln.strip()), None)
    m0 = TITLE_KEY_RE.match(lines[first]) if first is not None else None
    if m0 and m0.group(1).strip().lower() in TITLE_KEYS:
        meta: list[tuple[str, str]] = []
        k = first
        while k < len(lines) and lines[k].strip():
            m = TITLE_KEY_RE.match(lines[k])
            if m and not lines[k][:1].isspace():
                meta.append((m.group(1).strip(), m.group(2).strip()))
            elif meta:
                key, val = meta[-1]
                meta[-1] = (key, (val + "\n" + lines[k].strip()).strip())
            k += 1
        elements.append(Element("title_page", line=linemap[first], meta=tuple(meta)))
        i = k

    def blank(k: int) -> bool:
        return k < 0 or k >= len(lines) or not NOTE_TOKEN_RE.sub("", lines[k]).strip() and \
            not NOTE_TOKEN_RE.search(lines[k])

    in_dialogue = False
    while i < len(lines):
        raw = lines[i]
        s = raw.strip()
        src = linemap[i]
        if in_dialogue:
            if not s and len(raw) >= 2 and raw.startswith("  ") and not blank(i + 1):
                _append_dialogue(elements, "", src)
                i += 1
                continue
            if not s:
                in_dialogue = False
                i += 1
                continue
            body, found = _take_notes(s, notes)
            if body.startswith(("(", "（")) and body.endswith((")", "）")):  # (a full-width one in Chinese)
                elements.append(Element("parenthetical", body, src, found))
            elif body.startswith("~"):
                elements.append(Element("lyrics", body[1:].strip(), src, found))
            elif not body and found:
                elements.append(Element("note", found[0], src, found))
            else:
                _append_dialogue(elements, body, src, found)
            i += 1
            continue
        if not s:
            i += 1
            continue
        prev_blank, next_blank = blank(i - 1), blank(i + 1)
        body, found = _take_notes(s, notes)
        if not body and found:
            for note in found:
                elements.append(Element("note", note, src))
        elif PAGE_BREAK_RE.match(body):
            elements.append(Element("page_break", "", src))
        elif body.startswith("#"):
            level = len(body) - len(body.lstrip("#"))
            elements.append(Element("section", body[level:].strip(), src, found, level=level))
        elif body.startswith("=") and not body.startswith("=="):
            elements.append(Element("synopsis", body[1:].strip(), src, found))
        elif body.startswith(">") and body.endswith("<"):
            elements.append(Element("centered", body[1:-1].strip(), src, found))
        elif body.startswith(">"):
            elements.append(Element("transition", body[1:].strip(), src, found, forced=True))
        elif body.startswith(".") and not body.startswith("..") and prev_blank:
            heading, number = _scene_number(body[1:].strip())
            elements.append(Element("scene_heading", heading, src, found, number=number, forced=True))
        elif SCENE_RE.match(body) and prev_blank:
            heading, number = _scene_number(body)
            elements.append(Element("scene_heading", heading, src, found, number=number))
        elif body.upper() == body and body.endswith("TO:") and prev_blank and next_blank \
                and any(ch.isalpha() for ch in body):
            elements.append(Element("transition", body, src, found))
        elif body.startswith("~"):
            elements.append(Element("lyrics", body[1:].strip(), src, found))
        elif prev_blank and not next_blank and is_character_cue(body) and not body.startswith("!"):
            name, ext, dual, forced = split_character_cue(body)
            elements.append(Element("character", name, src, found, extension=ext, dual=dual, forced=forced))
            in_dialogue = True
        else:
            # An action paragraph runs until the next blank line.
            forced = body.startswith("!")
            parts = [body[1:] if forced else (body if found else _keep_indent(raw))]
            all_notes = list(found)
            k = i + 1
            while k < len(lines) and not blank(k):
                b, f = _take_notes(lines[k].rstrip(), notes)
                all_notes.extend(f)
                if b.strip() or not f:
                    parts.append(b.strip() if f else _keep_indent(lines[k]))
                k += 1
            text_ = "\n".join(p.rstrip() for p in parts).strip("\n")
            elements.append(Element("action", text_, src, tuple(all_notes), forced=forced))
            i = k
            continue
        i += 1
    return elements


def _keep_indent(raw: str) -> str:
    # Fountain keeps action indentation made with spaces; tabs become four spaces.
    return raw.replace("\t", "    ").rstrip() if raw.startswith(" " * 4) else raw.strip()


def _append_dialogue(elements: list[Element], text: str, line: int, notes: tuple[str, ...] = ()) -> None:
    if elements and elements[-1].type == "dialogue":
        last = elements[-1]
        elements[-1] = Element("dialogue", last.text + "\n" + text, last.line, last.notes + notes)
    else:
        elements.append(Element("dialogue", text, line, notes))


def _scene_number(heading: str) -> tuple[str, str]:
    m = SCENE_NUMBER_RE.search(heading)
    if m:
        return heading[: m.start()].strip(), m.group(1)
    return heading.strip(), ""


def write(elements: list[Element]) -> str:
    """Write elements back to Fountain text that parses to the same elements."""
    out: list[str] = []

    def block(*ls: str) -> None:
        if out and out[-1] != "":
            out.append("")
        out.extend(ls)

    prev = None
    for e in elements:
        notes = "".join(f" [[{n}]]" for n in e.notes)
        t = e.type
        if t == "title_page":
            for key, val in e.meta:
                vals = val.split("\n")
                if len(vals) == 1:
                    out.append(f"{key}: {vals[0]}".rstrip())
                else:
                    out.append(f"{key}:")
                    out.extend("    " + v for v in vals)
            out.append("")
        elif t == "scene_heading":
            head = e.text if SCENE_RE.match(e.text) else "." + e.text
            num = f" #{e.number}#" if e.number else ""
            block(head + num + notes)
        elif t == "action":
            text = e.text
            first = text.split("\n", 1)[0]
            needs_force = e.forced or is_character_cue(first) or SCENE_RE.match(first) \
                or first.startswith(("#", "=", ">", ".", "~", "@")) or PAGE_BREAK_RE.match(first)
            block(("!" if needs_force else "") + text + notes)
        elif t == "character":
            name = e.text
            cue = name if is_character_cue(name) and name == name.upper() else "@" + name
            if e.forced and not cue.startswith("@"):
                cue = "@" + cue
            if e.extension:
                cue += "".join(f" ({x.strip()})" for x in e.extension.split(","))
            if e.dual:
                cue += " ^"
            block(cue + notes)
        elif t in ("parenthetical", "dialogue"):
            body = e.text.split("\n")
            out.extend(ln if ln else "  " for ln in body[:-1])
            out.append(body[-1] + notes)
        elif t == "lyrics":
            if prev not in ("character", "dialogue", "parenthetical", "lyrics"):
                block()
                out.pop()
            out.append("~" + e.text + notes)
        elif t == "transition":
            auto = e.text.upper() == e.text and e.text.endswith("TO:") and not e.forced
            block((e.text if auto else "> " + e.text) + notes)
        elif t == "centered":
            block(f"> {e.text} <" + notes)
        elif t == "note":
            if prev in ("character", "dialogue", "parenthetical"):
                out.append(f"[[{e.text}]]")
            else:
                block(f"[[{e.text}]]")
        elif t == "section":
            block("#" * max(1, e.level) + " " + e.text)
        elif t == "synopsis":
            block("= " + e.text)
        elif t == "page_break":
            block("===")
        prev = t
    return "\n".join(out).rstrip("\n") + "\n"
