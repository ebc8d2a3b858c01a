"""The animator: one silent clip per shot, as long as the shot's own voices need."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import ledger, media, timing
from ..graph import Task
from ..providers.base import AnimateRequest
from .common import EpisodeContext, provider_id
from .illustrator import faces, layers
from .voice import EDGE_PAD, frames_of

CODE_VERSION = "animator-3"


def tasks(ctx: EpisodeContext, keyframes: dict[str, Task], voices: dict[str, Task]) -> dict[str, Task]:
    out: dict[str, Task] = {}
    prov = ctx.crew.animator
    shots = ctx.episode.shots()
    overlaps = timing.transition_frames(shots)
    for i, (sc, sh) in enumerate(((sc, sh) for sc in ctx.episode.scenes for sh in sc.shots)):
        in_f = overlaps[i - 1] if i > 0 else 0
        out_f = overlaps[i]
        inputs = {"keyframe": keyframes[sh.id]}
        for k, ln in enumerate(sh.lines):
            inputs[f"voice{k:02d}"] = voices[ln.id]
        params = {"shot": sh.id, "camera": sh.camera, "mood": sh.mood or sc.mood, "in": in_f, "out": out_f,
                  "duration": sh.duration_frames, "action": sh.action if not sh.duration_frames else "",
                  "size": ctx.size, "preview": ctx.preview}
        out[sh.id] = Task("animator", f"{sh.id}.clip", CODE_VERSION, provider_id(prov), params,
                          _runner(ctx, prov, sc, sh, in_f, out_f), inputs=inputs, seed=ctx.seed,
                          episode=ctx.episode.number)
    return out


def mouth_envelopes(sh, voice_dirs: list[Path], starts: list[int], total: int) -> dict[str, np.ndarray]:
    """speaker -> how open their mouth is on each frame of the clip (0..1), from the loudness of their own
    voice over that frame: the mouth moves exactly where the line's sound (and its subtitle) is."""
    out: dict[str, np.ndarray] = {}
    for ln, folder, st in zip(sh.lines, voice_dirs, starts):
        a, rate = media.read_wav(Path(folder) / "line.wav")
        spf = rate // timing.FPS
        n = len(a) // spf
        if n == 0:
            continue
        rms = np.sqrt(np.mean(a[: n * spf, 0].reshape(n, spf) ** 2, axis=1))
        ref = np.percentile(rms, 90) or 1.0
        env = np.clip(rms / ref, 0, 1)
        env[env < 0.12] = 0.0  # pauses between words close the mouth
        # a soft onset (a breath, an "s") is under that: the lips part on the frame the sound starts (every
        # voice, synthetic or a take, is trimmed to EDGE_PAD before its first sound), so mouth, voice and
        # subtitle start within one frame of each other
        first = min(n - 1, int(EDGE_PAD * timing.FPS))
        opened = int(np.argmax(env > 0)) if (env > 0).any() else n
        if opened > first:
            env[first:opened] = 0.2
        e = out.setdefault(ln.speaker, np.zeros(total, np.float32))
        end = min(total, st + n)
        e[st:end] = np.maximum(e[st:end], env[: end - st])
    return out


def _runner(ctx: EpisodeContext, prov, sc, sh, in_f: int, out_f: int):
    def run(tctx) -> dict:
        voice_dirs = [tctx.inputs[f"voice{k:02d}"] for k in range(len(sh.lines))]
        vframes = [frames_of(d) for d in voice_dirs]
        total, starts = timing.layout(sh, vframes, in_f, out_f)
        req = AnimateRequest(shot=sh, scene=sc, layers=layers(tctx.inputs["keyframe"]), size=ctx.size, frames=total,
                             seed=ctx.seed, preview=ctx.preview, faces=faces(tctx.inputs["keyframe"]),
                             mouths=mouth_envelopes(sh, voice_dirs, starts, total))
        info = prov.animate(req, Path(tctx.workdir) / "clip.mp4", ctx.ffmpeg) or {}
        return ledger.entry(made_by=ledger.made_by(prov),
                            source_type=prov.source_type, model=prov.model, prompt=sh.action,
                            extra={"frames": total, **info})
    return run
