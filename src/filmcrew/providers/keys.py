"""The keys a person enters (the studio's Settings page) for the vendors: kept in the operating system's keyring
through the `keyring` library, or, where no keyring backend exists (a server, a container), in a file only its
owner may read (0600) under the user's config folder (`$FILMCREW_HOME`, default ~/.config/filmcrew): never in a
project, never in filmcrew.toml.

The providers read a key by the NAME of its environment variable (`api_key_env = "KLING_ACCESS_KEY"`): the
environment first, then this store (`environment(env)` is the mapping they are given), so the command line and
the studio find the same keys.

`FILMCREW_KEYRING=file` uses the file even where a keyring exists (`=keyring`: the keyring only)."""

from __future__ import annotations

import inspect
import json
import os
import re
import threading
from pathlib import Path

SERVICE = "filmcrew"
NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")  # an environment variable's name
_lock = threading.Lock()
_backend_cache: dict = {}


def home() -> Path:
    return Path(os.environ.get("FILMCREW_HOME") or Path.home() / ".config" / "filmcrew")


def file_path() -> Path:
    return home() / "secrets.json"


def backend():
    """The keyring backend to use, or None when there is none worth the name (the 'fail' backend, or a chainer
    with nothing in it) or FILMCREW_KEYRING=file."""
    want = os.environ.get("FILMCREW_KEYRING", "")
    if want == "file":
        return None
    if "kr" not in _backend_cache:
        kr = None
        try:
            import keyring
            from keyring.backends import fail
            k = keyring.get_keyring()
            if not isinstance(k, fail.Keyring) and getattr(k, "priority", 0) > 0:
                kr = k
        except Exception:  # noqa: BLE001 - a keyring that cannot even start: the file
            kr = None
        _backend_cache["kr"] = kr
    return _backend_cache["kr"]


def where() -> str:
    """Where entered keys are kept, in words."""
    kr = backend()
    return f"the system keyring ({type(kr).__name__})" if kr is not None else f"{file_path()} (readable by you only)"


def _read_file() -> dict:
    p = file_path()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_file(data: dict) -> None:
    p = file_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, p)


def _check(name: str) -> None:
    if not NAME.match(name or ""):
        raise ValueError(f"{name!r}: a key's name is an environment variable's, such as KLING_ACCESS_KEY")


def get(name: str) -> str:
    """The stored key named `name` ("" when none)."""
    if not NAME.match(name or ""):
        return ""
    kr = backend()
    if kr is not None:
        try:
            return kr.get_password(SERVICE, name) or ""
        except Exception:  # noqa: BLE001 - a locked or broken keyring: nothing found there
            return ""
    return str(_read_file().get(name) or "")


def put(name: str, value: str) -> str:
    """Keep `value` as the key `name`; where it went, in words."""
    _check(name)
    value = (value or "").strip()
    if not value or "\n" in value or len(value) > 4096:
        raise ValueError(f"{name}: a key is one line of text (at most 4096 characters)")
    kr = backend()
    with _lock:
        if kr is not None:
            kr.set_password(SERVICE, name, value)
        else:
            data = _read_file()
            data[name] = value
            _write_file(data)
    return where()


def forget(name: str) -> None:
    _check(name)
    kr = backend()
    with _lock:
        if kr is not None:
            try:
                kr.delete_password(SERVICE, name)
            except Exception:  # noqa: BLE001 - none there
                pass
        else:
            data = _read_file()
            if data.pop(name, None) is not None:
                _write_file(data)


class Environment(dict):
    """The environment the providers are given: its own variables first, then the stored keys (a provider reads
    `env.get(NAME, "")`). Always true, even when the environment is empty, so `env or {}` keeps it."""

    def get(self, name, default=None):
        if dict.__contains__(self, name):
            return dict.get(self, name)
        found = get(name) if isinstance(name, str) else ""
        return found if found else default

    def __getitem__(self, name):
        got = self.get(name)
        if got is None:
            raise KeyError(name)
        return got

    def __contains__(self, name):
        return dict.__contains__(self, name) or bool(get(name) if isinstance(name, str) else "")

    def __bool__(self):
        return True


def environment(env: dict | None) -> Environment:
    return env if isinstance(env, Environment) else Environment(env or {})


def key_names(provider: str, settings: dict | None = None) -> list[str]:
    """The environment variables provider `provider` reads its keys from: its settings' `*_env` values, else its
    constructor's defaults (api_key_env = "OPENAI_API_KEY"...); [] for one that needs no key."""
    from . import registry
    settings = settings or {}
    targets = registry.available()
    if provider not in targets:
        return []
    try:
        obj = registry._load_target(targets[provider])
    except Exception:  # noqa: BLE001 - a broken plugin: no key to ask for
        return []
    names = []
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        params = {}
    for pname, prm in params.items():
        if pname.endswith("_env"):
            v = settings.get(pname, prm.default)
            if isinstance(v, str) and NAME.match(v):
                names.append(v)
    for k, v in settings.items():
        if k.endswith("_env") and isinstance(v, str) and NAME.match(v) and v not in names:
            names.append(v)
    return names


__all__ = ["get", "put", "forget", "environment", "Environment", "key_names", "where", "home", "file_path"]
