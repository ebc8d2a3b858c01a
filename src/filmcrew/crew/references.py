"""References: one image per character (a full-length sheet) and per recurring place, made before any shot
that shows them, with the illustrator's provider when it is a model that takes references (the procedural
illustrator draws from the bible itself and needs none). A person replaces one with a picture in `takes/`
named by its id (`takes/jonah.png`, `takes/old-dock.png`). A reference's key holds what the bible says of
its character or place, so changing a character's look re-makes that reference and every shot drawn from
it, nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from .. import ledger
from ..engine.graph import ProviderId, Task
from ..providers.base import ReferenceRequest
from . import common
from .common import EpisodeContext, provider_id

CODE_VERSION = "reference-1"
TAKE_EXTS = common.PICTURE_TAKE_EXTS
SHEET = (768, 1152)  # a reference sheet's size (2:3, a full-length figure)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed"


def wanted(ctx: EpisodeContext) -> bool:
    """An image model draws the shots, a video model animates some of them from references, or the consistency
    check compares the shots with them."""
    crew, shots = ctx.crew, ctx.episode.shots()
    return (any(getattr(p, "uses_references", False) for p in crew.shot_providers("illustrator", shots))
            or ctx.consistency is not None
            or any(getattr(a := crew.for_shot("animator", sh), "remote", False) and (sh.video or a.video) == "reference"
                   for sh in shots))


def tasks(ctx: EpisodeContext) -> dict[str, Task]:
    """{character or place state: its reference task}, for the characters the episode shows and the places it
    returns to (two scenes or more); empty when the illustrator takes no references. A reference is made per
    *state* (the bible's `changes:`): keyed "NAME" before any change, "NAME@ep02-s03" after one; its content key
    holds only what the state looks like, so every shot and episode in that state (and every project sharing
    the store) reuses the one made first. `common.shot_refs` picks a shot's."""
    if not wanted(ctx):
        return {}
    prov = ctx.crew.illustrator
    shown = {c.state_id: c for sc in ctx.episode.scenes for sh in sc.shots for c in common.cast(ctx, sc, sh)}
    places = [sc.location for sc in ctx.episode.scenes if sc.location]
    recurring = list(dict.fromkeys(p for p in places if places.count(p) > 1))
    out: dict[str, Task] = {}
    makes = hasattr(prov, "reference")  # a model's sheet, or the procedural illustrator's drawing of a character
    model = getattr(prov, "uses_references", False)  # (places: a model's, or a person's picture)
    for sid, c in shown.items():
        if not makes and common.find_take(ctx.root, slug(c.name) + (f".{c.since}" if c.since else ""),
                                          TAKE_EXTS) is None:
            continue
        desc = ". ".join(x for x in (c.description, f"costume: {c.costume}" if c.costume else "",
                                      ", ".join(f"{k}: {v}" for k, v in c.look.items()),
                                      f"palette: {', '.join(c.palette)}" if c.palette else "",
                                      c.state, f"carrying: {', '.join(c.props)}" if c.props else "") if x)
        out[sid] = _task(ctx, prov, "character", c.name, desc, c, since=c.since)
    for place in recurring:
        at = {common.place_id(p) if p else place: p for p in
              (common.place_at(ctx, sc) for sc in ctx.episode.scenes if sc.location == place)}
        for pid, p in at.items():
            if (makes and model) or common.find_take(ctx.root, slug(place), TAKE_EXTS) is not None:
                desc = ". ".join(x for x in (ctx.bible.world, common.place_words(p)) if x)
                out[pid] = _task(ctx, prov, "place", place, desc, since=p.since if p else "")
    return out


def state_of(artifact: str) -> str:
    """The state a reference's artifact id names: "" for the first, "ep02-s03" for `maya.ep02-s03.reference`."""
    parts = artifact.split(".")
    return parts[1] if len(parts) == 3 else ""


def _task(ctx, prov, kind: str, name: str, description: str, character=None, since: str = "") -> Task:
    ident = slug(name)
    ident += f".{since}" if since else ""  # a later state's: maya.ep02.reference (takes/maya.ep02.png)
    take = common.find_take(ctx.root, ident, TAKE_EXTS)
    if take is not None:
        import hashlib
        return Task("reference", f"{ident}.reference", CODE_VERSION, ProviderId("human-take", "1"),
                    {"sha": hashlib.sha256(take.read_bytes()).hexdigest()}, _take_runner(take), seed=0)
    req = ReferenceRequest(kind=kind, name=name, description=description, size=SHEET, style=ctx.style, seed=ctx.seed,
                           preview=ctx.preview, character=character)
    params = {"kind": kind, "name": name, "description": description, "size": SHEET, "style": ctx.style,
              "preview": ctx.preview}
    return Task("reference", f"{ident}.reference", CODE_VERSION, provider_id(prov), params,
                _runner(prov, req), seed=ctx.seed,
                estimate=(lambda: prov.estimate(ctx.preview, SHEET)) if hasattr(prov, "estimate") else None)


def _runner(prov, req: ReferenceRequest):
    from dataclasses import replace

    from ..providers.remote.illustrate import generation

    def run(tctx) -> dict:
        prov.reference(replace(req, job=tctx.ticket), tctx.workdir)  # the engine's ticket
        gen = generation(tctx.workdir) or {}
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt=gen.get("prompt", ""), extra={"cost": _cost(gen), "reference_of": req.name})
    return run


def _take_runner(take: Path):
    def run(tctx) -> dict:
        from PIL import Image
        with Image.open(take) as im:
            im.convert("RGBA").save(Path(tctx.workdir) / "reference.png")
        return ledger.entry(made_by="human", source_type=ledger.HUMAN_CREATION, prompt=f"takes/{take.name}")
    return run


def _cost(gen: dict) -> dict:
    est = gen.get("estimate") or {}
    return {"estimate": est.get("amount"), "actual": gen.get("actual"), "currency": est.get("currency")}


def image(folder: Path) -> Path:
    return Path(folder) / "reference.png"


def take_ids(ctxs) -> set[str]:
    """Every id a file in takes/ may be named for in these episodes: shots, lines, characters and places."""
    ids = set()
    for ctx in ctxs:
        ids |= {c.id for sh in ctx.episode.shots() for c in (sh, *sh.lines)}
        ids |= {slug(c.name) for c in ctx.bible.characters} | {slug(sc.location) for sc in ctx.episode.scenes
                                                                   if sc.location}
        ids |= {f"{slug(c.name)}.{ch.since}" for c in (*ctx.bible.characters, *ctx.bible.places) for ch in c.changes}
    return ids
