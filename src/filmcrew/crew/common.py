"""What every crew role shares: the context a role builds its tasks in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.layout import Layout
from ..model import Bible, Episode


@dataclass
class Crew:
    """Providers chosen for one run (passed in, never global)."""

    writer: object = None
    illustrator: object = None
    animator: object = None
    voice: dict = field(default_factory=dict)  # provider name -> provider
    composer: object = None
    foley: object = None
    translator: object = None  # only when the project asks for translated subtitles
    others: Any = None  # (role, name) -> provider: one a shot asks for by name (crew/cast.py loads them)

    def for_shot(self, role: str, shot) -> object:
        """The provider that plays `role` (illustrator or animator) for `shot`: the one its `[[shot: ROLE: NAME]]`
        note names, else the project's."""
        name, main = getattr(shot, role, ""), getattr(self, role)
        if not name or self.others is None or name == getattr(main, "name", None):
            return main
        return self.others(role, name)

    def shot_providers(self, role: str, shots) -> list:
        """Every provider that plays `role` for one of `shots` (the project's first), each once."""
        return list({id(p): p for p in [getattr(self, role), *(self.for_shot(role, sh) for sh in shots)]}.values())


@dataclass
class EpisodeContext:
    root: Path
    bible: Bible
    episode: Episode
    size: tuple[int, int]  # output frame size
    seed: int
    language: str
    style: str
    preview: bool
    crew: Crew
    ffmpeg: str
    labels: Any = None  # provenance.labels.Labels: how the AI labels look and who they name
    subtitle_languages: tuple = ()  # extra subtitle tracks, made by the translator
    aspect_tag: str = ""  # "16x9" when --aspect renders another shape than filmcrew.toml's, so files do not collide
    burn: str = ""  # the burned-in subtitles' language of a delivery (--burn): "" the film's own, "none", or one of
    # subtitle_languages (drawn from the translator's words); the soft tracks are the same whichever is burned
    burn_tag: str = ""  # "fr" for the delivery `--burn fr` makes beside the film (out/ep01.fr.mp4); "" for the film
    cut: Any = None  # cut.Cut a person made in an editor (cut/epNN.json); None: the screenplay's own cut
    consistency: Any = None  # takes.Check: the character consistency check of this make; None when it is off
    money: Any = None  # engine.money.Purse: this make's budget, what was spent, the retakes' allowance

    @property
    def layout(self) -> Layout:
        """Where the project's files lie (story/, takes/, out/, .filmcrew/...)."""
        return Layout.of(self.root)


def place_id(p) -> str:
    """The name of a place's state: its name before any change, else "NAME@ep02"."""
    return f"{p.name}@{p.since}" if p.since else p.name


def place_at(ctx: EpisodeContext, scene):
    """The bible's entry of the scene's place as it is in that scene (None when the bible has none)."""
    p = ctx.bible.place(scene.location) if scene.location else None
    return p.at(ctx.episode.number, scene.order) if p is not None else None


def place_words(p) -> str:
    """What a picture of the place is told beyond its name: its description and the state in force."""
    return ", ".join(x for x in ((p.description, p.state) if p is not None else ()) if x)


def cast(ctx: EpisodeContext, scene, shot) -> tuple:
    """The characters a shot shows, each in the state in force at its scene (the bible's `changes:`)."""
    return ctx.bible.cast(shot.characters, ctx.episode.number, scene.order)


def shot_refs(ctx: EpisodeContext, refs: dict, scene, shot, places: bool = True) -> dict:
    """{name: reference task} for one shot, from `refs` (keyed by state: crew/references.py): each character's
    reference in the state in force at the shot, and (with `places`) the place's."""
    out = {c.name: refs[c.state_id] for c in cast(ctx, scene, shot) if c.state_id in refs}
    p = place_at(ctx, scene)
    pid = place_id(p) if p is not None else scene.location
    if places and pid in refs:
        out[scene.location] = refs[pid]
    return out


def out_name(ctx: EpisodeContext) -> str:
    """The stem of an episode's files in out/: ep01, ep01.preview, ep01.16x9.preview, ep01.fr (--burn fr)."""
    return f"{ctx.episode.id}{'.' + ctx.aspect_tag if ctx.aspect_tag else ''}{'.' + ctx.burn_tag if ctx.burn_tag else ''}" \
           f"{'.preview' if ctx.preview else ''}"


def provider_id(p):
    from ..engine.graph import ProviderId
    return ProviderId(p.name, p.version, p.model)


PICTURE_TAKE_EXTS = (".png", ".jpg", ".jpeg", ".webp")  # takes/SHOT.png: a person's picture (a shot, a character)


def stray_takes(root: Path, ids: set[str]) -> list[Path]:
    """The files in takes/ named for nothing the project has (a typo: `ep01-s01-sh1.png`), which no make uses."""
    folder = Layout.of(root).takes
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.name != Layout.of(root).picks.name
                  and p.suffix and p.name[: -len(p.suffix)] not in ids)


def find_take(root: Path, artifact_id: str, exts: tuple[str, ...]) -> Path | None:
    """The human take in takes/ that replaces the artifact with this id, if any."""
    for ext in exts:
        p = Layout.of(root).takes / f"{artifact_id}{ext}"
        if p.exists():
            return p
    return None
