"""The mix, made in parts: one part per scene, and a master that joins them.

- ``epNN.mixscore`` reads the timeline and writes, for each part, what that part hears: the span of the
  timeline it covers, and every sound that plays in it (lines, the cue, the ambience, the spot effects, a
  video model's own sound) with its place counted from the part's own start, named by the key of the task
  that made it. Cheap; made again on every edit.
- ``epNN-sNN.mixpart`` (one per scene) is keyed by the bytes of its score file alone (the engine's early
  cutoff), so a line made longer in scene 5, which moves every later scene later on the timeline, leaves the
  scores, and so the parts, of scenes 6..N as they were. A part plays its sounds over its span, ducking the
  music and ambience under speech it hears over its span and ``MARGIN`` either side (the ducking's reach),
  and stores its raw mix (float32), its stems (16-bit) and its figures: the K-weighted energy of each
  ``STEP`` samples (per channel), the K-weighted signal of its first ``HEAD`` samples and the filter state at
  its end, and the true peak (4x oversampled) of each step.
- ``epNN.mix`` (the master, as before: mix.wav, mix.m4a and the stems in its folder) joins the parts. The
  film's integrated loudness (BS.1770-4: 400 ms blocks in 100 ms hops, both gates) is computed from the
  parts' step energies without reading their samples: the K-weighting filter of a part started at rest,
  so the master adds the zero-input response of the previous part's end state to the part's stored head
  (linear filter; after ``HEAD`` = 100 ms that response is under 1e-10 of the state, the high-pass pole
  being at radius 0.995), which makes the figure the one a pass over the joined samples gives (tested to
  1e-4 LU; the per-step energies to 1e-6). The gain follows from it; the true-peak limiter runs only where some step's stored true peak
  times the gain is over the ceiling (and 2 look-aheads around), because elsewhere its gain is exactly 1;
  the loudness after limiting is the stored energies times the gain squared, with the limited stretches'
  energies measured again (K-weighted from 100 ms before them). The secant on the loudness the limiter
  takes away, the AAC encode, ffmpeg's ebur128 check of the encoded file and the AAC-overshoot retries are
  as they were (`media/mastering.py`).

The limiter reads each part's stored oversampled envelope (`env.f32`), so the master oversamples only its
output, once, over the limited stretches. Limiting per part at the film's gain rounded to a grid (a part
limited again only when the film's gain moves a grid step) was considered and not built, by measurement:
on the 3-minute demo (8 scenes, 2026-12-07, CPU seconds with ffmpeg's, 2-core machine under load) the old
whole mix cost 9.2-9.8 s; in parts the cold mix costs 4.9-5.0 s (parts 1.9, master 2.9-3.1) and a one-line
edit 3.2-3.7 s (its scene's part 0.2-0.3, the master). Of the master, the AAC encode (1.3-1.4 s) and
ffmpeg's ebur128 check (0.9 s) are most; the limiter, over the 49 s of 180 that need it at this film's
+8 dB (two secant passes, then the output's true peak once), is 0.55 s; the WAV and the stems 0.13 s, the
joined figures 0.01 s. Per-part limiting could save at most part of those 0.55 s, and would need a cache
outside the task graph (the gain is known only in the master) and a second true-peak check across the joins.
"""

from __future__ import annotations

import json
import wave
from functools import partial
from pathlib import Path

import numpy as np

from .. import ledger
from ..engine.graph import ProviderId, Task
from ..engine.store import for_project
from ..errors import MediaError
from ..media import ffmpeg, mastering
from .common import EpisodeContext

CODE_VERSION = "mixer-1"  # the mix in parts (the master was "finisher-10", whole)
FINISHER = ProviderId("filmcrew-finisher", "1", "ffmpeg-libx264")  # the finisher's own, the same provider
RATE = ffmpeg.SAMPLE_RATE
SPOT_LEVEL = 0.35  # the shots' spot effects, against ambience at 0.22 (0.10 under speech)
SPEECH_HOP = 50  # ~1 ms at 48 kHz: the resolution of the speech detector that drives the ducking (divides a frame,
# so a part's grid, counted from its own start, is the film's)
DUCK_WIN = int(0.25 * RATE) // SPEECH_HOP  # the two 250 ms means of the ducking
MARGIN = 14400  # 0.3 s: speech this far outside a part still ducks inside it (two means' reach, 240 hops, + a hop)
MODEL_FADE = int(0.1 * RATE)  # the ambience steps aside for a model's own sound over 0.1 s
HEAD = mastering.HOP  # 100 ms of K-weighted signal kept per part, for the master's correction at its start
CHANNELS = 2
WARM = ("scipy.signal", "pyloudnorm")  # what the parts and the master import (about a second): loaded as the make starts


def mix_task(ctx: EpisodeContext, timeline: Task, voices: dict[str, Task], cues: dict[str, Task],
             beds: dict[str, Task], effects: dict[str, Task] | None = None, sounds: dict[str, Task] | None = None) -> Task:
    """The master; `sounds`: shot id -> its clip task whose `sound.wav` (a video model's own sound, fitted) is that
    shot's effects while it is on screen, in place of the ambience and the spot effects."""
    inputs = {"timeline": timeline, **{f"v:{k}": t for k, t in voices.items()},
              **{f"c:{k}": t for k, t in cues.items()}, **{f"a:{k}": t for k, t in beds.items()},
              **{f"x:{k}": t for k, t in (effects or {}).items()}, **{f"s:{k}": t for k, t in (sounds or {}).items()}}
    slots = [sc.id for sc in ctx.episode.scenes] or [f"{ctx.episode.id}-s00"]
    ep = ctx.episode.number
    score = Task("finisher", f"{ctx.episode.id}.mixscore", CODE_VERSION, FINISHER, {"slots": slots}, _score,
                 inputs=inputs, episode=ep)
    store = for_project(ctx.root)
    parts = {f"p{j:03d}": Task("finisher", f"{sid}.mixpart", CODE_VERSION, FINISHER, {}, partial(_part, f"{sid}.json"),
                               inputs={"score": score}, by_content={"score": f"{sid}.json"}, store=store, episode=ep,
                               warm=WARM)
             for j, sid in enumerate(slots)}
    return Task("finisher", f"{ctx.episode.id}.mix", CODE_VERSION, FINISHER, {"lufs": -14.0, "tp": -1.0}, _master,
                inputs=parts, episode=ep, warm=WARM)


# ---- the score: what each part hears --------------------------------------------------------------

def _score(tctx) -> dict:
    """Each part's span of the timeline and the sounds it hears, counted from its own start. Part j covers
    the j-th run of one scene's items on the timeline (the last part: the rest of the film)."""
    tl = json.loads((Path(tctx.inputs["timeline"]) / "timeline.json").read_text())
    spf = RATE / tl["fps"]
    if spf != int(spf) or int(spf) % SPEECH_HOP or mastering.HOP % _step(int(spf)):
        raise MediaError(f"the mix needs a frame rate whose frame is a whole number of {SPEECH_HOP}-sample steps at "
                         f"{RATE} Hz; the timeline has {tl['fps']} fps")
    spf = int(spf)
    n = tl["frames"] * spf
    inp = tctx.inputs

    def ref(name: str, file: str) -> dict:
        return {"key": Path(inp[name]).name, "file": file}  # an input's folder is named by its key

    def placed(entry: dict, name: str, file: str, gain: float, fade_out: float, mono: bool) -> dict:
        s = entry["start"] * spf
        return {"ref": ref(name, file), "at": s, "end": min(n, s + entry["frames"] * spf), "from": entry["from"] * spf,
                "to": (entry["from"] + entry["frames"]) * spf, "gain": gain, "fade_in": int(0.004 * RATE),
                "fade_out": int(fade_out * RATE), "mono": mono}

    lines = sorted((placed(ln, f"v:{ln['line']}", "line.wav", _db(ln["gain_db"]), 0.004, True) for ln in tl["lines"]),
                   key=lambda x: x["at"])
    own = [fx for fx in tl["effects"] if f"s:{fx['shot']}" in inp]  # the shots a video model gave their sound
    with_own = {m["shot"] for m in own}
    models = sorted((placed(m, f"s:{m['shot']}", "sound.wav", 1.0, 0.05, False) for m in own), key=lambda x: x["at"])
    spots = sorted((placed(fx, f"x:{fx['shot']}", "effects.wav", SPOT_LEVEL, 0.05, False) for fx in tl.get("effects", [])
                    if f"x:{fx['shot']}" in inp and fx["shot"] not in with_own), key=lambda x: x["at"])
    cues, beds, runs = [], [], []
    for sc in tl["scenes"]:
        s, e = sc["start"] * spf, min(n, sc["end"] * spf)
        if e > s:
            runs.append(s)
            # a cue ends on its cadence (the last scene's on the hook's stinger): its end meets the scene's end;
            # a scene longer than its cue repeats it. In over the cut, out on its own cadence.
            cues.append({"ref": ref(f"c:{sc['scene']}", "cue.wav"), "at": s, "end": e, "fade_in": int(0.8 * RATE),
                         "fade_out": int(0.2 * RATE)})
            beds.append({"ref": ref(f"a:{sc['scene']}", "ambience.wav"), "at": s, "end": e, "fade_in": int(0.4 * RATE),
                         "fade_out": int(0.4 * RATE)})
    slots = tctx.task.params["slots"]
    starts = (runs + [n] * len(slots))[:len(slots)]
    starts[0] = 0 if runs else n
    ends = starts[1:] + [n]

    def heard(items: list, a: int, b: int, reach: int = 0) -> list:
        return [{**it, "at": it["at"] - a, "end": it["end"] - a} for it in items
                if it["at"] < b + reach and it["end"] > a - reach]

    wd = Path(tctx.workdir)
    for sid, a, b in zip(slots, starts, ends):
        part = {"rate": RATE, "length": b - a, "step": _step(spf), "gains": tl["gains"],
                "lines": heard(lines, a, b, MARGIN), "models": heard(models, a, b, MODEL_FADE),
                "spots": heard(spots, a, b), "cues": heard(cues, a, b), "beds": heard(beds, a, b)}
        (wd / f"{sid}.json").write_text(json.dumps(part, sort_keys=True, separators=(",", ":")))
    (wd / "parts.json").write_text(json.dumps({"film": n, "starts": starts, "slots": slots}))
    return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                        extra={"parts": len(slots), "samples": n})


def _step(spf: int) -> int:
    """The parts' figures are kept per step: a whole number of steps in a frame and in a loudness hop."""
    return int(np.gcd(spf, mastering.HOP))


# ---- a part ----------------------------------------------------------------------------------------

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
    """One sound placed at sample `start` (of the part): loaded when the mix first reaches it and dropped
    once passed, so the mix holds only the sounds of the block it is making."""

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


def _play(sounds: list[_Sound], s: int, e: int, channels: int = CHANNELS) -> np.ndarray:
    out = np.zeros((e - s, channels), np.float32)
    for snd in sounds:
        if snd.start < e and snd.end > s:
            snd.add_to(out, s, e)
        if snd.end <= e:
            snd.samples = None  # passed: let it go
    return out


def _pcm16(block: np.ndarray) -> bytes:  # as ffmpeg.wav_writer writes a sample
    return (np.clip(np.asarray(block, np.float32), -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def _part(name: str, tctx) -> dict:
    """Play one part's score: the dialogue (and where speech is, over the part and MARGIN either side), then
    music and ambience ducked under it, a block at a time; write the raw mix, the stems and the figures."""
    score = json.loads((Path(tctx.inputs["score"]) / name).read_text())
    store, wd, L = tctx.store, Path(tctx.workdir), score["length"]

    def wav(r: dict) -> np.ndarray:
        return ffmpeg.read_wav(store.path(r["key"]) / r["file"])[0]

    def sliced(it: dict) -> _Sound:
        def load():
            return wav(it["ref"])[it["from"]:it["to"], slice(0, 1) if it["mono"] else slice(None)]
        return _Sound(it["at"], load, it["gain"], it["fade_in"], it["fade_out"], it["end"])

    def cue(it: dict) -> _Sound:
        def load():
            c, k = wav(it["ref"]), it["end"] - it["at"]
            return c[-k:] if len(c) >= k else np.tile(c, (int(np.ceil(k / len(c))), 1))[-k:]
        return _Sound(it["at"], load, 1.0, it["fade_in"], it["fade_out"], it["end"])

    def bed(it: dict) -> _Sound:
        def load():
            b, k = wav(it["ref"]), it["end"] - it["at"]
            return np.tile(b, (int(np.ceil(k / len(b))), 1))[:k]
        return _Sound(it["at"], load, 1.0, it["fade_in"], it["fade_out"], it["end"])

    lines = [sliced(it) for it in score["lines"]]
    models = [sliced(it) for it in score["models"]]
    spots = [sliced(it) for it in score["spots"]]
    music = [cue(it) for it in score["cues"]]
    ambience = [bed(it) for it in score["beds"]]
    own_spans = [(it["at"], it["end"]) for it in score["models"]]

    def instead(s: int, e: int) -> np.ndarray:
        """1 where a model's own sound plays (the ambience steps aside, over 0.1 s), else 0; per sample of [s, e)."""
        cover = np.zeros(e - s, np.float32)
        pos = np.arange(s, e)
        for a, b in own_spans:
            if a - MODEL_FADE < e and b + MODEL_FADE > s:
                cover = np.maximum(cover, np.clip(np.minimum((pos - (a - MODEL_FADE)) / MODEL_FADE,
                                                             ((b + MODEL_FADE) - pos) / MODEL_FADE), 0, 1))
        return cover[:, None]

    lo, hi = -MARGIN, L + MARGIN
    spans = [(s, min(L, s + mastering.BLOCK)) for s in range(0, L, mastering.BLOCK)]
    # pass 1: the dialogue, and where speech is (the fraction of each ~1 ms over -40 dBFS), MARGIN either side too
    dialogue = mastering.Pcm(wd / "dialogue.f32")
    hops = np.zeros((hi - lo) // SPEECH_HOP, np.float32)
    with dialogue.writer() as put, open(wd / "dialogue.s16", "wb") as stem:
        for s in range(lo, hi, mastering.BLOCK):
            e = min(hi, s + mastering.BLOCK)
            d = _play(lines, s, e)
            a, b = max(s, 0), min(e, L)
            if b > a:
                put(d[a - s:b - s])
                stem.write(_pcm16(d[a - s:b - s]))  # the stems are before the editor's track levels (those are in the OTIO)
            loud = (np.abs(d[:, 0]) > 0.01).reshape(-1, SPEECH_HOP)
            hops[(s - lo) // SPEECH_HOP:(e - lo) // SPEECH_HOP] = loud.mean(axis=1)
    # ducking: music and ambience dip under speech, with smooth attack and release (two 250 ms means)
    kernel = np.ones(DUCK_WIN, np.float32) / DUCK_WIN
    duck = np.convolve(np.clip(np.convolve(hops, kernel, mode="same") * 3, 0, 1), kernel, mode="same")
    centres = lo + np.arange(len(hops)) * SPEECH_HOP + SPEECH_HOP / 2
    # pass 2: music and ambience, ducked, and the raw mix at the editor's track levels
    g = score["gains"]
    raw = mastering.Pcm(wd / "mix.f32")
    with raw.writer() as put, open(wd / "music.s16", "wb") as m_stem, open(wd / "effects.s16", "wb") as e_stem:
        for s, e in spans:
            env = np.interp(np.arange(s, e), centres, duck).astype(np.float32)[:, None]
            mu = _play(music, s, e) * (0.30 - 0.20 * env)
            fx = _play(ambience, s, e) * (0.22 - 0.12 * env) + _play(spots, s, e)  # spot effects are not ducked
            if models:  # a model's own sound: in place of the ambience, ducked under speech like it
                fx = fx * (1 - instead(s, e)) + _play(models, s, e) * (0.8 - 0.4 * env)
            m_stem.write(_pcm16(mu))
            e_stem.write(_pcm16(fx))
            put(dialogue.read(s, e) * _db(g["dialogue"]) + mu * _db(g["music"]) + fx * _db(g["effects"]))
    dialogue.path.unlink()
    figures = measure(raw, score["step"], wd)
    return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                        extra={"samples": L, "sounds": sum(len(score[k]) for k in ("lines", "models", "spots", "cues", "beds")),
                               "true_peak_dbtp": figures["true_peak_dbtp"]})


def _per_step(a: np.ndarray, step: int, how=np.sum) -> np.ndarray:
    """`how` over each `step` rows of `a` (n, channels); a last step short of `step` rows counts what it has."""
    whole = len(a) - len(a) % step
    out = how(a[:whole].reshape(-1, step, a.shape[1]), axis=1)
    return np.concatenate([out, how(a[whole:], axis=0, keepdims=True)]) if whole < len(a) else out


def measure(pcm: mastering.Pcm, step: int, folder: Path) -> dict:
    """A signal's figures, from its own samples alone (the K-weighting filter starts at rest, the true peak
    is taken with silence outside it): `energy.npy` (steps, channels) the K-weighted sum of squares of each
    `step` samples (the last step maybe shorter), `head.npy` the K-weighted signal of its first HEAD samples, `state.npy` the filter
    state after its last sample, `peak.npy` the true peak (linear) of each step and `env.f32` of each sample
    (`mastering.peak_envelope`, float32); `figures.json`."""
    n, ch = pcm.frames, pcm.channels
    sos = mastering.k_sos(RATE)
    zi = np.zeros((len(sos), 2, ch))
    energy, peak, heads = [], [], []
    pad = mastering._PAD
    envs = open(folder / "env.f32", "wb")
    for s, e in pcm.spans():
        x = pcm.read(s - pad, e + pad)
        y, zi = mastering.k_weight(x[pad:-pad], sos, zi)
        if s < HEAD:
            heads.append(y[:HEAD - s])
        energy.append(_per_step(y ** 2, step))
        env = mastering.peak_envelope(x)[pad:-pad]
        env.tofile(envs)
        peak.append(_per_step(env[:, None], step, np.max)[:, 0])
    envs.close()
    energy_a = np.concatenate(energy) if energy else np.zeros((0, ch))
    peak_a = np.concatenate(peak) if peak else np.zeros(0, np.float32)
    np.save(folder / "energy.npy", energy_a)
    np.save(folder / "peak.npy", peak_a)
    np.save(folder / "head.npy", np.concatenate(heads) if heads else np.zeros((0, ch)))
    np.save(folder / "state.npy", zi)
    tp = float(peak_a.max()) if len(peak_a) else 0.0
    fig = {"samples": n, "channels": ch, "step": step, "rate": RATE,
           "true_peak_dbtp": round(20 * np.log10(tp), 3) if tp > 0 else None}
    (folder / "figures.json").write_text(json.dumps(fig, sort_keys=True))
    return fig


# ---- the master --------------------------------------------------------------------------------------

class Film:
    """The parts joined: their raw mix read as one signal (zeros outside it), and their figures joined into
    the film's (the K-weighting corrected at each join, the true peak measured again across each join)."""

    def __init__(self, folders: list[Path], pcms: list[mastering.Pcm] | None = None):
        self.folders = [Path(f) for f in folders]
        figs = [json.loads((f / "figures.json").read_text()) for f in self.folders]
        self.channels = pcms[0].channels if pcms else CHANNELS
        self.step = figs[0]["step"] if figs else 1600
        self.lengths = [fg["samples"] for fg in figs]
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)
        self.frames = int(self.offsets[-1])
        self.pcms = pcms or [mastering.Pcm(f / "mix.f32", CHANNELS) for f in self.folders]

    def read(self, s: int, e: int) -> np.ndarray:
        out = np.zeros((e - s, self.channels), np.float32)
        for pcm, off, length in zip(self.pcms, self.offsets, self.lengths):
            a, b = max(s, int(off)), min(e, int(off) + length)
            if b > a:
                out[a - s:b - s] = pcm.read(a - int(off), b - int(off))
        return out

    def env(self, s: int, e: int) -> np.ndarray:
        """`mastering.peak_envelope` of the film over [s, e): the parts' stored envelopes, measured again on the
        film within 32 samples of each join (a part's own was taken with silence beyond its edges)."""
        out = np.zeros(e - s, np.float32)
        for f, off, length in zip(self.folders, self.offsets, self.lengths):
            a, b = max(s, int(off)), min(e, int(off) + length)
            if b > a:
                out[a - s:b - s] = np.fromfile(f / "env.f32", np.float32, b - a, offset=4 * (a - int(off)))
        pad = mastering._PAD
        for j in self.offsets[1:-1]:
            a, b = max(s, int(j) - 32), min(e, int(j) + 32)
            if b > a:
                out[a - s:b - s] = mastering.peak_envelope(self.read(a - pad, b + pad))[pad:-pad]
        return out

    def figures(self) -> tuple[np.ndarray, np.ndarray]:
        """Per step of the film: the K-weighted energy (steps, channels) and the true peak (linear)."""
        sos = mastering.k_sos(RATE)
        energies, peaks = [], []
        state = None
        for f, length in zip(self.folders, self.lengths):
            e = np.load(f / "energy.npy")
            head = np.load(f / "head.npy")
            if state is not None and length:
                # the previous parts' ring in this part's K-weighting: the zero-input response of the true state
                zir, zf = mastering.k_weight(np.zeros((len(head), self.channels)), sos, state)
                head = head + zir
                e = e.copy()
                e[:-(-len(head) // self.step)] = _per_step(head ** 2, self.step)
                # the state after this part: its own, plus what is left of the previous ones' (exact for a
                # part no longer than HEAD, under 1e-10 of it after)
                state = np.load(f / "state.npy") + (zf if length <= len(head) else 0.0)
            elif length:
                state = np.load(f / "state.npy")
            energies.append(e)
            peaks.append(np.load(f / "peak.npy"))
        energy = np.concatenate(energies) if energies else np.zeros((0, self.channels))
        peak = np.concatenate(peaks).astype(np.float64) if peaks else np.zeros(0)
        for b in self.offsets[1:-1]:  # across each join: the peaks of the steps either side, measured on the film
            b = int(b)
            s, e = max(0, b - self.step), min(self.frames, b + self.step)
            if e > s:
                peak[s // self.step:-(-e // self.step)] = _per_step(self.env(s, e)[:, None], self.step, np.max)[:, 0]
        return energy, peak

    def lufs(self, energy: np.ndarray) -> float:
        per = mastering.HOP // self.step
        whole = len(energy) // per
        hops = np.concatenate([energy[:whole * per].reshape(whole, per, self.channels).sum(axis=1),
                               energy[whole * per:].sum(axis=0, keepdims=True)])
        return mastering.gated_lufs(hops, self.frames, RATE)


def _regions(hot: np.ndarray, reach: int, gap: int) -> list[tuple[int, int]]:
    """Runs of hot steps, each widened by `reach` steps, runs closer than `gap` steps merged: [a, b) in steps."""
    idx = np.flatnonzero(hot)
    out: list[list[int]] = []
    for j in idx:
        a, b = max(0, j - reach), min(len(hot), j + reach + 1)
        if out and a - out[-1][1] < gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


class Mastered:
    """The film at gain `gain`, true-peak limited to `ceiling_db` where it needs it; its loudness. The limiter
    reads the parts' stored envelopes (no oversampling of its input); `finish()` measures the output's true
    peak over the limited stretches (the rest is under the ceiling by the stored figures) and trims the
    whole if the gain curve's interpolation let a fraction of a dB through."""

    def __init__(self, film: Film, energy: np.ndarray, peak: np.ndarray, gain: float, ceiling_db: float,
                 lookahead_s: float = 0.005):
        self.film, self.gain, self.ceiling_db = film, gain, ceiling_db
        ceiling = 10 ** (ceiling_db / 20)
        w = max(1, int(lookahead_s * RATE))
        step = film.step
        hot = peak * np.float32(gain) > ceiling * (1 - 1e-5)  # (float32 rounding of the gained samples)
        reach = -(-(2 * w + 1) // step) + 1
        self.regions = [(a * step, min(film.frames, b * step)) for a, b in _regions(hot, reach, 2 * (HEAD // step) + 1)]
        self.limited: list[np.ndarray] = []
        least = 1.0
        self.outside = float(peak[~_mask(len(peak), self.regions, step)].max(initial=0.0)) * gain
        out = energy * gain ** 2
        sos = mastering.k_sos(RATE)
        g32 = np.float32(gain)
        for a, b in self.regions:
            ys = []
            for s in range(a, b, mastering.BLOCK):
                y, low, _ = mastering.limited(film, s, min(b, s + mastering.BLOCK), gain, ceiling_db, w,
                                              envelope=film.env, peaks=False)
                ys.append(y)
                least = min(least, low)
            y = np.concatenate(ys)
            self.limited.append(y)
            # its K-weighted energy again, the filter started 100 ms before it (settled by then), run 100 ms after
            pre, post = max(0, a - HEAD), min(film.frames, b + HEAD)
            x = np.concatenate([film.read(pre, a) * g32, y, film.read(b, post) * g32])
            k, _ = mastering.k_weight(x, sos)
            out[a // step:-(-post // step)] = _per_step(k[a - pre:] ** 2, step)
        self.trim = 1.0
        self.reduction_db = float(-20 * np.log10(max(least, 1e-9)))
        self.true_peak_db: float | None = None
        self.lufs = film.lufs(out) if film.frames >= int(0.4 * RATE) else mastering.integrated_lufs(
            np.concatenate(list(self.blocks())), RATE)

    def finish(self) -> None:
        """The output's true peak, and the trim that keeps it at the ceiling (the loudness follows)."""
        pad, g32 = mastering._PAD, np.float32(self.gain)
        top = self.outside
        for (a, b), y in zip(self.regions, self.limited):
            x = np.concatenate([self.film.read(a - pad, a) * g32, y, self.film.read(b, b + pad) * g32])
            for s in range(0, len(y), mastering.BLOCK):
                e = min(len(y), s + mastering.BLOCK)
                top = max(top, float(mastering.peak_envelope(x[s:e + 2 * pad])[pad:-pad].max()))
        tp = 20 * np.log10(top) if top > 0 else float("-inf")
        if tp > self.ceiling_db:  # oversampled peaks between gain steps; a final trim keeps the promise
            self.trim = 10 ** ((self.ceiling_db - tp) / 20)
            self.lufs += self.ceiling_db - tp
            tp = self.ceiling_db
        self.true_peak_db = tp

    def blocks(self):
        """The mastered samples, `mastering.BLOCK` at a time."""
        film = self.film
        g32, t32 = np.float32(self.gain), np.float32(self.trim)
        for s in range(0, film.frames, mastering.BLOCK):
            e = min(film.frames, s + mastering.BLOCK)
            y = film.read(s, e) * g32 if self.gain != 1.0 else film.read(s, e)
            for (a, b), lim in zip(self.regions, self.limited):
                lo, hi = max(a, s), min(b, e)
                if hi > lo:
                    y[lo - s:hi - s] = lim[lo - a:hi - a]
            yield y * t32 if self.trim != 1.0 else y


def _mask(steps: int, regions: list, step: int) -> np.ndarray:
    m = np.zeros(steps, bool)
    for a, b in regions:
        m[a // step:-(-b // step)] = True
    return m


def master_film(film: Film, lufs: float, ceiling_db: float) -> tuple[Mastered | None, dict]:
    """`mastering.master_pcm` from the film's figures: the gain to `lufs`, then the limiter where it is needed,
    the gain raised (a secant step each pass) until both targets hold to 0.2 LU."""
    energy, peak = film.figures()
    if film.frames < int(0.4 * RATE):  # BS.1770 needs a 400 ms block: measured on the samples, padded
        measured = mastering.integrated_lufs(film.read(0, film.frames), RATE)
    else:
        measured = film.lufs(energy)
    if not np.isfinite(measured):
        return None, {"input_lufs": None, "gain_reduction_db": 0.0, "pcm_true_peak_dbtp": None}  # silence
    g = lufs - measured
    tp = 20 * np.log10(peak.max()) if len(peak) and peak.max() > 0 else float("-inf")
    if abs(g) <= 0.2 and tp <= ceiling_db + 1e-3:  # already at the loudness and under the ceiling
        return None, {"input_lufs": round(measured, 2), "gain_reduction_db": 0.0, "pcm_true_peak_dbtp": round(tp, 3)}
    tried: list[tuple[float, float]] = []
    for _ in range(4):
        m = Mastered(film, energy, peak, 10 ** (g / 20), ceiling_db)
        now = m.lufs
        if abs(now - lufs) <= 0.2:  # the true peak of the output, measured once the gain is found
            m.finish()
            now = m.lufs
        tried.append((g, now))
        if abs(now - lufs) <= 0.2:
            break
        g = mastering.next_gain(tried, lufs)
    if m.true_peak_db is None:
        m.finish()
    return m, {"input_lufs": round(measured, 2), "gain_reduction_db": round(m.reduction_db, 2),
               "pcm_true_peak_dbtp": round(float(m.true_peak_db), 3), "passes": len(tried),
               "limited_s": round(float(sum(b - a for a, b in m.regions)) / RATE, 2)}


AAC_ARGS = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "192k", "-ar", str(ffmpeg.SAMPLE_RATE), "-ac", "2"]


def master_film_to_aac(film: Film, wav: Path, m4a: Path, lufs: float, max_tp: float, extra: tuple = ()) -> dict:
    """Master `film` to `lufs`, write `wav`, and encode the AAC file that ships (`m4a`, with `extra` ffmpeg
    output options), checking that file itself with ffmpeg's ebur128.

    The AAC encoder overshoots PCM peaks by a few tenths of a dB, by an amount that depends on the
    material, so the PCM ceiling starts 0.6 dB under the delivery limit and is lowered by the measured
    excess (below the PCM's own true peak) until the encoded file is at or under `max_tp` - 0.1."""
    ceiling = max_tp - 0.6
    info: dict = {}
    for _ in range(8):
        mastered, info = master_film(film, lufs, ceiling)
        with ffmpeg.wav_writer(wav, film.channels) as put:
            if mastered is None:
                for s in range(0, film.frames, mastering.BLOCK):
                    put(film.read(s, min(film.frames, s + mastering.BLOCK)))
            else:
                for y in mastered.blocks():
                    put(y)
        ffmpeg.run(["-i", str(wav), *AAC_ARGS, *extra, str(m4a)], "encoding the sound track")
        m = ffmpeg.loudness(m4a)
        info.update(integrated_lufs=m["integrated_lufs"], true_peak_dbtp=m["true_peak_dbtp"], pcm_ceiling_dbtp=round(ceiling, 2))
        over = m["true_peak_dbtp"] - (max_tp - 0.1)
        if not over > 0:
            return info
        # the overshoot can sit on a transient well under the ceiling (the encoder rings on sibilants), so the
        # next ceiling starts from the true peak the PCM really has, not from the ceiling it was allowed
        ceiling = min(ceiling, info["pcm_true_peak_dbtp"]) - (over + 0.3)
    raise MediaError(f"{m4a}: the encoded sound track peaks at {info['true_peak_dbtp']} dBTP, over the "
                     f"{max_tp} dBTP limit, after eight limiter passes; this is a bug in filmcrew, please report it")


def master_to_aac(raw: mastering.Pcm, wav: Path, m4a: Path, lufs: float, max_tp: float, extra: tuple = ()) -> dict:
    """`master_film_to_aac` for a whole signal in one raw float32 file (its figures measured first, beside
    it): the delivery of a made mix with other labels (handoff/audio_export.py)."""
    folder = wav.with_name(f".{wav.name}.figures")
    folder.mkdir(exist_ok=True)
    try:
        measure(raw, _step(RATE // 30), folder)
        return master_film_to_aac(Film([folder], [raw]), wav, m4a, lufs, max_tp, extra)
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


def _master(tctx) -> dict:
    """Join the parts: the master (mix.wav, mix.m4a) and the stems (dialogue, music, effects) of the film."""
    folders = [Path(tctx.inputs[k]) for k in sorted(tctx.inputs)]
    wd = Path(tctx.workdir)
    film = Film(folders)
    for stem in ("dialogue", "music", "effects"):
        with wave.open(str(wd / f"{stem}.wav"), "wb") as w:
            w.setnchannels(CHANNELS)
            w.setsampwidth(2)
            w.setframerate(RATE)
            for f in folders:
                with open(f / f"{stem}.s16", "rb") as src:
                    while chunk := src.read(1 << 22):
                        w.writeframesraw(chunk)
    p = tctx.task.params
    measured = master_film_to_aac(film, wd / "mix.wav", wd / "mix.m4a", p["lufs"], p["tp"])
    return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                        extra={"target_lufs": p["lufs"], "max_true_peak_dbtp": p["tp"], "parts": len(folders), **measured})


__all__ = ["mix_task", "master_to_aac", "master_film_to_aac", "measure", "Film", "AAC_ARGS", "SPOT_LEVEL"]
