"""The changes a writer records (issue 37): what its story does to a character or a place (the gift given, the arm
hurt, the window broken), put in the bible's `changes:` so later scenes and episodes are drawn in the new state,
without ever overwriting a change a person wrote.

Pure: Bible in, Bible out. A writer (the offline engine, or a model through its structured answer) finds the
changes; `add` puts them on a Bible; `merge` decides, when `filmcrew write` writes, which of them reach the bible on
disk: a person's change (one the writer's record does not hold) is kept as written, and a writer's change at the same
episode and scene as a person's is dropped.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Bible, Change, Place


def add(bible: Bible, found: list[tuple[str, Change]]) -> Bible:
    """`bible` with each (subject, change) of `found` added: a subject that names a character (as in the cues) is
    that character's change, any other names a place (the scene heading's location), added to `places` when the
    bible has none of that name. Two changes of one subject at one (episode, scene) become one (the later's fields
    win where both say something)."""
    by: dict[str, dict[tuple[int, int], Change]] = {}
    for subject, ch in found:
        key = subject.strip().upper()
        slot = by.setdefault(key, {})
        when = (ch.episode, ch.scene)
        slot[when] = _join(slot[when], ch) if when in slot else ch
    chars = []
    for c in bible.characters:
        mine = by.pop(c.name.upper(), None)
        chars.append(replace(c, changes=_union(c.changes, mine)) if mine else c)
    places = []
    for p in bible.places:
        mine = by.pop(p.name.upper(), None)
        places.append(replace(p, changes=_union(p.changes, mine)) if mine else p)
    for name, mine in by.items():  # a place the bible did not list yet
        places.append(Place(name=name, changes=_union((), {w: _place_only(c) for w, c in mine.items()})))
    return replace(bible, characters=tuple(chars), places=tuple(places))


def _place_only(ch: Change) -> Change:
    """A place changes only its note (its damage, decoration, weather): what else a change says is a person's."""
    return Change(episode=ch.episode, scene=ch.scene, note=ch.note)


def _join(a: Change, b: Change) -> Change:
    return replace(a, **{k: getattr(b, k) for k in ("costume", "palette", "props", "note") if getattr(b, k) is not None},
                   look={**a.look, **b.look})


def _union(old: tuple[Change, ...], new: dict[tuple[int, int], Change] | None) -> tuple[Change, ...]:
    """`old` with `new` added, an old change at the same (episode, scene) kept as it is."""
    taken = {(c.episode, c.scene) for c in old}
    extra = [c for w, c in (new or {}).items() if w not in taken]
    return tuple(sorted((*old, *extra), key=lambda c: (c.episode, c.scene)))


# ---- what the writer recorded, and what a person wrote -------------------------------------------------------

def to_record(ch: Change) -> dict:
    """A change as the writer's record keeps it (compared whole: a person who edits a writer's change owns it)."""
    d = {"episode": ch.episode, "scene": ch.scene}
    for k in ("costume", "palette", "props", "note"):
        v = getattr(ch, k)
        if v is not None:
            d[k] = list(v) if isinstance(v, tuple) else v
    if ch.look:
        d["look"] = dict(sorted(ch.look.items()))
    return d


def recorded(bible: Bible) -> dict[str, list[dict]]:
    """{subject: [change, ...]} of every change in `bible` (what the writer's record keeps of the changes it wrote)."""
    out = {c.name: [to_record(ch) for ch in c.changes] for c in bible.characters if c.changes}
    out.update({p.name: [to_record(ch) for ch in p.changes] for p in bible.places if p.changes})
    return out


def writers_after(bible: Bible, before: dict[str, list[dict]], draft: Bible) -> dict[str, list[dict]]:
    """The writer's record of its changes once `bible` is written: those of `bible` that the writer wrote, now
    (`draft`) or before (`before`); the rest are a person's."""
    theirs = recorded(draft)
    out = {}
    for subject, changes in recorded(bible).items():
        mine = [d for d in changes if d in theirs.get(subject, []) or d in before.get(subject, [])]
        if mine:
            out[subject] = mine
    return out


def persons(bible: Bible, writers: dict[str, list[dict]]) -> list[tuple[str, Change]]:
    """The changes in `bible` that the writer's record does not hold: written (or edited) by a person."""
    out = []
    for subject, changes in [(c.name, c.changes) for c in bible.characters] + [(p.name, p.changes) for p in bible.places]:
        theirs = writers.get(subject, [])
        out += [(subject, ch) for ch in changes if to_record(ch) not in theirs]
    return out


def merge(on_disk: Bible | None, draft: Bible, writers: dict[str, list[dict]], rewritten: set[int],
          bible_rewritten: bool) -> tuple[Bible, list[str]]:
    """The bible `filmcrew write` leaves, and what it says about it.

    `on_disk`: the bible before (None when there was none); `draft`: the writer's, with the changes its episodes
    make; `writers`: the changes the writer recorded last time (`recorded`); `rewritten`: the episodes written now;
    `bible_rewritten`: whether the bible itself is written now (missing, or --force). A person's change is never
    lost while its subject is in the bible written; a writer's change at the same episode and scene as a person's
    is left out, and so is one of an episode not written now (its screenplay is the one on disk)."""
    mine = persons(on_disk, writers) if on_disk is not None else []
    draft_changes = [(s, ch) for s, chs in [(c.name, c.changes) for c in draft.characters]
                     + [(p.name, p.changes) for p in draft.places] for ch in chs if ch.episode in rewritten]
    notes = []
    if bible_rewritten or on_disk is None:
        base = _without_changes(draft)
        names = {c.name for c in base.characters}
        for subject, ch in mine:
            if subject not in names and on_disk is not None and on_disk.character(subject) is not None:
                notes.append(f"{subject}'s change at {ch.since} is not in the new bible: {subject} is not in it")
        kept = [(s, ch) for s, ch in mine if s in names or on_disk.character(s) is None]
    else:
        base = on_disk
        # the writer's own earlier changes of the episodes written again go (their screenplay is new); a person's stay
        base = _without_changes(base)
        writers_kept = [(s, ch) for s, chs in [(c.name, c.changes) for c in on_disk.characters]
                        + [(p.name, p.changes) for p in on_disk.places] for ch in chs
                        if (s, ch) not in mine and ch.episode not in rewritten]
        known = {c.name for c in on_disk.characters}
        draft_changes = [(s, ch) for s, ch in draft_changes
                         if s in known or draft.character(s) is None]  # a character a person renamed: left out
        kept = mine + writers_kept
    out = add(base, kept)  # the person's (and kept) changes first: at a clash, theirs stay (`_union` keeps the old)
    out = add(out, draft_changes)
    listed = {p.name for p in on_disk.places} if on_disk is not None and not bible_rewritten else set()
    return replace(out, places=tuple(p for p in out.places if p.description or p.changes or p.name in listed)), notes


def _without_changes(b: Bible) -> Bible:
    return replace(b, characters=tuple(replace(c, changes=()) for c in b.characters),
                   places=tuple(replace(p, changes=()) for p in b.places))
