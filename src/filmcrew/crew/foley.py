"""Foley: one loopable ambience bed per scene, from the location and time of day, and the spot
effects each shot's action names (a knock, a door, thunder, footsteps, a splash), in English, French
or Chinese."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from .. import ledger
from ..engine.graph import Task
from ..media import ffmpeg
from ..providers.base import AmbienceRequest, EffectRequest
from ..story.action_words import effects_in
from .common import EpisodeContext, provider_id

CODE_VERSION = "foley-2"
BED_SECONDS = 12.0
EFFECT_START = 0.25  # seconds into the shot where its first effect falls
EFFECT_GAP = 0.7  # seconds between two effects of one shot
FOOTSTEP_SECONDS = 3.0

def tasks(ctx: EpisodeContext) -> dict[str, Task]:
    out: dict[str, Task] = {}
    prov = ctx.crew.foley
    for sc in ctx.episode.scenes:
        req = AmbienceRequest(location=sc.location, interior=sc.interior, time_of_day=sc.time_of_day,
                              seconds=BED_SECONDS, seed=ctx.seed)
        out[sc.id] = Task("foley", f"{sc.id}.ambience", CODE_VERSION, provider_id(prov), {"req": req},
                          _runner(prov, req), seed=ctx.seed, episode=ctx.episode.number)
    return out


def effect_tasks(ctx: EpisodeContext) -> dict[str, Task]:
    """shot id -> the task that makes its effects track, for the shots whose action names any."""
    out: dict[str, Task] = {}
    prov = ctx.crew.foley
    if not callable(getattr(prov, "effect", None)):
        return {}  # a foley provider that makes beds only
    for sh in ctx.episode.shots():
        kinds = effects_in(sh.action)
        if kinds:
            # each shot its own thunder: the effects are seeded by the project's seed and the shot
            seed = int(hashlib.sha256(f"{ctx.seed}|{sh.id}".encode()).hexdigest()[:8], 16)
            out[sh.id] = Task("foley", f"{sh.id}.effects", CODE_VERSION, provider_id(prov), {"kinds": kinds, "shot": sh.id},
                              _effects_runner(prov, sh.id, kinds, seed), seed=ctx.seed, episode=ctx.episode.number)
    return out


def _runner(prov, req: AmbienceRequest):
    def run(tctx) -> dict:
        audio, rate = prov.ambience(req)
        ffmpeg.write_wav(Path(tctx.workdir) / "ambience.wav", ffmpeg.resample(audio, rate, ffmpeg.SAMPLE_RATE))
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt=f"ambience: {req.location}")
    return run


def _effects_runner(prov, shot_id: str, kinds: list[str], seed: int):
    """One track per shot, starting with the shot: its effects one after another, EFFECT_GAP apart."""
    def run(tctx) -> dict:
        rate = ffmpeg.SAMPLE_RATE
        placed, at = [], EFFECT_START
        for k, kind in enumerate(kinds):
            audio, r = prov.effect(EffectRequest(kind, FOOTSTEP_SECONDS, seed + k))
            a = ffmpeg.resample(np.asarray(audio, np.float32), r, rate)
            a = a if a.ndim == 2 else np.stack([a, a], axis=1)
            placed.append((int(at * rate), a, kind))
            at += (len(a) / rate if kind != "footsteps" else 0.6) + EFFECT_GAP  # steps go on under what follows
        track = np.zeros((max(s + len(a) for s, a, _ in placed), 2), np.float32)
        for s, a, _ in placed:
            track[s:s + len(a)] += a
        ffmpeg.write_wav(Path(tctx.workdir) / "effects.wav", track * (0.8 / max(0.8, float(np.abs(track).max()))))
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt=f"effects of {shot_id}: {', '.join(kinds)}",
                            extra={"effects": [{"kind": k, "at": round(s / rate, 3), "seconds": round(len(a) / rate, 3)}
                                               for s, a, k in placed]})
    return run
