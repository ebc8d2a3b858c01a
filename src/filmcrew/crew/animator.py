"""The animator: one silent clip per shot, as long as the shot's timing says (its voices, laid out).

The clip takes only its length from the voices (by content: see engine/graph.py), so a new voice that keeps its
slot re-makes no picture. The faces are filmed with their mouths shut; a provider that knows where each
mouth is on every frame says so (`mouths.json`, see media/lips.py), and the finisher opens them with the voices.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import ledger
from ..engine import atomic
from ..engine.graph import Task
from ..engine.store import for_project
from ..media import lips
from ..providers.base import AnimateRequest
from .common import EpisodeContext, provider_id
from .editor import clip_length
from .illustrator import faces, layers

CODE_VERSION = "animator-4"


def tasks(ctx: EpisodeContext, keyframes: dict[str, Task], timings: dict[str, Task]) -> dict[str, Task]:
    out: dict[str, Task] = {}
    prov = ctx.crew.animator
    store = for_project(ctx.root)
    for sc in ctx.episode.scenes:
        for sh in sc.shots:  # its length (transitions included) comes from its timing, by content
            params = {"shot": sh.id, "camera": sh.camera, "mood": sh.mood or sc.mood, "action": sh.action,
                      "size": ctx.size, "preview": ctx.preview}
            out[sh.id] = Task("animator", f"{sh.id}.clip", CODE_VERSION, provider_id(prov), params,
                              _runner(ctx, prov, sc, sh), inputs={"keyframe": keyframes[sh.id], "timing": timings[sh.id]},
                              by_content={"timing": "length.json"}, store=store, seed=ctx.seed, episode=ctx.episode.number)
    return out


def _runner(ctx: EpisodeContext, prov, sc, sh):
    def run(tctx) -> dict:
        total = clip_length(tctx.inputs["timing"])
        req = AnimateRequest(shot=sh, scene=sc, layers=layers(tctx.inputs["keyframe"]), size=ctx.size, frames=total,
                             seed=ctx.seed, preview=ctx.preview, faces=faces(tctx.inputs["keyframe"]))
        wd = Path(tctx.workdir)
        info = dict(prov.animate(req, wd / "clip.mp4", ctx.ffmpeg) or {})
        track = info.pop("mouths", None)
        if track:
            atomic.write_text(wd / lips.TRACK_FILE, json.dumps(track))
        return ledger.entry(made_by=ledger.made_by(prov),
                            source_type=prov.source_type, model=prov.model, prompt=sh.action,
                            extra={"frames": total, **info, **({"mouth_track": sorted(track)} if track else {})})
    return run
