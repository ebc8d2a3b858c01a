"""What an action line names that the crew can show or sound: props the illustrator draws and spot
effects the foley makes. English and French words match whole words (with their plurals and common
forms); Chinese words match as characters (a pattern, with no word boundaries: Chinese has no spaces).
Pure functions.
"""

from __future__ import annotations

import re

PROP_WORDS = {  # English and French by whole word (a key card is not a key), Chinese by characters
    "keycard": (r"key ?cards?", r"cartes? d'accès", "门卡"),
    "compass": (r"compass(es)?", r"boussoles?", "罗盘", "指南针"),
    "hook": (r"(fish )?hooks?", r"hameçons?", "鱼钩"),
    "key": (r"keys?", r"cl[ée]s?", r"clefs?", "钥匙"),
    "bell": (r"bells?", r"cloches?", "铃", "钟"),
    "flute": (r"flutes?", r"flûtes?", "笛"),
    "seal": (r"seals?", r"sceaux?", "玺", "印章"),
    "lantern": (r"lanterns?", r"lamps?", r"lamplight", r"lanternes?", r"lampes?", "灯笼", "油灯", "灯"),
    "sword": (r"swords?", r"blades?", r"épées?", r"sabres?", "剑", "刀"),
    "letter": (r"letters?", r"books?", r"maps?", r"lettres?", r"livres?", r"cartes?", "信", "书", "地图"),
    "cup": (r"cups?", r"tea", r"tasses?", r"thé", "杯", "茶"),
    "bag": (r"bags?", r"sacs?", "背包", "包袱", "行囊"),
}

# what names each effect; the foley's spot effects
EFFECT_WORDS = {
    "knock": (r"knock(s|ed|ing)?", r"raps?", r"frapp(e|ent|é)", r"toqu(e|ent|é)", "敲门", "叩门"),
    "door": (r"doors?", r"slams?", r"slammed", r"portes?", r"claqu(e|ent|é)", "门(?!卡)", "关上"),
    "thunder": (r"thunder(s|ing)?", r"lightning", r"thunderclap", r"tonnerre", r"éclairs?", r"foudre", "雷", "闪电"),
    "footsteps": (r"footsteps?", r"steps", r"walks?", r"walking", r"runs?", r"running", r"strides?", r"paces?",
                  r"climbs?", r"stairs", r"bruits? de pas", r"march(e|ent)", r"cour(t|ent)", r"mont(e|ent)", "脚步", "走", "跑", "奔"),
    "splash": (r"splash(es|ed|ing)?", r"dives?", r"plunges?", r"plouf", r"éclabouss\w*", r"plong(e|ent|é)",
               "水花", "扑通", "跳进水", "跳入水", "溅"),
}


def named_in(text: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    """The keys of `table` whose words occur in `text`, in the order the text first names them."""
    low, found = text.lower(), []
    for kind, words in table.items():
        at = []
        for w in words:
            if not re.search(r"[a-z]", w):  # Chinese: no word boundaries to look for
                m = re.search(w, low)
                if m:
                    at.append(m.start())
            else:
                m = re.search(rf"(?<![\w'-]){w}(?![\w-])", low)
                if m:
                    at.append(m.start())
        if at:
            found.append((min(at), kind))
    return [k for _, k in sorted(found)]


def props_in(action: str) -> list[str]:
    """The props `action` names that the illustrator can draw (a key card is not also a key)."""
    kinds = named_in(action, PROP_WORDS)
    return [k for k in kinds if not (k == "key" and "keycard" in kinds)]


def effects_in(action: str) -> list[str]:
    """The spot effects `action` names, each once (a knock on a door is a knock, not also a door)."""
    kinds = named_in(action, EFFECT_WORDS)
    return [k for k in kinds if not (k == "door" and "knock" in kinds)]
