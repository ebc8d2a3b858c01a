"""Soft subtitle tracks (issue 37): every language of a film's subtitles (its own, and each translated one) as a
`mov_text` stream in the MP4, tagged with its ISO 639-2 language and named, beside the subtitles burned into the
picture as before. A player lists them and shows one when asked, and `filmcrew check` lists them. None is on by
default (the burned ones already show): ffmpeg's MP4 muxer enables the first track of each kind when none is (its
movenc `enable_tracks`, with no option to say otherwise), and a player that shows enabled subtitle tracks by itself
(QuickTime) would show it over the burned-in one, so `quiet` clears the "enabled" flag of every subtitle track's
`tkhd` box in the written file (written by hand: no library edits one flag of an MP4 in place, and ffmpeg cannot).
Choosing the burned-in language per delivery is not built.

The finisher's assembly adds them (`args`); the tracks are muxed from the same .srt files that go to out/, so a
track says word for word and frame for frame what the .srt says.
"""

from __future__ import annotations

import struct
from pathlib import Path

ISO639_2 = {"en": "eng", "fr": "fra", "zh": "zho"}  # the MP4 language of each film language (ISO 639-2/T)
NAMES = {"en": "English", "fr": "Français", "zh": "中文"}


def tracks(folder: Path, language: str) -> list[tuple[str, Path]]:
    """(language, .srt) of each subtitle file in `folder` (the timeline's: subtitles.srt in the film's own language,
    subtitles.LL.srt translated), the film's own first, then by language; empty files left out (nothing to carry)."""
    folder = Path(folder)
    found = [(language, folder / "subtitles.srt")]
    for p in sorted(folder.glob("subtitles.*.srt")):
        found.append((p.name.split(".")[1], p))
    return [(lang, p) for lang, p in found if p.exists() and p.read_text(encoding="utf-8").strip()]


def args(found: list[tuple[str, Path]], first_input: int, video_and_audio: list[str]) -> tuple[list[str], list[str]]:
    """(the inputs, the maps and codec settings) that add `found` as mov_text streams to an ffmpeg command whose
    inputs so far number `first_input` and which maps `video_and_audio` ("-map 0:v:0 -map 1:a:0")."""
    inputs: list[str] = []
    out: list[str] = list(video_and_audio)
    for k, (lang, srt) in enumerate(found):
        inputs += ["-f", "srt", "-i", str(srt)]
        out += ["-map", f"{first_input + k}:s:0"]
    if found:
        out += ["-c:s", "mov_text"]
    for k, (lang, _srt) in enumerate(found):
        out += [f"-metadata:s:s:{k}", f"language={ISO639_2.get(lang, 'und')}",  # (an MP4 keeps a track's name as its
                f"-metadata:s:s:{k}", f"handler_name={NAMES.get(lang, lang)}", f"-disposition:s:{k}", "0"]  # handler's)
    return inputs, out


def _boxes(f, start: int, end: int):
    """(type, where its body starts, where it ends) of each ISO-BMFF box between `start` and `end` of file `f`."""
    at = start
    while at + 8 <= end:
        f.seek(at)
        size, kind = struct.unpack(">I4s", f.read(8))
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", f.read(8))[0], 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            raise ValueError(f"{getattr(f, 'name', 'the file')}: a broken MP4 box {kind!r} at byte {at}")
        yield kind, at + head, at + size
        at += size


def quiet(path: Path) -> int:
    """Clear the "enabled" flag (tkhd flags bit 0) of every subtitle track (handler `sbtl` or `text`) of the MP4 at
    `path`, in place: the same size, the same boxes. Returns how many tracks it turned off."""
    path = Path(path)
    done = 0
    with open(path, "r+b") as f:
        end = f.seek(0, 2)
        for kind, body, stop in _boxes(f, 0, end):
            if kind != b"moov":
                continue
            for tkind, tbody, tstop in list(_boxes(f, body, stop)):
                if tkind != b"trak":
                    continue
                tkhd, handler = None, None
                for k, b, e in list(_boxes(f, tbody, tstop)):
                    if k == b"tkhd":
                        tkhd = b
                    elif k == b"mdia":
                        for k2, b2, _e2 in list(_boxes(f, b, e)):
                            if k2 == b"hdlr":
                                f.seek(b2 + 8)  # version and flags, pre_defined, then the handler type
                                handler = f.read(4)
                if tkhd is not None and handler in (b"sbtl", b"text"):
                    f.seek(tkhd)
                    version_flags = struct.unpack(">I", f.read(4))[0]
                    if version_flags & 1:
                        f.seek(tkhd)
                        f.write(struct.pack(">I", version_flags & ~1))
                        done += 1
    return done
