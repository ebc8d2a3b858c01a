"""The story report (`filmcrew script check`, the studio's check): does the screenplay tell the premise's
story, in its own words?

- **premise words missing**: the premise's content words (people, trades, places, objects, events: the
  words left once the language's small words are taken out) that neither the screenplay nor the bible
  uses. A word counts when the story uses it or a form of it (its first five letters: "recipe" and
  "recipes"). Chinese has no spaces: its words are the runs between a short list of function characters,
  and one counts as used when half its two-character pieces are in the story (rough, and said so).
- **repeated lines**: a line of dialogue (four words or more, or eight characters in Chinese) said again
  later: in another episode of the series, or twice in one.
- **stock lines**: dialogue containing a line from the list of clichés that ships with filmcrew
  (`story/cliches/LANG.txt`) or the user's own (`~/.config/filmcrew/cliches/LANG.txt`).

- **set-ups without pay-off**: a character of the bible brought into one scene of the film and never seen
  or named again (in a film of three scenes or more): introduced, then dropped.

It reads text only: the set-ups it follows are the people (not a promise, an object or a subplot), and it
says nothing about taste. It is a report, not a gate: `script check` fails only on errors that stop a make.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

STOP = {
    "en": set("""a an the and or but if of to in on at by for from with without into onto over under about after
        before during until while as than then so that this these those it its is are was were be been being
        has have had do does did must can could will would shall should may might his her hers him he she they
        them their theirs our ours we us you your yours i me my mine who whom whose which what when where why
        how not no nor all any some each every one two back out up down off again still just only also very more
        most much many such own same other another find finds win wins get gets make makes take takes""".split()),
    "fr": set("""un une le la les de des du et ou mais si à au aux en dans sur sous par pour avec sans chez
        vers avant après pendant que qui quoi dont où ce cet cette ces son sa ses leur leurs notre nos votre
        vos mon ma mes ton ta tes il elle ils elles on nous vous je tu est sont était être avoir a ont doit
        doivent peut peuvent faire fait ne pas plus très tout tous toute toutes même autre autres d l qu s""".split()),
}
ZH_FUNCTION = set("的了在是和与及或但而把被给向从到为以之其这那一个们他她它我你要必须能会将就也都还又并着过"
                  "位只条张里上下中前后")  # (and measure words and place words: 一位面包师 is 面包师)


def _fold(text: str) -> str:
    """Lower case, accents kept apart from letters, punctuation gone: what two spellings share."""
    t = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w']+", " ", t).split())


def premise_words(premise: str, language: str) -> list[str]:
    """The premise's content words, in order, each once."""
    if language == "zh":  # the runs of content characters between function characters
        words = [w for run in re.findall(r"[\u4e00-\u9fff]+", premise)
                 for w in re.split("[" + "".join(sorted(ZH_FUNCTION)) + "]+", run) if len(w) >= 2]
        return list(dict.fromkeys(words))
    stop = STOP.get(language, STOP["en"])
    out = []
    for w in re.findall(r"[\w'-]+", unicodedata.normalize("NFKC", premise).lower().replace("’", "'")):
        w = w.split("'")[-1] if "'" in w and language == "fr" else w.removesuffix("'s")
        if len(w) >= 4 and w not in stop and not w.isdigit():
            out.append(w)
    return list(dict.fromkeys(out))


def _used(word: str, story: str, language: str) -> bool:
    if language == "zh":  # no word boundaries: used when half its two-character pieces are in the story
        pairs = [word[i:i + 2] for i in range(len(word) - 1)]
        return sum(p in story for p in pairs) * 2 >= len(pairs)
    stem = word[:5] if len(word) > 5 else word
    return re.search(r"(?<![\w])" + re.escape(stem), story) is not None


def cliches(language: str) -> list[str]:
    """The stock lines of `language`: the shipped list and the user's own."""
    found = []
    user = Path(os.environ.get("FILMCREW_HOME", Path.home() / ".config" / "filmcrew")) / "cliches"
    for folder in (Path(__file__).parent / "cliches", user):
        p = folder / f"{language}.txt"
        if p.is_file():
            found += [_fold(ln) for ln in p.read_text(encoding="utf-8").splitlines()
                      if ln.strip() and not ln.lstrip().startswith("#")]
    return list(dict.fromkeys(x for x in found if x))


def _named(name: str, text: str, language: str) -> bool:
    if language == "zh":
        return name in text
    shown = _fold(name)
    return re.search(r"(?<![\w'])" + re.escape(shown) + r"(?![\w'])", text) is not None


def _said(sc) -> str:
    """What a scene shows and says: its actions and its lines."""
    return " ".join([*(sh.action for sh in sc.shots), *(ln.text for sh in sc.shots for ln in sh.lines)])


def unpaid(episodes: list[tuple[str, object]], characters, language: str) -> list[dict]:
    """The bible's characters seen or named in exactly one scene of a film of three scenes or more."""
    scenes = [(path, sc) for path, ep in episodes for sc in ep.scenes]
    if len(scenes) < 3:
        return []
    told = [({ln.speaker for sh in sc.shots for ln in sh.lines}, _fold(_said(sc))) for _, sc in scenes]
    found = []
    for name in characters:
        where = [scene for scene, (speakers, text) in zip(scenes, told) if name in speakers or _named(name, text, language)]
        if len(where) == 1:
            path, sc = where[0]
            found.append({"character": name, "at": f"{path}:{sc.source_line}", "scene": sc.heading})
    return found


def report(episodes: list[tuple[str, object]], premise: str, language: str, bible_text: str = "",
           characters: tuple[str, ...] | list[str] = ()) -> dict:
    """`episodes`: (path, Episode) in order; `characters`: the bible's names. {"premise_missing", "repeated",
    "stock", "unpaid", "problems"}: the last is each finding in words, as "path:line: why"."""
    story = _fold(bible_text + " " + " ".join(
        sc.heading + " " + _said(sc)
        for _, ep in episodes for sc in ep.scenes))
    missing = [w for w in premise_words(premise, language) if not _used(_fold(w), story, language)]
    problems = [f"premise: the story never says {w!r} (the premise does: \"{premise}\"); tell the premise's story"
                for w in missing]
    seen: dict[str, str] = {}
    repeated, stock = [], []
    stock_lines = cliches(language)
    for path, ep in episodes:
        for ln in ep.lines():
            f = _fold(ln.text)
            where = f"{path}:{ln.source_line}"
            long_enough = len(f.replace(" ", "")) >= 8 if language == "zh" else len(f.split()) >= 4
            if long_enough and f in seen:
                repeated.append({"line": ln.text, "at": where, "first": seen[f]})
                problems.append(f"{where}: \"{ln.text}\" was said already ({seen[f]}); each line once")
            seen.setdefault(f, where)
            hit = next((c for c in stock_lines if (c in f if language == "zh" else re.search(
                r"(?<![\w'])" + re.escape(c) + r"(?![\w'])", f))), None)
            if hit:
                stock.append({"line": ln.text, "at": where, "cliche": hit})
                problems.append(f"{where}: \"{ln.text}\" is a stock line (\"{hit}\"); say it in this story's own words")
    dropped = unpaid(episodes, characters, language)
    problems += [f"{u['at']}: {u['character']} comes into this scene ({u['scene']}) and is never seen or named again; "
                 f"pay the set-up off (bring them back) or leave them out" for u in dropped]
    return {"premise_missing": missing, "repeated": repeated, "stock": stock, "unpaid": dropped, "problems": problems}


__all__ = ["report", "premise_words", "cliches", "unpaid"]
