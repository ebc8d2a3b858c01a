"""filmcrew's conventions on top of Fountain: scenes, shots, lines and stable ids.

- A scene heading starts a scene; its id is ``epNN-sSS`` where SS is the Fountain
  scene number (``#3#``) when present, else the scene's position.
- An action paragraph is a shot (``epNN-sSS-shKK``); dialogue belongs to the shot it
  follows. Notes such as ``[[shot: close-up; 4s; mood: tense; id: sh02]]`` in or just
  before the action carry shot metadata; ``id:`` pins the id.
- Lines are numbered inside their scene (``epNN-sSS-lKK``).
Ids depend only on the scene (number) and the position inside it, so an edit in
another scene never changes them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from ..errors import ScriptError, did_you_mean
from ..model import CAMERAS, FPS, VIDEO_MODES, Episode, Line, Scene, Shot, frames_to_seconds, seconds_to_frames
from . import fountain

TIMES = {"dawn": "dawn", "sunrise": "dawn", "morning": "morning", "day": "day", "afternoon": "day",
         "noon": "day", "dusk": "dusk", "sunset": "dusk", "evening": "dusk", "night": "night",
         "midnight": "night", "later": "day", "continuous": "day",
         "aube": "dawn", "matin": "morning", "jour": "day", "soir": "dusk", "nuit": "night",
         "黎明": "dawn", "清晨": "morning", "早晨": "morning", "白天": "day", "日": "day", "傍晚": "dusk",
         "黄昏": "dusk", "夜": "night", "夜晚": "night", "深夜": "night"}
DURATION_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*s(?:ec(?:onds?)?)?$", re.IGNORECASE)
TRANSITION_WORDS = {"dissolve": "crossfade", "crossfade": "crossfade", "fade": "dip", "dip": "dip",
                    "cut": "cut", "smash": "cut", "match": "cut"}
CAMERA_ALIASES = {"close": "close-up", "closeup": "close-up", "cu": "close-up", "ws": "wide",
                  "ms": "medium", "ots": "over-the-shoulder", "over the shoulder": "over-the-shoulder",
                  "establishing": "wide", "long": "wide"}

# Speaking rates used to estimate runtime before any voice exists, measured on the offline voices as the
# offline writer's cast speaks (2026-12-03: every line of English, French and Chinese films, the voices' own
# lengths): Piper en_US-joe-medium 3.2-3.3 words/s, espeak-ng French 3.2-3.6 words/s (from one film to the
# next: who speaks, at what speed), espeak-ng Mandarin 3.6-3.7 characters/s at the 250 words a minute
# filmcrew gives it. (They were 2.6, 2.7 and 4.2:
# the films came out 16% short in English and French and 26% long in Chinese.) A model's or a person's voice differs; the editor times the film
# from the voices themselves once they exist, and `plan` says how far the film is from its length.
WORDS_PER_SECOND = {"en": 3.3, "fr": 3.3}
CJK_CHARS_PER_SECOND = 3.6
LINE_GAP_S = 0.35
SHOT_PAD_S = 0.6
MIN_SHOT_S = 2.0


def speech_seconds(text: str, language: str) -> float:
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    words = len(re.findall(r"[A-Za-zÀ-ÿ0-9']+", text))
    return cjk / CJK_CHARS_PER_SECOND + words / WORDS_PER_SECOND.get(language, 3.3)


def action_seconds(text: str) -> float:
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    words = len(text.split())
    return min(6.0, max(2.5, 1.2 + 0.12 * words + cjk / 12))


def estimated_shot_seconds(shot: Shot, language: str) -> float:
    """The length a shot will have before its voices exist (same rule as the editor)."""
    speech = sum(speech_seconds(ln.text, language) + LINE_GAP_S for ln in shot.lines)
    base = frames_to_seconds(shot.duration_frames) if shot.duration_frames else action_seconds(shot.action)
    return max(base, speech + SHOT_PAD_S if shot.lines else 0.0, MIN_SHOT_S)


@dataclass
class ShotMeta:
    camera: str | None = None
    seconds: float | None = None
    mood: str | None = None
    transition: str | None = None
    id: str | None = None
    video: str | None = None
    seed: int | None = None
    illustrator: str | None = None
    animator: str | None = None
    lipsync: str | None = None


NOTE_KEYS = {"camera": "camera", "cam": "camera", "mood": "mood", "transition": "transition", "out": "transition",
             "id": "id", "video": "video", "duration": "seconds", "length": "seconds", "seed": "seed",
             "illustrator": "illustrator", "animator": "animator", "lipsync": "lipsync"}
NOTE_HELP = ("a shot note holds a camera (wide, medium, close-up, over-the-shoulder, insert), a length (4s), a "
             "transition (crossfade, cut, dip...) and key: value pairs (camera, mood, transition, duration, video, "
             "seed, illustrator, animator, lipsync, id)")
EXAMPLE_PROVIDER = {"illustrator": "seedream", "animator": "kling", "lipsync": "kling-lipsync"}


def parse_shot_note(note: str) -> ShotMeta | None:
    """``shot: close-up; 4s; mood: tense`` -> ShotMeta; None if the note is not shot metadata. A word or key it does
    not know, or the same setting given twice (``3s; 5s``), is a ValueError naming it (with the key it was
    probably meant to be): a misspelt ``animater: camera-moves`` must not leave the shot on a paid model."""
    text = note.strip()
    low = text.lower()
    if not (low.startswith("shot:") or low.startswith("shot ")):
        return None
    meta = ShotMeta()
    given: dict[str, str] = {}

    def once(field_: str, p: str) -> None:
        if field_ in given:
            raise ValueError(f"two {field_ if field_ != 'seconds' else 'lengths'} ({given[field_]!r} and {p!r}) in "
                             f"[[{note}]]; keep one")
        given[field_] = p

    for part in re.split(r"[;,]", text[5:]):
        p = part.strip()
        if not p:
            continue
        key, colon, val = p.partition(":")
        key_l, val = key.strip().lower(), val.strip()
        if colon and key_l not in NOTE_KEYS:
            raise ValueError(f"unknown key {key.strip()!r} in [[{note}]]{did_you_mean(key_l, NOTE_KEYS)} ({NOTE_HELP})")
        if colon and not val:
            raise ValueError(f"{key.strip()!r} has no value in [[{note}]]; write it as {key_l}: VALUE")
        if val:
            field_ = NOTE_KEYS[key_l]
            once(field_, p)
            if field_ == "camera":
                meta.camera = _camera(val, note)
            elif field_ == "mood":
                meta.mood = val
            elif field_ == "transition":
                meta.transition = TRANSITION_WORDS.get(val.lower().split()[0], None) or _bad(note, val)
            elif field_ == "id":
                meta.id = val
            elif field_ == "video":
                if val.lower() not in VIDEO_MODES:
                    raise ValueError(f"unknown video mode {val!r} in [[{note}]]; use one of {', '.join(VIDEO_MODES)}")
                meta.video = val.lower()
            elif field_ == "seconds":
                meta.seconds = _seconds(val, note)
            elif field_ == "seed":
                if not re.fullmatch(r"\d{1,6}", val):
                    raise ValueError(f"bad seed {val!r} in [[{note}]]; write a whole number such as seed: 2")
                meta.seed = int(val)
            else:  # illustrator, animator, lipsync
                if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", val.lower()):
                    raise ValueError(f"bad provider name {val!r} in [[{note}]]; write a provider's name such as "
                                     f"{field_}: {EXAMPLE_PROVIDER.get(field_, 'kling')}")
                setattr(meta, field_, val.lower())
        elif DURATION_RE.match(p):
            once("seconds", p)
            meta.seconds = _seconds(p, note)
        elif _camera(p, None):
            once("camera", p)
            meta.camera = _camera(p, note)
        elif p.lower() in TRANSITION_WORDS:
            once("transition", p)
            meta.transition = TRANSITION_WORDS[p.lower()]
        else:
            words = [*CAMERAS, *CAMERA_ALIASES, *TRANSITION_WORDS]
            hint = did_you_mean(p.lower(), words, cutoff=0.7)
            if re.fullmatch(r"[\d.eE+-]+\s*s(ec(onds?)?)?|nans?|infs?", p.strip(), re.IGNORECASE):
                hint = "; write a length like 4s or 2.5s"
            raise ValueError(f"unknown word {p!r} in [[{note}]]{hint} ({NOTE_HELP})")
    return meta


def _bad(note: str, val: str) -> str:
    raise ValueError(f"unknown value {val!r} in note [[{note}]]")


def _camera(val: str, note: str | None) -> str | None:
    v = val.strip().lower()
    v = CAMERA_ALIASES.get(v, v)
    if v in CAMERAS:
        return v
    if note is not None:
        raise ValueError(f"unknown camera {val!r} in [[{note}]]; use one of {', '.join(CAMERAS)}")
    return None


def _seconds(val: str, note: str) -> float:
    m = DURATION_RE.match(val.strip()) or re.match(r"^(\d+(?:\.\d+)?)$", val.strip())
    if not m or float(m.group(1)) <= 0:
        raise ValueError(f"bad duration {val!r} in [[{note}]]; write it like 4s or 2.5s")
    return float(m.group(1))


def parse_heading(heading: str) -> tuple[bool, str, str]:
    """``EXT. RIVERBANK - DAWN`` -> (interior=False, 'RIVERBANK', 'dawn')."""
    h = heading.strip()
    m = fountain.SCENE_RE.match(h)
    prefix = m.group(1).upper() if m else ""
    rest = h[m.end():].strip(" .-") if m else h
    interior = prefix.startswith("INT") or prefix.startswith("I")
    if prefix in ("EXT", "EST"):
        interior = False
    parts = [p.strip() for p in re.split(r"\s+[-–—]\s+|\s+-$", rest) if p.strip()]
    tod = "day"
    location = rest
    if len(parts) >= 2:
        cand = re.sub(r"\(.*?\)", "", parts[-1]).strip().lower()
        if cand in TIMES:
            tod = TIMES[cand]
            location = " - ".join(parts[:-1])
    else:
        words = rest.split()
        if words and words[-1].lower() in TIMES:
            tod = TIMES[words[-1].lower()]
            location = " ".join(words[:-1])
    for k, v in TIMES.items():  # Chinese headings: 外景 河岸 - 黎明
        if not location.isascii() and location.endswith(k):
            tod, location = v, location[: -len(k)].strip(" -")
            break
    return interior, location.strip() or rest or h, tod


def _mentions(action: str, names: list[str]) -> tuple[str, ...]:
    found = []
    for n in names:
        if re.search(r"(?<![\w])" + re.escape(n) + r"(?![\w])", action, re.IGNORECASE) \
                or (not n.isascii() and n in action):
            found.append(n)
    return tuple(found)


BIDI_CONTROLS = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')})"


def text_problem(text: str) -> str | None:
    """Why `text` (a line, a heading) cannot be spoken and drawn as written, or None. Refused, never turned
    into boxes: control and bidi-control characters (U+202E would mirror the burned subtitles), right-to-left
    scripts (filmcrew lays text out left to right only) and emoji (no font for them, no voice reads them)."""
    for ch in text:
        o = ord(ch)
        if o in BIDI_CONTROLS:
            return (f"{_char_name(ch)} is an invisible bidi control character that would reorder the burned "
                    f"subtitles; delete it")
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n":
            return f"{_char_name(ch)} is a control character; delete it"
        if unicodedata.bidirectional(ch) in ("R", "AL"):
            script = unicodedata.name(ch, "right-to-left").split()[0].title()
            return (f"{script} text ({ch!r}): filmcrew lays out subtitles left to right only and has no {script} "
                    f"font or voice, so it would be drawn backwards or as boxes; write the line in a left-to-right "
                    f"language (Chinese, French or English)")
        if o >= 0x1F000 or o in (0xFE0F, 0x200D):
            return f"emoji {ch!r} ({_char_name(ch)}): no font draws it and no voice reads it; write it in words"
    return None


def to_episode(elements: list[fountain.Element], number: int = 1, language: str = "en",
               known_characters: list[str] | None = None, path: str | None = None,
               strict: bool = False) -> tuple[Episode, list[str]]:
    """Convert Fountain elements to an Episode. Returns (episode, problems).

    With ``strict``, a problem (bad shot note, unknown speaker) raises ScriptError
    naming the line; otherwise it is reported in ``problems``.
    """
    ep = f"ep{number:02d}"
    problems: list[str] = []
    title = ""
    for e in elements:
        if e.type == "title_page":
            title = dict((k.lower(), v) for k, v in e.meta).get("title", "")
    cue_names = sorted({e.text.upper() for e in elements if e.type == "character"})
    names = [n.upper() for n in (known_characters or [])] or cue_names
    known = set(names)

    def problem(msg: str, line: int) -> None:
        if strict:
            raise ScriptError(msg, path=path, line=line)
        problems.append(f"{path or '<screenplay>'}:{line}: {msg}")

    scenes: list[dict] = []
    pending_notes: list[tuple[str, int]] = []
    cur_scene: dict | None = None
    cur_shot: dict | None = None
    speaker: dict | None = None

    def new_scene(heading: str, number_: str, line: int) -> dict:
        interior, loc, tod = parse_heading(heading)
        sc = {"heading": heading, "number": number_, "interior": interior, "location": loc, "tod": tod,
              "mood": "", "shots": [], "line": line}
        scenes.append(sc)
        return sc

    def new_shot(action: str, line: int, notes: list[tuple[str, int]]) -> dict:
        nonlocal cur_scene
        if cur_scene is None:
            cur_scene = new_scene("", "", line)
        sh = {"action": action, "line": line, "lines": [], "meta": ShotMeta(), "notes": []}
        for note, nline in notes:
            try:
                meta = parse_shot_note(note)
            except ValueError as err:
                problem(str(err), nline)
                meta = None
            if meta is None:
                sh["notes"].append(note)
                low = note.lower()
                if low.startswith("scene:") or low.startswith("mood:"):
                    cur_scene["mood"] = note.split("mood:", 1)[-1].strip() if "mood:" in low else ""
                continue
            for k in ("camera", "seconds", "mood", "transition", "id", "video", "seed", "illustrator", "animator",
                      "lipsync"):
                if getattr(meta, k) is not None:
                    setattr(sh["meta"], k, getattr(meta, k))
        cur_scene["shots"].append(sh)
        return sh

    first_heading = next((e.line for e in elements if e.type == "scene_heading"), None)
    first_story = next((e.line for e in elements if e.type in ("action", "character")), None)
    if first_story is not None and first_heading is None:  # (an opening before the first heading is fine)
        problem("no scene heading: begin each scene with a heading line such as `EXT. RIVERBANK - DAWN` "
                "(INT. or EXT., the place, a dash, the time of day)", first_story)
    for e in elements:
        t = e.type
        if t in ("scene_heading", "dialogue", "lyrics", "character") and (why := text_problem(e.text)):
            problem(why, e.line)
        if t == "scene_heading":
            cur_scene = new_scene(e.plain, e.number, e.line)
            cur_shot, speaker = None, None
            for note in e.notes:
                if "mood:" in note.lower():
                    cur_scene["mood"] = note.split(":", 1)[1].strip()
        elif t == "note":
            low = e.text.lower()
            if cur_scene is not None and not cur_scene["shots"] and (low.startswith("scene:") or low.startswith("mood:")):
                cur_scene["mood"] = e.text.split("mood:", 1)[-1].strip() if "mood:" in low else cur_scene["mood"]
            else:
                pending_notes.append((e.text, e.line))
        elif t == "action":
            notes = pending_notes + [(n, e.line) for n in e.notes]
            pending_notes = []
            cur_shot = new_shot(e.plain, e.line, notes)
            speaker = None
        elif t == "character":
            if cur_shot is None:
                cur_shot = new_shot("", e.line, pending_notes)
                pending_notes = []
            name = e.text.upper()
            if name not in known:
                problem(f"unknown character {e.text!r}: add them to story/bible.yaml characters "
                        f"or fix the name (known: {', '.join(sorted(known)) or 'none'})", e.line)
            speaker = {"name": name, "ext": e.extension, "dual": e.dual, "paren": "", "line": e.line}
        elif t == "parenthetical" and speaker is not None:
            speaker["paren"] = e.plain.strip("()（） ")
        elif t in ("dialogue", "lyrics") and speaker is not None and cur_shot is not None:
            text = " ".join(e.plain.split())
            if text:
                cur_shot["lines"].append({**speaker, "text": text, "line": e.line})
                speaker = {**speaker, "paren": ""}
        elif t == "transition" and cur_shot is not None:
            word = e.plain.lower().split()[0] if e.plain.split() else "cut"
            cur_shot["meta"].transition = TRANSITION_WORDS.get(word, "cut")

    built: list[Scene] = []
    for pos, sc in enumerate(scenes, start=1):
        if not sc["heading"] and not sc["shots"]:
            continue
        num = sc["number"]
        sid = f"{ep}-s{int(num):02d}" if num.isdigit() else (f"{ep}-s{num}" if num else
                                                           (f"{ep}-s00" if not sc["heading"] else f"{ep}-s{pos:02d}"))
        shots: list[Shot] = []
        line_no = 0
        used_ids: set[str] = set()
        for k, sh in enumerate(sc["shots"], start=1):
            m: ShotMeta = sh["meta"]
            shid = f"{sid}-{m.id}" if m.id else f"{sid}-sh{k:02d}"
            if shid in used_ids:
                problem(f"duplicate shot id {shid}: give each [[shot: id: ...]] a unique value", sh["line"])
                shid = f"{sid}-sh{k:02d}x"
            used_ids.add(shid)
            lines = []
            for ln in sh["lines"]:
                line_no += 1
                lines.append(Line(id=f"{sid}-l{line_no:02d}", speaker=ln["name"], text=ln["text"],
                                  language=language, parenthetical=ln["paren"], extension=ln["ext"],
                                  dual=ln["dual"], source_line=ln["line"]))
            speakers = [ln.speaker for ln in lines]
            present = tuple(dict.fromkeys(list(_mentions(sh["action"], names)) + speakers))
            camera = m.camera or ("wide" if not present else ("close-up" if len(lines) == 1 and len(present) == 1
                                                              else "medium"))
            shots.append(Shot(id=shid, action=sh["action"], camera=camera, characters=present,
                              duration_frames=seconds_to_frames(m.seconds) if m.seconds else None,
                              mood=m.mood or sc["mood"], transition=m.transition or "cut",
                              lines=tuple(lines), notes=tuple(sh["notes"]), source_line=sh["line"],
                              video=m.video or "", seed=m.seed or 0, illustrator=m.illustrator or "",
                              animator=m.animator or "", lipsync=m.lipsync or ""))
        built.append(Scene(id=sid, heading=sc["heading"], interior=sc["interior"], location=sc["location"],
                           time_of_day=sc["tod"], mood=sc["mood"], shots=tuple(shots), number=num,
                           source_line=sc["line"]))
    seen: set[str] = set()
    for sc in built:
        if sc.id in seen:
            problem(f"duplicate scene number in {sc.id}: scene numbers (#N#) must be unique", sc.source_line)
        seen.add(sc.id)
    return Episode(number=number, title=title, scenes=tuple(built), language=language), problems


def check(text: str, path: str | None = None, language: str = "en") -> dict:
    """What ``filmcrew script check`` reports."""
    errors: list[str] = []
    try:
        elements = fountain.parse(text, path)
    except ScriptError as err:
        return {"scenes": 0, "characters": {}, "lines": 0, "runtime_seconds": 0.0, "errors": [str(err)]}
    characters: dict[str, int] = {}
    for e in elements:
        if e.type == "character":
            characters[e.text.upper()] = characters.get(e.text.upper(), 0) + 1
    episode, problems = to_episode(elements, language=language, path=path)
    errors.extend(problems)
    runtime = sum(estimated_shot_seconds(s, language) for s in episode.shots())
    return {
        "scenes": sum(1 for e in elements if e.type == "scene_heading"),
        "characters": characters,
        "lines": sum(characters.values()),
        "shots": len(episode.shots()),
        "runtime_seconds": round(runtime, 1),
        "errors": errors,
    }


def episode_to_fountain(episode: Episode, title: str = "", credit: str = "", extra_meta: dict | None = None) -> str:
    """Write an Episode as Fountain with filmcrew's shot notes (used by the writer)."""
    els: list[fountain.Element] = []
    meta = [("Title", title or episode.title)]
    if credit:
        meta.append(("Credit", credit))
    for k, v in (extra_meta or {}).items():
        meta.append((k, v))
    els.append(fountain.Element("title_page", meta=tuple(meta)))
    for sc in episode.scenes:
        num = sc.id.rsplit("-s", 1)[-1].lstrip("0") or "0"
        els.append(fountain.Element("scene_heading", sc.heading, number=num))
        if sc.mood:
            els.append(fountain.Element("note", f"scene: mood: {sc.mood}"))
        for sh in sc.shots:
            parts = [sh.camera]
            if sh.duration_frames:
                parts.append(f"{frames_to_seconds(sh.duration_frames):g}s")
            if sh.mood and sh.mood != sc.mood:  # (a separator inside a mood would end it and start an unknown word)
                parts.append("mood: " + re.sub(r"\s*[;,]\s*", " / ", sh.mood))
            if sh.transition != "cut":
                parts.append(f"transition: {sh.transition}")
            if sh.video:
                parts.append(f"video: {sh.video}")
            if sh.seed:
                parts.append(f"seed: {sh.seed}")
            for role in ("illustrator", "animator", "lipsync"):
                if getattr(sh, role):
                    parts.append(f"{role}: {getattr(sh, role)}")
            els.append(fountain.Element("action", sh.action, notes=("shot: " + "; ".join(parts),)))
            for ln in sh.lines:
                els.append(fountain.Element("character", ln.speaker, extension=ln.extension, dual=ln.dual))
                if ln.parenthetical:
                    els.append(fountain.Element("parenthetical", f"({ln.parenthetical})"))
                els.append(fountain.Element("dialogue", ln.text))
    return fountain.write(els)


def fps_seconds(frames: int) -> float:
    return float(frames / FPS)


def paragraph_span(lines: list[str], source_line: int) -> tuple[int, int]:
    """The first and last index of the paragraph holding `source_line` (1-based); ScriptError when that line is
    blank or gone (the file changed since it was read)."""
    i = source_line - 1
    if not 0 <= i < len(lines) or not lines[i].strip():
        raise ScriptError("that shot is no longer where it was; reload the page", line=source_line)
    a, b = i, i
    while a > 0 and lines[a - 1].strip():
        a -= 1
    while b + 1 < len(lines) and lines[b + 1].strip():
        b += 1
    return a, b


def set_shot_seed(text: str, source_line: int, seed: int) -> str:
    """The screenplay `text` with the shot whose action paragraph holds `source_line` (1-based) saying `seed: N`
    in its `[[shot: ...]]` note (another seed for its model picture and video; a note is added when it has
    none); the rest is kept. ScriptError when that line is no longer a paragraph (the file changed)."""
    return set_shot_note(text, source_line, "seed", str(seed))


def set_shot_note(text: str, source_line: int, key: str, value: str) -> str:
    """The screenplay `text` with the `[[shot: ...]]` note of the shot whose action paragraph holds `source_line`
    (1-based) saying `key: value` (replacing what it said for `key`; an empty value takes `key` away; a note is
    added when the shot has none); the rest is kept. ScriptError when that line is no longer a paragraph."""
    lines = text.split("\n")
    a, b = paragraph_span(lines, source_line)
    mine = (lambda p: p.split(":", 1)[0].strip().lower() == key)
    for k in range(a, b + 1):
        m = re.search(r"\[\[\s*shot\s*:([^\]]*)\]\]", lines[k], re.I)
        if m:
            parts = [p.strip() for p in re.split(r"[;,]", m.group(1)) if p.strip() and not mine(p.strip())]
            parts += [f"{key}: {value}"] if value else []
            note = ("[[shot: " + "; ".join(parts) + "]]") if parts else ""
            lines[k] = (lines[k][:m.start()] + note + lines[k][m.end():]).rstrip()
            if not lines[k].strip():  # (a note on a line of its own, now empty: the paragraph stays one)
                del lines[k]
            return "\n".join(lines)
    if value:
        lines[b] = lines[b].rstrip() + f" [[shot: {key}: {value}]]"
    return "\n".join(lines)


def replace_action(text: str, source_line: int, old: str, new: str) -> str:
    """The screenplay `text` with the action paragraph of the shot whose note is on `source_line` (1-based)
    saying `new` instead of `old`; its notes (`[[shot: ...]]` and the like) are kept. ScriptError when that
    paragraph no longer says `old` (the file changed since it was read: read it again)."""
    lines = text.split("\n")
    a, b = paragraph_span(lines, source_line)
    para = " ".join(ln.strip() for ln in lines[a:b + 1])
    notes = re.findall(r"\[\[.*?\]\]", para)
    said = " ".join(re.sub(r"\[\[.*?\]\]", " ", para).split())
    if said != " ".join(old.split()):
        raise ScriptError("the shot's action changed since it was read; reload the page", line=source_line)
    new = " ".join(new.split())
    if not new:
        raise ScriptError("a shot needs an action: say what we see", line=source_line)
    if "[[" in new or "]]" in new or new[0] in "!@#~.>=" or new.upper() == new and new.isalpha():
        raise ScriptError("an action is plain prose: no [[notes]], and not a line Fountain reads as something else "
                          "(a character name in capitals, a heading, a transition)", line=source_line)
    return "\n".join(lines[:a] + [" ".join([new, *notes])] + lines[b + 1:])


__all__ = ["to_episode", "check", "episode_to_fountain", "parse_heading", "parse_shot_note",
           "estimated_shot_seconds", "speech_seconds", "replace", "replace_action", "set_shot_seed", "set_shot_note"]
