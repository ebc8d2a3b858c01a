"""Foley: one loopable ambience bed per scene, from the location and time of day."""

from __future__ import annotations

from pathlib import Path

from .. import ledger, media
from ..graph import Task
from ..providers.base import AmbienceRequest
from .common import EpisodeContext, provider_id

CODE_VERSION = "foley-1"
BED_SECONDS = 12.0


def tasks(ctx: EpisodeContext) -> dict[str, Task]:
    out: dict[str, Task] = {}
    prov = ctx.crew.foley
    for sc in ctx.episode.scenes:
        req = AmbienceRequest(location=sc.location, interior=sc.interior, time_of_day=sc.time_of_day,
                              seconds=BED_SECONDS, seed=ctx.seed)
        out[sc.id] = Task("foley", f"{sc.id}.ambience", CODE_VERSION, provider_id(prov), {"req": req},
                          _runner(prov, req), seed=ctx.seed, episode=ctx.episode.number)
    return out


def _runner(prov, req: AmbienceRequest):
    def run(tctx) -> dict:
        audio, rate = prov.ambience(req)
        media.write_wav(Path(tctx.workdir) / "ambience.wav", media.resample(audio, rate, media.SAMPLE_RATE))
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt=f"ambience: {req.location}")
    return run
