"""The offline story engine: premise -> bible + screenplays, with no model at all.

It is a rule-based generator, not a language model. It reads the premise (premise.py: the hero's role,
gender and age, the want, its object, the opponent, the place, the deadline, the other people it names),
invents only what the premise leaves out (names, an ally, a flaw, the thing the ally lends the hero), and
builds the story from scene templates (scenes.py) whose every longer line names a part of the premise:
so the story is the premise's, and two premises never share a line. The structure: a hook in the first
seconds (the premise, restated with the hero's name), want and flaw, a first defeat, a low point, a
discovery, a climax where each set-up is paid off (the flaw, the ally's gift, the promise of the opening),
and, in a series, a turn at the end of each episode that the next one picks up. It fits the target runtime
(estimated like ``filmcrew script check``) within a few percent, and writes English, Chinese and French.
Its ledger type is honest: ``algorithmicMedia``. A model writer (``openai-chat``) writes far better.
"""

from __future__ import annotations

import itertools
import logging
import random
import re

from .. import ledger
from ..errors import ConfigError
from ..model import Bible, Character, Episode, EpisodeArc, Line, Scene, Shot, Voice, frames_to_seconds, seconds_to_frames
from ..story import changes as story_changes
from ..story.screenplay import estimated_shot_seconds, parse_heading
from ..providers.base import NoSettings, StoryDraft, WriteRequest
from .lexicon import AIDS, DEFAULT_SETTING, FLAWS, GENRES, INVENTED, MOODS, NAMES, SETTINGS, TIMES, WORKPLACES
from .changes import find as record_changes
from .premise import Premise, parse
from .scenes import SCENES

log = logging.getLogger("filmcrew.writer")
LANG_INDEX = {"en": 0, "zh": 1, "fr": 2}
SKINS = ["#f1c9a5", "#e0ac83", "#c68642", "#8d5524", "#ffdbb4", "#b97a56", "#5c3a21"]
HAIR_COLOURS = ["#1b1b1b", "#4a2f1b", "#a0522d", "#d8b45c", "#9a9a9a", "#7b1f1f", "#e8e8e8"]
EYES = ["#3b2a1a", "#2e5a88", "#3c7a3c", "#6b4b2a", "#222222"]
PALETTES = [["#b03a2e", "#f5cba7"], ["#1f618d", "#aed6f1"], ["#1e8449", "#d4efdf"], ["#7d3c98", "#e8daef"],
            ["#b9770e", "#fdebd0"], ["#283747", "#d5dbdb"], ["#d35400", "#1c2833"], ["#117864", "#f9e79f"]]
COSTUMES = {"river": ["patched fishing coat", "straw cloak", "linen tunic", "flowing blue robe"],
            "sea": ["oilskin coat", "sailor's jersey", "knitted shawl", "long sea-green coat"],
            "city": ["rain jacket", "office suit", "hoodie", "long black coat"],
            "mountain": ["fur-lined robe", "monk's robe", "quilted jacket", "white scale armour"],
            "forest": ["woodcutter's vest", "hooded cloak", "green tunic", "red silk robe"],
            "palace": ["court robe", "servant's smock", "embroidered gown", "black armour"],
            "town": ["work apron", "wool coat", "knitted cardigan", "long grey coat"]}
ROLE_COSTUMES = [  # words of a role -> what that person wears (the illustrator draws it)
    (("baker", "cook", "chef", "面包", "厨", "boulang", "pâtiss", "cuisin"), "white apron and cap"),
    (("nurse", "doctor", "医生", "护士", "infirm", "médecin"), "hospital scrubs"),
    (("astronaut", "宇航", "astronaute"), "space suit"), (("knight", "剑客", "chevalier"), "armour and cloak"),
    (("witch", "女巫", "sorcière"), "pointed hat and dark cloak"), (("detective", "侦探", "commissaire", "détective"), "trench coat and hat"),
    (("magician", "魔术", "magicien"), "top hat and tailcoat"), (("fisher", "渔", "pêcheu"), "oilskin coat"),
    (("intern", "实习", "stagiaire", "clerk"), "office suit"), (("singer", "歌手", "chanteu"), "evening dress"),
    (("florist", "花店", "fleuriste"), "green apron"), (("grandmother", "奶奶", "grand-mère"), "knitted cardigan"),
    (("engineer", "ingénieu", "工程师"), "overalls"), (("teacher", "教师", "老师", "professeur"), "tweed jacket"),
]
TITLED = re.compile(r"\b(god|goddess|spirit|dragon|king|queen|emperor|empress|witch|machine|warden|lord|demon|dieu|déesse|"
                    r"esprit|roi|reine|sorcière|sorcier|démon)\b|神|妖|龙|王|帝|巫|魔", re.I)
FEMININE = re.compile(r"\b(goddess|queen|empress|witch|déesse|reine|sorcière|rivale|voleuse|patronne)\b|女|娘|后|妖|婆", re.I)


def detect_setting(premise: str) -> str:
    low = premise.lower()
    best, score = DEFAULT_SETTING, 0
    for fam, (keys, _ext, _int) in SETTINGS.items():
        s = sum(1 for k in keys if (k.lower() in low if not k.isascii() else re.search(r"\b" + re.escape(k.lower()), low)))
        if s > score:
            best, score = fam, s
    return best


def detect_genre(premise: str, given: str = "") -> str:
    if given:
        return given
    low = premise.lower()
    for g, keys in GENRES.items():
        if any((k.lower() in low) if not k.isascii() else re.search(r"\b" + re.escape(k.lower()) + r"\b", low) for k in keys):
            return g
    return "drama"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _name_text(name: str, lang: str) -> str:
    """A character's name as the lines write it: "Mara", "Élise", "秋月"."""
    return name if lang == "zh" else " ".join(w[:1] + w[1:].lower() if not w.startswith("L'") else "L'" + w[2:3] + w[3:].lower()
                                              for w in name.split())


def _sentences(text: str) -> str:
    """Each sentence starts with a capital, also where a slot ("a baker", "the stolen recipe") begins it."""
    return re.sub(r"(^|[.?!]\s+|[«\"]\s*)([a-zà-ÿ])", lambda m: m.group(1) + m.group(2).upper(), text)


TIME_WORDS = [(3, ("night", "nuit", "夜")), (2, ("dusk", "evening", "soir", "crépuscule", "黄昏")),  # index in TIMES
              (0, ("first light", "dawn", "sunrise", "aube", "premières lueurs", "soleil se lève", "天刚亮", "黎明", "日出")),
              (1, ("morning", "market day", "matin", "jour de marché", "早上", "集日"))]


def _time_of(template: str, lang: str, default: int) -> str:
    """The time of day a scene's first action names ("Night.", "黄昏。"), else the beat's."""
    first = template.split("|", 1)[1].split("\n", 1)[0].lower() if "|" in template else ""
    for index, words in TIME_WORDS:
        if any(w in first for w in words):
            return TIMES[lang][index]
    return TIMES[lang][default]


def _definite(np: str, lang: str) -> str:
    """"a brass whistle" -> "the brass whistle", "une clé" -> "la clé", "一只铜哨" -> "铜哨"."""
    if lang == "en":
        return re.sub(r"^(a|an)\s+", "the ", np)
    if lang == "fr":
        art, _, rest = np.partition(" ")
        return ("l'" if rest[:1] in "aeiouéèâh" else "la " if art == "une" else "le ") + rest if art in ("un", "une") else np
    return re.sub(r"^一(只|张|支|团|把|个|本)", "", np)


def _fr_tidy(text: str) -> str:
    """French contractions the slots create: "de le" -> "du", "à les" -> "aux", "de Élise" -> "d'Élise"."""
    for a, b in ((" de le ", " du "), (" de les ", " des "), (" à le ", " au "), (" à les ", " aux "),
                 ("De le ", "Du "), ("À le ", "Au ")):
        text = text.replace(a, b)
    return re.sub(r"\b([dDqQjJnNsS]e|[qQ]ue) (?=[AEIOUYÉÈÊÂÎaeiouyéèêâî])", lambda m: m.group(1)[:-1] + "'", text)


def _article(np: str, lang: str) -> str:
    """The place's name for a scene heading: no article, upper case."""
    if lang == "en":
        np = re.sub(r"^(the|a|an)\s+", "", np, flags=re.I)
    elif lang == "fr":
        np = re.sub(r"^(la|le|les|une?)\s+|^l'", "", np, flags=re.I)
    return np.upper()


class StoryEngine(NoSettings):
    name = "story-engine"
    version = "3"  # 3: records the changes its scenes make (writer/changes.py)
    model = "rules"
    source_type = ledger.ALGORITHMIC

    # -- what the premise says, and what the engine adds -----------------------------------------
    def _world(self, req: WriteRequest, p: Premise, rng: random.Random) -> dict:
        lang = req.language
        hero_g = p.gender or rng.choice("fm")
        names = {g: list(NAMES[lang][g]) for g in "fm"}
        for g in "fm":
            rng.shuffle(names[g])

        def name(g: str) -> str:
            return names[g].pop()

        foe_np = p.foe
        titled = bool(foe_np and TITLED.search(foe_np))
        role = p.role or INVENTED["role"][lang]
        if not foe_np:
            foe_np = {"en": f"the {p.role or 'hero'}'s rival", "zh": f"{p.role or '主角'}的死对头", "fr": "le rival"}[lang]
        foe_g = "f" if FEMININE.search(foe_np) else ("m" if titled else rng.choice("fm"))
        if lang == "fr" and not titled and not p.foe:
            foe_np = ("la rivale" if foe_g == "f" else "le rival") + (" de la " if hero_g == "f" else " du ") + role
        x_name = _article(foe_np, lang) if titled else name(foe_g)
        ally_g = rng.choice("fm")
        f_name = name(ally_g)
        other = p.others[0] if p.others else ""
        v_g = ("f" if re.search(r"daughter|girl|granddaughter|sister|孙女|女儿|妹|姐|petite-fille|fille|sœur", other) else
               "m" if re.search(r"son|boy|grandson|brother|孙子|儿子|弟|哥|师父|petit-fils|fils|frère|pâtissier", other) else rng.choice("fm"))
        v_name = name(v_g)
        flaw, flaw_act = rng.choice(FLAWS[lang])
        aid = rng.choice(AIDS[lang])
        want = p.want or INVENTED["want"][lang]
        poss = {"en": ("my", "your", "her" if hero_g == "f" else "his"), "zh": ("我的", "你的", "她的" if hero_g == "f" else "他的")}
        if lang == "fr":
            forms = [want.replace("{poss_f}", a).replace("{poss_m}", b).replace("{poss_p}", c)
                     for a, b, c in (("ma", "mon", "mes"), ("ta", "ton", "tes"), ("sa", "son", "ses"))]
        else:
            forms = [want.replace("{poss}", x) for x in poss[lang]]
        a_role = {"en": ("an " if role[:1].lower() in "aeiou" else "a ") + role, "zh": role,
                  "fr": ("une " if hero_g == "f" else "un ") + role}[lang]
        thing = p.thing or INVENTED["thing"][lang]
        if p.thing and re.match(r"^(?:save|protect|defend|guard|sauver|protéger|défendre|保护|拯救|守护|保卫)", p.want):
            # "save his village": a village cannot be carried; the story's token is the village's bell
            thing = {"en": f"the {re.sub(r'^the ', '', thing)}'s bell", "zh": f"{thing}的铜钟", "fr": _fr_tidy(f"la cloche de {thing}")}[lang]
        # no deadline in the premise: the opponent's return is one (premise-bound, so no two stories share it)
        before = p.before or {"en": f"before {foe_np} comes back", "zh": f"{foe_np}回来前",
                              "fr": _fr_tidy(f"avant le retour de {foe_np}")}[lang]
        deadline = p.deadline or re.sub(r"^(before|by|avant|d'ici)\s+", "", before).removesuffix("前")
        if not p.before:
            now = {"en": f"{foe_np} comes back", "zh": f"{foe_np}回来了", "fr": _cap(f"{foe_np} revient")}[lang]
        elif lang == "en":
            now = deadline if p.deadline_clause else (
                f"{deadline} comes" if re.match(r"^(midnight|dawn|sunrise|sunset|nightfall|noon|tomorrow)$", deadline)
                else f"{deadline} begins")
        elif lang == "fr":
            now = f"{_cap(deadline)} est là" if not p.deadline_clause else deadline
            now = _cap(now)
        else:
            now = deadline + ("了" if p.deadline_clause or deadline.endswith(("来临", "耗尽", "开始", "开会")) else "到了")
        return {"hero_g": hero_g, "foe_g": foe_g, "ally_g": ally_g, "v_g": v_g, "X": x_name, "H": name(hero_g),
                "F": f_name, "V": v_name, "titled": titled, "foe_np": foe_np, "flaw": flaw, "flaw_act": flaw_act, "aid": aid,
                "want": forms, "role": role, "a_role": a_role, "before": before, "deadline": deadline, "now": now,
                "thing": thing, "other": other}

    def _characters(self, req: WriteRequest, p: Premise, w: dict, rng: random.Random, setting: str, genre: str) -> dict:
        lang = req.language
        voice_provider = "piper" if lang == "en" else "espeak-ng"
        voice_name = "en_US-joe-medium" if lang == "en" else {"zh": "cmn", "fr": "fr"}[lang]
        palettes = rng.sample(PALETTES, 4)
        costumes = rng.sample(COSTUMES.get(setting, COSTUMES["town"]), 4)
        hair_colours = rng.sample(HAIR_COLOURS[:6], 4)
        other_age = ("child" if re.search(r"grand|kid|child|孙|孩|petit|enfant", w["other"]) else
                     "elder" if re.search(r"master|师父|maître", w["other"]) else "adult" if w["other"] else "child")
        spec = (("hero", w["H"], "protagonist", p.subject or w["role"], w["hero_g"], p.age or "adult"),
                ("foe", w["X"], "antagonist", p.foe_desc or w["foe_np"], w["foe_g"], "ageless" if w["titled"] and genre == "myth" else "adult"),
                ("ally", w["F"], "ally", {"en": "the hero's oldest friend", "zh": "主角的老朋友", "fr": "le plus vieil ami du héros"}[lang],
                 w["ally_g"], rng.choice(["adult", "elder"])),
                ("kid", w["V"], "supporting", w["other"] or {"en": "the neighbours' child", "zh": "邻居家的孩子",
                                                               "fr": "l'enfant des voisins"}[lang], w["v_g"], other_age))
        cast = {}
        for n_, (key, name, role, desc, gender, age) in enumerate(spec):
            look = {"face": rng.choice(["oval", "round", "square", "long", "heart"]), "skin": rng.choice(SKINS),
                    "hair": (rng.choice(["short", "pigtails", "bob"]) if age == "child" else
                             rng.choice(["long", "bun", "braid", "bob"]) if gender == "f" else rng.choice(["short", "spiky", "bald", "short"])),
                    "hair_colour": "#d9d9d9" if age == "elder" else hair_colours[n_], "eyes": rng.choice(EYES),
                    "build": "small" if age == "child" else rng.choice(["slim", "average", "broad"]), "age": age, "gender": gender}
            if key == "foe" and w["titled"] and genre == "myth":
                look.update(aura="#7fd3ff", build="huge", eyes="#9ff3ff")
            costume = next((c for keys, c in ROLE_COSTUMES if any(k in desc.lower() for k in keys)), costumes[n_])
            pitch, speed = VOICES[key]
            if gender == "f" and key != "kid":
                pitch += 2.0
            cast[key] = Character(
                name=name, role=role, description=desc,
                want=w["want"][2] if key == "hero" else ({"en": f"to keep {w['thing']}", "zh": f"霸占{w['thing']}",
                                                          "fr": f"garder {w['thing']}"}[lang] if key == "foe" else ""),
                flaw=f"{w['flaw']}: {w['flaw_act']}" if key == "hero" else "", look=look, palette=tuple(palettes[n_]),
                costume=costume, voice=Voice(provider=voice_provider, voice=voice_name, speed=speed, pitch=pitch,
                                             timbre={"hero": "warm", "foe": "deep", "ally": "gravelly", "kid": "bright"}[key]))
        return cast

    def _places(self, req: WriteRequest, p: Premise, w: dict, setting: str, rng: random.Random) -> dict:
        """Scene places: (heading name, how a line says it). The premise's place opens the story; the
        deadline's event (a festival, a party) hosts the climax; the hero's workplace and home the rest."""
        lang = req.language
        _k, ext_locs, int_locs = SETTINGS[setting]
        said = {"en": lambda loc: "the " + loc.lower(), "zh": lambda loc: loc, "fr": _fr_place}[lang]
        exteriors = [(loc, said(loc)) for loc in ext_locs[lang]]
        interiors = [(loc, said(loc)) for loc in int_locs[lang]]
        rng.shuffle(exteriors)
        rng.shuffle(interiors)
        li = LANG_INDEX[lang]
        work = next((wp[1 + li] for wp in WORKPLACES if any(k in (p.role + " " + p.text).lower() for k in wp[0])), None)
        if work:
            interiors.insert(0, work)
        home = {"en": (f"{w['H']}'S HOME", f"{_name_text(w['H'], lang)}'s home"), "zh": (f"{w['H']}的家", f"{w['H']}的家"),
                "fr": (f"CHEZ {w['H']}", f"la maison de {_name_text(w['H'], lang)}")}[lang]
        interiors.append(home)
        main = None
        if p.place:
            main = (_article(p.place, lang), p.place)
            exteriors.insert(0, main)
        event = None
        if p.deadline and not p.deadline_clause and not re.search(
                r"\b(midnight|dawn|noon|night|winter|hiver|minuit|aube|noël|christmas|storm|tempête|orage|flood|crue|rain|"
                r"pluie|snow|neige|oxygen|oxygène)\b|夜|夕|天|点|年|晚|月|风暴|雨|雪|氧气", p.deadline, re.I):
            if len(p.deadline.split()) <= 4:
                event = (_article(p.deadline, lang), p.deadline)
        return {"ext": exteriors, "int": interiors, "event": event, "main": main or (interiors[0] if work else exteriors[0])}

    # -- one scene from a template ---------------------------------------------------------------------
    def _scene(self, beat: str, template: str, slots: dict, cast: dict, ep: int, number: int, heading: str,
               language: str) -> Scene:
        who = {"H": cast["hero"].name, "X": cast["foe"].name, "F": cast["ally"].name, "V": cast["kid"].name}
        sid = f"ep{ep:02d}-s{number:02d}"
        shots: list[dict] = []
        for raw in template.strip().splitlines():
            head, _, text = raw.partition("|")
            text = _sentences(text.strip().format(**slots))
            if language == "fr":
                text = _fr_tidy(text)
            parts = head.split()
            if parts[0] == "A":
                shots.append({"action": text, "camera": parts[1], "secs": float(parts[2]), "lines": []})
            else:
                paren = " ".join(parts[1:]).strip("() ")
                ext = ""
                if paren in ("O.S.", "V.O."):
                    ext, paren = paren, ""
                if not shots:
                    shots.append({"action": "", "camera": "medium", "secs": 0, "lines": []})
                if shots[-1]["lines"] and len(shots[-1]["lines"]) >= 2:
                    shots.append({"action": _reaction(slots[parts[0]], language), "camera": "close-up", "secs": 0, "lines": []})
                shots[-1]["lines"].append((who[parts[0]], text, paren, ext))
        built = []
        line_no = 0
        names = {c.name: _name_text(c.name, language) for c in cast.values() if isinstance(c, Character)}
        for k, sh in enumerate(shots, start=1):
            lines = []
            for speaker, text, paren, ext in sh["lines"]:
                line_no += 1
                lines.append(Line(id=f"{sid}-l{line_no:02d}", speaker=speaker, text=text, language=language,
                                  parenthetical=paren, extension=ext))
            present = tuple(dict.fromkeys([ln.speaker for ln in lines if ln.extension != "O.S."] +
                                          [n for n, shown in names.items() if shown.lower() in sh["action"].lower()]))
            camera = sh["camera"] if sh["action"] else ("close-up" if len(lines) == 1 else "medium")
            built.append(Shot(id=f"{sid}-sh{k:02d}", action=sh["action"] or _reaction(names[lines[0].speaker], language),
                              camera=camera, characters=present,
                              duration_frames=seconds_to_frames(sh["secs"]) if sh["secs"] else None,
                              mood=MOODS.get(beat, ""), lines=tuple(lines)))
        if built:
            last = built[-1]
            built[-1] = Shot(**{**last.__dict__, "transition": "dip" if beat in ("hook", "resolution") else "crossfade"})
        interior = heading.startswith("INT")
        _i, loc, tod = parse_heading(heading)
        return Scene(id=sid, heading=heading, interior=interior, location=loc, time_of_day=tod,
                     mood=MOODS.get(beat, ""), shots=tuple(built), number=str(number))

    def write(self, req: WriteRequest) -> StoryDraft:
        if not req.premise or not req.premise.strip():
            raise ConfigError("filmcrew.toml: [film] premise: is empty; write one sentence describing the story")
        lang = req.language
        if lang not in SCENES:
            raise ConfigError(f"filmcrew.toml: [film] language: the story engine writes en, zh, fr, not {lang!r}")
        rng = random.Random(f"{req.seed}|{req.premise}|{lang}")
        premise = parse(req.premise, lang)
        setting = detect_setting(req.premise)
        genre = detect_genre(req.premise, req.genre)
        w = self._world(req, premise, rng)
        cast = self._characters(req, premise, w, rng, setting, genre)
        places = self._places(req, premise, w, setting, rng)
        shown = {k: _name_text(c.name, lang) for k, c in cast.items()}
        foe_text = w["foe_np"] if w["titled"] else shown["foe"]
        slots = {"H": shown["hero"], "X": foe_text, "F": shown["ally"], "V": shown["kid"], "role": w["role"],
                 "a_role": w["a_role"], "want1": w["want"][0], "want2": w["want"][1], "want3": w["want"][2],
                 "thing": w["thing"], "thing_cap": _cap(w["thing"]), "foe": foe_text, "foe_role": w["foe_np"],
                 "before": w["before"], "deadline_now_cap": _cap(w["now"]), "flaw": w["flaw"], "aid": w["aid"],
                 "aid_cap": _cap(w["aid"]), "the_aid": _definite(w["aid"], lang), "the_aid_cap": _cap(_definite(w["aid"], lang)),
                 "e": "e" if w["hero_g"] == "f" else "", "fe": "e" if w["ally_g"] == "f" else "",
                 "ve": "e" if w["v_g"] == "f" else "", "celle": "Celle-ci" if w["hero_g"] == "f" else "Celui-ci",
                 "she": "she" if w["hero_g"] == "f" else "he", "xher": "her" if w["foe_g"] == "f" else "his",
                 "vta": "她" if w["v_g"] == "f" else "他"}
        n_eps = req.episodes if req.format == "series" else 1
        target = req.minutes * 60.0
        plan = _beat_plan(n_eps, req.format) if target >= MICRO_BELOW_S else [["micro_open", "micro_end"]] * n_eps
        order = {beat: rng.randrange(len(v)) for beat, v in SCENES[lang].items()}
        ctx = (req, plan, target, slots, cast, places, premise, w)
        episodes, arcs = self._series(*ctx, order, even=False)
        if n_eps > 1 and _worst(episodes, target, lang) > 0.05:  # not enough scenes for every episode: share them evenly
            even = self._series(*ctx, order, even=True)
            if _worst(even[0], target, lang) < _worst(episodes, target, lang):
                episodes, arcs = even
        if n_eps == 1 and target >= MICRO_BELOW_S and _worst(episodes, target, lang) > 0.05:
            # a short too short for the whole arc: the tiny film's two scenes (the want and the gift, the face-off)
            # with what fits between them, when that comes closer
            tiny = self._series(req, [["micro_open", "micro_end"]], *ctx[2:], order, even=False)
            if _worst(tiny[0], target, lang) < _worst(episodes, target, lang):
                episodes, arcs = tiny
        episodes = _cameos(episodes, {c.name: foe_text if k == "foe" else shown[k] for k, c in cast.items()}, lang, target)
        short = [(ep.number, _estimate(list(ep.scenes), lang)) for ep in episodes]
        short = [(n, est) for n, est in short if abs(est - target) > target * 0.05]
        if short:  # said, not hidden: the engine never repeats a scene, so a long film runs out of them
            why = ("its shortest story (two scenes, five lines) needs about 20 s" if all(est > target for _, est in short) else
                   "it never repeats a scene, and its scenes fill about 17 minutes of story. A model writer "
                   "(writer = \"openai-chat\") writes longer films")
            log.warning("the offline writer could not fit %s: %s; %s.",
                        f"{n_eps} x {req.minutes:g} min" if n_eps > 1 else f"{req.minutes:g} min",
                        ", ".join(f"episode {n} is {est:.0f} s of {target:.0f} s" for n, est in short), why)
        title = {"en": f"{shown['hero']} and {foe_text}", "zh": f"{shown['hero']}与{foe_text}",
                 "fr": f"{shown['hero']} contre {foe_text}"}[lang]
        names_of = [p_[0] for p_ in places["ext"] + places["int"]]
        bible = Bible(title=title, logline=req.premise.strip(),
                      world=f"{setting} setting; {', '.join(dict.fromkeys(names_of))}"
                            + (f"; {premise.context}" if premise.context else ""), language=lang,
                      visual_style=req.style or "storybook", characters=tuple(cast[k] for k in ("hero", "foe", "ally", "kid")),
                      arcs=tuple(arcs))
        # what the story does to its people and places (the gift carried, an arm bandaged): in the bible's changes
        said = {foe_text if k == "foe" else shown[k]: c.name for k, c in cast.items()}
        bible = story_changes.add(bible, record_changes(episodes, said, w["aid"], lang))
        return StoryDraft(bible=bible, episodes=tuple(episodes))

    def _series(self, req, plan, target, slots, cast, places, premise, w, order, even: bool):
        """The episodes, each fitted to the target with the scenes the earlier ones left: as many as it needs
        (`even` False: what one leaves, the next ones get), or its even share of them."""
        lang, n_eps = req.language, len(plan)
        tight = target < TIGHT_BELOW_S
        episodes, arcs = [], []
        used: dict[str, set] = {}
        hook_kind = None
        for ep_i, core in enumerate(plan, start=1):
            if hook_kind is not None:
                core = ["return"] + core
            state = (used, hook_kind)  # _build works on its own copy of `used`

            def build(beats, _state=state, _ep=ep_i):
                return self._build(beats, _ep, slots, cast, lang, order, *_state, places, premise, w, tight)[0]
            spare = _spare(lang, used, plan[ep_i - 1:], n_eps - ep_i + 1, even)
            beats = _fit(core, target, random.Random(f"{req.seed}|{req.premise}|{lang}|ep{ep_i}"), lang, build, spare)
            if beats[0] == "micro_open" or abs(_estimate(_tune(build(beats), target, lang), lang) - target) > 0.02 * target:
                # few scenes, or still off: of the templates its beats could take, the ones that fit the length best
                base = dict(order)

                def error(shift, _ep=ep_i, _state=state, _beats=tuple(beats)):
                    trial = {**base, **{b: base[b] + k for b, k in zip(_vary(_beats, lang), shift)}}
                    built = self._build(list(_beats), _ep, slots, cast, lang, trial, *_state, places, premise, w, tight)[0]
                    return abs(_estimate(_tune(built, target, lang), lang) - target)
                vary = _vary(beats, lang)
                shifts = list(itertools.product(*(range(len(SCENES[lang][b])) for b in vary)))
                if len(shifts) <= 81:
                    best = min(shifts, key=lambda sh: (round(error(sh), 1), any(sh)))
                    order = {**order, **{b: base[b] + k for b, k in zip(vary, best)}}
            scenes, used, hook_kind = self._build(beats, ep_i, slots, cast, lang, order, used, hook_kind, places, premise, w,
                                                  tight)
            scenes = _tune(scenes, target, lang)
            title = _episode_title(beats, w, lang, ep_i)
            episodes.append(Episode(number=ep_i, title=title, scenes=tuple(scenes), language=lang))
            arcs.append(EpisodeArc(number=ep_i, title=title, summary=" / ".join(beats),
                                   hook=("cliffhanger" if "hook" in beats else "resolution")))
        return episodes, arcs

    def _build(self, beats, ep, slots, cast, lang, order, used, hook_kind, places, premise, w, tight=False):
        """The scenes of one episode; returns them, the templates used so far (film-wide: no template twice),
        and the hook this episode ends on (the next one's return picks it up)."""
        used = {k: set(v) for k, v in used.items()}
        scenes = []
        ext, inte = places["ext"], places["int"]
        for n, beat in enumerate(beats, start=1):
            variants = SCENES[lang][beat]
            if beat == "return":
                if hook_kind is None:
                    continue
                k = hook_kind
            else:
                free = [i for i in range(len(variants)) if i not in used.get(beat, set())]
                if not free and beat.startswith("micro"):  # more tiny episodes than micro scenes: one says it again
                    free = list(range(len(variants)))
                if not free:
                    continue
                k = free[(order[beat] + ep) % len(free)]
                if beat == "hook" and tight:  # short episodes: the turn whose answer (the next return) is shortest
                    k = min(free, key=lambda i: len(SCENES[lang]["return"][i]))
            used.setdefault(beat, set()).add(k)
            if beat == "hook":
                hook_kind = k
            elif beat == "return":
                hook_kind = None
            inside = beat in ("plan", "crisis", "cost", "return", "discovery", "hook", "respite") and bool(inte)
            if beat == "climax" and places["event"]:
                place, inside = places["event"], False
            elif beat in ("opening", "resolution", "micro_open"):
                place = places["main"]
                inside = place in inte
            else:
                pool = inte if inside else ext
                place = pool[(n + ep) % len(pool)]
            template = variants[k]
            tod = _time_of(template, lang, {"opening": 0, "resolution": 0, "crisis": 3, "hook": 3, "climax": 2, "micro_open": 0,
                                            "micro_end": 2}.get(beat, 1 + n % 2))
            heading = f"{'INT.' if inside else 'EXT.'} {place[0]} - {tod}"
            if beat in ("opening", "micro_open") and ep == 1:  # the hook: the premise itself, with the hero's name
                head, _, rest = template.partition("|")
                rest = rest.split("\n", 1)[1] if "\n" in rest else ""
                template = f"{head}| {_escape(_restate(premise, w, slots, lang))}\n{rest}"
            scenes.append(self._scene(beat, template, {**slots, "place": place[1], "Place": _cap(place[1])}, cast, ep,
                                      len(scenes) + 1, heading, lang))
        return scenes, used, hook_kind


def _fr_place(heading: str) -> str:
    low = heading.lower()
    fem = ("place", "rue", "ruelle", "berge", "falaise", "pointe", "porte", "forêt", "clairière", "lisière", "cour", "cuisine",
           "cage", "cabane", "maison", "salle", "taverne", "plage", "gare", "ville")
    first = low.split()[0]
    if first[:1] in "aeiouéèâh":
        return "l'" + low
    return ("la " if first in fem or first.endswith(("ée", "tion", "ière")) else "les " if first.endswith("s") else "le ") + low


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _restate(p: Premise, w: dict, slots: dict, lang: str) -> str:
    """The premise as the first action of the film, the hero named: "Mara, a baker, must win back her..."."""
    text = " ".join(p.text.strip().split()).rstrip(".。!！")
    if lang == "zh":
        i = text.find(p.subject) if p.subject else -1
        if i >= 0:
            return f"{slots['H']}，{text[:i + len(p.subject)].lstrip('一位个名')}，{text[i + len(p.subject):]}。".replace("，，", "，")
        return f"{slots['H']}：{text}。"
    i = text.lower().find(p.subject.lower()) if p.subject else -1
    if i >= 0:
        rest = text[i + len(p.subject):].strip()
        return f"{slots['H']}, {w['a_role']}, {rest}."
    return f"{slots['H']}: {text}."


VOICES = {"hero": (0.0, 1.0), "ally": (-3.0, 0.92), "kid": (5.0, 1.08), "foe": (-6.0, 0.85)}


def _beat_plan(n_eps: int, fmt: str) -> list[list[str]]:
    if fmt == "short" or n_eps == 1:
        return [["opening", "inciting", "plan", "attempt", "cost", "discovery", "climax", "resolution"]]
    plans = [["opening", "inciting", "plan", "hook"]]
    middles = [["attempt", "cost", "hook"], ["attempt", "discovery", "hook"], ["journey", "attempt", "hook"]]
    for i in range(n_eps - 2):
        plans.append(list(middles[i % len(middles)]))
    plans.append(["discovery", "crisis", "climax", "resolution"])
    return plans


DIALOGUE_ROOM_S = 3.0  # the most a dialogue shot is held past its lines (a pause, a look) when a film needs length
ACTION_MAX_S = 6.5  # an action shot held longer than this outlasts most video models' clips (5 s, slowed to ~7 s)
TIGHT_BELOW_S = 90.0  # a series' episodes shorter than this end on the turn whose answer takes least time
MICRO_BELOW_S = 50.0  # a film (an episode) shorter than this is two scenes: the want and a gift, the face-off
FILLERS = ["attempt", "journey", "cost", "discovery", "crisis", "respite"]


def _reaction(speaker: str, language: str) -> str:
    return {"en": f"Close on {speaker}.", "zh": f"{speaker}的特写。", "fr": f"Gros plan sur {speaker}."}[language]


def _estimate(scenes: list[Scene], lang: str) -> float:
    return sum(estimated_shot_seconds(s, lang) for sc in scenes for s in sc.shots)


CAMEO = {"en": ("{n} watches from a distance.", "{n} is there too, watching."),
         "zh": ("{n}在远处看着。", "{n}也在，静静看着。"), "fr": ("{n} observe de loin.", "{n} est là aussi, et regarde.")}


def _cameos(episodes: list[Episode], shown: dict[str, str], lang: str, target: float) -> list[Episode]:
    """A character a short story shows in one scene only (the scenes that brought them back were cut for
    length) is seen once more: watching from a distance in the first scene, or there at the end, so that no
    one comes into the story and vanishes (the story report's check). `shown`: each name as the lines say it."""
    from ..story.report import unpaid
    dropped = [u["character"] for u in unpaid([(f"ep{e.number}", e) for e in episodes], list(shown), lang)]
    if not dropped:
        return episodes
    first, last = episodes[0].scenes[0], episodes[-1].scenes[-1]

    def in_scene(sc: Scene, name: str) -> bool:
        return any(name == ln.speaker for sh in sc.shots for ln in sh.lines) or shown[name].lower() in " ".join(
            [sh.action for sh in sc.shots] + [ln.text for sh in sc.shots for ln in sh.lines]).lower()
    where: dict[str, list[str]] = {}
    for name in dropped:  # seen at the start: back at the end; seen later: watching from the start
        where.setdefault(last.id if in_scene(first, name) else first.id, []).append(name)

    def with_cameos(sc: Scene) -> Scene:
        names = where.get(sc.id)
        if not names:
            return sc
        sh = sc.shots[0]
        said = " ".join(CAMEO[lang][sc.id == last.id].format(n=shown[n]) for n in names)
        said = said[:1].upper() + said[1:]
        sh = Shot(**{**sh.__dict__, "action": f"{sh.action} {said}".strip() if lang != "zh" else sh.action + said,
                     "characters": tuple(dict.fromkeys([*sh.characters, *names]))})
        return Scene(**{**sc.__dict__, "shots": (sh, *sc.shots[1:])})
    return [Episode(**{**ep.__dict__, "scenes": tuple(_tune([with_cameos(sc) for sc in ep.scenes], target, lang))})
            for ep in episodes]


def _vary(beats, lang: str) -> list[str]:
    """The beats of an episode whose template can be chosen (a return answers the hook before it)."""
    return [b for b in dict.fromkeys(beats) if b != "return" and len(SCENES[lang][b]) > 1]


def _worst(episodes: list[Episode], target: float, lang: str) -> float:
    return max(abs(_estimate(list(ep.scenes), lang) - target) / target for ep in episodes)


def _spare(lang: str, used: dict, plans: list[list[str]], episodes_left: int, even: bool = False) -> tuple[dict[str, int], int]:
    """The filler scenes this episode may add: of each beat, those not used yet less those this episode's and
    the later ones' own beats need; and how many in all: as many as it needs, or (`even`, when there are not enough for every
    episode) its even share of them, so a long series does not spend its scenes on the first episodes."""
    spare = {b: max(0, len(SCENES[lang][b]) - len(used.get(b, ())) - sum(p.count(b) for p in plans)) for b in FILLERS}
    total = sum(spare.values())
    return spare, (round(total / episodes_left) if even else total)


def _fit(core: list[str], target: float, rng: random.Random, lang: str, build, spare: tuple[dict[str, int], int]) -> list[str]:
    """The beats whose scenes, once tuned, come closest to the target runtime: fillers added while short (at
    most `spare` of each beat), unprotected beats taken out while long (the set-ups and pay-offs are protected)."""
    beats = list(core)
    order = FILLERS[:]
    rng.shuffle(order)
    left, most = dict(spare[0]), spare[1]
    fillers = []
    while any(left[b] for b in order):  # round robin: each beat once before any twice
        for b in order:
            if left[b]:
                fillers.append(b)
                left[b] -= 1
    fillers = fillers[:most]
    protected = {"opening", "climax", "resolution", "hook", "inciting", "plan", "return", "micro_open", "micro_end"}
    best, best_err = list(beats), float("inf")
    for _ in range(40):
        est = _estimate(_tune(build(beats), target, lang), lang)
        err = abs(est - target) / target
        if err < best_err:
            best, best_err = list(beats), err
        if err <= 0.02:
            break
        if est < target and fillers:
            beat = fillers.pop(0)
            end = max(1, len(beats) - (1 if beats[-1] in ("hook", "resolution", "micro_end") else 0)
                      - (1 if "climax" in beats else 0))  # before the ending (in a tiny film, before the face-off)
            start = beats.index("plan") + 1 if "plan" in beats else 1  # after the plan: fillers may use the ally's gift
            apart = [i for i in range(end, start - 1, -1) if beats[i - 1] != beat and (i == len(beats) or beats[i] != beat)]
            beats.insert(apart[0] if apart else end, beat)  # as late as it goes, never twice in a row
        elif est > target and len(beats) > 2:
            removable = [i for i, b in enumerate(beats) if b not in protected]
            if not removable:  # the opponent's entrance may go (the premise names them); never the plan, which
                removable = [i for i, b in enumerate(beats) if b == "inciting"]  # sets up the gift and the flaw
            if not removable:
                break
            beats.pop(removable[-1])
        else:
            break
    return best


def _tune(scenes: list[Scene], target: float, lang: str) -> list[Scene]:
    """Fine-tune the written durations so the estimate meets the target within a few percent: the
    action-only shots (1.5 s to ACTION_MAX_S) take up the difference; when they cannot, the dialogue shots get room."""
    def rebuild(fn):
        return [Scene(**{**sc.__dict__, "shots": tuple(fn(sh) for sh in sc.shots)}) for sc in scenes]

    for _ in range(4):
        est = _estimate(scenes, lang)
        if abs(est - target) <= target * 0.02:
            break
        actions = sum(estimated_shot_seconds(sh, lang) for sc in scenes for sh in sc.shots if sh.duration_frames and not sh.lines)
        scale = max(0.0, actions + target - est) / actions if actions else 1.0
        scenes = rebuild(lambda sh: Shot(**{**sh.__dict__, "duration_frames": seconds_to_frames(
            round(min(ACTION_MAX_S, max(1.5, frames_to_seconds(sh.duration_frames) * scale)), 1))})
            if sh.duration_frames and not sh.lines else sh)
    def said(sh: Shot) -> float:  # how long its lines take, whatever it is held for
        return estimated_shot_seconds(Shot(**{**sh.__dict__, "duration_frames": None}), lang)
    for _ in range(3):  # the actions are at their longest: give the dialogue shots room to breathe
        est = _estimate(scenes, lang)
        if est >= target * 0.98:
            break
        ratio = target / est
        scenes = rebuild(lambda sh: Shot(**{**sh.__dict__, "duration_frames": seconds_to_frames(
            min(estimated_shot_seconds(sh, lang) * ratio, said(sh) + DIALOGUE_ROOM_S))}) if sh.lines else sh)
    return scenes


def _episode_title(beats: list[str], w: dict, lang: str, ep: int) -> str:
    """The episode's title, from its story: what it is about, not a stock phrase."""
    thing = re.sub(r"^(the|la|le|les|l')\s*", "", w["thing"], flags=re.I)
    if "climax" in beats:
        return {"en": _cap(w["now"]), "zh": w["now"], "fr": _cap(w["now"])}[lang]
    if ep == 1:
        return {"en": _cap(w["a_role"]), "zh": f"{w['role']}", "fr": _cap(w["a_role"])}[lang]
    return {"en": f"{_cap(thing)}, part {ep}", "zh": f"{thing}（{ep}）", "fr": f"{_cap(thing)}, partie {ep}"}[lang]
