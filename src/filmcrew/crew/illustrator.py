"""The illustrator: one keyframe (four layers) per shot, from the draw provider or a human take."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from .. import ledger
from ..engine.graph import ProviderId, Task
from ..providers.base import DrawRequest
from ..providers.camera_moves import MARGIN
from . import common
from .common import EpisodeContext, provider_id

CODE_VERSION = "illustrator-2"
TAKE_EXTS = common.PICTURE_TAKE_EXTS


def find_take(root: Path, shot_id: str) -> Path | None:
    return common.find_take(root, shot_id, TAKE_EXTS)


def tasks(ctx: EpisodeContext, refs: dict[str, Task] | None = None, retakes: dict | None = None) -> dict[str, Task]:
    """One keyframe task per shot, by the shot's provider (its `[[shot: illustrator: NAME]]`, else the
    project's). A shot drawn by a model that takes references (crew/references.py) takes the references of the
    characters it shows and of its place from `refs`, and `retakes` (when given) is filled with {shot id: take
    number -> that take's task} for crew/takes.py."""
    out: dict[str, Task] = {}
    refs = refs or {}
    W, H = ctx.size
    canvas = (int(round(W * MARGIN / 2)) * 2, int(round(H * MARGIN / 2)) * 2)
    for sc in ctx.episode.scenes:
        for sh in sc.shots:
            prov = ctx.crew.for_shot("illustrator", sh)
            chars = common.cast(ctx, sc, sh)  # each as they are at this scene (the bible's changes)
            place = common.place_words(common.place_at(ctx, sc))
            speaking = sh.lines[0].speaker if sh.lines else ""
            req = DrawRequest(shot=sh, scene=sc, characters=chars, size=canvas, style=ctx.style, seed=ctx.seed,
                              speaking=speaking, language=ctx.language, preview=ctx.preview, place=place)
            take = find_take(ctx.root, sh.id)
            if take is not None:
                params = {"sha": _sha(take), "canvas": canvas}
                out[sh.id] = Task("illustrator", f"{sh.id}.keyframe", CODE_VERSION, ProviderId("human-take", "1"),
                                  params, _take_runner(take, canvas), seed=0, episode=ctx.episode.number)
                continue
            params = {"shot": _shot_params(sh, prov), "scene": [sc.location, sc.interior, sc.time_of_day, sc.mood, sc.id],
                      "characters": chars, "canvas": canvas, "style": ctx.style, "speaking": speaking,
                      **({"place": place} if place else {})}
            if getattr(prov, "uses_references", False):
                inputs = {f"ref:{n}": t for n, t in common.shot_refs(ctx, refs, sc, sh).items()}
                take_n = partial(model_take, ctx, sh.id, req, {**params, "preview": ctx.preview}, inputs, prov=prov)
                out[sh.id] = take_n(0)
                if retakes is not None:
                    retakes[sh.id] = take_n
                continue
            out[sh.id] = Task("illustrator", f"{sh.id}.keyframe", CODE_VERSION, provider_id(prov), params,
                              _runner(prov, req), seed=ctx.seed, episode=ctx.episode.number)
    return out


def model_take(ctx: EpisodeContext, shot_id: str, req: DrawRequest, params: dict, inputs: dict, n: int,
               prov=None) -> Task:
    """Take `n` of a model's keyframe (by `prov`, else the project's illustrator): take 0 is the shot's
    keyframe; a retake (crew/takes.py) asks again with another seed, under an id and key of its own."""
    from dataclasses import replace
    prov = prov or ctx.crew.illustrator
    asked = req.shot.seed + n  # the shot's own seed ([[shot: seed: N]]) moves every take along
    seed = ctx.seed + asked
    return Task("illustrator", f"{shot_id}.keyframe" + (f".take{n}" if n else ""), CODE_VERSION, provider_id(prov),
                {**params, **({"take": n} if n else {}), **({"seed": req.shot.seed} if req.shot.seed else {})},
                _remote_runner(prov, replace(req, seed=seed, take=asked)),
                inputs=inputs, seed=seed, episode=ctx.episode.number,
                estimate=lambda: prov.estimate(ctx.preview, req.size))


def _remote_runner(prov, req: DrawRequest):
    """A model's still: its job journaled under the task's key, the references bound to their names (a
    character with no reference is refused by the provider, never drawn from text alone)."""
    from dataclasses import replace

    from ..providers.remote.illustrate import generation

    def run(tctx) -> dict:
        refs = tuple((name.split(":", 1)[1], Path(folder) / "reference.png")
                     for name, folder in sorted(tctx.inputs.items()) if name.startswith("ref:"))
        prov.draw(replace(req, references=refs, job=tctx.ticket), tctx.workdir)  # the engine's ticket
        gen = generation(tctx.workdir) or {}
        est = gen.get("estimate") or {}
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt=gen.get("prompt", ""),
                            extra={"references": gen.get("references", []),
                                   "cost": {"estimate": est.get("amount"), "actual": gen.get("actual"),
                                            "currency": est.get("currency")}})
    return run


def _sha(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shot_params(sh, prov=None) -> dict:
    """What of the shot enters its keyframe's key. Of its lines, what the provider says its picture reads of them
    (its `line_reading(shot)`: the procedural illustrator, each speaker's expression), so an edit of a line's words
    that leaves that alone draws nothing again; a provider that does not say keys on the lines' whole text (a
    remote image model reads none of it, but its keys are left as they were: changing them would send, and pay,
    every existing project's images again)."""
    reading = getattr(prov, "line_reading", None)
    said = {"reading": reading(sh)} if callable(reading) else \
        {"lines": [(ln.speaker, ln.text, ln.parenthetical) for ln in sh.lines]}
    return {"action": sh.action, "camera": sh.camera, "characters": sh.characters, "mood": sh.mood, **said}


def _runner(prov, req: DrawRequest):
    def run(tctx) -> dict:
        prov.draw(req, tctx.workdir)
        return ledger.entry(made_by=ledger.made_by(prov),
                            source_type=prov.source_type, model=prov.model,
                            prompt=f"{req.scene.heading} | {req.shot.camera} | {req.shot.action}")
    return run


def _take_runner(take: Path, canvas):
    def run(tctx) -> dict:
        from PIL import Image, ImageOps
        im = ImageOps.fit(Image.open(take).convert("RGBA"), canvas, Image.LANCZOS)
        im.save(Path(tctx.workdir) / "background.png")
        return ledger.entry(made_by="human", source_type=ledger.HUMAN_CREATION, prompt=f"takes/{take.name}")
    return run


def faces(folder: Path) -> tuple[dict, ...]:
    """Where the drawn faces' eyes and mouths are (the procedural illustrator writes faces.json; an image
    model or a human image has none, so its characters do not blink or move their lips)."""
    import json
    p = Path(folder) / "faces.json"
    return tuple(json.loads(p.read_text())) if p.exists() else ()


def layers(folder: Path) -> tuple[Path, ...]:
    names = ("background", "midground", "characters", "foreground")
    return tuple(p for p in (Path(folder) / f"{n}.png" for n in names) if p.exists())
