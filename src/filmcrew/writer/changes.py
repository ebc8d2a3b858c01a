"""What the offline writer's own scenes change (issue 37): the ally's gift the hero carries from then on, an arm
bandaged, a window broken, a room wrecked. Recorded in the bible's `changes:` so the later scenes and episodes are
drawn in that state.

This is not understanding: it is a list of the phrases the engine's scene templates (writer/scenes.py) use for
the events that change how someone or something looks, per language, matched on the written actions with the
story's own names and gift filled in. A template that says something new needs a rule here; a person's words
in a screenplay are not read (a person writes `changes:` in the bible). tests/writer/test_writer_changes.py holds every
template that names such an event to a rule.
"""

from __future__ import annotations

import re

from ..model import Change, Episode

# (pattern, what changes, from when). In the pattern: {who} is any of the story's characters (as the lines write
# their names), {aid} the ally's gift, {place} any words. What: ("props", None) the one who gets {aid} carries it;
# ("note", text) a state on {who}; ("place", text) a state on the scene's place. When: "this" from the scene it
# happens in (it is there when the scene opens), "next" from the scene after (it happens during the scene).
RULES: dict[str, list[tuple[str, tuple[str, str | None], str]]] = {
    "en": [
        (r"{who} turns {aid} over in the light, then pockets it", ("props", None), "next"),
        (r"presses {aid} into {who}'s hand", ("props", None), "next"),
        (r"{who} takes {aid}", ("props", None), "next"),
        (r"hands {who} {aid}", ("props", None), "next"),
        (r"ties {aid} to {who}'s wrist", ("props", None), "next"),
        (r"{who} sits against the wall of {place}, one arm bandaged", ("note", "one arm bandaged"), "this"),
        (r"{who} holds out both hands, and \S+ bandages them", ("note", "both hands bandaged"), "next"),
        (r"the window of {place} is broken", ("place", "a broken window"), "this"),
        (r"stands in the wreck of {place}: everything broken", ("place", "wrecked: everything broken"), "this"),
    ],
    "zh": [
        (r"{who}在灯下翻看{aid}，然后收进口袋", ("props", None), "next"),
        (r"把{aid}塞到{who}手里", ("props", None), "next"),
        (r"{who}拿起了{aid}", ("props", None), "next"),
        (r"把{aid}递给{who}", ("props", None), "next"),
        (r"把{aid}系在{who}的手腕上", ("props", None), "next"),
        (r"{who}靠着{place}的墙坐着，一只胳膊缠着绷带", ("note", "一只胳膊受伤，缠着绷带"), "this"),
        (r"{who}伸出双手，\S+?替\S+?包扎", ("note", "双手受伤，缠着绷带"), "next"),
        (r"{place}的窗户碎了", ("place", "窗户碎了"), "this"),
        (r"站在{place}的一片狼藉中：什么都砸坏了", ("place", "一片狼藉，什么都砸坏了"), "this"),
    ],
    "fr": [
        (r"{who} tourne {aid} dans la lumière, puis l'empoche", ("props", None), "next"),
        (r"glisse {aid} dans la main de {who}", ("props", None), "next"),
        (r"{who} prend {aid}", ("props", None), "next"),
        (r"tend {aid} à {who}", ("props", None), "next"),
        (r"attache {aid} au poignet de {who}", ("props", None), "next"),
        (r"{who} est assise? contre le mur de {place}, un bras bandé", ("note", "un bras bandé"), "this"),
        (r"{who} tend les deux mains, et \S+ les bande", ("note", "les deux mains bandées"), "next"),
        (r"la vitre de {place} est brisée", ("place", "une vitre brisée"), "this"),
        (r"se tient au milieu des débris, dans {place} : tout est cassé", ("place", "dévasté : tout est cassé"), "this"),
    ],
}


def _compile(pattern: str, names: dict[str, str], aid: str) -> re.Pattern:
    who = "(?P<who>" + "|".join(re.escape(shown) for shown in sorted(names, key=len, reverse=True)) + ")"
    parts = re.split(r"(\{who\}|\{aid\}|\{place\})", pattern)
    out = "".join(who if p == "{who}" else re.escape(aid) if p == "{aid}" else ".+?" if p == "{place}" else p
                  for p in parts)
    return re.compile(out, re.IGNORECASE)


def find(episodes: list[Episode] | tuple[Episode, ...], names: dict[str, str], aid: str,
         language: str) -> list[tuple[str, Change]]:
    """(subject, change) for each event the rules find in the episodes' actions. `names`: {name as the lines
    write it: the character's cue name}; `aid`: the ally's gift as the lines write it (indefinite: "a brass
    whistle"). A place's subject is the scene heading's location."""
    rules = [(_compile(p, names, aid), what, when) for p, what, when in RULES.get(language, [])]
    found = []
    carrying: set[str] = set()  # who already carries the gift: handed it again in a later episode, nothing changes
    for ep in episodes:
        for sc in ep.scenes:
            for sh in sc.shots:
                for rx, (kind, text), when in rules:
                    m = rx.search(sh.action)
                    if not m:
                        continue
                    at = dict(episode=ep.number, scene=sc.order + (1 if when == "next" else 0))
                    if kind == "place":
                        if sc.location:
                            found.append((sc.location, Change(**at, note=text)))
                        continue
                    subject = names[next(k for k in names if k.lower() == m.group("who").lower())]
                    if kind == "props":
                        if subject in carrying:
                            continue
                        carrying.add(subject)
                    found.append((subject, Change(**at, props=(aid,)) if kind == "props" else Change(**at, note=text)))
    return found
