"""Soft subtitle tracks (issue 37): every language of a film's subtitles (its own, and each translated one) as a
`mov_text` stream in the MP4, tagged with its ISO 639-2 language and named, beside the subtitles burned into the
picture as before. A player lists them and shows one when asked, and `filmcrew check` lists them. None is asked
to be on by default (the burned ones already show), but ffmpeg's MP4 muxer enables the first track of each kind
when none is: the film's own language is the enabled one, and a player that shows enabled subtitle tracks by
itself (QuickTime) shows it over the burned-in one. Choosing the burned-in language per delivery is not built.

The finisher's assembly adds them (`args`); the tracks are muxed from the same .srt files that go to out/, so a
track says word for word and frame for frame what the .srt says.
"""

from __future__ import annotations

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
