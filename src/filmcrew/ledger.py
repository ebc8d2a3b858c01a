"""The ledger is data: every artifact's record says who made it and how.

IPTC digital source types (http://cv.iptc.org/newscodes/digitalsourcetype/):
``trainedAlgorithmicMedia`` for a trained model's output (Piper's neural voice, an
LLM's script), ``algorithmicMedia`` for procedural output with no training data
(the offline illustrator, animator, composer, foley and story engine),
``digitalCapture`` for a recorded human take, ``humanEdits`` / ``digitalCreation``
for human work.
"""

from __future__ import annotations

TRAINED = "trainedAlgorithmicMedia"
ALGORITHMIC = "algorithmicMedia"
CAPTURE = "digitalCapture"
HUMAN_EDITS = "humanEdits"
HUMAN_CREATION = "digitalCreation"
COMPOSITE_TRAINED = "compositeWithTrainedAlgorithmicMedia"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"

SECRET_HINTS = ("key", "token", "secret", "password", "authorization")


def made_by(provider) -> str:
    """Who made an artifact: a trained model by its model name, anything else by its provider name."""
    return f"model:{provider.model}" if provider.source_type == TRAINED else f"algorithm:{provider.name}"


def entry(*, made_by: str, source_type: str, prompt: str = "", model: str = "", extra: dict | None = None) -> dict:
    """What a task's run returns: who made the artifact and from what."""
    if source_type not in (TRAINED, ALGORITHMIC, CAPTURE, HUMAN_EDITS, HUMAN_CREATION, COMPOSITE_TRAINED):
        raise ValueError(f"unknown IPTC digital source type {source_type!r}")
    rec = {"made_by": made_by, "digital_source_type": source_type, "prompt": prompt, "model": model}
    if extra:
        rec.update(scrub(extra))
    return rec


def _content_address(v) -> bool:
    return isinstance(v, str) and len(v) == 64 and all(c in "0123456789abcdef" for c in v)


def scrub(obj):
    """Drop any field whose name looks like a secret (defence in depth: keys never get here). Kept: the
    names of environment variables (``*_env``) and content addresses (an artifact's ``key``, a sha256)."""
    if isinstance(obj, dict):
        return {k: scrub(v) for k, v in obj.items()
                if not any(h in str(k).lower() for h in SECRET_HINTS) or str(k).lower().endswith("_env")
                or _content_address(v)}
    if isinstance(obj, list):
        return [scrub(v) for v in obj]
    return obj


def record(task, ledger_entry: dict) -> dict:
    return {
        "artifact": task.artifact,
        "role": task.role,
        "key": task.key,
        "provider": {"name": task.provider.name, "version": task.provider.version, "model": task.provider.model},
        "code_version": task.code_version,
        "seed": task.seed,
        "inputs": {name: t.key for name, t in task.inputs.items()},
        "components": task.components(),
        "ledger": scrub(ledger_entry),
    }
