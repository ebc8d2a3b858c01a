"""The film's settings as the Settings page shows and changes them: filmcrew.toml rewritten as a person would edit
it (its comments, its order and the fields it leaves out are kept: tomlkit), checked by project.load_config before
it is written; the contest the film aims at with its rules and what cannot pass them; each vendor's keys, present
or missing (providers/keys.py: the environment, then the keyring)."""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

from .. import project
from ..errors import ConfigError
from ..model import ASPECTS, LANGUAGES
from ..provenance import check as checking
from ..providers import keys, registry

SHAPES = tuple(ASPECTS)
STYLES = ("storybook", "anime", "watercolor", "noir", "clay", "pixel", "photoreal")
ROLE_LABELS = {"writer": "Writes the story", "illustrator": "Draws the pictures", "animator": "Animates the shots",
               "voice": "Speaks the lines", "composer": "Writes the music", "foley": "Makes the sounds",
               "translator": "Translates the subtitles"}


def rules(name: str) -> dict:
    """A contest's rules as the page shows them: title, length (s), shapes, the least AI share."""
    prof = checking.load_profile(name)
    share = prof.get("ai_share") or {}
    return {"name": name, "title": prof.get("title", name), "duration": prof.get("duration_s"),
            "aspects": prof.get("aspects"), "ai_min": share.get("min") if isinstance(share, dict) else None}


def all_rules() -> dict:
    out = {}
    for name in sorted(checking.available_profiles()):
        try:
            out[name] = rules(name)
        except Exception:  # noqa: BLE001 - a broken user profile: left out of the list (the check says why)
            continue
    return out


def warnings(contest: str, minutes: float, aspect: str, episodes: int = 1) -> list[str]:
    """What cannot pass the contest: the length or the shape (said at once, before anything is made)."""
    if not contest:
        return []
    try:
        r = rules(contest)
    except ConfigError as err:
        return [str(err)]
    out = []
    d = r.get("duration")
    secs = float(minutes) * 60
    if d and not d[0] <= secs <= d[1]:
        out.append(f"a film of {secs:g} s cannot pass {contest}: it asks for {d[0]:g} to {d[1]:g} s "
                   f"({d[0] / 60:g} to {d[1] / 60:g} min); change the length")
    if r.get("aspects") and aspect not in r["aspects"]:
        out.append(f"a {aspect} film cannot pass {contest}: it takes {', '.join(r['aspects'])}; change the shape")
    return out


def key_status(cfg: project.Config, env: dict) -> list[dict]:
    """Each key a vendor reads (by its variable's name): the vendors that read it, whether the film uses one of
    them now, and whether it is there (the environment, or entered here)."""
    used = set(cfg.providers.values())
    by_name: dict[str, dict] = {}
    for name in sorted(registry.available()):
        for n in keys.key_names(name, cfg.provider_settings.get(name)):
            row = by_name.setdefault(n, {"name": n, "providers": [], "used": False, "env": bool(env.get(n)),
                                         "stored": bool(keys.get(n))})
            row["providers"].append(name)
            row["used"] = row["used"] or name in used
    return sorted(by_name.values(), key=lambda r: (not r["used"], r["name"]))


def known_key_names(cfg: project.Config) -> set[str]:
    return {n for name in registry.available() for n in keys.key_names(name, cfg.provider_settings.get(name))}


def provider_table_text(text: str, name: str) -> str:
    """The `[providers.NAME]` table of filmcrew.toml's `text`, as its lines (what the page lets a person edit)."""
    import tomlkit
    doc = tomlkit.parse(text)
    t = doc.get("providers", {}).get(name)
    if not isinstance(t, dict):
        return ""
    return "\n".join(f"{k} = {tomlkit.item(v).as_string()}" for k, v in t.items())


def apply(text: str, film: dict, providers: dict, tables: dict, budget: float | None, currency: str) -> str:
    """filmcrew.toml's `text` with the page's values: a field changes where it is, in place (its comment kept); a
    field the file leaves out is written only when it differs from the default; `tables`: provider name -> the
    lines of its `[providers.NAME]` table ("" takes it away)."""
    import tomlkit
    doc = tomlkit.parse(text)
    defaults = project.Config(premise="x")
    ft = doc.setdefault("film", tomlkit.table())
    for k, v in film.items():
        if k in ft or v != getattr(defaults, k):
            ft[k] = v
    if "providers" not in doc:
        doc["providers"] = tomlkit.table()
    pt = doc["providers"]
    for role, name in providers.items():
        if role in pt or name != project.DEFAULT_PROVIDERS.get(role):
            if name:
                pt[role] = name
            elif role in pt:
                del pt[role]
    for name, lines in tables.items():
        try:
            table = tomllib.loads(lines)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"[providers.{name}]: {err}; write one setting a line, such as model = \"NAME\"") from None
        old = pt.get(name)
        if not table:
            if name in pt:
                del pt[name]
            continue
        if isinstance(old, dict):
            for k in [k for k in old if k not in table]:
                del old[k]
            for k, v in table.items():
                if old.get(k) != v:
                    old[k] = v
        else:
            t = tomlkit.table()
            for k, v in table.items():
                t[k] = v
            pt[name] = t
    if budget is None:
        if "budget" in doc and "max" in doc["budget"]:
            del doc["budget"]["max"]
            if not doc["budget"]:
                del doc["budget"]
    else:
        bt = doc.setdefault("budget", tomlkit.table())
        bt["max"] = budget
        bt["currency"] = currency
    return tomlkit.dumps(doc)


def check_text(text: str) -> project.Config:
    """project.load_config of filmcrew.toml's `text` (in a folder of its own): the Config, or the ConfigError
    that names the field."""
    with tempfile.TemporaryDirectory(prefix="filmcrew-settings-") as d:
        p = Path(d) / project.CONFIG_NAME
        p.write_text(text, encoding="utf-8")
        try:
            return project.load_config(Path(d))
        except ConfigError as err:
            raise ConfigError(str(err).replace(str(p), project.CONFIG_NAME)) from None


__all__ = ["rules", "all_rules", "warnings", "key_status", "apply", "check_text", "STYLES", "SHAPES", "LANGUAGES",
           "ROLE_LABELS", "known_key_names", "provider_table_text"]
