"""Small provider protocols, one method per capability, and the requests they take.

Providers are passed in (see ``registry.load``), never looked up from globals.
Every provider has ``name``, ``version`` and ``model`` (which go into cache keys
and the ledger) and ``source_type`` (its honest IPTC digital source type).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..model import Bible, Character, Episode, Scene, Shot, Voice


@dataclass(frozen=True)
class WriteRequest:
    premise: str
    format: str
    episodes: int
    minutes: float
    language: str
    seed: int
    genre: str = ""
    style: str = ""


@dataclass(frozen=True)
class StoryDraft:
    bible: Bible
    episodes: tuple[Episode, ...]


@dataclass(frozen=True)
class DrawRequest:
    shot: Shot
    scene: Scene
    characters: tuple[Character, ...]  # bible entries of who is in the shot
    size: tuple[int, int]  # canvas size (already includes the animator's margin)
    style: str
    seed: int
    speaking: str = ""  # who speaks first in the shot
    language: str = "en"
    preview: bool = False  # a remote model is asked for its cheapest quality
    references: tuple = ()  # ((character or place name, Path of its reference image), ...), bound to the names
    job: object = None  # engine.jobs.JobTicket: where a remote provider journals its job (the engine's, per task)
    take: int = 0  # a retake's number (crew/takes.py); the seed is the project's plus it
    place: str = ""  # what the bible says of the place as it is in this scene: its description, its state


@dataclass(frozen=True)
class ReferenceRequest:
    """One reference image: a full-length character sheet, or a recurring place, from the bible."""
    kind: str  # "character" or "place"
    name: str  # the character's name (as in the cues) or the place (as in the scene headings)
    description: str  # what the bible says: look, costume, palette; or the place and the world
    size: tuple[int, int]
    style: str
    seed: int
    preview: bool = False
    job: object = None
    character: Character | None = None  # the bible entry, for an illustrator that draws from it (procedural)


@dataclass(frozen=True)
class AnimateRequest:
    shot: Shot
    scene: Scene
    layers: tuple[Path, ...]  # RGBA layers, back to front, at canvas size
    size: tuple[int, int]  # output frame size
    frames: int
    seed: int
    preview: bool = False
    faces: tuple = ()  # where each drawn face's eyes and mouth are on the canvas (illustrator's faces.json)
    # a provider that films those faces with their mouths shut may return, in its info, "mouths":
    # {name: {"skin": [r, g, b], "at": [[x, y, half-width] of the mouth on each frame, in output pixels]}};
    # the finisher then opens them with each speaker's voice (media/lips.py)


@dataclass(frozen=True)
class SpeakRequest:
    text: str
    voice: Voice
    language: str
    parenthetical: str = ""


@dataclass(frozen=True)
class CueRequest:
    scene_id: str
    mood: str
    seconds: float
    seed: int
    theme_seed: int  # the series' recurring theme
    genre: str = ""
    ending: str = ""  # "hook" for an episode's last scene


@dataclass(frozen=True)
class AmbienceRequest:
    location: str
    interior: bool
    time_of_day: str
    seconds: float
    seed: int
    keywords: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class EffectRequest:
    kind: str  # one of EFFECT_KINDS
    seconds: float  # how long it may last (footsteps fill it; a knock does not)
    seed: int


EFFECT_KINDS = ("knock", "door", "thunder", "footsteps", "splash")


# A provider may say `deterministic = False` (a class attribute; True when absent; the voice's ledger entry
# then says `"deterministic": false`): the same request can give other bytes on another run (a remote model). The cache keeps its first answer, so a re-make never asks again,
# but two fresh caches of one project may differ where such a provider worked, and a shared cache shares
# whichever answer came first.


class NoSettings:
    """Base of the providers that take no ``[providers.NAME]`` settings: any setting given is an error
    (the registry turns the TypeError into a ConfigError naming the table)."""

    def __init__(self, env: dict | None = None, **settings):
        if settings:
            raise TypeError(f"unknown settings {sorted(settings)}")


@runtime_checkable
class Writer(Protocol):
    name: str
    version: str
    model: str
    source_type: str

    def write(self, request: WriteRequest) -> StoryDraft: ...


@runtime_checkable
class Illustrator(Protocol):
    name: str
    version: str
    model: str
    source_type: str

    def draw(self, request: DrawRequest, out_dir: Path) -> tuple[Path, ...]:
        """Write RGBA layers (back to front) into out_dir and return their paths."""
        ...


@runtime_checkable
class Animator(Protocol):
    name: str
    version: str
    model: str
    source_type: str

    def animate(self, request: AnimateRequest, out_path: Path, ffmpeg: "object") -> None:
        """Write a silent video clip of exactly request.frames frames at 30 fps."""
        ...


@runtime_checkable
class Speaker(Protocol):
    name: str
    version: str
    model: str
    source_type: str

    def speak(self, request: SpeakRequest) -> tuple[np.ndarray, int]:
        """Return mono float32 samples in [-1, 1] and their sample rate."""
        ...


@runtime_checkable
class Composer(Protocol):
    name: str
    version: str
    model: str
    source_type: str

    def compose(self, request: CueRequest) -> tuple[np.ndarray, int]:
        """Return stereo float32 samples, shape (n, 2), and the sample rate."""
        ...


@runtime_checkable
class Foley(Protocol):
    name: str
    version: str
    model: str
    source_type: str

    def ambience(self, request: AmbienceRequest) -> tuple[np.ndarray, int]:
        """Return a seamlessly loopable stereo bed, shape (n, 2), and the sample rate."""
        ...

    def effect(self, request: EffectRequest) -> tuple[np.ndarray, int]:
        """Return one sound effect of `request.kind` (one of EFFECT_KINDS), stereo (n, 2), and the sample rate."""
        ...


@runtime_checkable
class Translator(Protocol):
    name: str
    version: str
    model: str
    source_type: str

    def translate(self, texts: list[str], source: str, target: str) -> list[str]: ...
