"""How much of a film is AI-made: the method, per track, and combined.

The method (``filmcrew-ai-share/1``), also in docs/ai-share.md:

- **picture**, by on-screen frames: a shot counts as made by its keyframe's maker, unless the keyframe is
  a human image (then the shot is human, although the camera move over it is an algorithm's); a clip a
  person added while editing counts as its cut item's ``source_type`` says (a recording, by default);
  gaps (black) count for nobody;
- **dialogue**, by spoken seconds: each line by its voice's maker (a recorded take is human);
- **music** and **effects**, by seconds of each scene's cue and ambience bed;
- **screenplay**, by words of action and dialogue: words still exactly as the writer provider wrote
  them count as its output; a line or action a person changed or wrote counts as human.

Every unit falls in one of three classes from its IPTC digital source type: ``trained``
(trainedAlgorithmicMedia: a trained model), ``algorithmic`` (algorithmicMedia: a procedure with no
training data) or ``human`` (digitalCapture, digitalCreation, humanEdits).

Two combined figures, each the weighted mean of the tracks' fractions (weights below; a track with no
units, e.g. a film without dialogue, drops out and the others are re-normalised):

- ``trained``: the share made by trained models (the strict reading of "AI-generated");
- ``generated``: the share made by any algorithm, trained or procedural (nothing a person made).

A contest profile says which one its threshold applies to.
"""
from __future__ import annotations

import hashlib
import re

from .. import ledger

METHOD = "filmcrew-ai-share/1"
WEIGHTS = {"picture": 0.40, "screenplay": 0.20, "dialogue": 0.20, "music": 0.15, "effects": 0.05}
HUMAN = (ledger.CAPTURE, ledger.HUMAN_CREATION, ledger.HUMAN_EDITS)


def kind(source_type: str) -> str:
    if source_type in (ledger.TRAINED, ledger.COMPOSITE_TRAINED):
        return "trained"
    if source_type == ledger.ALGORITHMIC:
        return "algorithmic"
    return "human"


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def words(text: str) -> int:
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    return cjk + len(re.findall(r"[A-Za-zÀ-ÿ0-9']+", text))


def _track() -> dict:
    return {"trained": 0.0, "algorithmic": 0.0, "human": 0.0}


def compute(records: dict[str, dict], timeline: dict, episode, writer: dict | None) -> dict:
    """`records`: artifact id -> ledger entry; `timeline`: the editor's timeline.json; `episode`: the
    screenplay as it is now; `writer`: .filmcrew/writer.json (None when a person wrote the script)."""
    fps = float(timeline["fps"])
    tracks = {name: _track() for name in WEIGHTS}

    def src(artifact: str) -> str:
        return records.get(artifact, {}).get("digital_source_type", "")

    for it in timeline["items"]:
        if it["kind"] == "gap":  # black: nobody's picture
            continue
        if it["kind"] == "take":  # a clip a person put in while editing, as its cut/epNN.json item declares
            k = kind(it.get("source_type") or ledger.CAPTURE)
        else:
            key = src(f"{it['shot']}.keyframe")
            clip = src(f"{it['shot']}.clip")
            k = "human" if kind(key) == "human" or (clip and kind(clip) == "human") else \
                ("trained" if "trained" in (kind(key), kind(clip or key)) else "algorithmic")
        tracks["picture"][k] += it["frames"] / fps
    for ln in timeline["lines"]:
        tracks["dialogue"][kind(src(f"{ln['line']}.voice"))] += ln["frames"] / fps
    for sc in timeline["scenes"]:
        secs = (sc["end"] - sc["start"]) / fps
        tracks["music"][kind(src(f"{sc['scene']}.cue"))] += secs
        tracks["effects"][kind(src(f"{sc['scene']}.ambience"))] += secs
    written = ((writer or {}).get("written") or {}).get(str(episode.number), {})
    writer_kind = kind((writer or {}).get("digital_source_type", ledger.HUMAN_CREATION))
    for sh in episode.shots():
        for uid, text in [(sh.id, sh.action)] + [(ln.id, ln.text) for ln in sh.lines]:
            k = writer_kind if written.get(uid) == text_hash(text) else "human"
            tracks["screenplay"][k] += words(text)
    out_tracks = {}
    for name, t in tracks.items():
        total = sum(t.values())
        out_tracks[name] = {"units": "words" if name == "screenplay" else "seconds", "total": round(total, 3),
                            **{k: round(v / total, 4) if total else 0.0 for k, v in t.items()}}
    present = {n: w for n, w in WEIGHTS.items() if out_tracks[n]["total"] > 0}
    norm = sum(present.values()) or 1.0
    trained = sum(w * out_tracks[n]["trained"] for n, w in present.items()) / norm
    generated = sum(w * (out_tracks[n]["trained"] + out_tracks[n]["algorithmic"]) for n, w in present.items()) / norm
    return {"method": METHOD, "weights": WEIGHTS, "tracks": out_tracks,
            "ai_share": {"trained": round(trained, 4), "generated": round(generated, 4)}}


def written_hashes(episode) -> dict[str, str]:
    """What the writer wrote, per shot action and line, to tell human edits apart later."""
    out = {}
    for sh in episode.shots():
        out[sh.id] = text_hash(sh.action)
        for ln in sh.lines:
            out[ln.id] = text_hash(ln.text)
    return out


def summary(figures: dict) -> str:
    """One line for people: the two combined figures and each track's machine-made fraction."""
    a = figures["ai_share"]
    per = ", ".join(f"{n} {100 * (t['trained'] + t['algorithmic']):.0f}%" for n, t in figures["tracks"].items() if t["total"])
    return (f"AI share: {100 * a['generated']:.0f}% generated by algorithms, {100 * a['trained']:.0f}% by trained models "
            f"({per}; method {figures['method']})")


def spend(ledgers) -> dict[str, float]:
    """What the remote jobs behind these artifacts cost, by currency: the vendor's figure where it gave one,
    else the estimate (ledger entries' "cost")."""
    out: dict[str, float] = {}
    for lg in ledgers:
        c = lg.get("cost") if isinstance(lg, dict) else None
        if not isinstance(c, dict) or not c.get("currency"):
            continue
        amount = c.get("actual") if c.get("actual") is not None else c.get("estimate")
        out[c["currency"]] = round(out.get(c["currency"], 0.0) + float(amount or 0.0), 6)
    return out
