"""The record of the voices cloned from people for this project: `story/cloned-voices.json`, written by `filmcrew
voice clone` (cli/voices.py) and read by the voice crew (each line said in a cloned voice carries whose voice it
is in its ledger entry) and by `filmcrew disclose`.

One entry per clone: the character it speaks for, the vendor and its voice id, the person who gave the sample,
the consent they gave in their own words, the sample's SHA-256, length and file name, and when. The sample itself
is not kept in the project (it is a person's voice: keep it where your consent says)."""

from __future__ import annotations

import json
from pathlib import Path

from ..engine import atomic
from ..errors import ConfigError

NAME = "cloned-voices.json"


def path(root: Path) -> Path:
    return Path(root) / "story" / NAME


def records(root: Path) -> list[dict]:
    p = path(root)
    if not p.exists():
        return []
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except ValueError as err:
        raise ConfigError(f"{p}: not JSON ({err}); it records who consented to a cloned voice: restore it from "
                          f"your backup or version control") from None
    if not isinstance(data, dict) or not isinstance(data.get("clones"), list):
        raise ConfigError(f"{p}: must hold {{\"clones\": [...]}}")
    return [c for c in data["clones"] if isinstance(c, dict)]


def add(root: Path, record: dict) -> Path:
    p = path(root)
    clones = records(root) + [record]
    atomic.write_text(p, json.dumps({"clones": clones}, indent=1, ensure_ascii=False))
    return p


def find(root: Path, provider: str, voice_id: str) -> dict | None:
    """The latest clone record of this vendor's voice id, if the voice was cloned for this project."""
    try:
        found = [c for c in records(root) if c.get("provider") == provider and c.get("voice_id") == voice_id]
    except ConfigError:
        return None
    return found[-1] if found else None


def in_ledger(rec: dict) -> dict:
    """What a line's ledger entry says of the cloned voice that said it."""
    return {"person": rec.get("person", ""), "consent": rec.get("consent", ""), "consented_at": rec.get("at", ""),
            "sample_sha256": (rec.get("sample") or {}).get("sha256", ""), "provider": rec.get("provider", ""),
            "voice_id": rec.get("voice_id", "")}
