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
class Change:
    """What changes for a character or a place at a point in the story, holding until a later change: from
    episode `episode`, scene `scene` (the number in the scene's id: ep02-s03 is 3; 0 is the episode's start).
    None (and an empty look) leaves a field as it was; `note` is what a picture must show beyond the costume
    (an injury, a place's damage), "" clears it; `props` replaces what the character carries."""
    episode: int
    scene: int = 0
    costume: str | None = None
    look: dict = field(default_factory=dict)  # merged over the look in force
    palette: tuple[str, ...] | None = None
    props: tuple[str, ...] | None = None
    note: str | None = None
    line: int = 0  # where it is written (1-based line of a screenplay's [[change: ...]]; 0: the bible)

    @property
    def since(self) -> str:
        """Where it takes effect, in the ids' words: "ep02" or "ep02-s03"."""
        return f"ep{self.episode:02d}" + (f"-s{self.scene:02d}" if self.scene else "")


def _fold(base, changes, episode: int, scene: int):
    """`base` (a Character or a Place, its changes left out) with every change up to (episode, scene) applied."""
    from dataclasses import replace
    out = replace(base, changes=())
    for ch in sorted(changes, key=lambda c: (c.episode, c.scene)):
        if (ch.episode, ch.scene) > (episode, scene):
            break
        new = {"since": ch.since}
        if ch.note is not None:
            new["state"] = ch.note
        if hasattr(out, "costume"):
            if ch.costume is not None:
                new["costume"] = ch.costume
            if ch.look:
                new["look"] = {**out.look, **ch.look}
            if ch.palette is not None:
                new["palette"] = tuple(ch.palette)
            if ch.props is not None:
                new["props"] = tuple(ch.props)
        out = replace(out, **new)
    return out


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
    # the series' memory (all left out of the content keys while empty, so the keys made before them hold):
    changes: tuple[Change, ...] = field(default=(), metadata={"key": "omit-empty"})  # by episode and scene
    props: tuple[str, ...] = field(default=(), metadata={"key": "omit-empty"})  # what they carry (in force)
    state: str = field(default="", metadata={"key": "omit-empty"})  # the note in force: "injured left arm"
    since: str = field(default="", metadata={"key": "omit-empty"})  # where the state in force began: "ep02-s03"

    def at(self, episode: int, scene: int = 0) -> "Character":
        """The character as they are in episode `episode`, scene `scene`: every change up to there applied,
        the changes themselves left out (the state in force is what a picture and a reference are made of)."""
        return _fold(self, self.changes, episode, scene)

    @property
    def state_id(self) -> str:
        """The name of this state: the name alone before any change, else "NAME@ep02-s03"."""
        return f"{self.name}@{self.since}" if self.since else self.name


@dataclass(frozen=True)
class Place:
    """A place as the scene headings name it (upper case), what it looks like, and how it changes."""
    name: str
    description: str = ""
    changes: tuple[Change, ...] = field(default=(), metadata={"key": "omit-empty"})
    state: str = field(default="", metadata={"key": "omit-empty"})  # "burnt", "decorated for the wedding"
    since: str = field(default="", metadata={"key": "omit-empty"})

    def at(self, episode: int, scene: int = 0) -> "Place":
        return _fold(self, self.changes, episode, scene)


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
    places: tuple[Place, ...] = field(default=(), metadata={"key": "omit-empty"})

    def character(self, name: str) -> Character | None:
        key = name.strip().upper()
        for c in self.characters:
            if c.name.upper() == key:
                return c
        return None

    def place(self, name: str) -> Place | None:
        key = name.strip().upper()
        return next((p for p in self.places if p.name.upper() == key), None)

    def cast(self, names, episode: int, scene: int = 0) -> tuple[Character, ...]:
        """The bible's characters among `names`, each as they are at (episode, scene)."""
        return tuple(c.at(episode, scene) for c in (self.character(n) for n in names) if c is not None)


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
    lipsync: str = ""  # [[shot: lipsync: NAME]]: a lip-sync model drives its on-screen speakers' mouths ("": none)


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

    @property
    def order(self) -> int:
        """The number in the scene's id (ep02-s03: 3), where a change in the bible takes effect; 0 if none."""
        import re
        m = re.search(r"-s(\d+)", self.id)
        return int(m.group(1)) if m else 0


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
