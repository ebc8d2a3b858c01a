"""`filmcrew dub PROJECT LINE_ID FILE` and `filmcrew dub PROJECT --list`: human takes for lines.

A take is checked before anything in the project changes: it must decode as audio, must not be silent,
must not be badly clipped, and must not be far longer than the line it replaces. Then it is copied to
`takes/LINE_ID.<ext>` (replacing an earlier take of that line); the next `make` uses it, trimmed of
silence, resampled and level-matched, and the ledger records the line as `digitalCapture` (human).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from .. import pipeline
from ..crew import voice
from ..engine import atomic
from ..engine.layout import Layout
from ..errors import ConfigError, MediaError
from ..media import ffmpeg
from ..story import timing
from ..story.screenplay import speech_seconds

MAX_STRETCH = 3.0  # a take may run up to 3x the line's estimated length (+2 s) before it is refused


def decode(path: Path) -> np.ndarray:
    """Mono 48 kHz float32 samples of any audio file ffmpeg reads."""
    proc = subprocess.run([ffmpeg.executable(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-vn",
                           "-ac", "1", "-ar", str(ffmpeg.SAMPLE_RATE), "-f", "f32le", "-"], capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        raise MediaError(f"{path}: not an audio file ffmpeg can read; record the take as WAV, MP3, M4A or FLAC")
    return np.frombuffer(proc.stdout, np.float32)


def check_take(path: Path, text: str, language: str) -> dict:
    """Raise MediaError naming what is wrong with a take; return its measurements when it is usable."""
    a = decode(path)
    trimmed = voice.trim_silence(a, ffmpeg.SAMPLE_RATE)
    if len(trimmed) < int(0.1 * ffmpeg.SAMPLE_RATE):
        raise MediaError(f"{path}: the take is silent (nothing above -45 dBFS); check the microphone and record again")
    clipped = voice.clipped_fraction(a)
    if clipped > voice.CLIP_FRACTION:
        raise MediaError(f"{path}: the take is badly clipped ({clipped:.1%} of samples at full scale); record it again "
                         f"with the input gain lower")
    secs = len(trimmed) / ffmpeg.SAMPLE_RATE
    expected = speech_seconds(text, language)
    if secs > MAX_STRETCH * expected + 2.0:
        raise MediaError(f"{path}: the take runs {secs:.1f} s of sound but the line (\"{text[:40]}\") should take about "
                         f"{expected:.1f} s; trim the recording to the line, or edit the line in the screenplay first")
    return {"seconds": round(secs, 3), "expected_seconds": round(expected, 3), "clipped_fraction": round(clipped, 5)}


def _find_line(root: Path, line_id: str):
    try:
        number = int(line_id.split("-")[0][2:])
    except (ValueError, IndexError):
        raise ConfigError(f"{line_id}: not a line id; line ids look like ep01-s03-l05 (see `filmcrew dub {root} --list`)") \
            from None
    _cfg, ctxs = pipeline.contexts(root, {}, number)
    for ln in ctxs[0].episode.lines():
        if ln.id == line_id:
            return ctxs[0], ln
    raise ConfigError(f"{line_id}: no such line in episode {number}; see `filmcrew dub {root} --list`")


def dub(root: Path, line_id: str, take: Path) -> tuple[Path, dict]:
    root, take = Path(root), Path(take)
    if not take.exists():
        raise ConfigError(f"{take}: no such file")
    if take.suffix.lower() not in voice.TAKE_EXTS:
        raise ConfigError(f"{take}: use a {', '.join(voice.TAKE_EXTS)} file")
    ctx, ln = _find_line(root, line_id)
    info = check_take(take, ln.text, ln.language)
    info["slot_seconds"] = _slot(ctx, ln)
    dest = Layout(root).takes / f"{line_id}{take.suffix.lower()}"
    for ext in voice.TAKE_EXTS:  # one take per line: a new one replaces the old, whatever its format
        old = Layout(root).takes / f"{line_id}{ext}"
        if old.exists() and old != dest:
            old.unlink()
    atomic.copy_file(take, dest)
    return dest, info


def _slot(ctx, ln) -> float | None:
    """Seconds of the synthetic voice the shot was timed to (the scratch track a take is fitted to), if made."""
    t = voice.scratch_task(ctx, ln)
    if t is None:  # its provider cannot be loaded here: the shot follows the take
        return None
    st = Layout.of(ctx.root).store()
    return round(voice.frames_of(st.path(t.key)) / timing.FPS, 3) if st.made(t) else None


def fit_note(info: dict) -> str:
    """What a take of these measurements does to its shot's picture (timing.slot)."""
    slot = info.get("slot_seconds")
    if slot is None:
        return "the shot is timed to the take"
    take, scratch = round(info["seconds"] * timing.FPS), round(slot * timing.FPS)
    if timing.slot(take, scratch) == scratch:
        return f"it fits the line's {slot:.1f} s slot: the shot's picture is kept, its lips follow the take"
    return f"it runs {info['seconds'] - slot:.1f} s past the line's {slot:.1f} s slot: the shot stretches and is animated again"


def listing(root: Path, episode: int | None = None) -> list[dict]:
    root = Path(root)
    _cfg, ctxs = pipeline.contexts(root, {}, episode)
    st = Layout.of(root).store()
    rows = []
    for ctx in ctxs:
        g = pipeline.episode_graph(ctx)
        for ln in ctx.episode.lines():
            t = g.task(f"{ln.id}.voice")
            take = voice.find_take(root, ln.id)
            secs = None
            if st.made(t):
                secs = st.record(t.key)["ledger"].get("seconds")
            rows.append({"line": ln.id, "speaker": ln.speaker, "text": ln.text, "seconds": secs,
                         "made_by": "human" if take else "synthetic", "take": str(take.relative_to(root)) if take else None,
                         "made": st.made(t)})
    return rows


def listing_text(rows: list[dict]) -> str:
    out = []
    for r in rows:
        secs = f"{r['seconds']:.1f}s" if r["seconds"] is not None else "  -  "
        who = "human " if r["made_by"] == "human" else "synth "
        out.append(f"{r['line']:<16} {who} {secs:>6}  {r['speaker']:<14} {r['text'][:60]}")
    return "\n".join(out)


__all__ = ["dub", "listing", "listing_text", "check_take"]
