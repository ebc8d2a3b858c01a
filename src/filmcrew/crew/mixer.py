"""The mix: the episode's lines, cues, ambience and effects played on the timeline, music and ambience
ducked under speech, the stems, and the master (loudness, true-peak limiter, AAC) that the final muxes.

Moved out of `crew/finisher.py` unchanged (same task name, CODE_VERSION and key).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import ledger
from ..engine.graph import ProviderId, Task
from ..errors import MediaError
from ..media import ffmpeg, mastering
from .common import EpisodeContext

CODE_VERSION = "finisher-10"  # the mix's key as it was when the finisher made it (crew/finisher.py's CODE_VERSION)
FINISHER = ProviderId("filmcrew-finisher", "1", "ffmpeg-libx264")  # the finisher's own, the same provider


def mix_task(ctx: EpisodeContext, timeline: Task, voices: dict[str, Task], cues: dict[str, Task],
             beds: dict[str, Task], effects: dict[str, Task] | None = None, sounds: dict[str, Task] | None = None) -> Task:
    """The mix; `sounds`: shot id -> its clip task whose `sound.wav` (a video model's own sound, fitted) is that
    shot's effects while it is on screen, in place of the ambience and the spot effects."""
    inputs = {"timeline": timeline, **{f"v:{k}": t for k, t in voices.items()},
              **{f"c:{k}": t for k, t in cues.items()}, **{f"a:{k}": t for k, t in beds.items()},
              **{f"x:{k}": t for k, t in (effects or {}).items()}, **{f"s:{k}": t for k, t in (sounds or {}).items()}}
    return Task("finisher", f"{ctx.episode.id}.mix", CODE_VERSION, FINISHER, {"lufs": -14.0, "tp": -1.0}, _mix,
                inputs=inputs, episode=ctx.episode.number)


def _ramp(pos: np.ndarray, n: int, fade_in: int, fade_out: int) -> np.ndarray:
    """The gain at positions `pos` of a sound `n` samples long that fades in over `fade_in` samples and
    out over `fade_out` (each at most half the sound)."""
    env = np.ones(len(pos), np.float32)
    f, g = min(fade_in, n // 2), min(fade_out, n // 2)
    if f > 1:
        env = np.minimum(env, np.where(pos < f, pos / (f - 1), 1.0))
    if g > 1:
        env = np.minimum(env, np.where(pos >= n - g, (n - 1 - pos) / (g - 1), 1.0))
    return env.astype(np.float32)


def _db(gain: float) -> float:
    return float(10 ** (gain / 20))


class _Sound:
    """One sound placed on the timeline at sample `start`: loaded when the mix first reaches it and
    dropped once passed, so the mix holds only the sounds of the block it is making."""

    def __init__(self, start: int, load, gain: float, fade_in: int, fade_out: int, end: int):
        self.start, self.load, self.gain, self.fade_in, self.fade_out = start, load, gain, fade_in, fade_out
        self.end = end  # at most; the real end is known once loaded
        self.samples: np.ndarray | None = None

    def add_to(self, out: np.ndarray, s: int, e: int) -> None:
        if self.samples is None:
            self.samples = self.load()
            self.end = min(self.end, self.start + len(self.samples))
        a, b = max(s, self.start), min(e, self.end)
        if b <= a:
            return
        n = self.end - self.start
        env = _ramp(np.arange(a - self.start, b - self.start), n, self.fade_in, self.fade_out) * self.gain
        out[a - s:b - s] += self.samples[a - self.start:b - self.start] * env[:, None]


def _play(sounds: list[_Sound], s: int, e: int, channels: int = 2) -> np.ndarray:
    out = np.zeros((e - s, channels), np.float32)
    for snd in sounds:
        if snd.start < e and snd.end > s:
            snd.add_to(out, s, e)
        if snd.end <= e:
            snd.samples = None  # passed: let it go
    return out


SPOT_LEVEL = 0.35  # the shots' spot effects, against ambience at 0.22 (0.10 under speech)
SPEECH_HOP = 48  # 1 ms at 48 kHz: the resolution of the speech detector that drives the ducking


def _mix(tctx) -> dict:
    """Dialogue, then music and ambience ducked under it, made `mastering.BLOCK` samples at a time and
    written to the stems and the raw mix on disk: the memory the mix needs does not grow with the film."""
    rate = ffmpeg.SAMPLE_RATE
    tl = json.loads((Path(tctx.inputs["timeline"]) / "timeline.json").read_text())
    spf = rate / tl["fps"]
    n = int(round(tl["frames"] * spf))
    wd = Path(tctx.workdir)
    inp = tctx.inputs

    def on_screen(entry: dict, wav: Path, gain: float, fade_out: float, channels: slice) -> _Sound:
        """A timeline entry (a line, a shot's effects) that plays its sound from `from` for `frames`,
        placed at `start`."""
        def load():
            a, _ = ffmpeg.read_wav(wav)
            return a[int(round(entry["from"] * spf)):int(round((entry["from"] + entry["frames"]) * spf)), channels]
        s = int(round(entry["start"] * spf))
        return _Sound(s, load, gain, int(0.004 * rate), int(fade_out * rate), min(n, s + int(round(entry["frames"] * spf))))

    def line(ln):  # mono, the part on screen
        return on_screen(ln, Path(inp[f"v:{ln['line']}"]) / "line.wav", _db(ln["gain_db"]), 0.004, slice(0, 1))

    def cue(sc, s, e):
        def load():
            c, _ = ffmpeg.read_wav(Path(inp[f"c:{sc['scene']}"]) / "cue.wav")
            # a cue ends on its cadence (the last scene's on the hook's stinger): its end meets the scene's end;
            # a scene longer than its cue repeats it
            return c[-(e - s):] if len(c) >= e - s else np.tile(c, (int(np.ceil((e - s) / len(c))), 1))[-(e - s):]
        return _Sound(s, load, 1.0, int(0.8 * rate), int(0.2 * rate), e)  # in over the cut, out on its own cadence

    def bed(sc, s, e):
        def load():
            b, _ = ffmpeg.read_wav(Path(inp[f"a:{sc['scene']}"]) / "ambience.wav")
            return np.tile(b, (int(np.ceil((e - s) / len(b))), 1))[:e - s]
        return _Sound(s, load, 1.0, int(0.4 * rate), int(0.4 * rate), e)

    def spot(fx):
        return on_screen(fx, Path(inp[f"x:{fx['shot']}"]) / "effects.wav", SPOT_LEVEL, 0.05, slice(None))

    lines = sorted((line(ln) for ln in tl["lines"]), key=lambda x: x.start)
    own = [fx for fx in tl["effects"] if f"s:{fx['shot']}" in inp]  # the shots a video model gave their sound
    with_own = {m["shot"] for m in own}
    models = sorted((on_screen(m, Path(inp[f"s:{m['shot']}"]) / "sound.wav", 1.0, 0.05, slice(None)) for m in own),
                    key=lambda x: x.start)
    fade = int(0.1 * rate)
    own_spans = [(int(round(m["start"] * spf)), int(round((m["start"] + m["frames"]) * spf))) for m in own]

    def instead(s: int, e: int) -> np.ndarray:
        """1 where a model's own sound plays (the ambience steps aside, over 0.1 s), else 0; per sample of [s, e)."""
        cover = np.zeros(e - s, np.float32)
        pos = np.arange(s, e)
        for a, b in own_spans:
            if a - fade < e and b + fade > s:
                cover = np.maximum(cover, np.clip(np.minimum((pos - (a - fade)) / fade, ((b + fade) - pos) / fade), 0, 1))
        return cover[:, None]

    spots = sorted((spot(fx) for fx in tl.get("effects", []) if f"x:{fx['shot']}" in inp and fx["shot"] not in with_own),
                   key=lambda x: x.start)
    music, ambience = [], []
    for sc in tl["scenes"]:
        s, e = int(round(sc["start"] * spf)), min(n, int(round(sc["end"] * spf)))
        if e > s:
            music.append(cue(sc, s, e))
            ambience.append(bed(sc, s, e))

    spans = [(s, min(n, s + mastering.BLOCK)) for s in range(0, n, mastering.BLOCK)]
    # pass 1: the dialogue, and where speech is (the fraction of each 1 ms over -40 dBFS)
    dialogue = mastering.Pcm(wd / "dialogue.f32")
    hops = np.zeros(-(-n // SPEECH_HOP), np.float32)
    with dialogue.writer() as put, ffmpeg.wav_writer(wd / "dialogue.wav") as stem:
        for s, e in spans:
            d = _play(lines, s, e)
            put(d)
            stem(d)  # the stems are before the editor's track levels (those are in the OTIO)
            m = -(-(e - s) // SPEECH_HOP)
            loud = np.zeros(m * SPEECH_HOP, np.float32)
            loud[:e - s] = np.abs(d[:, 0]) > 0.01
            hops[s // SPEECH_HOP:s // SPEECH_HOP + m] = loud.reshape(m, SPEECH_HOP).mean(axis=1)
    # ducking: music and ambience dip under speech, with smooth attack and release (two 250 ms means)
    win = int(0.25 * rate) // SPEECH_HOP
    kernel = np.ones(win, np.float32) / win
    duck = np.convolve(np.clip(np.convolve(hops, kernel, mode="same") * 3, 0, 1), kernel, mode="same")
    centres = np.arange(len(hops)) * SPEECH_HOP + SPEECH_HOP / 2
    # pass 2: music and ambience, ducked, and the raw mix at the editor's track levels
    g = tl["gains"]
    raw = mastering.Pcm(wd / "raw.f32")
    with raw.writer() as put, ffmpeg.wav_writer(wd / "music.wav") as m_stem, \
            ffmpeg.wav_writer(wd / "effects.wav") as e_stem:
        for s, e in spans:
            env = np.interp(np.arange(s, e), centres, duck).astype(np.float32)[:, None]
            mu = _play(music, s, e) * (0.30 - 0.20 * env)
            fx = _play(ambience, s, e) * (0.22 - 0.12 * env) + _play(spots, s, e)  # spot effects are not ducked
            if models:  # a model's own sound: in place of the ambience, ducked under speech like it
                fx = fx * (1 - instead(s, e)) + _play(models, s, e) * (0.8 - 0.4 * env)
            m_stem(mu)
            e_stem(fx)
            put(dialogue.read(s, e) * _db(g["dialogue"]) + mu * _db(g["music"]) + fx * _db(g["effects"]))
    dialogue.path.unlink()
    measured = master_to_aac(raw, wd / "mix.wav", wd / "mix.m4a", tctx.task.params["lufs"], tctx.task.params["tp"])
    raw.path.unlink()
    return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                        extra={"target_lufs": tctx.task.params["lufs"], "max_true_peak_dbtp": tctx.task.params["tp"], **measured})


AAC_ARGS = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k", "-ar", str(ffmpeg.SAMPLE_RATE), "-ac", "2"]


def master_to_aac(raw: "mastering.Pcm", wav: Path, m4a: Path, lufs: float, max_tp: float, extra: tuple = ()) -> dict:
    """Master the signal in `raw` to `lufs`, write `wav`, and encode the AAC file that ships (`m4a`, with
    `extra` ffmpeg output options), checking that file itself with ffmpeg's ebur128.

    The AAC encoder overshoots PCM peaks by a few tenths of a dB, by an amount that depends on the
    material, so the PCM ceiling starts 0.6 dB under the delivery limit and is lowered by the measured
    excess (below the PCM's own true peak) until the encoded file is at or under `max_tp` - 0.1."""
    ceiling = max_tp - 0.6
    raw_lufs = mastering.integrated_lufs_pcm(raw, ffmpeg.SAMPLE_RATE)  # once, not again on each pass below
    info: dict = {}
    mastered = mastering.Pcm(wav.with_suffix(".mastered.f32"), raw.channels)
    try:
        for _ in range(8):
            info = mastering.master_pcm(raw, mastered, ffmpeg.SAMPLE_RATE, lufs, ceiling, raw_lufs)
            with ffmpeg.wav_writer(wav, raw.channels) as put:
                for s, e in mastered.spans():
                    put(mastered.read(s, e))
            ffmpeg.run(["-i", str(wav), *AAC_ARGS, *extra, str(m4a)], "encoding the sound track")
            m = ffmpeg.loudness(m4a)
            info.update(integrated_lufs=m["integrated_lufs"], true_peak_dbtp=m["true_peak_dbtp"], pcm_ceiling_dbtp=round(ceiling, 2))
            over = m["true_peak_dbtp"] - (max_tp - 0.1)
            if not over > 0:
                return info
            # the overshoot can sit on a transient well under the ceiling (the encoder rings on sibilants), so the
            # next ceiling starts from the true peak the PCM really has, not from the ceiling it was allowed
            ceiling = min(ceiling, info["pcm_true_peak_dbtp"]) - (over + 0.3)
    finally:
        mastered.path.unlink(missing_ok=True)
    raise MediaError(f"{m4a}: the encoded sound track peaks at {info['true_peak_dbtp']} dBTP, over the "
                     f"{max_tp} dBTP limit, after eight limiter passes; this is a bug in filmcrew, please report it")
