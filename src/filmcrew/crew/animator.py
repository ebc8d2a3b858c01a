"""The animator: one silent clip per shot, as long as the shot's timing says (its voices, laid out).

The clip takes only its length from the voices (by content: see engine/graph.py), so a new voice that keeps its
slot re-makes no picture. The faces are filmed with their mouths shut; a provider that knows where each
mouth is on every frame says so (`mouths.json`, see media/lips.py), and the finisher opens them with the voices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable

from .. import ledger
from ..engine import atomic
from ..errors import ConfigError
from ..engine.graph import ProviderId, Task
from ..engine.store import for_project, sha256
from ..media import lips
from ..providers.base import AnimateRequest
from . import common
from .common import PICTURE_TAKE_EXTS, EpisodeContext, find_take, provider_id
from .editor import clip_length
from .illustrator import faces, layers

CODE_VERSION = "animator-4"
CLIP_TAKE_EXTS = (".mp4", ".mov", ".webm", ".mkv")  # takes/SHOT.mp4: a person's clip replaces the shot's


def take_tasks(ctx: EpisodeContext, timings: dict[str, Task]) -> dict[str, Task]:
    """The shots a person filmed or cut themselves (takes/SHOT.mp4, .mov, .webm or .mkv): each clip is fitted to
    its shot's length and size like a video model's (trimmed, or slowed and its last frame held), silent, and
    recorded as human-made. Their shots send no video job and animate nothing."""
    out: dict[str, Task] = {}
    store = for_project(ctx.root)
    for sh in ctx.episode.shots():
        take = find_take(ctx.root, sh.id, CLIP_TAKE_EXTS)
        if take is None:
            continue
        picture = find_take(ctx.root, sh.id, PICTURE_TAKE_EXTS)
        if picture is not None:
            raise ConfigError(f"takes/{take.name} and takes/{picture.name} are both takes of {sh.id}: the clip replaces "
                              f"the whole shot, so the picture would not be used; remove one of them")
        params = {"sha": sha256(take), "size": ctx.size, "preview": ctx.preview}  # (read a block at a time)
        out[sh.id] = Task("animator", f"{sh.id}.clip", CODE_VERSION, ProviderId("human-take", "1"), params,
                          _clip_take_runner(ctx, take), inputs={"timing": timings[sh.id]}, by_content={"timing": "length.json"},
                          store=store, seed=0, episode=ctx.episode.number)
    return out


def _clip_take_runner(ctx: EpisodeContext, take: Path):
    from ..providers.remote.animate import fit

    def run(tctx) -> dict:
        frames = clip_length(tctx.inputs["timing"])
        info = {k.replace("model_", "take_"): v for k, v in  # the take's own length, rate and size
                fit(take, Path(tctx.workdir) / "clip.mp4", frames, ctx.size, ctx.ffmpeg).items()}
        return ledger.entry(made_by="human", source_type=ledger.HUMAN_CREATION, prompt=f"takes/{take.name}",
                            extra={**info, "frames": frames, "sound": "dropped: the shot's voices and filmcrew's mix play"})
    return run


def remote(ctx: EpisodeContext, shot) -> bool:
    """Whether a video model animates `shot` (its `[[shot: animator: NAME]]`, else the project's animator)."""
    return bool(getattr(ctx.crew.for_shot("animator", shot), "remote", False))


@dataclass(frozen=True)
class Picture:
    """A shot animated here by a provider that draws its frames one at a time (its `frames` method: the offline
    camera moves): the finisher draws them itself while it renders the shot's segment, so each frame is encoded
    once, in the delivery format, with its lips and subtitles. The `clip` task (the same frames encoded on their
    own) is then made only where a clip file is wanted: `filmcrew export` (and the MCP export) makes it."""
    clip: Task  # the shot's clip task (inputs: keyframe, timing)
    draw: Callable  # (keyframe folder, frames, lo, hi, info) -> iterator of (RGBA frame, {name: [x, y, w]})

    @property
    def keyframe(self) -> Task:
        return self.clip.inputs["keyframe"]

    def recipe(self) -> dict:
        """What the frames are drawn by and from (besides the keyframe and the length): in a segment's key."""
        t = self.clip
        return {"code": t.code_version, "provider": [t.provider.name, t.provider.version, t.provider.model],
                "params": t.params, "seed": t.seed}


def tasks(ctx: EpisodeContext, keyframes: dict[str, Task], timings: dict[str, Task],
          only: set[str] | None = None, pictures: dict[str, Picture] | None = None) -> dict[str, Task]:
    """One clip a shot (of those in `only`, when given) animated here from its keyframe's layers. `pictures`,
    when given, is filled with the shots whose provider draws frame by frame (see Picture)."""
    out: dict[str, Task] = {}
    store = for_project(ctx.root)
    for sc in ctx.episode.scenes:
        for sh in sc.shots:  # its length (transitions included) comes from its timing, by content
            if only is not None and sh.id not in only:
                continue
            prov = ctx.crew.for_shot("animator", sh)
            params = {"shot": sh.id, "camera": sh.camera, "mood": sh.mood or sc.mood, "action": sh.action,
                      "size": ctx.size, "preview": ctx.preview}
            out[sh.id] = Task("animator", f"{sh.id}.clip", CODE_VERSION, provider_id(prov), params,
                              _runner(ctx, prov, sc, sh), inputs={"keyframe": keyframes[sh.id], "timing": timings[sh.id]},
                              by_content={"timing": "length.json"}, store=store, seed=ctx.seed, episode=ctx.episode.number)
            if pictures is not None and callable(getattr(prov, "frames", None)):
                pictures[sh.id] = Picture(out[sh.id], _drawer(ctx, prov, sc, sh))
    return out


def _request(ctx: EpisodeContext, sc, sh, keyframe, frames: int) -> AnimateRequest:
    return AnimateRequest(shot=sh, scene=sc, layers=layers(keyframe), size=ctx.size, frames=frames, seed=ctx.seed,
                          preview=ctx.preview, faces=faces(keyframe))


def _drawer(ctx: EpisodeContext, prov, sc, sh):
    def draw(keyframe: Path, frames: int, lo: int, hi: int, info: dict | None = None):
        return prov.frames(_request(ctx, sc, sh, keyframe, frames), lo, hi, info)
    return draw


def _runner(ctx: EpisodeContext, prov, sc, sh):
    def run(tctx) -> dict:
        total = clip_length(tctx.inputs["timing"])
        req = _request(ctx, sc, sh, tctx.inputs["keyframe"], total)
        wd = Path(tctx.workdir)
        info = dict(prov.animate(req, wd / "clip.mp4", ctx.ffmpeg) or {})
        track = info.pop("mouths", None)
        if track:
            atomic.write_text(wd / lips.TRACK_FILE, json.dumps(track))
        return ledger.entry(made_by=ledger.made_by(prov),
                            source_type=prov.source_type, model=prov.model, prompt=sh.action,
                            extra={"frames": total, **info, **({"mouth_track": sorted(track)} if track else {})})
    return run


# ---- a video model: a duration, a job, a fit ------------------------------------------------------------

def _aspect(size: tuple[int, int]) -> str:
    w, h = size
    return "9:16" if h > w * 1.2 else "16:9" if w > h * 1.2 else "1:1"


def remote_tasks(ctx: EpisodeContext, keyframes: dict[str, Task], timings: dict[str, Task],
                 refs: dict[str, Task], retakes: dict | None = None,
                 picked: Callable[[object, Task], Task] | None = None, only: set[str] | None = None) -> dict[str, Task]:
    """Three tasks a shot for a video model: its duration (the model's shortest that covers the shot's length,
    so a line that changes the length within the same duration submits no new job), the video job (keyed by
    that duration, the keyframes or references, the prompt), and the fit of the model's clip to the shot's
    frames. What a model cannot do is refused here, at plan, before anything is paid. `retakes`, when given,
    is filled with {shot id: take number -> that video job's task}; `picked(shot, video)`, when given, returns
    the task whose video the fit uses (crew/takes.py: the best take). Each shot goes to its own video model
    (its `[[shot: animator: NAME]]`, else the project's); `only`, when given, names the shots to make."""
    from ..errors import ScriptError
    from ..story import screenplay
    store = for_project(ctx.root)
    aspect = _aspect(ctx.size)
    shots = ctx.episode.shots()
    path = str(ctx.layout.episode(ctx.episode.number))  # (the screenplay the shot notes are in)
    out: dict[str, Task] = {}
    frames = {sh.id: Task("animator", f"{sh.id}.frame", "frame-1", ProviderId("filmcrew-animator", "1"), {},
                          _frame_runner, inputs={"keyframe": keyframes[sh.id]}, episode=ctx.episode.number)
              for sh in shots}
    checked: set[int] = set()
    for sc in ctx.episode.scenes:
        for sh in sc.shots:
            if only is not None and sh.id not in only:
                continue
            prov = ctx.crew.for_shot("animator", sh)
            if id(prov) not in checked:
                prov.check_sound()
                checked.add(id(prov))
            mode = sh.video or prov.video
            chars = common.cast(ctx, sc, sh)  # each as they are at this scene (the bible's changes)
            mine = common.shot_refs(ctx, refs, sc, sh, places=False)  # their references in that state
            why = prov.refuse(mode, aspect, len(chars))
            nxt = shots[shots.index(sh) + 1] if shots.index(sh) + 1 < len(shots) else None
            if not why and mode == "first-last" and nxt is None:
                why = "first-last needs the next shot's keyframe as its last frame, and this is the episode's last shot"
            if not why and mode == "reference":
                missing = [c.name for c in chars if c.name not in mine]
                if missing or not chars:
                    why = (f"reference mode needs a reference image of each character shown ({', '.join(missing)} has "
                           f"none: use an image model as the illustrator, or put takes/NAME.png)" if missing else
                           "reference mode needs characters to refer to; this shot shows none")
            if why:
                raise ScriptError(f"shot {sh.id}: {why}", path=path, line=sh.source_line)
            estimate_s = screenplay.estimated_shot_seconds(sh, ctx.language)
            dur = Task("animator", f"{sh.id}.duration", "duration-1", provider_id(prov),
                       {"durations": list(prov.caps.get("durations", ())), "model": prov.model},
                       _duration_runner(prov, sh.id), inputs={"timing": timings[sh.id]},
                       by_content={"timing": "length.json"}, store=store, episode=ctx.episode.number)
            inputs = {"duration": dur}
            by_content = {"duration": "duration.json"}  # (and the frames by their pixels: a keyframe re-drawn the
            if mode in ("first-frame", "first-last"):  # same, because a line's words changed, sends no new job)
                inputs["first"], by_content["first"] = frames[sh.id], "frame.png"
            if mode == "first-last":
                inputs["last"], by_content["last"] = frames[nxt.id], "frame.png"
            if mode == "reference":
                inputs.update({f"ref:{c.name}": mine[c.name] for c in chars})
            prompt = prov.prompt(sh, sc, chars, names=mode == "reference")
            params = {"shot": sh.id, "mode": mode, "prompt": prompt, "aspect": aspect, "preview": ctx.preview,
                      "order": [c.name for c in chars], **({"sound": True} if prov.keeps_sound else {}),
                      **({"seed": sh.seed} if sh.seed else {})}  # [[shot: seed: N]]: the model asked again
            take = partial(_video_take, ctx, prov, sh.id, params, inputs, by_content, store,
                           _estimate(prov, estimate_s, ctx.preview, mode))
            video = take(0)
            if retakes is not None:
                retakes[sh.id] = take
            out[sh.id] = Task("animator", f"{sh.id}.clip", CODE_VERSION, provider_id(prov),
                              {"shot": sh.id, "size": ctx.size, "fit": "cover-crop",
                               **({"sound": "effects"} if prov.keeps_sound else {})}, _fit_runner(ctx, prov),
                              inputs={"video": picked(sh, video) if picked else video, "timing": timings[sh.id]},
                              by_content={"timing": "length.json"},
                              store=store, seed=ctx.seed, episode=ctx.episode.number)
    return out


def _frame_runner(tctx) -> dict:
    """The keyframe's layers, flattened into the one picture a video model starts from (or ends on)."""
    from PIL import Image
    flat = None
    for p in layers(tctx.inputs["keyframe"]):
        with Image.open(p) as im:
            lay = im.convert("RGBA")
        flat = lay if flat is None else Image.alpha_composite(flat, lay)
    flat.convert("RGB").save(Path(tctx.workdir) / "frame.png", compress_level=1)
    return ledger.entry(made_by="algorithm:filmcrew-animator", source_type=ledger.ALGORITHMIC,
                        prompt="the keyframe's layers, flattened")


def _estimate(prov, seconds: float, preview: bool, mode: str):
    def est() -> dict:
        return prov.estimate(prov.duration_for(seconds), preview, mode)
    return est


def _duration_runner(prov, shot_id: str):
    def run(tctx) -> dict:
        seconds = clip_length(tctx.inputs["timing"]) / 30.0
        try:
            d = prov.duration_for(seconds)
        except Exception as err:
            from ..errors import ConfigError
            raise ConfigError(f"shot {shot_id}: {err}") from None
        atomic.write_text(Path(tctx.workdir) / "duration.json", json.dumps({"seconds": d}))
        return ledger.entry(made_by="algorithm:filmcrew-animator", source_type=ledger.ALGORITHMIC,
                            extra={"shot_seconds": round(seconds, 3), "asked_seconds": d})
    return run


def _video_take(ctx: EpisodeContext, prov, shot_id: str, params: dict, inputs: dict, by_content: dict, store,
                estimate, n: int) -> Task:
    """Take `n` of a shot's video job (by `prov`): take 0 is the shot's video; a retake asks again (another seed,
    where the model takes one) under an id and key of its own."""
    asked = params.get("seed", 0) + n  # the shot's own seed moves every take along
    return Task("animator", f"{shot_id}.video" + (f".take{n}" if n else ""), CODE_VERSION, provider_id(prov),
                {**params, "take": n} if n else params,
                _video_runner(ctx, prov, shot_id, params["mode"], params["prompt"], params["aspect"], params["order"], asked),
                inputs=inputs, by_content=by_content, store=store, seed=ctx.seed + asked, episode=ctx.episode.number,
                estimate=estimate)


def _video_runner(ctx: EpisodeContext, prov, shot_id: str, mode: str, prompt: str, aspect: str, names: list[str],
                  take: int = 0):
    from ..providers.remote.animate import VideoRequest

    def run(tctx) -> dict:
        inp = tctx.inputs
        seconds = int(json.loads((Path(inp["duration"]) / "duration.json").read_text())["seconds"])
        first = Path(inp["first"]) / "frame.png" if "first" in inp else None
        last = Path(inp["last"]) / "frame.png" if "last" in inp else None
        refs = tuple((n, Path(inp[f"ref:{n}"]) / "reference.png") for n in names if f"ref:{n}" in inp)
        ticket = tctx.ticket  # the engine's: journaled under this task's key
        req = VideoRequest(shot_id=shot_id, prompt=prompt, mode=mode, seconds=seconds, aspect=aspect, first=first,
                           last=last, references=refs, preview=ctx.preview, job=ticket, take=take,
                           sound=prov.keeps_sound)
        prov.animate(req, tctx.workdir)
        gen = json.loads((Path(tctx.workdir) / "generation.json").read_text())
        est = gen.get("estimate") or {}
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model, prompt=prompt,
                            extra={"mode": mode, "seconds": seconds, "references": gen.get("references", []),
                                   "model_seconds": gen.get("seconds"),
                                   "cost": {"estimate": est.get("amount"), "actual": gen.get("actual"),
                                            "currency": est.get("currency")}})
    return run


def _fit_runner(ctx: EpisodeContext, prov):
    from ..providers.remote.animate import fit

    def run(tctx) -> dict:
        frames = clip_length(tctx.inputs["timing"])
        info = fit(Path(tctx.inputs["video"]) / "model.mp4", Path(tctx.workdir) / "clip.mp4", frames, ctx.size,
                   ctx.ffmpeg, Path(tctx.workdir) / "sound.wav" if prov.keeps_sound else None)
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt="the model's clip fitted to the shot",
                            extra={"sound": "dropped: filmcrew's own ambience and effects play", **info, "frames": frames,
                                   "mouths": "none: a model's clip has no mouth track; the shot is as the model made it"})
    return run
