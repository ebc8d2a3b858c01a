"""The pure data model: frozen dataclasses, no I/O, no SDK imports.

Time inside the model is integer frames at a rational rate (``FPS``); seconds
appear only at the edges (notes in the screenplay, the CLI, reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

SCHEMA_VERSION = 1

FPS = Fraction(30, 1)

CAMERAS = ("wide", "medium", "close-up", "over-the-shoulder", "insert")
FORMATS = ("short", "series")
ASPECTS = {"9:16": (1080, 1920), "16:9": (1920, 1080), "1:1": (1080, 1080)}
LANGUAGES = ("en", "zh", "fr")
TRANSITIONS = ("cut", "crossfade", "dip")


def seconds_to_frames(seconds: float, fps: Fraction = FPS) -> int:
    return int(round(Fraction(seconds).limit_denominator(1000) * fps))


def frames_to_seconds(frames: int, fps: Fraction = FPS) -> float:
    return float(Fraction(frames) / fps)


@dataclass(frozen=True)
class Voice:
    provider: str = "piper"
    voice: str = "en_US-joe-medium"
    speed: float = 1.0  # >1 is faster
    pitch: float = 0.0  # semitones
    timbre: str = "neutral"
    emotion: str = field(default="", metadata={"key": "omit-empty"})  # how the character's lines are said by a speech model that has emotions (happy, sad, angry, ...;
    # providers/remote/speech.py EMOTIONS); a line's parenthetical overrides it


@dataclass(frozen=True)
class Character:
    name: str  # as written in character cues, upper case
    role: str = "supporting"  # protagonist, antagonist, ally, supporting
    description: str = ""
    want: str = ""
    flaw: str = ""
    look: dict = field(default_factory=dict)  # face, skin, hair, hair_colour, eyes, build, age
    palette: tuple[str, ...] = ()
    costume: str = ""
    voice: Voice = Voice()


@dataclass(frozen=True)
class EpisodeArc:
    number: int
    title: str
    summary: str = ""
    hook: str = ""


@dataclass(frozen=True)
class Bible:
    title: str
    logline: str
    world: str = ""
    visual_style: str = ""
    language: str = "en"
    characters: tuple[Character, ...] = ()
    arcs: tuple[EpisodeArc, ...] = ()
    schema_version: int = SCHEMA_VERSION

    def character(self, name: str) -> Character | None:
        key = name.strip().upper()
        for c in self.characters:
            if c.name.upper() == key:
                return c
        return None


@dataclass(frozen=True)
class Line:
    id: str  # e.g. ep01-s03-l05
    speaker: str
    text: str
    language: str = "en"
    parenthetical: str = ""
    extension: str = ""  # V.O., O.S., CONT'D
    dual: bool = False
    source_line: int = 0  # 1-based line in the .fountain file


@dataclass(frozen=True)
class Shot:
    id: str  # e.g. ep01-s03-sh02
    action: str
    camera: str = "medium"
    characters: tuple[str, ...] = ()
    duration_frames: int | None = None  # as written in the note; None = derive
    mood: str = ""
    transition: str = "cut"  # into the next shot
    lines: tuple[Line, ...] = ()
    notes: tuple[str, ...] = ()
    source_line: int = 0
    video: str = ""  # how a video model animates it: first-frame, first-last, reference ("": the project's choice)
    seed: int = 0  # [[shot: seed: N]]: the models asked again for this shot's picture and video (0: the project's)
    illustrator: str = ""  # [[shot: illustrator: NAME]]: another provider draws this shot ("": the project's)
    animator: str = ""  # [[shot: animator: NAME]]: another provider animates this shot ("": the project's)


VIDEO_MODES = ("first-frame", "first-last", "reference")


@dataclass(frozen=True)
class Scene:
    id: str  # e.g. ep01-s03
    heading: str
    interior: bool
    location: str
    time_of_day: str = "day"
    mood: str = ""
    shots: tuple[Shot, ...] = ()
    number: str = ""
    source_line: int = 0


@dataclass(frozen=True)
class Episode:
    number: int
    title: str
    scenes: tuple[Scene, ...] = ()
    language: str = "en"

    @property
    def id(self) -> str:
        return f"ep{self.number:02d}"

    def shots(self) -> list[Shot]:
        return [s for sc in self.scenes for s in sc.shots]

    def lines(self) -> list[Line]:
        return [ln for s in self.shots() for ln in s.lines]


@dataclass(frozen=True)
class Series:
    """A short film is a Series with format 'short' and one episode."""

    bible: Bible
    episodes: tuple[Episode, ...]
    format: str = "short"
    schema_version: int = SCHEMA_VERSION
