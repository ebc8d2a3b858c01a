"""Scene templates of the offline story engine, built from the premise's own parts.

The templates are data: `writer/templates/LANG.txt` (en, zh, fr), a `[section]` per part of the story (opening,
inciting, plan, attempt, cost, discovery, journey, crisis, respite, climax, resolution, micro_open, micro_end, hook,
return), its variants one after another with a blank line between two, `#` lines for comments. Read once, when
first asked for (`SCENES`: the story engine asks as it is loaded), not when this module is imported.

One element per line: ``A wide 4 | text`` an action (camera, seconds); ``H | text`` the hero speaks, ``X`` the
opponent, ``F`` the ally, ``V`` the fourth character (the premise's other person, or the one the hero made a
promise to); ``H (quietly) | text`` adds a parenthetical, ``X (O.S.)`` speaks off screen.

Slots, all filled from the premise (or invented when the premise is silent, never replacing it):
{H} {X} {F} {V} the four names; {role} the hero's role ("baker"); {a_role} with its article; {want1} {want2}
{want3} the want as the hero, a friend and the narration say it ("win back my/your/her stolen recipe");
{thing} the want's object ("the stolen recipe"); {foe} how people call the opponent (a name, or "the god of
floods"); {foe_role} what the opponent is ("the rival"); {before} the deadline ("before the festival");
{deadline_now} the deadline arriving ("the festival begins"); {place} where it happens; {flaw} the hero's
flaw; {aid} what the ally gives the hero (set up in the plan; {the_aid} after it, used in the climax); {e} French feminine "e".

Rules the tests hold every template to: a line of dialogue of four words or more (eight characters in
Chinese) names at least one of the premise's parts ({role} {a_role} {want1} {want2} {want3} {thing}
{foe_role} {before} {deadline_now} {place}), so two stories of different premises never say the same line;
every set-up is paid off: the promise to {V} (opening) in the resolution, {aid} (plan) in the climax, the
flaw (plan) in the climax, each episode's hook (``hook`` variant k) by the next episode's ``return`` k.
"""

from __future__ import annotations

import functools
from importlib import resources

PREMISE_SLOTS = ("{role}", "{a_role}", "{want1}", "{want2}", "{want3}", "{thing}", "{thing_cap}", "{foe_role}", "{before}",
                 "{deadline_now}")

LANGUAGES = ("en", "zh", "fr")


def parse(text: str, where: str) -> dict[str, list[str]]:
    """{section: [variant, ...]} of one language's template file; ValueError naming the line of a stray one."""
    out: dict[str, list[str]] = {}
    section, lines = None, []

    def close():
        if lines:
            out[section].append("\n".join(lines))
            lines.clear()
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            close()
            section = line[1:-1]
            out[section] = []
        elif not line.strip():
            close()
        elif section is None:
            raise ValueError(f"{where}:{n}: a template line before the first [section]")
        else:
            lines.append(line)
    close()
    return out


@functools.cache
def _load() -> dict[str, dict[str, list[str]]]:
    folder = resources.files(__package__) / "templates"
    return {lang: parse((folder / f"{lang}.txt").read_text(encoding="utf-8"), f"writer/templates/{lang}.txt")
            for lang in LANGUAGES}


def __getattr__(name: str):
    if name == "SCENES":  # {language: {section: [variant, ...]}}
        return _load()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

