"""The writer on any server that speaks the OpenAI chat-completions protocol.

llama.cpp's server, vLLM, Ollama and hosted APIs all accept ``POST {base_url}/chat/completions``
with ``response_format = {"type": "json_schema", "json_schema": {"name", "strict", "schema"}}``.
This provider asks for the bible first, then one screenplay per episode, each as JSON matching a
schema, validates every answer (the schema again, here, plus the story's own rules: known speakers,
runtime) and, when an answer is wrong, sends it back with the list of problems and asks for a
corrected one. After ``attempts`` answers it stops with an error that lists the problems.

Settings (``[providers.openai-chat]`` in filmcrew.toml)::

    base_url = "http://127.0.0.1:8080/v1"   # default: https://api.openai.com/v1
    model = "gpt-4o-mini"                   # required
    api_key_env = "OPENAI_API_KEY"          # the NAME of the variable; the key itself never goes in the file
    response_format = "json_schema"         # or "json_object" for servers without schema support
    strict = true                           # false where strict mode refuses minLength/maxLength/pattern
    temperature = 0.7
    attempts = 3
    timeout = 600                           # seconds per request

HTTP goes through `providers/http.py` (httpx, the retry policy every vendor shares); running a
model locally needs more (``pip install 'filmcrew[llm]'`` gives the llama.cpp server wheel).
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import replace

from .. import ledger
from ..errors import ConfigError, ProviderError
from ..model import (CAMERAS, Bible, Change, Character, Episode, EpisodeArc, Line, Scene, Shot, Voice, frames_to_seconds,
                     seconds_to_frames)
from ..story import changes as story_changes
from ..story.screenplay import estimated_shot_seconds
from .base import StoryDraft, WriteRequest
from . import http

LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese (简体中文)", "fr": "French"}
TIMES = ("dawn", "morning", "day", "dusk", "night")
TIME_WORDS = {"en": {"dawn": "DAWN", "morning": "MORNING", "day": "DAY", "dusk": "DUSK", "night": "NIGHT"},
              "fr": {"dawn": "AUBE", "morning": "MATIN", "day": "JOUR", "dusk": "SOIR", "night": "NUIT"},
              "zh": {"dawn": "黎明", "morning": "清晨", "day": "白天", "dusk": "黄昏", "night": "夜晚"}}
# what the procedural illustrator can draw; the schema offers exactly these
FACES = ("oval", "round", "square", "long", "heart")
HAIR = ("short", "long", "bun", "spiky", "bald", "braid", "pigtails", "bob")
BUILDS = ("slim", "average", "broad", "small", "huge")
AGES = ("child", "adult", "elder", "ageless")
REGISTERS = {"child": (5.0, 1.08), "light": (2.0, 1.0), "medium": (0.0, 1.0), "deep": (-3.0, 0.94), "very deep": (-6.0, 0.86)}
HEX = "^#[0-9a-fA-F]{6}$"
# what a scene changes for later scenes (issue 37): `who` is a character, or PLACE for the scene's own place
PLACE = "PLACE"
CHANGE_KINDS = ("costume", "state", "carries", "lets_go")  # wears from now / injury, hair, dirt / picks up / drops all
log = logging.getLogger("filmcrew.writer")


# ---- schemas -------------------------------------------------------------------------------------

def _s(maximum: int, minimum: int = 1) -> dict:
    return {"type": "string", "minLength": minimum, "maxLength": maximum}


def bible_schema(req: WriteRequest) -> dict:
    """The cast is structured so the schema itself guarantees a protagonist with a want and a flaw and an
    antagonist (a constrained server cannot answer without them)."""
    n_eps = req.episodes if req.format == "series" else 1
    name = _s(24) if req.language == "zh" else {"type": "string", "pattern": "^[A-Z][A-Z .'-]{0,23}$"}

    def character(want_flaw: bool, roles: tuple[str, ...] = ()) -> dict:
        props = {"name": name, "description": _s(200), "costume": _s(120),
                 "look": {"type": "object", "additionalProperties": False,
                          "required": ["face", "hair", "hair_colour", "skin", "eyes", "build", "age"],
                          "properties": {"face": {"enum": list(FACES)}, "hair": {"enum": list(HAIR)},
                                         "hair_colour": {"type": "string", "pattern": HEX},
                                         "skin": {"type": "string", "pattern": HEX},
                                         "eyes": {"type": "string", "pattern": HEX},
                                         "build": {"enum": list(BUILDS)}, "age": {"enum": list(AGES)}}},
                 "palette": {"type": "array", "minItems": 3, "maxItems": 3, "items": {"type": "string", "pattern": HEX}},
                 "voice": {"enum": list(REGISTERS)}}
        if want_flaw:
            props.update(want=_s(160), flaw=_s(160))
        if roles:
            props["role"] = {"enum": list(roles)}
        return {"type": "object", "additionalProperties": False, "required": list(props), "properties": props}

    arc = {"type": "object", "additionalProperties": False, "required": ["title", "summary", "hook"],
           "properties": {"title": _s(80), "summary": _s(400), "hook": _s(200)}}
    return {"type": "object", "additionalProperties": False,
            "required": ["title", "logline", "world", "visual_style", "protagonist", "antagonist", "others", "episodes"],
            "properties": {"title": _s(80), "logline": _s(300), "world": _s(400), "visual_style": _s(200),
                           "protagonist": character(True), "antagonist": character(True),
                           "others": {"type": "array", "minItems": 0, "maxItems": 3,
                                      "items": character(False, ("ally", "supporting"))},
                           "episodes": {"type": "array", "minItems": n_eps, "maxItems": n_eps, "items": arc}}}


def cast_of(data: dict) -> list[dict]:
    """The characters of a validated bible answer, each with its role."""
    return ([{**data["protagonist"], "role": "protagonist"}, {**data["antagonist"], "role": "antagonist"}]
            + [dict(c) for c in data["others"]])


def episode_schema(cast: list[str], max_scenes: int, changes: bool = False) -> dict:
    line = {"type": "object", "additionalProperties": False, "required": ["speaker", "parenthetical", "text"],
            "properties": {"speaker": {"enum": cast}, "parenthetical": _s(40, 0), "text": _s(300)}}
    shot = {"type": "object", "additionalProperties": False, "required": ["camera", "action", "seconds", "lines"],
            "properties": {"camera": {"enum": list(CAMERAS)}, "action": _s(300),
                           "seconds": {"type": "integer", "minimum": 2, "maximum": 12},
                           "lines": {"type": "array", "minItems": 0, "maxItems": 6, "items": line}}}
    change = {"type": "object", "additionalProperties": False, "required": ["who", "kind", "what"],
              "properties": {"who": {"enum": [*cast, PLACE]}, "kind": {"enum": list(CHANGE_KINDS)}, "what": _s(60)}}
    scene = {"type": "object", "additionalProperties": False,
             "required": ["interior", "location", "time_of_day", "mood", "shots"],
             "properties": {"interior": {"type": "boolean"}, "location": _s(40), "time_of_day": {"enum": list(TIMES)},
                            "mood": _s(30), "shots": {"type": "array", "minItems": 1, "maxItems": 8, "items": shot}}}
    if changes:  # a series: what each scene changes for the later ones (asked of a series only: see episode_prompt)
        scene["required"].append("changes")
        scene["properties"]["changes"] = {"type": "array", "minItems": 0, "maxItems": 2, "items": change}
    return {"type": "object", "additionalProperties": False, "required": ["title", "scenes"],
            "properties": {"title": _s(80),
                           "scenes": {"type": "array", "minItems": 1, "maxItems": max_scenes, "items": scene}}}


_TYPES = {"string": str, "object": dict, "array": list, "boolean": bool, "number": (int, float), "integer": int}


def validate(value, schema: dict, path: str = "$") -> list[str]:
    """The subset of JSON Schema the schemas above use. Returns problems as 'path: what is wrong'."""
    errs: list[str] = []
    if "enum" in schema:
        if value not in schema["enum"]:
            errs.append(f"{path}: {value!r} is not one of {schema['enum']}")
        return errs
    t = schema.get("type")
    if t:
        ok = isinstance(value, _TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool))
        if not ok:
            return [f"{path}: expected {t}, got {type(value).__name__}"]
    if t == "string":
        if len(value) < schema.get("minLength", 0):
            errs.append(f"{path}: empty" if not value else f"{path}: shorter than {schema['minLength']} characters")
        if len(value) > schema.get("maxLength", 10 ** 9):
            errs.append(f"{path}: longer than {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append(f"{path}: {value!r} does not match {schema['pattern']}")
    elif t in ("integer", "number"):
        if value < schema.get("minimum", float("-inf")) or value > schema.get("maximum", float("inf")):
            errs.append(f"{path}: {value} is outside {schema.get('minimum')}..{schema.get('maximum')}")
    elif t == "array":
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 10 ** 9):
            errs.append(f"{path}: has {len(value)} items; needs {schema.get('minItems', 0)} to {schema.get('maxItems', 'any')}")
        for i, v in enumerate(value):
            errs += validate(v, schema.get("items", {}), f"{path}[{i}]")
    elif t == "object":
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                errs.append(f"{path}.{k}: missing")
        for k, v in value.items():
            if k in props:
                errs += validate(v, props[k], f"{path}.{k}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{path}.{k}: not allowed")
    return errs


def parse_json_answer(content: str) -> object:
    """The JSON object in a chat answer; tolerates a ```json fence around it (some servers add one)."""
    text = content.strip()
    fence = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.DOTALL)
    if fence:
        text = fence.group(1)
    return json.loads(text)


# ---- building the model from validated answers ----------------------------------------------------

def _name(raw: str, language: str) -> str:
    return raw.strip() if language == "zh" else raw.strip().upper()


def bible_from_json(data: dict, req: WriteRequest) -> Bible:
    voice_provider = "piper" if req.language == "en" else "espeak-ng"
    voice_name = "en_US-joe-medium" if req.language == "en" else {"zh": "cmn", "fr": "fr"}[req.language]
    chars = []
    for c in cast_of(data):
        pitch, speed = REGISTERS[c["voice"]]
        chars.append(Character(name=_name(c["name"], req.language), role=c["role"], description=c["description"].strip(),
                               want=c.get("want", "").strip(), flaw=c.get("flaw", "").strip(), look=dict(c["look"]),
                               palette=tuple(c["palette"]), costume=c["costume"].strip(),
                               voice=Voice(provider=voice_provider, voice=voice_name, speed=speed, pitch=pitch,
                                           timbre=c["voice"])))
    n_eps = len(data["episodes"])
    arcs = tuple(EpisodeArc(number=i, title=a["title"].strip(), summary=a["summary"].strip(),
                            hook=a["hook"].strip() if i < n_eps else "")
                 for i, a in enumerate(data["episodes"], start=1))
    return Bible(title=data["title"].strip(), logline=data["logline"].strip(), world=data["world"].strip(),
                 visual_style=(req.style or data["visual_style"]).strip(), language=req.language,
                 characters=tuple(chars), arcs=arcs)


def episode_from_json(data: dict, number: int, bible: Bible, language: str) -> Episode:
    by_name = {c.name.upper(): c.name for c in bible.characters}
    scenes = []
    for si, sc in enumerate(data["scenes"], start=1):
        sid = f"ep{number:02d}-s{si:02d}"
        location = " ".join(sc["location"].split()).strip(" .-")
        loc = location if language == "zh" else location.upper()
        heading = f"{'INT.' if sc['interior'] else 'EXT.'} {loc} - {TIME_WORDS[language][sc['time_of_day']]}"
        shots, li = [], 0
        for hi, sh in enumerate(sc["shots"], start=1):
            lines = []
            for ln in sh["lines"]:
                li += 1
                lines.append(Line(id=f"{sid}-l{li:02d}", speaker=by_name.get(ln["speaker"].upper(), ln["speaker"]),
                                  text=" ".join(ln["text"].split()), language=language,
                                  parenthetical=ln["parenthetical"].strip().strip("()")))
            present = tuple(dict.fromkeys(ln.speaker for ln in lines))
            shots.append(Shot(id=f"{sid}-sh{hi:02d}", action=" ".join(sh["action"].split()), camera=sh["camera"],
                              characters=present, duration_frames=seconds_to_frames(sh["seconds"]),
                              lines=tuple(lines)))
        scenes.append(Scene(id=sid, heading=heading, interior=sc["interior"], location=loc,
                            time_of_day=sc["time_of_day"], mood=sc["mood"].strip().lower(), shots=tuple(shots)))
    return Episode(number=number, title=data["title"].strip(), scenes=tuple(scenes), language=language)


def episode_changes(data: dict, number: int, bible: Bible, language: str) -> list[tuple[str, Change]]:
    """(subject, change) for each change a validated episode answer lists: it happens during its scene, so it
    holds from the next scene on (the bible's `changes:`; story/changes.add puts them there). `carries` adds to what
    the character carries in force; `lets_go` empties it."""
    by_name = {c.name.upper(): c.name for c in bible.characters}
    out = []
    for si, sc in enumerate(data["scenes"], start=1):
        location = " ".join(sc["location"].split()).strip(" .-")
        loc = location if language == "zh" else location.upper()
        for ch in sc.get("changes", []):
            what, at = " ".join(ch["what"].split()), dict(episode=number, scene=si + 1)
            if ch["who"] == PLACE:
                out.append((loc, Change(**at, note=what)))
                continue
            name = by_name.get(ch["who"].upper(), ch["who"])
            c = bible.character(name)
            if ch["kind"] == "costume":
                out.append((name, Change(**at, costume=what)))
            elif ch["kind"] == "state":
                out.append((name, Change(**at, note=what)))
            elif ch["kind"] == "carries":
                held = c.at(number, si).props if c is not None else ()
                out.append((name, Change(**at, props=tuple(dict.fromkeys((*held, what))))))
            else:
                out.append((name, Change(**at, props=())))
    return out


def states_in_force(bible: Bible, n: int) -> str:
    """The characters' and places' states at the start of episode `n`, in words for the prompt ("" when none)."""
    said = []
    for c in bible.characters:
        s = c.at(n)
        if s.since:
            said.append(f"{c.name}: " + "; ".join(x for x in (f"wears {s.costume}" if s.costume else "", s.state,
                                                               f"carries {', '.join(s.props)}" if s.props else "") if x))
    for p in bible.places:
        s = p.at(n)
        if s.since and s.state:
            said.append(f"{p.name}: {s.state}")
    return "; ".join(said)


def runtime_seconds(ep: Episode, language: str) -> float:
    return sum(estimated_shot_seconds(s, language) for s in ep.shots())


def story_problems(data: dict, req: WriteRequest) -> list[str]:
    """The story's own rules, beyond what the schema can say."""
    names = [_name(c["name"], req.language) for c in cast_of(data)]
    if len(set(names)) != len(names):
        return ["$: two characters share a name; give each character a different name"]
    return []


# ---- the provider ---------------------------------------------------------------------------------

class OpenAIChatWriter:
    name = "openai-chat"
    version = "1"
    source_type = ledger.TRAINED
    deterministic = False  # sampled at `temperature`: see providers/base.py

    def __init__(self, env: dict | None = None, base_url: str = "https://api.openai.com/v1", model: str = "",
                 api_key_env: str = "OPENAI_API_KEY", response_format: str = "json_schema", temperature: float = 0.7,
                 attempts: int = 3, timeout: float = 600, max_tokens: int = 4096, strict: bool = True):
        where = f"filmcrew.toml: [providers.{self.name}]"
        if not model:
            raise ConfigError(f"{where} model: missing; name the model the server serves, e.g. model = \"gpt-4o-mini\"")
        if response_format not in ("json_schema", "json_object"):
            raise ConfigError(f"{where} response_format: {response_format!r}; use \"json_schema\" or \"json_object\"")
        if not isinstance(attempts, int) or attempts < 1:
            raise ConfigError(f"{where} attempts: {attempts!r}; use a whole number of at least 1")
        self.http = http.Endpoint(self.name, base_url, api_key_env, env)
        self.base_url = self.http.base_url
        self.model = model
        self.api_key_env = api_key_env
        self.response_format = response_format
        self.temperature = float(temperature)
        self.attempts = attempts
        self.timeout = float(timeout)
        self.max_tokens = int(max_tokens)
        self.strict = bool(strict)

    # -- transport -----------------------------------------------------------------------------------
    def _post(self, body: dict) -> dict:
        raw = http.post_json(self.http, "/chat/completions", body, self.timeout, self.attempts)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ProviderError(f"{self.name}: {self.base_url}/chat/completions answered something that is not JSON "
                                f"({err}); is base_url an OpenAI-compatible endpoint ending in /v1?") from None

    def ask(self, what: str, system: str, prompt: str, schema: dict, check, seed: int) -> dict:
        """Ask for JSON matching `schema`; `check(data)` adds the story's own problems. Repairs, then gives up."""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
        if self.response_format == "json_schema":
            fmt = {"type": "json_schema", "json_schema": {"name": what.replace(" ", "_"), "strict": self.strict, "schema": schema}}
        else:
            fmt = {"type": "json_object"}
            messages[1]["content"] += "\n\nThe JSON schema your answer must match:\n" + json.dumps(schema, ensure_ascii=False)
        problems: list[str] = []
        for attempt in range(1, self.attempts + 1):
            body = {"model": self.model, "messages": messages, "temperature": self.temperature,
                    "max_tokens": self.max_tokens, "seed": seed + attempt - 1, "response_format": fmt}
            log.info("%s: asking %s for the %s (attempt %d of %d)", self.name, self.model, what, attempt, self.attempts)
            t0 = time.monotonic()
            answer = self._post(body)
            try:
                choice = answer["choices"][0]
                content = choice["message"]["content"] or ""
            except (KeyError, IndexError, TypeError):
                raise ProviderError(f"{self.name}: the answer has no choices[0].message.content; "
                                    f"is {self.base_url} an OpenAI-compatible chat-completions server?") from None
            try:
                data = parse_json_answer(content)
            except json.JSONDecodeError as err:
                cut = " (the answer was cut off at max_tokens)" if choice.get("finish_reason") == "length" else ""
                problems = [f"not valid JSON{cut}: {err.msg} at line {err.lineno} column {err.colno}"]
            else:
                problems = validate(data, schema)
                if not problems:
                    problems = check(data)
                if not problems:
                    log.info("%s: the %s is valid (%.0f s)", self.name, what, time.monotonic() - t0)
                    return data
            log.info("%s: the %s has %d problem(s), first: %s", self.name, what, len(problems), problems[0])
            messages = messages[:2] + [
                {"role": "assistant", "content": content[:6000]},
                {"role": "user", "content": "That answer has these problems:\n- " + "\n- ".join(problems[:20]) +
                 "\nAnswer again with the whole corrected JSON object and nothing else."}]
        raise ProviderError(f"{self.name}: the {what} from {self.model} was still invalid after {self.attempts} "
                            f"attempt(s):\n  " + "\n  ".join(problems[:12]) +
                            f"\nTry a larger model, raise attempts in [providers.{self.name}], or use the default "
                            f"writer (story-engine)")

    # -- the Translator protocol ------------------------------------------------------------------
    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """Subtitles in another language: every line, in order, as one constrained JSON answer."""
        if not texts:
            return []
        for lang in (source, target):
            if lang not in LANGUAGE_NAMES:
                raise ProviderError(f"{self.name}: cannot translate {lang!r}; languages: {', '.join(LANGUAGE_NAMES)}")
        system = (f"You translate a film's subtitles from {LANGUAGE_NAMES[source]} into {LANGUAGE_NAMES[target]}. "
                  f"Keep each line's meaning, tone and names, short enough to read on screen. You answer with one JSON "
                  f"object only, matching the schema.")
        prompt = (f"Translate each of these {len(texts)} lines into {LANGUAGE_NAMES[target]}, in the same order, as "
                  f"{{\"lines\": [...]}} with exactly {len(texts)} strings:\n" + json.dumps(texts, ensure_ascii=False))
        data = self.ask(f"{LANGUAGE_NAMES[target]} subtitles", system, prompt, translation_schema(len(texts)),
                        translation_problems(target), seed=len(texts))
        return [" ".join(t.split()) for t in data["lines"]]

    # -- the Writer protocol ------------------------------------------------------------------------
    def write(self, req: WriteRequest) -> StoryDraft:
        if not req.premise or not req.premise.strip():
            raise ConfigError("filmcrew.toml: [film] premise: is empty; write one sentence describing the story")
        if req.language not in LANGUAGE_NAMES:
            raise ConfigError(f"filmcrew.toml: [film] language: {self.name} writes en, zh, fr, not {req.language!r}")
        system = system_prompt(req)
        data = self.ask("bible", system, bible_prompt(req), bible_schema(req), lambda d: story_problems(d, req), req.seed)
        bible = bible_from_json(data, req)
        episodes = []
        target = req.minutes * 60.0
        for n in range(1, len(bible.arcs) + 1):
            prompt, schema = episode_prompt(req, data, bible, n)
            ep_data = self.ask(f"episode {n}", system, prompt, schema, _runtime_check(n, bible, req.language, target),
                               req.seed + 100 * n)
            episodes.append(fit_runtime(episode_from_json(ep_data, n, bible, req.language), req.language, target))
            # what this episode changes holds in the next ones (and their prompts say so)
            bible = story_changes.add(bible, episode_changes(ep_data, n, bible, req.language))
        return StoryDraft(bible=bible, episodes=tuple(episodes))


# ---- prompts --------------------------------------------------------------------------------------

def _cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def translation_schema(n: int) -> dict:
    return {"type": "object", "additionalProperties": False, "required": ["lines"],
            "properties": {"lines": {"type": "array", "minItems": n, "maxItems": n, "items": _s(300)}}}


def translation_problems(target: str):
    """What a translation must be beyond the schema: in the target's script."""
    def check(data: dict) -> list[str]:
        want_cjk = target == "zh"
        return [f"$.lines[{k}]: {t!r} is not in {LANGUAGE_NAMES[target]}" for k, t in enumerate(data["lines"])
                if _cjk(t) != want_cjk]
    return check


def system_prompt(req: WriteRequest) -> str:
    return (f"You are the head writer of a film crew. You write vivid, specific, surprising stories in "
            f"{LANGUAGE_NAMES[req.language]}, never cliches. You answer with one JSON object only, matching the schema "
            f"you are given.")


def bible_prompt(req: WriteRequest) -> str:
    lang = LANGUAGE_NAMES[req.language]
    n_eps = req.episodes if req.format == "series" else 1
    kind = (f"a vertical micro-drama series of {n_eps} episodes of about {req.minutes:g} minutes each"
            if req.format == "series" else f"a short film of about {req.minutes:g} minutes")
    return (f"Premise: {req.premise.strip()}\nFormat: {kind}.\n"
            + (f"Genre: {req.genre}.\n" if req.genre else "") + (f"Visual style: {req.style}.\n" if req.style else "")
            + f"Write the series bible in {lang}: a title, a one-sentence logline, the world, the visual style, "
              f"the protagonist (a concrete want, and a flaw that gets in the way), the antagonist or opposing force "
              f"(what it wants too), up to 3 others, each with a different name, and one arc per episode"
            + (" (every episode but the last ends on a hook or cliffhanger)." if n_eps > 1 else ".")
            + (" Character names are in capital Latin letters." if req.language != "zh" else ""))


def episode_prompt(req: WriteRequest, bible_answer: dict, bible: Bible, n: int) -> tuple[str, dict]:
    """The prompt and schema for episode `n`, given the validated bible answer."""
    lang = LANGUAGE_NAMES[req.language]
    n_eps = len(bible.arcs)
    target = req.minutes * 60.0
    arc = bible.arcs[n - 1]
    cast = [c.name for c in bible.characters]
    scenes = max(2, round(target / 25))
    ending = ("End on a hook or cliffhanger that makes the viewer want the next episode." if n < n_eps
              else "Resolve the story: the protagonist's flaw is tested and the want is won or lost.")
    prompt = (f"The bible: {json.dumps(bible_answer, ensure_ascii=False)}\n\n"
              f"Write episode {n} of {n_eps}, \"{arc.title}\": {arc.summary}\n"
              f"In {lang}. About {scenes} scenes and {target:.0f} seconds of screen time in all: every shot is one action "
              f"paragraph (what we see, present tense) with 0 to 3 lines of dialogue that move the story; a line takes "
              f"about {'4 characters' if req.language == 'zh' else '2.6 words'} per second to say. Scenes escalate. "
              f"{ending} Speakers are only: {', '.join(cast)}.")
    series = n_eps > 1  # the changes are asked of a series only: a short film's prompt and schema stay as they were
    if series:          # (a 135M test model given the longer prompt ran into repetitions: tests/providers/test_llm_writer.py)
        prompt += ((f" In force from earlier episodes, to show as it is: {states_in_force(bible, n)}." if n > 1 and
                    states_in_force(bible, n) else "")
                   + f" In each scene's `changes`, list what happens in it that later scenes and episodes must show "
                     f"(who: a speaker, or {PLACE} for the scene's place; kind: costume (what they wear from now), state "
                     f"(an injury, a haircut, mud, a place's damage), carries (a thing they keep), lets_go (they carry "
                     f"nothing now); what: in a few words); an empty list when nothing changes.")
    return prompt, episode_schema(cast, max(3, scenes * 2), changes=series)


def fit_runtime(ep: Episode, language: str, target: float) -> Episode:
    """Stretch or tighten the shots' held durations (2 to 12 s, never under their dialogue) by one common
    factor so the episode's estimated runtime comes as close to `target` as those bounds allow. Only the
    [[shot: Ns]] lengths change; no word the model wrote is touched."""
    def scaled(k: float) -> Episode:
        scenes = []
        for sc in ep.scenes:
            shots = tuple(replace(sh, duration_frames=seconds_to_frames(round(min(12.0, max(2.0, frames_to_seconds(
                sh.duration_frames or seconds_to_frames(2.0)) * k)), 1))) for sh in sc.shots)
            scenes.append(replace(sc, shots=shots))
        return replace(ep, scenes=tuple(scenes))
    lo, hi = 0.05, 20.0
    best = ep
    for _ in range(30):
        k = (lo * hi) ** 0.5
        best = scaled(k)
        est = runtime_seconds(best, language)
        if abs(est - target) <= 0.02 * target:
            break
        lo, hi = (k, hi) if est < target else (lo, k)
    return best


def _runtime_check(n: int, bible: Bible, language: str, target: float):
    def check(data: dict) -> list[str]:
        ep = fit_runtime(episode_from_json(data, n, bible, language), language, target)
        est = runtime_seconds(ep, language)
        if abs(est - target) > 0.15 * target:
            more = "longer: add a scene or lines" if est < target else "shorter: drop a scene or cut lines"
            return [f"$.scenes: even with every shot held 2 to 12 s this episode runs about {est:.0f} s, but it must run "
                    f"{target:.0f} s (within 15%); make it {more}"]
        return []
    return check
