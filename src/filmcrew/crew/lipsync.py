"""Lip sync for a video model's shot, opted in per shot: `[[shot: animator: kling; lipsync: kling-lipsync]]`.

The shot's on-screen lines (spoken by a character the shot shows, without V.O., O.S. or O.C.: a narrator or an
off-screen voice never drives lips) are laid out as they play in the shot, from its first frame, in one WAV; the
lip-sync model is given that and the model's clip, as a paid job (journaled, priced, budgeted before the make,
never paid twice); its video replaces the model's clip as what the shot's fit trims to the shot. Because the fit
trims from the first frame, the voices stay where they play, as long as the model's clip covers the shot: a shot
longer than its clip (which the fit would slow down) is refused before the lip-sync job is sent.

What cannot be lip-synced is refused at plan, on the shot's line: a provider that does not lip-sync, a shot whose
animator the lip-sync model cannot take (Kling lip-syncs only videos Kling made), a shot with no on-screen line.
`lipsync: comfyui` (providers/remote/comfyui.py, a lip-sync model on the user's GPU, untested on a real server)
takes any video model's clip, which it is sent as a file; the offline animator's shots have no model clip (their
lips are drawn by filmcrew) and are refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import ledger
from ..engine.graph import Task
from ..engine.store import for_project
from ..errors import ProviderError, ScriptError
from ..media import ffmpeg
from ..story import timing
from ..story.onscreen import on_screen  # noqa: F401 (the crew's name for it)
from .common import EpisodeContext, provider_id
from .editor import read_layout

CODE_VERSION = "lipsync-1"


def asked(ctx: EpisodeContext) -> list:
    """The shots whose note asks for lip sync."""
    return [sh for sh in ctx.episode.shots() if getattr(sh, "lipsync", "")]


def tasks(ctx: EpisodeContext, clips: dict[str, Task], voices: dict[str, Task], timings: dict[str, Task],
          own: set[str] = frozenset()) -> dict[str, Task]:
    """shot id -> its lip-sync job, for each shot that asks for one; each such shot's fit (in `clips`) is
    re-pointed at the lip-synced video. A shot a person filmed (`own`) is theirs: nothing is sent for it."""
    from ..providers import registry
    path = str(ctx.layout.episode(ctx.episode.number))
    store = for_project(ctx.root)
    out: dict[str, Task] = {}
    for sh in asked(ctx):
        if sh.id in own:
            continue
        name = sh.lipsync
        if not registry.plays(name, "lipsync"):
            raise ScriptError(f"shot {sh.id}: lipsync: {name!r} " + ("is not a provider" if name not in
                              registry.available() else "does not lip-sync") + f"; use one of "
                              f"{', '.join(registry.for_role('lipsync'))}, or take lipsync out of the note",
                              path=path, line=sh.source_line)
        prov = ctx.crew.others("lipsync", name)
        fit = clips.get(sh.id)
        why = prov.refuse(ctx.crew.for_shot("animator", sh))
        if not why and (fit is None or "video" not in fit.inputs):
            why = "lip sync drives the mouths of a video model's clip, and this shot has none"
        lines = on_screen(sh)
        if not why and not lines:
            why = ("no line in it is spoken on screen (a V.O., O.S. or O.C. line, or a speaker the shot does not show, "
                   "never drives lips): take lipsync out of the note")
        if why:
            raise ScriptError(f"shot {sh.id}: {why}", path=path, line=sh.source_line)
        index = [sh.lines.index(ln) for ln in lines]
        from ..story import screenplay
        est_s = screenplay.estimated_shot_seconds(sh, ctx.language)
        task = Task("lipsync", f"{sh.id}.lipsync", CODE_VERSION, provider_id(prov),
                    {"shot": sh.id, "lines": [ln.id for ln in lines]}, _runner(prov, sh.id, index),
                    inputs={"video": fit.inputs["video"], "timing": timings[sh.id],
                            **{f"voice{k:02d}": voices[sh.lines[k].id] for k in index}},
                    store=store, seed=ctx.seed, episode=ctx.episode.number,
                    estimate=(lambda p=prov, s=est_s: p.price(s)))
        fit.inputs["video"] = task  # (before any key is read: the fit is keyed by the lip-synced video)
        out[sh.id] = task
    return out


def shot_voices(layout_dir: Path, voice_dirs: dict[int, Path]) -> tuple[np.ndarray, int]:
    """The on-screen voices of a shot as one mono track as long as the shot, each line from its first frame in
    the shot (the timing's layout); and the shot's frames."""
    total, starts = read_layout(layout_dir)
    rate = ffmpeg.SAMPLE_RATE
    track = np.zeros(int(round(total * rate / timing.FPS)), np.float32)
    for k, folder in voice_dirs.items():
        a, r = ffmpeg.read_wav(Path(folder) / "line.wav")
        if r != rate:
            raise ProviderError(f"{folder}/line.wav is at {r} Hz; filmcrew's voices are at {rate} Hz")
        mono = a.mean(axis=1)
        at = int(round(starts[k] * rate / timing.FPS))
        n = max(0, min(len(mono), len(track) - at))
        track[at:at + n] += mono[:n]
    return np.clip(track, -1.0, 1.0), total


def _runner(prov, shot_id: str, index: list[int]):
    from ..providers.remote.kling_lipsync import LipSyncRequest

    def run(tctx) -> dict:
        inp = tctx.inputs
        gen = json.loads((Path(inp["video"]) / "generation.json").read_text(encoding="utf-8"))
        seconds = int(gen.get("seconds") or 0)
        track, total = shot_voices(Path(inp["timing"]), {k: Path(inp[f"voice{k:02d}"]) for k in index})
        if total / timing.FPS > seconds + 1e-6:
            raise ProviderError(f"shot {shot_id}: it lasts {total / timing.FPS:.2f} s and the model's clip {seconds} s; "
                                f"the fit would slow the clip down and the lips would no longer follow the voices, so "
                                f"no lip-sync job was sent: shorten the shot's lines or split it")
        wav = Path(tctx.workdir) / "voices.wav"
        with ffmpeg.wav_writer(wav, channels=1) as put:
            put(track[:, None])
        req = LipSyncRequest(shot_id=shot_id, audio=wav, animator_task=(gen.get("job") or {}).get("handle") or {},
                             video_seconds=seconds, job=tctx.ticket, video=Path(inp["video"]) / "model.mp4")
        prov.lipsync(req, Path(tctx.workdir))
        mine = json.loads((Path(tctx.workdir) / "generation.json").read_text(encoding="utf-8"))
        est = mine.get("estimate") or {}
        # what the fit reads of the video it fits (its length) is the model's clip's, kept beside it
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt=f"the shot's on-screen voices ({len(index)} lines)",
                            extra={"seconds": seconds, "audio_seconds": mine.get("audio_seconds"),
                                   "cost": {"estimate": est.get("amount"), "actual": mine.get("actual"),
                                            "currency": est.get("currency")}})
    return run
