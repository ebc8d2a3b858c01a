"""Prices are data: one JSON table per provider in `prices/` (with its currency, the date it was checked and
where the figures come from), overridden by a file of the same name in `$FILMCREW_HOME/prices/` (default
`~/.config/filmcrew/prices/`) when a user has their own contract or newer figures."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ...errors import ConfigError

BUILTIN = Path(__file__).parent / "prices"


def user_dir() -> Path:
    return Path(os.environ.get("FILMCREW_HOME", Path.home() / ".config" / "filmcrew")) / "prices"


def table(provider: str) -> dict:
    for folder in (user_dir(), BUILTIN):
        p = folder / f"{provider}.json"
        if p.is_file():
            try:
                t = json.loads(p.read_text(encoding="utf-8"))
            except ValueError as err:
                raise ConfigError(f"{p}: not a JSON price table ({err})") from None
            if not isinstance(t, dict) or not isinstance(t.get("models"), dict) or "currency" not in t:
                raise ConfigError(f"{p}: a price table needs \"currency\" and \"models\"; see {BUILTIN / (provider + '.json')}")
            t["_file"] = str(p)
            return t
    raise ConfigError(f"no price table for {provider}: add {user_dir() / (provider + '.json')} (see {BUILTIN})")


def per_item(provider: str, model: str, tier: str = "any", size: str = "any") -> dict:
    """{"amount", "currency", "checked"} of one image (or job) of `model` at `tier` and `size`."""
    t = table(provider)
    models = t["models"]
    m = models.get(model, models.get("any"))
    if m is None:
        raise ConfigError(f"{t['_file']}: no price for model {model!r} (priced: {', '.join(sorted(models))}); add it "
                          f"to {user_dir() / (provider + '.json')}")
    by_size = m.get(tier, m.get("any"))
    if isinstance(by_size, (int, float)):
        amount = by_size
    elif isinstance(by_size, dict):
        amount = by_size.get(size, by_size.get("any"))
    else:
        amount = None
    if not isinstance(amount, (int, float)):
        raise ConfigError(f"{t['_file']}: no price for {model} {tier} {size}; add it to {user_dir() / (provider + '.json')}")
    return {"amount": float(amount), "currency": t["currency"], "checked": t.get("checked", "")}
