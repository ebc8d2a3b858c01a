"""The offline story engine: premise -> bible + screenplays, with no model at all.

It is a rule-based generator, not a language model: it reads the premise for a
hero, an antagonist and a goal, picks a setting, genre, names, a flaw and beat
variants from the seed, and assembles a dramatic structure (want and flaw,
escalation, a low point, a climax that pays off the flaw; a hook at the end of
every series episode but the last). Its ledger type is honest:
``algorithmicMedia``. It writes English, Chinese and French, and fits the target
runtime (estimated like ``filmcrew script check``) within a few percent.
"""

from __future__ import annotations

import random
import re

from .. import ledger
from ..errors import ConfigError
from ..model import Bible, Character, Episode, EpisodeArc, Line, Scene, Shot, Voice, seconds_to_frames
from ..story.screenplay import estimated_shot_seconds
from .base import NoSettings, StoryDraft, WriteRequest
from .story_beats import BEATS
from .story_lexicon import DEFAULT_SETTING, FLAWS, GENRES, MOODS, NAMES, SETTINGS, TIMES

VERBS = (r"challenges|fights|battles|defies|must stop|must defeat|must outwit|must save|confronts|outwits|races|hunts|"
         r"tricks|seeks|searches for|falls for|loves|tries to stop|wants to stop|sets out to stop|befriends|"
         r"takes on|stands up to|faces|chases|escapes|must escape|steals from|bargains with|duels")
PREMISE_RE = re.compile(rf"^(?:an?|the)?\s*(?P<hero>.+?)\s+(?P<verb>{VERBS})\s+(?P<rest>.+?)\.?$", re.IGNORECASE)

OBJECTS = {"river": ("a bronze fish hook", "一枚青铜鱼钩", "un hameçon de bronze"),
           "sea": ("a brass compass", "一只黄铜罗盘", "une boussole en laiton"),
           "city": ("an old key card", "一张旧门卡", "une vieille carte d'accès"),
           "mountain": ("a jade bell", "一只玉铃", "une cloche de jade"),
           "forest": ("a carved wooden flute", "一支木笛", "une flûte en bois sculpté"),
           "palace": ("the royal seal", "一枚玉玺", "le sceau royal")}
THREATS = {"river": ("the river rises, black and roaring", "河水涨起，漆黑咆哮", "le fleuve monte, noir et grondant"),
           "sea": ("a wall of grey water rolls toward the shore", "一堵灰色的浪墙扑向海岸", "un mur d'eau grise roule vers la côte"),
           "city": ("every light in the city flickers and dies", "全城的灯光闪烁后熄灭", "toutes les lumières de la ville s'éteignent"),
           "mountain": ("snow slides from the peak with a roar", "积雪轰鸣着从山顶滑落", "la neige dévale du sommet"),
           "forest": ("the trees bend as something huge moves between them", "树木弯折，有庞然大物在其间穿行", "les arbres ploient sous un pas immense"),
           "palace": ("soldiers in black armour pour through the gates", "黑甲士兵涌入城门", "des soldats en armure noire franchissent les portes")}
FOES = {"river": ("the god of floods", "河神", "le dieu des crues"), "sea": ("the sea witch", "海妖", "la sorcière des mers"),
        "city": ("the machine that runs the city", "掌控城市的机器", "la machine qui dirige la ville"),
        "mountain": ("the white dragon", "白龙", "le dragon blanc"), "forest": ("the fox spirit", "狐妖", "l'esprit renard"),
        "palace": ("the usurper", "篡位者", "l'usurpateur")}
GOALS = ("save our home", "保护我们的家", "sauver notre foyer")
ROLES = ("wanderer", "普通人", "voyageur")
ROLE_WORDS = {"渔夫": "渔夫", "猎人": "猎人", "侦探": "侦探", "女孩": "女孩", "少年": "少年", "医生": "医生",
              "pêcheur": "pêcheur", "chasseur": "chasseur", "détective": "détective", "paysanne": "paysanne"}
LANG_INDEX = {"en": 0, "zh": 1, "fr": 2}

SKINS = ["#f1c9a5", "#e0ac83", "#c68642", "#8d5524", "#ffdbb4", "#b97a56", "#5c3a21"]
HAIR_COLOURS = ["#1b1b1b", "#4a2f1b", "#a0522d", "#d8b45c", "#9a9a9a", "#7b1f1f", "#e8e8e8"]
EYES = ["#3b2a1a", "#2e5a88", "#3c7a3c", "#6b4b2a", "#222222"]
PALETTES = [["#b03a2e", "#f5cba7"], ["#1f618d", "#aed6f1"], ["#1e8449", "#d4efdf"], ["#7d3c98", "#e8daef"],
            ["#b9770e", "#fdebd0"], ["#283747", "#d5dbdb"], ["#d35400", "#1c2833"], ["#117864", "#f9e79f"]]
COSTUMES = {"river": ["patched fishing coat", "straw cloak", "linen tunic", "flowing blue robe"],
            "sea": ["oilskin coat", "sailor's jersey", "knitted shawl", "seaweed-green robe"],
            "city": ["rain jacket", "office suit", "hoodie", "long black coat"],
            "mountain": ["fur-lined robe", "monk's robe", "quilted jacket", "white scale armour"],
            "forest": ["woodcutter's vest", "hooded cloak", "green tunic", "red silk robe"],
            "palace": ["court robe", "servant's smock", "embroidered gown", "black armour"]}


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


def parse_premise(premise: str, language: str, setting: str) -> dict:
    li = LANG_INDEX[language]
    out = {"role": ROLES[li], "foe_desc": FOES[setting][li], "goal": GOALS[li], "foe_name": ""}
    m = PREMISE_RE.match(premise.strip()) if premise.isascii() else None
    if m and language == "en":
        hero = m.group("hero").strip()
        rest = m.group("rest").strip()
        verb = m.group("verb").lower()
        foe, goal = rest, ""
        for sep in (" in order to ", " so that ", " to ", " before ", " and "):
            if sep in rest:
                foe, goal = rest.split(sep, 1)
                break
        foe = foe.strip(" ,")
        if verb.startswith("must save") or verb.startswith("seeks") or verb.startswith("searches"):
            goal, foe = (verb.replace("must ", "") + " " + foe).replace("seeks", "find").replace("searches for", "find"), out["foe_desc"]
        goal = re.sub(r"\b(his|her|their)\b", "our", goal.strip(" .")) or "stop " + foe
        out.update(role=hero.lower(), foe_desc=foe, goal=goal)
        title = re.search(r"\b(god|goddess|spirit|dragon|king|queen|emperor|witch|machine|warden|lord|demon)\b(?: of ([\w ]+))?",
                          foe, re.IGNORECASE)
        if title:
            out["foe_name"] = (title.group(1) + (" of " + title.group(2).split()[0] if title.group(2) else "")).upper()
    elif language != "en":
        for k, v in ROLE_WORDS.items():
            if k in premise:
                out["role"] = v
    return out


def _look(rng: random.Random, role: str, setting: str, genre: str, distinct: dict) -> tuple[dict, list[str], str]:
    age = {"kid": "child", "ally": rng.choice(["elder", "adult"]), "foe": "ageless" if genre == "myth" else "adult"}.get(role, "adult")
    look = {
        "face": rng.choice(["oval", "round", "square", "long", "heart"]),
        "skin": rng.choice(SKINS),
        "hair": rng.choice(["short", "long", "bun", "spiky", "bald", "braid"]) if role != "kid" else rng.choice(["short", "pigtails", "bob"]),
        "hair_colour": "#d9d9d9" if age == "elder" else distinct["hair_colour"],
        "eyes": rng.choice(EYES),
        "build": "small" if role == "kid" else rng.choice(["slim", "average", "broad"]),
        "age": age,
    }
    if role == "foe" and genre == "myth":
        look.update(aura="#7fd3ff", build="huge", eyes="#9ff3ff")
    palette = distinct["palette"]
    costume = distinct["costume"]
    return look, palette, costume


VOICES = {"hero": (0.0, 1.0), "ally": (-3.0, 0.92), "kid": (5.0, 1.08), "foe": (-6.0, 0.85)}


class StoryEngine(NoSettings):
    name = "story-engine"
    version = "1"
    model = "rules"
    source_type = ledger.ALGORITHMIC

    # -- the bible -------------------------------------------------------------------------------
    def _cast(self, req: WriteRequest, rng: random.Random, setting: str, genre: str, info: dict) -> dict:
        names = NAMES[req.language]
        hero = rng.choice(names["hero"])
        ally = rng.choice([n for n in names["ally"] if n != hero])
        kid = rng.choice(names["kid"])
        foe = info["foe_name"] or rng.choice(names["foe"])
        flaw, flaw_desc = rng.choice(FLAWS[req.language])
        voice_provider = "piper" if req.language == "en" else "espeak-ng"
        voice_name = "en_US-joe-medium" if req.language == "en" else {"zh": "cmn", "fr": "fr"}[req.language]
        cast = {}
        # distinct palettes, costumes and hair colours, so characters are easy to tell apart
        palettes = rng.sample(PALETTES, 4)
        costumes = rng.sample(COSTUMES[setting], 4)
        hair_colours = rng.sample(HAIR_COLOURS[:6], 4)
        for n_, (key, name, role, desc) in enumerate((("hero", hero, "protagonist", info["role"]), ("foe", foe, "antagonist", info["foe_desc"]),
                                      ("ally", ally, "ally", ""), ("kid", kid, "supporting", ""))):
            distinct = {"palette": palettes[n_], "costume": costumes[n_], "hair_colour": hair_colours[n_]}
            look, palette, costume = _look(rng, key, setting, genre, distinct)
            pitch, speed = VOICES[key]
            cast[key] = Character(
                name=name, role=role, description=desc,
                want=info["goal"] if key == "hero" else ("to be obeyed" if key == "foe" else ""),
                flaw=f"{flaw}: {flaw_desc}" if key == "hero" else "", look=look, palette=tuple(palette), costume=costume,
                voice=Voice(provider=voice_provider, voice=voice_name, speed=speed, pitch=pitch,
                            timbre={"hero": "warm", "foe": "deep", "ally": "gravelly", "kid": "bright"}[key]))
        cast["flaw"] = flaw
        return cast

    # -- one scene from a beat ---------------------------------------------------------------------
    def _scene(self, beat: str, template: str, slots: dict, cast: dict, ep: int, number: int, heading: str,
               language: str) -> Scene:
        who = {"H": cast["hero"].name, "X": cast["foe"].name, "F": cast["ally"].name, "V": cast["kid"].name}
        sid = f"ep{ep:02d}-s{number:02d}"
        shots: list[dict] = []
        for raw in template.strip().splitlines():
            head, _, text = raw.partition("|")
            text = text.strip().format(**slots)
            text = text[0].upper() + text[1:] if text else text
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
                    speaker = who[parts[0]]
                    shots.append({"action": _reaction(speaker, language), "camera": "close-up", "secs": 0, "lines": []})
                shots[-1]["lines"].append((who[parts[0]], text, paren, ext))
        built = []
        line_no = 0
        for k, sh in enumerate(shots, start=1):
            lines = []
            for speaker, text, paren, ext in sh["lines"]:
                line_no += 1
                lines.append(Line(id=f"{sid}-l{line_no:02d}", speaker=speaker, text=text, language=language,
                                  parenthetical=paren, extension=ext))
            present = tuple(dict.fromkeys([ln.speaker for ln in lines if ln.extension != "O.S."] +
                                          [c.name for c in (cast["hero"], cast["foe"], cast["ally"], cast["kid"])
                                           if c.name.lower() in sh["action"].lower()]))
            camera = sh["camera"] if sh["action"] else ("close-up" if len(lines) == 1 else "medium")
            built.append(Shot(id=f"{sid}-sh{k:02d}", action=sh["action"] or _reaction(lines[0].speaker, language),
                              camera=camera, characters=present,
                              duration_frames=seconds_to_frames(sh["secs"]) if sh["secs"] else None,
                              mood=MOODS.get(beat, ""), lines=tuple(lines)))
        if built:
            last = built[-1]
            built[-1] = Shot(**{**last.__dict__, "transition": "dip" if beat in ("hook", "resolution") else "crossfade"})
        interior = heading.startswith("INT")
        from ..story.screenplay import parse_heading
        _i, loc, tod = parse_heading(heading)
        return Scene(id=sid, heading=heading, interior=interior, location=loc, time_of_day=tod,
                     mood=MOODS.get(beat, ""), shots=tuple(built), number=str(number))

    def write(self, req: WriteRequest) -> StoryDraft:
        if not req.premise or not req.premise.strip():
            raise ConfigError("filmcrew.toml: [film] premise: is empty; write one sentence describing the story")
        lang = req.language
        if lang not in BEATS:
            raise ConfigError(f"filmcrew.toml: [film] language: the story engine writes en, zh, fr, not {lang!r}")
        rng = random.Random(f"{req.seed}|{req.premise}|{lang}")
        setting = detect_setting(req.premise)
        genre = detect_genre(req.premise, req.genre)
        info = parse_premise(req.premise, lang, setting)
        cast = self._cast(req, rng, setting, genre, info)
        li = LANG_INDEX[lang]
        _keys, ext_locs, int_locs = SETTINGS[setting]
        exteriors, interiors = list(ext_locs[lang]), list(int_locs[lang])
        rng.shuffle(exteriors)
        rng.shuffle(interiors)
        slots = {"Hero": cast["hero"].name.title() if lang != "zh" else cast["hero"].name,
                 "hero": cast["hero"].name, "foe": cast["foe"].name.title() if lang != "zh" else cast["foe"].name,
                 "ally": cast["ally"].name.title() if lang != "zh" else cast["ally"].name,
                 "kid": cast["kid"].name.title() if lang != "zh" else cast["kid"].name,
                 "goal": info["goal"], "role": info["role"], "foe_desc": info["foe_desc"],
                 "threat": THREATS[setting][li], "object": OBJECTS[setting][li], "flaw": cast["flaw"],
                 "flaw_verb": {"en": "refuses to listen", "zh": "不肯听劝", "fr": "refuse d'écouter"}[lang]}
        n_eps = req.episodes if req.format == "series" else 1
        plan = _beat_plan(n_eps, req.format)
        target = req.minutes * 60.0
        episodes = []
        arcs = []
        for ep_i, core in enumerate(plan, start=1):
            ep_rng = random.Random(f"{req.seed}|{req.premise}|{lang}|ep{ep_i}")
            beats = _fit(core, target, ep_rng, lang, lambda bs: self._build(bs, ep_i, slots, cast, lang, ep_rng.getstate(),
                                                                              exteriors, interiors))
            scenes = self._build(beats, ep_i, slots, cast, lang, ep_rng.getstate(), exteriors, interiors)
            scenes = _tune(scenes, target, lang)
            title = _episode_title(beats, slots, lang, ep_i, n_eps)
            episodes.append(Episode(number=ep_i, title=title, scenes=tuple(scenes), language=lang))
            arcs.append(EpisodeArc(number=ep_i, title=title, summary=" / ".join(beats),
                                   hook=("cliffhanger" if "hook" in beats else "resolution")))
        title = {"en": f"{cast['hero'].name.title()} and {slots['foe']}", "zh": f"{cast['hero'].name}与{cast['foe'].name}",
                 "fr": f"{cast['hero'].name.title()} contre {slots['foe']}"}[lang]
        bible = Bible(title=title, logline=req.premise.strip(),
                      world=f"{setting} setting; {', '.join(exteriors + interiors)}", language=lang,
                      visual_style=req.style or "storybook", characters=tuple(cast[k] for k in ("hero", "foe", "ally", "kid")),
                      arcs=tuple(arcs))
        return StoryDraft(bible=bible, episodes=tuple(episodes))

    def _build(self, beats, ep, slots, cast, lang, state, exteriors, interiors) -> list[Scene]:
        rng = random.Random()
        rng.setstate(state)
        scenes = []
        used: dict[str, int] = {}
        for n, beat in enumerate(beats, start=1):
            variants = BEATS[lang].get(beat) or BEATS[lang]["cost"]
            k = (rng.randrange(len(variants)) + used.get(beat, 0)) % len(variants)
            used[beat] = used.get(beat, 0) + 1
            inside = beat in ("debate", "crisis", "betrayal") and interiors
            place = (interiors if inside else exteriors)[(n + ep) % len(interiors if inside else exteriors)]
            tod = TIMES[lang][{"opening": 0, "resolution": 0, "crisis": 3, "hook": 3, "climax": 2}.get(beat, 1 + n % 2)]
            heading = f"{'INT.' if inside else 'EXT.'} {place} - {tod}"
            loc_slot = place.lower() if lang != "zh" else place
            scenes.append(self._scene(beat, variants[k], {**slots, "place": loc_slot}, cast, ep, n, heading, lang))
        return scenes


def _reaction(speaker: str, language: str) -> str:
    return {"en": f"Close on {speaker.title()}.", "zh": f"{speaker}的特写。", "fr": f"Gros plan sur {speaker.title()}."}[language]


def _beat_plan(n_eps: int, fmt: str) -> list[list[str]]:
    if fmt == "short" or n_eps == 1:
        return [["opening", "inciting", "confront", "crisis", "climax", "resolution"]]
    plans = [["opening", "inciting", "debate", "hook"]]
    middles = [["confront", "cost", "hook"], ["discovery", "betrayal", "hook"], ["journey", "confront", "hook"]]
    for i in range(n_eps - 2):
        plans.append(list(middles[i % len(middles)]))
    plans.append(["discovery", "crisis", "climax", "resolution"])
    return plans


FILLERS = ["cost", "discovery", "training", "journey", "betrayal", "debate", "confront"]


def _estimate(scenes: list[Scene], lang: str) -> float:
    return sum(estimated_shot_seconds(s, lang) for sc in scenes for s in sc.shots)


def _fit(core: list[str], target: float, rng: random.Random, lang: str, build) -> list[str]:
    beats = list(core)
    fillers = FILLERS[:]
    rng.shuffle(fillers)
    protected = {"opening", "climax", "resolution", "hook", "inciting"}
    for _ in range(24):
        est = _estimate(build(beats), lang)
        if est < target * 0.9 and fillers:
            pos = len(beats) - (1 if beats[-1] in ("hook", "resolution") else 0) - (1 if "climax" in beats else 0)
            beats.insert(max(1, pos), fillers.pop(0) if fillers else "cost")
            if not fillers:
                fillers = FILLERS[:]
        elif est > target * 1.1 and len(beats) > 2:
            removable = [i for i, b in enumerate(beats) if b not in protected]
            if not removable:
                removable = [i for i, b in enumerate(beats) if b not in ("opening", "hook", "resolution")]
            if not removable:
                break
            beats.pop(removable[-1])
        else:
            break
    return beats


def _tune(scenes: list[Scene], target: float, lang: str) -> list[Scene]:
    """Fine-tune the written durations of action-only shots so the estimate meets the target."""
    for _ in range(6):
        est = _estimate(scenes, lang)
        if abs(est - target) <= target * 0.04:
            break
        ratio = target / est
        new = []
        for sc in scenes:
            shots = []
            for sh in sc.shots:
                if sh.duration_frames and not sh.lines:
                    secs = min(8.0, max(2.0, sh.duration_frames / 30 * ratio))
                    sh = Shot(**{**sh.__dict__, "duration_frames": seconds_to_frames(round(secs * 2) / 2)})
                elif sh.lines and ratio > 1.0:
                    cur = estimated_shot_seconds(sh, lang)
                    sh = Shot(**{**sh.__dict__, "duration_frames": seconds_to_frames(round(min(cur * ratio, cur + 3) * 2) / 2)})
                shots.append(sh)
            new.append(Scene(**{**sc.__dict__, "shots": tuple(shots)}))
        scenes = new
    return scenes


def _episode_title(beats: list[str], slots: dict, lang: str, ep: int, n: int) -> str:
    names = {"en": {"opening": "The Promise", "confront": "The First Defeat", "discovery": "What the Wall Remembers",
                    "climax": "The Last Stand", "journey": "The Long Road"},
             "zh": {"opening": "承诺", "confront": "初败", "discovery": "墙上的秘密", "climax": "最后一战", "journey": "远行"},
             "fr": {"opening": "La Promesse", "confront": "La Première Défaite", "discovery": "Ce que le mur raconte",
                    "climax": "Le Dernier Combat", "journey": "La Longue Route"}}[lang]
    for b in ("climax", "discovery", "confront", "journey", "opening"):
        if b in beats:
            return names[b]
    return {"en": f"Episode {ep}", "zh": f"第{ep}集", "fr": f"Épisode {ep}"}[lang]
