"""The project's files: filmcrew.toml (Config), story/bible.yaml (the bible), story/epNN.fountain.

Reading and validating them lives here; the data model stays pure. Where each file of the project folder lies
is said once, by `Layout` (engine/layout.py, importable by every wing; re-exported here).
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import tomli_w
import yaml

from .engine import atomic
from .engine.layout import CONFIG_NAME, Layout
from .engine.money import budget_amount
from .errors import ConfigError, FilmcrewError, ScriptError, did_you_mean, read_text
from .ledger import SECRET_HINTS
from .model import ASPECTS, FORMATS, LANGUAGES, Bible, Change, Character, EpisodeArc, Place, Voice
from .consistency.settings import Consistency
from .provenance.labels import CODE_RE, POSITIONS, Labels
from .media import fonts
from .story import fountain, screenplay

ROLES = ("writer", "illustrator", "animator", "voice", "composer", "foley", "editor", "finisher", "translator")
DEFAULT_PROVIDERS = {"writer": "story-engine", "illustrator": "procedural", "animator": "camera-moves",
                     "voice": "piper", "composer": "midi", "foley": "synth-foley"}


EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class Run:
    """[run]: where a make's tasks run. executor "local" (a thread pool here) or "ray" (a Ray cluster: `address`
    "auto", "ray://HOST:10001", or empty for RAY_ADDRESS or a Ray started for the make)."""
    executor: str = "local"
    address: str = ""


@dataclass(frozen=True)
class Config:
    premise: str
    format: str = "short"
    episodes: int = 1
    minutes: float = 1.5
    aspect: str = "9:16"
    language: str = "en"
    style: str = "storybook"
    genre: str = ""
    seed: int = 1
    contest: str = ""  # the contest or platform profile the film aims at (provenance/profiles; "" for none)
    subtitle_languages: list = field(default_factory=list)  # extra subtitle tracks, made by the translator
    recap: int = 0  # a series' episodes from the 2nd open with the last N shots of the one before (cli/recap.py)
    cold_open: bool = False  # and play their first scene before their title card
    burn: str = ""  # the film's burned-in subtitles: "" its own language, "none", or one of subtitle_languages
    providers: dict = field(default_factory=lambda: dict(DEFAULT_PROVIDERS))
    provider_settings: dict = field(default_factory=dict)  # [providers.NAME] tables
    labels: Labels = Labels()
    budget: float | None = None  # [budget] max: what the remote models may cost in all (None: no limit)
    currency: str = "USD"  # [budget] currency
    consistency: Consistency = Consistency()  # [consistency]: the character consistency check
    run: Run = Run()  # [run]: the executor

    @property
    def size(self) -> tuple[int, int]:
        return ASPECTS[self.aspect]


def validate(cfg: Config, path: str = CONFIG_NAME) -> Config:
    def bad(field_: str, msg: str) -> ConfigError:
        return ConfigError(f"{path}: [film] {field_}: {msg}")

    if not isinstance(cfg.premise, str) or not cfg.premise.strip():
        raise bad("premise", "is empty; write one sentence, e.g. premise = \"A fisherman challenges the god of floods\"")
    for name in ("format", "aspect", "language", "style", "genre", "contest"):
        v = getattr(cfg, name)
        if not isinstance(v, str):
            raise bad(name, f"{v!r} must be text in quotes, e.g. {name} = \"{getattr(Config, name, '') or 'drama'}\"")
    if cfg.format not in FORMATS:
        raise bad("format", f"{cfg.format!r} is not one of {', '.join(FORMATS)}")
    if not isinstance(cfg.episodes, int) or isinstance(cfg.episodes, bool) or not 1 <= cfg.episodes <= 99:
        raise bad("episodes", f"{cfg.episodes!r} must be a whole number from 1 to 99")
    if cfg.format == "short" and cfg.episodes != 1:
        raise bad("episodes", "a short film has exactly 1 episode; use format = \"series\" for more")
    if not isinstance(cfg.minutes, (int, float)) or isinstance(cfg.minutes, bool) or not 0.25 <= cfg.minutes <= 30:
        raise bad("minutes", f"{cfg.minutes!r} must be a number of minutes from 0.25 to 30")
    if cfg.aspect not in ASPECTS:
        raise bad("aspect", f"{cfg.aspect!r} is not one of {', '.join(ASPECTS)}")
    if cfg.language not in LANGUAGES:
        raise bad("language", f"{cfg.language!r} is not one of {', '.join(LANGUAGES)}")
    if cfg.contest:
        from .provenance.check import available_profiles
        if cfg.contest not in available_profiles():
            raise bad("contest", f"{cfg.contest!r} is not a known contest or platform; known: "
                                 f"{', '.join(sorted(available_profiles()))}")
    if not isinstance(cfg.seed, int) or isinstance(cfg.seed, bool):
        raise bad("seed", f"{cfg.seed!r} must be a whole number")
    if not isinstance(cfg.recap, int) or isinstance(cfg.recap, bool) or not 0 <= cfg.recap <= 12:
        raise bad("recap", f"{cfg.recap!r} must be a whole number from 0 (no recap) to 12: how many of the previous "
                           f"episode's last shots open each episode")
    if not isinstance(cfg.cold_open, bool):
        raise bad("cold_open", f"{cfg.cold_open!r} must be true or false")
    langs = cfg.subtitle_languages
    if not isinstance(langs, list) or any(x not in LANGUAGES or x == cfg.language for x in langs):
        raise bad("subtitle_languages", f"{langs!r}: a list of extra subtitle languages from {', '.join(LANGUAGES)}, "
                                        f"other than the film's own ({cfg.language})")
    if not isinstance(cfg.burn, str) or (cfg.burn not in ("", "none", cfg.language) and cfg.burn not in langs):
        raise bad("burn", f"{cfg.burn!r} is not among subtitle_languages ({', '.join(langs) or 'none set'}): add it to "
                          f"subtitle_languages (with a translator under [providers]), or burn one of: "
                          f"{', '.join([cfg.language, *langs, 'none'])}")
    if langs and "translator" not in cfg.providers:
        raise bad("subtitle_languages", "translated subtitles need a translator, and no offline translation model "
                                        "ships with filmcrew: set translator = \"openai-chat\" under [providers] and "
                                        "[providers.openai-chat] base_url, model and api_key_env (any OpenAI-compatible "
                                        "server, e.g. a local llama.cpp), or remove subtitle_languages")
    lb = cfg.labels
    for f_ in ("producer", "reserved1", "reserved2"):
        v = getattr(lb, f_)
        if not isinstance(v, str) or not CODE_RE.match(v) or (f_ == "producer" and not v):
            raise ConfigError(f"{path}: [labels] {f_}: {v!r} must be printable ASCII without spaces, quotes or "
                              f"backslashes (it goes in the AIGC tag), e.g. producer = \"studio-042\"")
    if lb.position not in POSITIONS:
        raise ConfigError(f"{path}: [labels] position: {lb.position!r}; use top-left, top-right, bottom-left or bottom-right")
    if not isinstance(lb.seconds, (int, float)) or isinstance(lb.seconds, bool) or not 2 <= lb.seconds <= 10:
        raise ConfigError(f"{path}: [labels] seconds: {lb.seconds!r}; the label must show at least 2 s (at most 10)")
    if lb.audio not in ("rhythm", "spoken"):
        raise ConfigError(f"{path}: [labels] audio: {lb.audio!r}; use \"rhythm\" or \"spoken\" (audio exports always carry one)")
    if not isinstance(lb.repeat_at_end, bool):
        raise ConfigError(f"{path}: [labels] repeat_at_end: {lb.repeat_at_end!r}; use true or false")
    if cfg.budget is not None:
        budget_amount(cfg.budget, f"{path}: [budget] max", "max = 20.0")
    if not isinstance(cfg.currency, str) or not re.fullmatch(r"[A-Z]{3}", cfg.currency):
        raise ConfigError(f"{path}: [budget] currency: {cfg.currency!r} must be a three-letter code such as \"USD\" "
                          f"or \"CNY\"")
    for role in cfg.providers:
        if role not in ROLES:
            raise ConfigError(f"{path}: [providers] {role}: unknown role; roles are {', '.join(ROLES)}")
    return cfg


def load_config(root: Path) -> Config:
    path = Layout.of(root).config
    if not path.exists():
        raise ConfigError(f"{path}: not found; create a project with `filmcrew new {root}`")
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: malformed TOML ({err}); fix the syntax on that line") from err
    film = data.get("film")
    if not isinstance(film, dict):
        raise ConfigError(f"{path}: missing [film] table; it holds premise, format, episodes, minutes, ...")
    known = {f.name for f in fields(Config)} - {"providers", "provider_settings", "labels", "budget", "currency",
                                                 "consistency", "run"}
    unknown = set(film) - known
    if unknown:
        raise ConfigError(f"{path}: [film] {sorted(unknown)[0]}: unknown field; known fields: {', '.join(sorted(known))}")
    if "premise" not in film:
        raise ConfigError(f"{path}: [film] premise: missing; write one sentence describing the story")
    prov = data.get("providers", {})
    if not isinstance(prov, dict):
        raise ConfigError(f"{path}: [providers] must be a table of role = \"provider-name\"")
    chosen = dict(DEFAULT_PROVIDERS)
    settings = {}
    for k, v in prov.items():
        if isinstance(v, dict):
            settings[k] = v
        elif isinstance(v, str):
            chosen[k] = v
        else:
            raise ConfigError(f"{path}: [providers] {k}: must be a provider name in quotes")
    from .providers import registry
    for role, name in chosen.items():  # a video model as illustrator, an image model as animator...
        if role in registry.ROLE_METHODS and name in registry.available() and not registry.plays(name, role):
            raise ConfigError(f"{path}: [providers] {role} = {name!r}: {name} does not play the {role}; choose one of "
                              f"{', '.join(registry.for_role(role))}")
    for k, v in settings.items():
        for sk, sv in v.items():
            if any(h in sk.lower() for h in SECRET_HINTS) and not sk.lower().endswith("_env"):
                raise ConfigError(f"{path}: [providers.{k}] {sk}: secrets never go in filmcrew.toml; "
                                  f"put the key in an environment variable and write {sk}_env = \"VAR_NAME\"")
    lab = data.get("labels", {})
    if not isinstance(lab, dict):
        raise ConfigError(f"{path}: [labels] must be a table")
    if any(k in lab for k in ("visible", "enabled", "hidden", "off")):
        raise ConfigError(f"{path}: [labels]: AI labels cannot be switched off (GB 45438 §5.4 and EU AI Act Art. 50 "
                          f"require them); remove that field. You can set producer, reserved1, reserved2, position, "
                          f"seconds, repeat_at_end, audio")
    known_l = {f.name for f in fields(Labels)}
    for k in lab:
        if k not in known_l:
            raise ConfigError(f"{path}: [labels] {k}: unknown field; known fields: {', '.join(sorted(known_l))}")
    budget = data.get("budget", {})
    if not isinstance(budget, dict):
        raise ConfigError(f"{path}: [budget] must be a table with max and currency")
    for k in budget:
        if k not in ("max", "currency"):
            raise ConfigError(f"{path}: [budget] {k}: unknown field; known fields: currency, max")
    cons = data.get("consistency", {})
    if not isinstance(cons, dict):
        raise ConfigError(f"{path}: [consistency] must be a table (check, threshold, max_retakes, ...)")
    known_c = {f.name for f in fields(Consistency)}
    for k in cons:
        if k not in known_c:
            raise ConfigError(f"{path}: [consistency] {k}: unknown field; known fields: {', '.join(sorted(known_c))}")
    consistency = Consistency(**cons)
    consistency.validate(str(path))
    run = data.get("run", {})
    if not isinstance(run, dict):
        raise ConfigError(f"{path}: [run] must be a table (executor, address)")
    for k, v in run.items():
        if k not in ("executor", "address"):
            raise ConfigError(f"{path}: [run] {k}: unknown field; known fields: address, executor")
        if not isinstance(v, str):
            raise ConfigError(f"{path}: [run] {k}: must be text in quotes")
    if run.get("executor", "local") not in EXECUTORS:
        raise ConfigError(f"{path}: [run] executor: {run['executor']!r} is not one of {', '.join(EXECUTORS)}")
    try:
        cfg = Config(**film, providers=chosen, provider_settings=settings, labels=Labels(**lab),
                     budget=budget.get("max"), currency=budget.get("currency", "USD"), consistency=consistency,
                     run=Run(**run))
    except TypeError as err:
        raise ConfigError(f"{path}: [film]: {err}") from err
    return validate(cfg, str(path))


def create(root: Path, cfg: Config, where: str = "--premise/--format/...") -> Config:
    """A new project folder (`filmcrew new`, the studio's new film): filmcrew.toml and its folders."""
    folder = Layout.of(root)
    if folder.config.exists():
        raise FilmcrewError(f"{folder.config}: already exists; edit it, or choose another folder")
    cfg = validate(cfg, where)
    folder.ensure()
    save_config(root, cfg)
    return cfg


def save_config(root: Path, cfg: Config) -> None:
    film = {k: v for k, v in asdict(cfg).items() if k not in ("providers", "provider_settings", "labels", "budget",
                                                                  "currency", "consistency", "run")}
    if not film.get("contest"):
        film.pop("contest", None)
    for k in ("recap", "cold_open", "burn"):  # (left out while off: the files written before them stay as they were)
        if not film.get(k):
            film.pop(k, None)
    data: dict = {"film": film, "labels": asdict(cfg.labels), "providers": dict(cfg.providers)}
    if cfg.budget is not None:
        data["budget"] = {"max": cfg.budget, "currency": cfg.currency}
    if cfg.consistency != Consistency():
        data["consistency"] = asdict(cfg.consistency)
    if cfg.run != Run():
        data["run"] = asdict(cfg.run)
    for k, v in cfg.provider_settings.items():
        data["providers"][k] = v
    atomic.write_text(Layout.of(root).config, tomli_w.dumps(data))


# ---- bible.yaml ---------------------------------------------------------------------------------

COLOUR_LOOKS = ("skin", "hair_colour", "eyes", "aura")  # the look fields the illustrator paints with


def is_colour(v) -> bool:
    """'#rrggbb' (or '#rgb') or a colour name the drawing library knows."""
    if not isinstance(v, str) or not v.strip():
        return False
    from PIL import ImageColor
    try:
        ImageColor.getrgb(v.strip())
        return True
    except ValueError:
        return False

def bible_to_dict(b: Bible) -> dict:
    return {
        "schema_version": b.schema_version,
        "title": b.title,
        "logline": b.logline,
        "language": b.language,
        "world": b.world,
        "visual_style": b.visual_style,
        "characters": [
            {"name": c.name, "role": c.role, "description": c.description, "want": c.want, "flaw": c.flaw,
             "look": dict(c.look), "palette": list(c.palette), "costume": c.costume,
             "voice": {k: v for k, v in asdict(c.voice).items() if k != "emotion" or v},
             **({"changes": [_change_to_dict(ch) for ch in c.changes]} if c.changes else {})}
            for c in b.characters
        ],
        "episodes": [{"number": a.number, "title": a.title, "summary": a.summary, "hook": a.hook} for a in b.arcs],
        **({"places": [{"name": p.name, "description": p.description,
                        **({"changes": [_change_to_dict(ch) for ch in p.changes]} if p.changes else {})}
                       for p in b.places]} if b.places else {}),
    }


def _change_to_dict(ch: Change) -> dict:
    d = {"episode": ch.episode, **({"scene": ch.scene} if ch.scene else {})}
    for k in ("costume", "palette", "props", "note"):
        v = getattr(ch, k)
        if v is not None:
            d[k] = list(v) if isinstance(v, tuple) else v
    if ch.look:
        d["look"] = dict(ch.look)
    return d


BIBLE_KEYS = ("schema_version", "title", "logline", "language", "world", "visual_style", "characters", "episodes",
              "places")
VOICE_EMOTIONS = ("", "happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral", "calm", "cold", "excited",
                  "whisper", "tender")  # a character's voice.emotion (the words of providers/remote/speech.py)
CHARACTER_KEYS = ("name", "role", "description", "want", "flaw", "look", "palette", "costume", "voice", "changes")
CHANGE_KEYS = ("episode", "scene", "costume", "look", "palette", "props", "note")  # a character's change
PLACE_KEYS = ("name", "description", "changes")
PLACE_CHANGE_KEYS = ("episode", "scene", "note")  # a place's change: its damage, decoration, weather
ARC_KEYS = ("number", "title", "summary", "hook")


def _known_keys(d: dict, known: tuple, where: str) -> None:
    """A key the bible does not read is a mistake (a misspelt `palete` would be dropped without a word)."""
    for key in d:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}" + did_you_mean(key, known)
                              + f" (the keys read here: {', '.join(known)})")


def bible_from_dict(d: dict, path: str = "story/bible.yaml") -> Bible:
    from .model import SCHEMA_VERSION
    if not isinstance(d, dict):
        raise ConfigError(f"{path}: must be a mapping with title, logline, characters, ...")
    _known_keys(d, BIBLE_KEYS, path)
    version = d.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(f"{path}: schema_version: {version!r} must be a whole number (this filmcrew writes "
                          f"{SCHEMA_VERSION})")
    if version > SCHEMA_VERSION:
        raise ConfigError(f"{path}: schema_version {version} was written by a newer filmcrew (this one reads up to "
                          f"{SCHEMA_VERSION}); upgrade filmcrew, or set it to {SCHEMA_VERSION} if you wrote it by hand")
    for req in ("title", "logline"):
        if not isinstance(d.get(req), str) or not d[req].strip():
            raise ConfigError(f"{path}: {req}: missing or empty; give the film a {req}")
    for key in ("characters", "episodes"):
        if not isinstance(d.get(key) or [], list):
            raise ConfigError(f"{path}: {key}: {d[key]!r} must be a list (one '- ' item per "
                              f"{'character' if key == 'characters' else 'episode'})")
    for key in ("world", "visual_style", "language"):
        if not isinstance(d.get(key, ""), str):
            raise ConfigError(f"{path}: {key}: {d[key]!r} must be text")
    chars = []
    for i, c in enumerate(d.get("characters") or []):
        where = f"{path}: characters[{i}]"
        if not isinstance(c, dict):
            raise ConfigError(f"{where}: {c!r} must be a mapping with name, role, description, look, palette, voice")
        _known_keys(c, CHARACTER_KEYS, where)
        if not isinstance(c.get("name"), str) or not c["name"].strip():
            raise ConfigError(f"{where}.name: every character needs a name (as written in the screenplay cues)")
        if any(ch in c["name"] for ch in "\n\r\t") or any(ch in c["name"] for ch in "()^@#[]"):
            raise ConfigError(f"{where}.name: {c['name']!r} cannot be a screenplay cue: a name is one line, without "
                              f"( ) ^ @ # [ ]")
        twin = next((k for k, o in enumerate(chars) if o.name == c["name"].strip().upper()), None)
        if twin is not None:
            raise ConfigError(f"{where}.name: {c['name'].strip()!r} is also characters[{twin}]: two characters cannot "
                              f"share a name (the screenplay's cues could not tell them apart); rename one")
        for key in ("role", "description", "want", "flaw", "costume"):
            if isinstance(c.get(key), (dict, list)):
                raise ConfigError(f"{where}.{key}: must be text, not a {'mapping' if isinstance(c[key], dict) else 'list'}")
        v = c.get("voice") or {}
        if not isinstance(v, dict):
            raise ConfigError(f"{where}.voice: must be a mapping (provider, voice, speed, pitch, timbre, emotion)")
        try:
            voice = Voice(**v)
            speed, pitch = float(voice.speed), float(voice.pitch)
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{where}.voice: {err}; allowed keys: provider, voice, speed, pitch, timbre, "
                              f"emotion") from err
        if voice.emotion not in VOICE_EMOTIONS:
            raise ConfigError(f"{where}.voice.emotion: {voice.emotion!r} is not an emotion filmcrew knows; use one of "
                              f"{', '.join(e for e in VOICE_EMOTIONS if e)} (or leave it out)")
        if not 0.5 <= speed <= 2.0:
            raise ConfigError(f"{where}.voice.speed: {speed} must be between 0.5 and 2.0")
        if not -12 <= pitch <= 12:
            raise ConfigError(f"{where}.voice.pitch: {pitch} must be between -12 and 12 semitones")
        look = c.get("look") or {}
        if not isinstance(look, dict):
            raise ConfigError(f"{where}.look: must be a mapping (face, skin, hair, eyes, build, ...)")
        for key in COLOUR_LOOKS:
            if key in look and not is_colour(look[key]):
                raise ConfigError(f"{where}.look.{key}: {look[key]!r} is not a colour; write it as '#rrggbb' "
                                  f"(e.g. '#c68642') or a colour name such as 'tan'")
        palette = c.get("palette") or []
        if not isinstance(palette, list):
            raise ConfigError(f"{where}.palette: {palette!r} must be a list of colours, e.g. ['#b03a2e', '#f5cba7']")
        for k, col in enumerate(palette):
            if not is_colour(col):
                raise ConfigError(f"{where}.palette[{k}]: {col!r} is not a colour; write it as '#rrggbb' (e.g. '#b03a2e')")
        chars.append(Character(name=c["name"].strip().upper(), role=str(c.get("role", "supporting")),
                               description=str(c.get("description", "")), want=str(c.get("want", "")),
                               flaw=str(c.get("flaw", "")), look={str(k): str(v) for k, v in look.items()},
                               palette=tuple(str(p) for p in palette),
                               costume=str(c.get("costume", "")),
                               voice=Voice(provider=str(voice.provider), voice=str(voice.voice), speed=speed,
                                           pitch=pitch, timbre=str(voice.timbre), emotion=voice.emotion),
                               changes=_changes(c.get("changes"), f"{where}.changes", CHANGE_KEYS)))
    arcs = []
    for i, a in enumerate(d.get("episodes") or []):
        if not isinstance(a, dict) or not isinstance(a.get("number"), int):
            raise ConfigError(f"{path}: episodes[{i}].number: each episode arc needs a whole-number number")
        _known_keys(a, ARC_KEYS, f"{path}: episodes[{i}]")
        arcs.append(EpisodeArc(number=a["number"], title=str(a.get("title", "")), summary=str(a.get("summary", "")),
                               hook=str(a.get("hook", ""))))
    places = []
    if not isinstance(d.get("places") or [], list):
        raise ConfigError(f"{path}: places: {d['places']!r} must be a list (one '- name: ...' item per place)")
    for i, p in enumerate(d.get("places") or []):
        where = f"{path}: places[{i}]"
        if not isinstance(p, dict):
            raise ConfigError(f"{where}: {p!r} must be a mapping with name, description, changes")
        _known_keys(p, PLACE_KEYS, where)
        if not isinstance(p.get("name"), str) or not p["name"].strip():
            raise ConfigError(f"{where}.name: every place needs a name (as written in the scene headings, e.g. "
                              f"OLD DOCK)")
        if isinstance(p.get("description"), (dict, list)):
            raise ConfigError(f"{where}.description: must be text")
        places.append(Place(name=p["name"].strip().upper(), description=str(p.get("description", "")),
                            changes=_changes(p.get("changes"), f"{where}.changes", PLACE_CHANGE_KEYS)))
    return Bible(title=d["title"].strip(), logline=d["logline"].strip(), world=str(d.get("world", "")),
                 visual_style=str(d.get("visual_style", "")), language=str(d.get("language", "en")),
                 characters=tuple(chars), arcs=tuple(arcs), places=tuple(places))


def _changes(items, where: str, known: tuple) -> tuple[Change, ...]:
    """A character's or place's `changes:` list: each with the episode (and scene) it takes effect from."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ConfigError(f"{where}: {items!r} must be a list, e.g. [{{episode: 2, costume: \"grey shirt\", "
                          f"note: \"injured left arm\"}}]")
    out, seen = [], {}
    for k, ch in enumerate(items):
        at = f"{where}[{k}]"
        if not isinstance(ch, dict):
            raise ConfigError(f"{at}: {ch!r} must be a mapping with episode and what changes ({', '.join(known[2:])})")
        _known_keys(ch, known, at)
        for key in ("episode", "scene"):
            v = ch.get(key, 0 if key == "scene" else None)
            if not isinstance(v, int) or isinstance(v, bool) or v < (1 if key == "episode" else 0):
                raise ConfigError(f"{at}.{key}: {v!r} must be a whole number" + (
                    " from 1: the episode the change takes effect in" if key == "episode" else
                    " (the number in the scene's id: ep02-s03 is 3; leave it out for the episode's start)"))
        when = (ch["episode"], ch.get("scene", 0))
        if when in seen:
            raise ConfigError(f"{at}: a second change at episode {when[0]}" + (f" scene {when[1]}" if when[1] else "")
                              + f" (changes[{seen[when]}] is there too); put both in one")
        seen[when] = k
        if not set(ch) - {"episode", "scene"}:
            raise ConfigError(f"{at}: says when but not what changes; give one of {', '.join(known[2:])}")
        for key in ("costume", "note"):
            if key in ch and not isinstance(ch[key], str):
                raise ConfigError(f"{at}.{key}: {ch[key]!r} must be text")
        look = ch.get("look") or {}
        if not isinstance(look, dict):
            raise ConfigError(f"{at}.look: must be a mapping (the look fields that change, e.g. hair: short)")
        for key in COLOUR_LOOKS:
            if key in look and not is_colour(look[key]):
                raise ConfigError(f"{at}.look.{key}: {look[key]!r} is not a colour; write it as '#rrggbb'")
        palette = ch.get("palette")
        if palette is not None:
            if not isinstance(palette, list) or not palette:
                raise ConfigError(f"{at}.palette: {palette!r} must be a list of colours, e.g. ['#7f8c8d', '#f5cba7']")
            for j, col in enumerate(palette):
                if not is_colour(col):
                    raise ConfigError(f"{at}.palette[{j}]: {col!r} is not a colour; write it as '#rrggbb'")
        props = ch.get("props")
        if props is not None and (not isinstance(props, list) or not all(isinstance(x, str) and x.strip()
                                                                         for x in props)):
            raise ConfigError(f"{at}.props: {props!r} must be a list of things carried, e.g. [lantern] ([] for "
                              f"nothing)")
        out.append(Change(episode=ch["episode"], scene=ch.get("scene", 0), costume=ch.get("costume"),
                          look={str(a): str(b) for a, b in look.items()},
                          palette=tuple(palette) if palette is not None else None,
                          props=tuple(x.strip() for x in props) if props is not None else None, note=ch.get("note")))
    return tuple(sorted(out, key=lambda c: (c.episode, c.scene)))


def load_bible(root: Path) -> Bible:
    path = Layout.of(root).bible
    if not path.exists():
        raise ConfigError(f"{path}: not found; run `filmcrew write {root}` to write the story")
    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: malformed YAML ({getattr(err, 'problem', err)}); fix the indentation or quoting") from err
    return bible_from_dict(data, str(path))


def save_bible(root: Path, bible: Bible) -> None:
    atomic.write_text(Layout.of(root).bible,
                      yaml.safe_dump(bible_to_dict(bible), allow_unicode=True, sort_keys=False, width=100))


def episode_path(root: Path, number: int) -> Path:
    return Layout.of(root).episode(number)


# ---- what is said of the story files: a screenplay's check, the story report, the bible's names ------------

def undrawable(ep) -> list[tuple[int, str]]:
    """(source line, why) for each line or heading with characters the subtitle and sign font cannot draw."""
    out = []
    items = [(sc.heading, sc.source_line) for sc in ep.scenes] + [(ln.text, ln.source_line) for ln in ep.lines()]
    for text, line in items:
        gone = fonts.missing_glyphs(text or "")
        if gone:
            names = ", ".join(f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, '')})".replace(" )", ")") for c in gone[:3])
            out.append((line, f"the font filmcrew draws subtitles and signs with has no glyph for {names}; they "
                              f"would show as boxes: write the line in Chinese, French or English"))
    return out


def script_report(text: str, path: str, language: str, known_characters: list[str] | None = None) -> dict:
    """`filmcrew script check`'s report of a screenplay's text (the studio shows it as you type): its scenes,
    shots, lines and runtime, and every error as "path:line: why" (parse errors, then speakers the bible does
    not know when `known_characters` is given, then what cannot be drawn)."""
    report = screenplay.check(text, path, language)
    if not report["errors"]:
        elements = fountain.parse(text, path)
        ep, _ = screenplay.to_episode(elements, language=language, path=path)
        if known_characters is not None:
            try:
                screenplay.to_episode(elements, language=language, known_characters=known_characters, path=path,
                                      strict=True)
            except ScriptError as err:
                report["errors"].append(str(err))
        report["errors"] += [f"{path}:{line}: {why}" for line, why in undrawable(ep)]
    return report


def story_report(root: Path, texts: dict[int, str] | None = None) -> dict | None:
    """The story report (story/report.py) of the project at `root`: its premise against all its written
    episodes and its bible; `texts` replaces episodes' files by unsaved text (the studio's editor). None when
    an episode does not parse (its errors come first)."""
    from .story import report as story
    cfg = load_config(root)
    eps = []
    for n in range(1, cfg.episodes + 1):
        p = episode_path(root, n)
        text = (texts or {}).get(n)
        if text is None:
            if not p.exists():
                continue
            text = p.read_text(encoding="utf-8")
        rel = str(p.relative_to(root)) if p.is_relative_to(root) else str(p)
        try:
            ep, problems = screenplay.to_episode(fountain.parse(text, rel), number=n, language=cfg.language, path=rel)
        except ScriptError:
            return None
        if problems:
            return None
        eps.append((rel, ep))
    bible, said, names = Layout.of(root).bible, "", []
    if bible.exists():  # what the bible says of the story, less its logline (the premise copied)
        try:
            doc = yaml.safe_load(bible.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            doc = {}
        if isinstance(doc, dict):
            said = json.dumps({k: v for k, v in doc.items() if k not in ("logline", "premise")}, ensure_ascii=False)
            names = [c["name"] for c in doc.get("characters") or [] if isinstance(c, dict) and isinstance(c.get("name"), str)]
    return story.report(eps, cfg.premise, cfg.language, said, names)


def known_characters(root: Path) -> list[str] | None:
    """The names the bible of the project at `root` knows; None when it has no readable bible."""
    try:
        return [c.name for c in load_bible(root).characters]
    except FilmcrewError:
        return None
