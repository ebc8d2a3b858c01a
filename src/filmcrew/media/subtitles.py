"""Subtitle layout shared by the burned-in subtitles (finisher) and the subtitle files (editor).

A line is wrapped to the width of the vertical safe area at the size it is burned in and cut into
pieces of at most two lines. A synthetic voice says a line one sentence at a time and records when each
sentence starts and ends (`sentences.json`); each sentence then gets its own pieces, shown from its
first sound until the next sentence starts. Otherwise (a human take) each piece is shown for a share of
the line's spoken time proportional to its length. The .srt and .ass files carry exactly the pieces and
times that are burned in.
"""
from __future__ import annotations

import numpy as np

from . import fonts


def wrap(text: str, font, max_w: int) -> list[str]:
    cjk = any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)
    tokens = list(text) if cjk else text.split(" ")
    joiner = "" if cjk else " "
    lines, cur = [], ""
    for tok in tokens:
        cand = (cur + joiner + tok) if cur else tok
        if font.getlength(cand) <= max_w or not cur:
            cur = cand
        else:
            lines.append(cur)
            cur = tok
    if cur:
        lines.append(cur)
    if cjk:  # never start a line with closing punctuation
        for i in range(1, len(lines)):
            while lines[i] and lines[i][0] in "，。！？、；：”’）》":
                lines[i - 1] += lines[i][0]
                lines[i] = lines[i][1:]
    return [ln for ln in lines if ln]


def subtitle_box(size: tuple[int, int]) -> tuple[int, int, int]:
    """(font size, max text width, bottom y) inside the vertical safe area."""
    W, H = size
    fs = max(18, int(round(min(W, H) * 0.046)))
    if H > W:  # keep top 150, bottom 440 and right 150 of 1080x1920 free
        side = int(round(150 * W / 1080))
        return fs, W - 2 * side, H - int(round(440 * H / 1920)) - fs // 3
    return fs, int(W * 0.8), int(H * 0.92)


def chunks(text: str, font, max_w: int) -> list[str]:
    """Split a line into readable pieces of at most two lines each."""
    lines = wrap(text, font, max_w)
    return ["\n".join(lines[i:i + 2]) for i in range(0, len(lines), 2)]


def piece_bounds(pieces: list[str], frames: int) -> np.ndarray:
    """Frame offsets (len(pieces) + 1) splitting a line's `frames` between its pieces by length."""
    weights = np.array([max(1, len(p)) for p in pieces], float)
    return np.concatenate([[0], np.cumsum(weights) / weights.sum()]) * frames


MIN_PIECE = 30  # frames (1 s at 30 fps): the shortest a piece of a line stays on screen, so it can be read


def hold(pieces: list[tuple[str, int, int]], min_frames: int = MIN_PIECE) -> list[tuple[str, int, int]]:
    """The same pieces, one after another over the same span, each on screen at least `min_frames` (taken from
    the longer ones, which start a little later than their words); an even split when the line is too
    short for that. A one-piece line keeps its voice's length."""
    if len(pieces) < 2:
        return pieces
    start, end = pieces[0][1], pieces[-1][2]
    d = [b - a for _, a, b in pieces]
    if min(d) >= min_frames:
        return pieces
    total = end - start
    if total < min_frames * len(d):
        d = [total / len(d)] * len(d)
    else:
        while min(d) < min_frames - 1e-9:
            need = sum(min_frames - x for x in d if x < min_frames)
            spare = [max(0.0, x - min_frames) for x in d]
            d = [max(x, min_frames) - (need * s / sum(spare) if x > min_frames else 0) for x, s in zip(d, spare)]
    bounds = [start]
    for x in d:
        bounds.append(bounds[-1] + x)
    return [(p, int(round(bounds[j])), int(round(bounds[j + 1]))) for j, (p, _, _) in enumerate(pieces)]


def line_pieces(text: str, font, max_w: int, frames: int, spans: list | None = None) -> list[tuple[str, int, int]]:
    """(piece, first frame, end frame) of each piece of a line whose voice lasts `frames`, in frames from the
    voice's start. `spans` are the voice's sentences as (text, first frame, end frame); with two or more,
    each sentence is cut into its own pieces, shown from its first sound until the next one starts. Every
    piece stays at least MIN_PIECE frames where the line is long enough (`hold`)."""
    if spans and len(spans) > 1:
        out = []
        for k, (sentence, a, _b) in enumerate(spans):
            a = 0 if k == 0 else a
            end = spans[k + 1][1] if k + 1 < len(spans) else frames
            pieces = chunks(sentence, font, max_w)
            bounds = piece_bounds(pieces, max(1, end - a)) + a
            out += [(p, int(round(bounds[j])), int(round(bounds[j + 1]))) for j, p in enumerate(pieces)]
        return hold(out)
    pieces = chunks(text, font, max_w)
    bounds = piece_bounds(pieces, frames)
    return hold([(p, int(round(bounds[j])), int(round(bounds[j + 1]))) for j, p in enumerate(pieces)])


def timed_pieces(timeline: dict) -> list[tuple[int, int, str]]:
    """(start frame, end frame, text with \\n between its lines) for every piece of every line, where the
    line's voice is on screen (a trimmed line keeps the pieces of the part that plays)."""
    size = tuple(timeline["size"])
    fs, max_w, _bottom = subtitle_box(size)
    font = fonts.font(fs)
    out = []
    for ln in timeline["lines"]:
        first, n = ln.get("from", 0), ln.get("voice_frames", ln["frames"])
        for piece, a, b in line_pieces(ln["text"], font, max_w, n, ln.get("spans")):
            a, b = max(a, first), min(b, first + ln["frames"])
            if b > a:
                out.append((ln["start"] + a - first, ln["start"] + b - first, piece))
    return out


def _ts(frames: int, fps: float, sep: str, digits: int) -> str:
    """A frame's time, rounded to the nearest millisecond (SRT, digits 3) or centisecond (ASS, digits 2)."""
    unit = 10 ** digits
    t = int(round(frames * unit / fps))
    frac, s = t % unit, t // unit
    return f"{s // 3600:0{1 if digits == 2 else 2}d}:{s // 60 % 60:02d}:{s % 60:02d}{sep}{frac:0{digits}d}"


def srt(timeline: dict) -> str:
    return "\n".join(f"{k}\n{_ts(a, timeline['fps'], ',', 3)} --> {_ts(b, timeline['fps'], ',', 3)}\n{text}\n"
                     for k, (a, b, text) in enumerate(timed_pieces(timeline), start=1))


def ass(timeline: dict, language: str = "en") -> str:
    """Advanced SubStation Alpha with the burned-in style: Noto Sans CJK, white on a dark box, bottom
    centre, the margins of the vertical safe area."""
    W, H = timeline["size"]
    fs, max_w, bottom = subtitle_box((W, H))
    side = (W - max_w) // 2
    family = "Noto Sans CJK SC"  # the burned-in font; it covers Latin with accents and CJK (language kept for later)
    head = ["[Script Info]", "ScriptType: v4.00+", f"PlayResX: {W}", f"PlayResY: {H}", "WrapStyle: 2",
            "ScaledBorderAndShadow: yes", "", "[V4+ Styles]",
            "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
            "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
            "MarginR, MarginV, Encoding",
            f"Style: Default,{family},{fs},&H00FFFFFF,&H00FFFFFF,&H00000000,&H91000000,0,0,0,0,100,100,0,0,1,"
            f"{max(2, fs // 16)},0,2,{side},{side},{H - bottom},1", "", "[Events]",
            "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"]
    events = [f"Dialogue: 0,{_ts(a, timeline['fps'], '.', 2)},{_ts(b, timeline['fps'], '.', 2)},Default,,0,0,0,,"
              + text.replace("\n", "\\N") for a, b, text in timed_pieces(timeline)]
    return "\n".join(head + events) + "\n"
