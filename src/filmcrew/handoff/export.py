"""`filmcrew export PROJECT --to otio|fcp7|fcpx|edl|fountain|stems|all`: hand the cut to a human editor.

Everything goes to `out/`, next to the film:
- `epNN.media/`: the media the timelines point at: each shot's clip as the animator rendered it (no
  burned subtitles, full length, so the frames a transition uses are there as handles), each line's
  voice, and the dialogue, music and effects stems (48 kHz WAV, aligned to the timeline);
- `epNN.otio`: video track (one clip per shot, dissolves as OTIO transitions), dialogue track (one clip
  per line), music and effects tracks (the stems), subtitle markers; each clip's `metadata["filmcrew"]`
  holds the shot id, prompt, seed, provider, model and its ledger entry;
- `epNN.fcp7.xml` (Final Cut Pro 7 XML: Premiere and DaVinci Resolve open it) and `epNN.fcpxml` (Final Cut
  Pro X), through the OpenTimelineIO adapter packages, then conformed (handoff/conform.py: absolute file://
  media URLs, the frame size, dissolves aligned on the edit); `epNN.edl` (CMX 3600, picture only), written
  by filmcrew (handoff/edl.py: a unique reel per shot, the standard columns);
- `epNN.fountain`: the screenplay as it is now; `epNN.stems/`: the stems and the subtitles;
- `epNN.jianying/<draft>/`: a JianYing (剪映) / CapCut draft (handoff/jianying.py; the extra
  `filmcrew[jianying]`; `--to all` writes it when that extra is installed).

A dip to black is written as a dissolve in FCP 7 XML, FCPXML and EDL (none of them has a portable
dip); the OTIO keeps the truth in the transition's metadata.
"""
from __future__ import annotations

from pathlib import Path

from .. import project
from ..crew.common import out_name
from ..crew.timeline import build, link_media, write_otio
from ..engine import atomic
from ..engine.layout import Layout
from ..errors import MissingExtraError
from . import conform, edl, jianying

FORMATS = ("otio", "fcp7", "fcpx", "edl", "fountain", "stems", "jianying")
ADAPTERS = {"fcp7": ("fcp_xml", ".fcp7.xml", "otio-fcp-adapter"), "fcpx": ("fcpx_xml", ".fcpxml", "otio-fcpx-xml-adapter")}
FPS = 30


def export(root: Path, st, ctx, g, formats: list[str]) -> list[Path]:
    import opentimelineio as otio
    out = Layout.of(root).out
    name = out_name(ctx)
    media_dir = out / f"{name}.media"
    tl, tl_data = build(root, st, ctx, g, media_dir, media_dir.name)
    written: list[Path] = []
    if "otio" in formats:
        written.append(write_otio(out / f"{name}.otio", tl))
    if "edl" in formats:  # the picture, written by filmcrew (handoff/edl.py: unique reels, standard columns)
        p = out / f"{name}.edl"
        atomic.write_text(p, edl.write(tl.name or name, edl.from_otio(tl, FPS), FPS))
        written.append(p)
    for fmt in ("fcp7", "fcpx"):
        if fmt not in formats:
            continue
        adapter, suffix, package = ADAPTERS[fmt]
        if adapter not in {a.name for a in otio.plugins.ActiveManifest().adapters}:
            raise MissingExtraError(f"--to {fmt} ({package})", "export")
        p = out / f"{name}{suffix}"
        text = otio.adapters.write_to_string(tl, adapter)  # then absolute media URLs and the frame size
        text = (conform.fcp7(text, out, ctx.size, FPS) if fmt == "fcp7" else
                conform.fcpx(text, out, ctx.size, conform.transitions(tl, FPS), FPS))
        atomic.write_text(p, text)
        written.append(p)
    if "jianying" in formats:
        srt = st.path(g.task(f"{ctx.episode.id}.timeline").key) / "subtitles.srt"
        written.append(jianying.write(out, name, tl, srt, ctx.size, FPS))
    if "fountain" in formats:
        p = out / f"{ctx.episode.id}.fountain"
        atomic.copy_file(project.episode_path(root, ctx.episode.number), p)
        written.append(p)
    if "stems" in formats:
        sd = out / f"{name}.stems"
        sd.mkdir(parents=True, exist_ok=True)
        mix = g.task(f"{ctx.episode.id}.mix")
        editor = g.task(f"{ctx.episode.id}.timeline")
        for stem in ("dialogue", "music", "effects"):
            written.append(link_media(st.path(mix.key) / f"{stem}.wav", sd / f"{ctx.episode.id}.{stem}.wav"))
        written.append(link_media(st.path(editor.key) / "subtitles.srt", sd / f"{ctx.episode.id}.srt"))
        written.append(link_media(st.path(editor.key) / "subtitles.ass", sd / f"{ctx.episode.id}.ass"))
    return written


__all__ = ["export", "FORMATS"]
