"""The animator: one silent clip per shot, as long as the shot's own voices need."""

from __future__ import annotations

from pathlib import Path

from .. import ledger, timing
from ..graph import Task
from ..providers.base import AnimateRequest
from .common import EpisodeContext, provider_id
from .illustrator import layers
from .voice import frames_of

CODE_VERSION = "animator-1"


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


def _runner(ctx: EpisodeContext, prov, sc, sh, in_f: int, out_f: int):
    def run(tctx) -> dict:
        vframes = [frames_of(tctx.inputs[f"voice{k:02d}"]) for k in range(len(sh.lines))]
        total, _ = timing.layout(sh, vframes, in_f, out_f)
        req = AnimateRequest(shot=sh, scene=sc, layers=layers(tctx.inputs["keyframe"]), size=ctx.size, frames=total,
                             seed=ctx.seed, preview=ctx.preview)
        info = prov.animate(req, Path(tctx.workdir) / "clip.mp4", ctx.ffmpeg) or {}
        return ledger.entry(made_by=ledger.made_by(prov),
                            source_type=prov.source_type, model=prov.model, prompt=sh.action,
                            extra={"frames": total, **info})
    return run
