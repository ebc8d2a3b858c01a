"""The composer: one score cue per scene (a recurring series theme, a stinger on the hook).

A cue's length is the scene's estimated runtime rounded up to whole 8-second
phrases, so a small dialogue edit does not re-compose the music; the mix trims
and fades it to the scene's real length.
"""

from __future__ import annotations

import math
from pathlib import Path

from .. import ledger
from ..engine.graph import Task
from ..media import ffmpeg
from ..providers.base import CueRequest
from ..story.screenplay import estimated_shot_seconds
from .common import EpisodeContext, provider_id

CODE_VERSION = "composer-1"
PHRASE_S = 8.0


def tasks(ctx: EpisodeContext) -> dict[str, Task]:
    out: dict[str, Task] = {}
    prov = ctx.crew.composer
    theme = ctx.seed * 7919 + len(ctx.bible.title)
    last = ctx.episode.scenes[-1].id if ctx.episode.scenes else ""
    for sc in ctx.episode.scenes:
        est = sum(estimated_shot_seconds(s, ctx.language) for s in sc.shots)
        secs = PHRASE_S * math.ceil((est * 1.2 + 2.0) / PHRASE_S)
        mood = sc.mood or "hopeful"
        req = CueRequest(scene_id=sc.id, mood=mood, seconds=secs, seed=ctx.seed * 1000 + len(out), theme_seed=theme,
                         ending="hook" if sc.id == last else "")
        remote = getattr(prov, "remote", False)  # a music model: its job journaled under the task's key
        out[sc.id] = Task("composer", f"{sc.id}.cue", CODE_VERSION, provider_id(prov), {"req": req},
                          _runner(prov, req, remote),
                          seed=ctx.seed, episode=ctx.episode.number, estimate=prov.estimate if remote else None)
    return out


def _runner(prov, req: CueRequest, remote: bool = False):
    def run(tctx) -> dict:
        if remote:  # the engine's ticket: where its job is journaled (tctx.ticket)
            from ..engine.jobs import Journal
            audio, rate = prov.compose(req, job=tctx.ticket)
            rec = Journal(tctx.ticket.journal).read(tctx.task.key) or {}
            est = rec.get("estimate") or {}
            ffmpeg.write_wav(Path(tctx.workdir) / "cue.wav", ffmpeg.resample(audio, rate, ffmpeg.SAMPLE_RATE))
            return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                                prompt=prov.prompt(req), extra={"cost": {"estimate": est.get("amount"),
                                                                         "actual": rec.get("actual"),
                                                                         "currency": est.get("currency")}})
        audio, rate = prov.compose(req)
        ffmpeg.write_wav(Path(tctx.workdir) / "cue.wav", ffmpeg.resample(audio, rate, ffmpeg.SAMPLE_RATE))
        return ledger.entry(made_by=ledger.made_by(prov),
                            source_type=prov.source_type, model=prov.model, prompt=f"{req.mood} cue, {req.seconds:g}s")
    return run
