"""Small pure helpers the studio's templates use (the pages themselves are Jinja2 templates in templates/)."""

from __future__ import annotations


def job_lines(jobs: list[dict]) -> list[str]:
    """A card's remote jobs in words: "video job (kling): sent 40 s ago, processing 35%", "... failed: why"."""
    out = []
    for j in jobs:
        what = j["artifact"].split(".", 1)[1].replace(".", " ")
        line = f"{what} job ({j['provider']}): {j['words']}"
        if j["state"] in ("submitting", "submitted"):
            line += f" {j['since']} s ago" + (f", {j['detail']}" if j["detail"] else "") + (
                f" {j['progress']:.0%}" if isinstance(j.get("progress"), (int, float)) else "")
        elif j["detail"]:
            line += f": {j['detail']}"
        out.append(line)
    return out


def share_words(share) -> str:
    """A film's AI share in words: "AI share: picture 100%, voice 80%" ("" when the film has none)."""
    s = (share or {}).get("ai_share") or {}
    parts = [f"{k} {v:.0%}" for k, v in s.items() if isinstance(v, (int, float))]
    return "AI share: " + ", ".join(parts) if parts else ""


def take_words(artifact: str, pick: dict) -> str:
    """A card's consistency pick in words: "keyframe: take 1 of 2, why"."""
    what = artifact.rsplit(".", 1)[0].split(".", 1)[1]
    return f"{what}: take {pick.get('chosen')} of {len(pick.get('takes', []))}, {pick.get('why', '')}"


def scores(pick: dict) -> str:
    """The chosen take's consistency, per character: a face's distance to its reference (lower is closer; the
    check's threshold is in filmcrew.toml), or a drawn figure's palette overlap ("" without a chosen take)."""
    take = next((t for t in pick.get("takes", []) if t.get("take") == pick.get("chosen")), None)
    if not take:
        return ""
    parts = []
    for name, c in (take.get("characters") or {}).items():
        if c.get("distance") is not None:
            parts.append(f"{name} {c.get('status')} {c['distance']:.2f}")
        elif c.get("palette") is not None:
            parts.append(f"{name} {c.get('status')} palette {c['palette']:.2f}")
        else:
            parts.append(f"{name} {c.get('status')}")
    return "; ".join(parts)


__all__ = ["job_lines", "share_words", "take_words", "scores"]
