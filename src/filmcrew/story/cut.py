"""The cut: which frames of which clips play in what order, with which transitions and levels.

Without a human edit the cut follows the screenplay (`script_cut`): every shot once, in order, with the
transitions the script asks for. `filmcrew import` records a human editor's cut in `cut/epNN.json`
(schema ``filmcrew-cut/1``, human-editable like the screenplay); the editor, the finisher and the mix then
follow it, and nothing the cut does not change is made again.

Frames are at 30 fps. An item plays source frames ``[src_in, src_out)`` of its clip (``src_out`` None: to
the clip's end, as in the script's cut). A transition between item ``i`` and ``i + 1`` follows
OpenTimelineIO: it overlaps ``before`` frames of the outgoing item before the cut point and ``after``
frames of the incoming one after it, using the outgoing clip's frames past its ``src_out`` and the
incoming clip's frames before its ``src_in`` as handles.

Item kinds: ``shot`` (a generated shot's clip), ``take`` (a clip a person supplied in the editor,
copied into ``cut/media/``) and ``gap`` (black).

A trim can cut into a line of dialogue (its shot leaves the screen before the line ends, or comes on after
it began). ``lines`` holds the person's choice for each such line: ``keep`` plays it whole, over the
neighbouring picture, its subtitle with it; ``drop`` leaves it out. A trimmed line with no choice plays only
while its shot is on screen, and `plan` says so until a choice is made (`filmcrew lines`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import ledger
from ..engine import atomic
from ..engine.layout import Layout
from ..errors import ConfigError, read_text
from . import timing

SCHEMA = "filmcrew-cut/1"
KINDS = ("shot", "take", "gap")
JOINS = ("crossfade", "dip")
LINE_CHOICES = ("keep", "drop")  # for a line a trim cuts into
HANDLE = 30  # frames conformed around a take's or a gap's range, for transitions
TAKE_TYPES = (ledger.CAPTURE, ledger.HUMAN_CREATION, ledger.HUMAN_EDITS, ledger.TRAINED, ledger.ALGORITHMIC)


@dataclass(frozen=True)
class Item:
    kind: str
    src_in: int
    src_out: int | None = None
    shot: str = ""  # kind "shot"
    media: str = ""  # kind "take": path relative to the project
    sha256: str = ""  # kind "take": of the media file
    name: str = ""  # the clip's name in the editor
    source_type: str = ledger.CAPTURE  # kind "take": who made it (IPTC); edit it if another AI tool did


@dataclass(frozen=True)
class Join:
    after: int  # between item `after` and item `after + 1`
    kind: str
    before: int  # frames of the outgoing item before the cut point
    into: int = 0  # frames of the incoming item after it


@dataclass(frozen=True)
class Cut:
    items: tuple[Item, ...]
    joins: tuple[Join, ...] = ()
    gains: dict = field(default_factory=dict)  # "dialogue" | "music" | "effects" -> dB
    line_gains: dict = field(default_factory=dict)  # line id -> dB
    lines: dict = field(default_factory=dict)  # line id -> "keep" | "drop", for lines a trim cuts into
    removed: tuple[str, ...] = ()  # shots the editor took out
    edits: tuple[str, ...] = ()  # what the editor changed, in words, for the ledger
    by: str = ""  # "" for the script's own cut; else who cut it
    source: str = ""  # the timeline file it was imported from

    @property
    def human(self) -> bool:
        return bool(self.by)

    def join_after(self, i: int) -> Join | None:
        return next((j for j in self.joins if j.after == i), None)

    def offsets(self, i: int) -> tuple[int, int]:
        """(frames the previous transition takes after this item's start, frames the next one takes
        before its end): the part of item i that no transition covers is [in + first, out - second)."""
        prev, nxt = self.join_after(i - 1), self.join_after(i)
        return (prev.into if prev else 0), (nxt.before if nxt else 0)

    def params(self) -> dict:
        """Everything that changes the film, for task keys (not `edits`, `by`, `source`)."""
        return {"items": [asdict(it) for it in self.items], "joins": [asdict(j) for j in self.joins],
                "gains": self.gains, "line_gains": self.line_gains, **({"lines": self.lines} if self.lines else {})}


def script_cut(shots) -> Cut:
    """The screenplay's own cut: each shot once, in order; shot i plays from the end of the transition
    into it to its clip's end, and its transition into shot i + 1 overlaps its last frames."""
    edges = timing.edges(shots)
    items = tuple(Item("shot", into, None, shot=sh.id) for sh, (into, _) in zip(shots, edges))
    joins = tuple(Join(i, sh.transition if sh.transition in JOINS else "crossfade", out)
                  for i, (sh, (_, out)) in enumerate(zip(shots, edges)) if out)
    return Cut(items, joins)


def resolve(item: Item, total: int) -> tuple[int, int]:
    """The item's source range in a clip of `total` frames (a voice re-made shorter can shorten a clip)."""
    b = total if item.src_out is None else min(item.src_out, total)
    return min(item.src_in, b), b


def source_base(item: Item) -> int:
    """The first source frame the conformed clip of a take or gap holds (a handle before its range)."""
    return max(0, item.src_in - HANDLE) if item.kind == "take" else 0


def local_range(item: Item, total: int | None) -> tuple[int, int]:
    """The item's range in frames of the clip the finisher reads (a shot's clip, or a conformed take or gap
    of `total` frames; None for a take or gap: as the cut asks, before the clip is conformed)."""
    if item.kind == "shot":
        return resolve(item, total)
    base = source_base(item)
    a, b = item.src_in - base, item.src_out - base
    return (a, b) if total is None else (min(a, total), min(b, total))


def path(root: Path, number: int) -> Path:
    return Layout.of(root).cut_file(number)


def _item_json(it: Item) -> dict:
    d = {"kind": it.kind, "src_in": it.src_in, "src_out": it.src_out}
    if it.kind == "shot":
        d["shot"] = it.shot
    if it.kind == "take":
        d |= {"media": it.media, "sha256": it.sha256, "source_type": it.source_type}
    if it.name and it.name != it.shot:
        d["name"] = it.name
    return d


def to_json(cut: Cut, episode: int) -> str:
    doc = {"schema": SCHEMA, "episode": episode, "by": cut.by, "source": cut.source,
           "items": [_item_json(it) for it in cut.items],
           "transitions": [asdict(j) for j in cut.joins], "gains": cut.gains, "line_gains": cut.line_gains,
           "lines": cut.lines, "removed": list(cut.removed), "edits": list(cut.edits)}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def save(root: Path, number: int, cut: Cut) -> Path:
    p = path(root, number)
    atomic.write_text(p, to_json(cut, number))
    return p


def _int(v, where: str, low: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < low:
        raise ConfigError(f"{where}: must be a whole number of frames (30 fps) of at least {low}, not {v!r}")
    return v


def load(root: Path, number: int, shot_ids: list[str]) -> Cut | None:
    """The human cut of episode `number`, checked against the screenplay's shots; None when there is none."""
    p = path(root, number)
    if not p.exists():
        return None
    where = str(p)
    try:
        doc = json.loads(read_text(p))
    except json.JSONDecodeError as e:
        raise ConfigError(f"{where}: line {e.lineno}: not valid JSON ({e.msg}); fix it, re-import the timeline, "
                          f"or remove the file to go back to the screenplay's cut") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ConfigError(f"{where}: \"schema\" must be {SCHEMA!r}")
    fix = f"re-export, re-import, or `filmcrew import {root} --reset --episode {number}`"

    def listed(key: str) -> list:
        v = doc.get(key) or []
        if not isinstance(v, list):
            raise ConfigError(f"{where}: \"{key}\" must be a list, not {type(v).__name__} {v!r:.40}; {fix}")
        return v

    def table(key: str) -> dict:
        v = doc.get(key) or {}
        if not isinstance(v, dict):
            raise ConfigError(f"{where}: \"{key}\" must be a table of name: dB, not {type(v).__name__} {v!r:.40}; {fix}")
        return v

    for key in ("removed", "edits"):
        for k, v in enumerate(listed(key)):
            if not isinstance(v, str):
                raise ConfigError(f"{where}: {key}[{k}]: {v!r:.40} must be text (a shot id or a note); {fix}")
    items = []
    for k, raw in enumerate(listed("items")):
        at = f"{where}: items[{k}]"
        if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
            raise ConfigError(f"{at}: \"kind\" must be one of {', '.join(KINDS)}")
        src_in = _int(raw.get("src_in", 0), f"{at}.src_in")
        src_out = raw.get("src_out")
        if src_out is not None:
            _int(src_out, f"{at}.src_out", src_in + 1)
        if raw["kind"] != "shot" and src_out is None:
            raise ConfigError(f"{at}.src_out: a {raw['kind']} needs its last frame")
        it = Item(raw["kind"], src_in, src_out, shot=str(raw.get("shot", "")), media=str(raw.get("media", "")),
                  sha256=str(raw.get("sha256", "")), name=str(raw.get("name", "")),
                  source_type=str(raw.get("source_type", ledger.CAPTURE)))
        if it.kind == "shot" and it.shot not in shot_ids:
            raise ConfigError(f"{at}.shot: {it.shot!r} is not a shot of the screenplay any more; {fix}")
        if it.kind == "take":
            if not (Path(root) / it.media).is_file():
                raise ConfigError(f"{at}.media: {Path(root) / it.media} is missing; put the file back or {fix}")
            if it.source_type not in TAKE_TYPES:
                raise ConfigError(f"{at}.source_type: use one of {', '.join(TAKE_TYPES)}")
        items.append(it)
    if not items:
        raise ConfigError(f"{where}: \"items\" is empty; a cut needs at least one clip ({fix})")
    joins = []
    for k, raw in enumerate(listed("transitions")):
        at = f"{where}: transitions[{k}]"
        if not isinstance(raw, dict) or raw.get("kind") not in JOINS:
            raise ConfigError(f"{at}: \"kind\" must be one of {', '.join(JOINS)}")
        j = Join(_int(raw.get("after"), f"{at}.after"), raw["kind"], _int(raw.get("before", 0), f"{at}.before"),
                 _int(raw.get("into", 0), f"{at}.into"))
        if j.after >= len(items) - 1:
            raise ConfigError(f"{at}.after: {j.after} has no next item (the cut has {len(items)} items)")
        if j.before + j.into == 0:
            raise ConfigError(f"{at}: a transition needs \"before\" + \"into\" of at least one frame")
        joins.append(j)
    gains = table("gains")
    line_gains = table("line_gains")
    for name, g in [*(("gains." + k, v) for k, v in gains.items()), *(("line_gains." + k, v) for k, v in line_gains.items())]:
        if isinstance(g, bool) or not isinstance(g, (int, float)) or not -60 <= g <= 24:
            raise ConfigError(f"{where}: {name}: a gain in dB between -60 and 24, not {g!r}")
    lines = doc.get("lines") or {}
    if not isinstance(lines, dict):
        raise ConfigError(f"{where}: \"lines\" must be a table of line id: \"keep\" or \"drop\", not {lines!r:.40}")
    for name, choice in lines.items():
        if choice not in LINE_CHOICES:
            raise ConfigError(f"{where}: lines.{name}: {choice!r} must be \"keep\" (the line plays whole, over the "
                              f"next shot) or \"drop\" (it is left out); or remove the entry")
    return Cut(tuple(items), tuple(sorted(joins, key=lambda j: j.after)), dict(gains), dict(line_gains), dict(lines),
               tuple(doc.get("removed") or ()), tuple(doc.get("edits") or ()), str(doc.get("by") or "an editor"),
               str(doc.get("source") or ""))


__all__ = ["Cut", "Item", "Join", "LINE_CHOICES", "script_cut", "resolve", "local_range", "source_base", "load", "save", "path", "to_json", "SCHEMA", "HANDLE"]
