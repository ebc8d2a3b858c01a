"""Publish an episode's film: its subtitles, its OTIO timeline and its signed MP4 into out/, with its provenance.

The last step of a make (the command line, the studio, the MCP server call it once the film is made): the
finisher made the film with its labels; this copies it out signed with C2PA content credentials, and writes what
it is made of (`out/epNN.provenance.json`: the AI share, what was spent, every artifact's ledger).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from pathlib import Path

from .. import ledger
from ..engine import atomic
from ..engine.layout import Layout
from ..engine.store import Store
from ..provenance import check as check_mod
from ..provenance import credentials, labels, share
from . import common, timeline
from .common import EpisodeContext


def publish(root: Path, st: Store, ctx: EpisodeContext, g, preview: bool) -> dict[str, Path]:
    """Sign the final film with C2PA content credentials into out/ (atomically), with its provenance.

    Order (STANDARDS.md): the AIGC tag was written and read back by the finisher; signing comes last and
    keeps it; both are read back again here, and a film that fails either check is not published."""
    src = st.path(g.final.key)
    out = Layout.of(root).out
    name = common.out_name(ctx)
    # a delivery burning another language (--burn fr: out/ep01.fr.mp4) has the film's subtitle files, the same
    # words at the same times: they keep the film's names (out/ep01.srt, out/ep01.fr.srt), never one under another's
    subs = common.out_name(dataclasses.replace(ctx, burn_tag="")) if ctx.burn_tag else name
    paths = {"mp4": out / f"{name}.mp4", "srt": out / f"{subs}.srt", "ass": out / f"{subs}.ass",
             "otio": out / f"{name}.otio", "provenance": out / f"{name}.provenance.json"}
    atomic.copy_if_changed(src / "subtitles.srt", paths["srt"])
    atomic.copy_if_changed(src / "subtitles.ass", paths["ass"])
    for lang in ctx.subtitle_languages:  # translated tracks: out/epNN.fr.srt, .ass
        for ext in ("srt", "ass"):
            paths[f"{lang}.{ext}"] = out / f"{subs}.{lang}.{ext}"
            atomic.copy_if_changed(src / f"subtitles.{lang}.{ext}", paths[f"{lang}.{ext}"])
    timeline.write(root, st, ctx, g, clips_made=False)  # the OTIO `filmcrew export` writes, media beside it (the
    # clips of shots whose segments drew their frames are missing references until an export makes them)
    # each under its own artifact id: a key made before under another id (a scratch voice was the line's
    # voice before a person dubbed it) keeps the record.json of its first making
    records = [{**st.record(t.key), "artifact": t.artifact} for t in g.all if st.made(t)]
    for r in records:
        if r["role"] == "animator" and r["artifact"].endswith(".clip"):  # (a video model's duration and job aside)
            r["path"] = str(st.path(r["key"]) / "clip.mp4")
        elif r["ledger"].get("drawn"):  # a shot animated by its own segment: the segment is the shot as placed
            r["path"] = str(st.path(r["key"]) / "segment.mp4")
    writer_path = Layout.of(root).writer_record
    writer = json.loads(writer_path.read_text()) if writer_path.exists() else None
    cut = json.loads((st.path(g.task(f"{ctx.episode.id}.timeline").key) / "timeline.json").read_text())
    figures = share.compute({r["artifact"]: r["ledger"] for r in records}, cut, ctx.episode, writer)
    if not os.environ.get("FILMCREW_SIGN_CERT") and not (credentials.keys_dir() / "signer.pem").exists():
        d = credentials.init_keys()
        print(f"created a local C2PA signing certificate in {d} (not publicly trusted; use your own with "
              f"FILMCREW_SIGN_CERT and FILMCREW_SIGN_KEY)", file=sys.stderr)
    manifest, ingredients = credentials.manifest_definition(ctx.bible.title, records, figures)
    # what the signed film is made from: the same film, manifest and signer as the one in out/ (untouched since)
    # is not signed again, so a make with nothing to do leaves out/ byte for byte as it was
    made_from = hashlib.sha256(json.dumps(
        {"film": g.final.key, "manifest": manifest, "ingredients": [[i, str(p)] for i, p in ingredients],
         "signer": credentials.signer_id(), "writer": writer}, sort_keys=True, default=str).encode()).hexdigest()
    try:
        before = json.loads(paths["provenance"].read_text(encoding="utf-8"))
        if (before.get("made_from") == made_from and paths["mp4"].exists()
                and before.get("sha256") == check_mod.sha256(paths["mp4"])):
            return paths
    except (OSError, ValueError, AttributeError):
        pass  # no earlier publication, or one that cannot be read: publish
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{name}.signing.mp4"
    credentials.sign(src / "film.mp4", tmp, manifest, ingredients)
    check = credentials.verify(tmp)
    if not check["valid"]:
        tmp.unlink()
        raise credentials.CredentialError(f"{paths['mp4']}: the signed film does not verify: {check['detail']}")
    labels.read_aigc(tmp)  # still exactly one, still well formed
    os.replace(tmp, paths["mp4"])
    prov = {"episode": ctx.episode.id, "title": ctx.bible.title, "film": paths["mp4"].name,
            "sha256": check_mod.sha256(paths["mp4"]), "made_from": made_from, "ai_share": figures, "c2pa": check,
            "spend": share.spend(r["ledger"] for r in records),
            "writer": {k: v for k, v in writer.items() if k != "written"} if writer else None,
            "artifacts": [{k: r[k] for k in ("artifact", "role", "key", "provider", "seed", "inputs")} | {"ledger": r["ledger"]}
                          for r in records]}
    atomic.write_text(paths["provenance"], json.dumps(ledger.scrub(prov), indent=1, ensure_ascii=False))
    return paths
