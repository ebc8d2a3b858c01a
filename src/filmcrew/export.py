"""`filmcrew export PROJECT --to otio|fcp7|fcpx|edl|fountain|stems|all`: hand the cut to a human editor.

Everything goes to `out/`, next to the film:
- `epNN.media/`: the media the timelines point at: each shot's clip as the animator rendered it (no
  burned subtitles, full length, so the frames a transition uses are there as handles), each line's
  voice, and the dialogue, music and effects stems (48 kHz WAV, aligned to the timeline);
- `epNN.otio`: video track (one clip per shot, dissolves as OTIO transitions), dialogue track (one clip
  per line), music and effects tracks (the stems), subtitle markers; each clip's `metadata["filmcrew"]`
  holds the shot id, prompt, seed, provider, model and its ledger entry;
- `epNN.fcp7.xml` (Final Cut Pro 7 XML: Premiere and DaVinci Resolve open it), `epNN.fcpxml` (Final Cut
  Pro X) and `epNN.edl` (CMX 3600, picture only), through the OpenTimelineIO adapter packages;
- `epNN.fountain`: the screenplay as it is now; `epNN.stems/`: the stems and the subtitles.

A dip to black is written as a dissolve in FCP 7 XML, FCPXML and EDL (none of them has a portable
dip); the OTIO keeps the truth in the transition's metadata.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import atomic, project
from .errors import ConfigError, MissingExtraError

FORMATS = ("otio", "fcp7", "fcpx", "edl", "fountain", "stems")
ADAPTERS = {"fcp7": ("fcp_xml", ".fcp7.xml", "otio-fcp-adapter"), "fcpx": ("fcpx_xml", ".fcpxml", "otio-fcpx-xml-adapter"),
            "edl": ("cmx_3600", ".edl", "otio-cmx3600-adapter")}


def _copy(src: Path, dst: Path) -> Path:
    if not dst.exists() or dst.stat().st_size != src.stat().st_size:
        atomic.copy_file(src, dst)
    return dst


def build(root: Path, st, ctx, g, media_dir: Path, rel: str):
    """The episode as an OTIO timeline whose media references point into `media_dir` (written as `rel`)."""
    import opentimelineio as otio
    RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
    editor_task = g.task(f"{ctx.episode.id}.timeline")
    tl_data = json.loads((st.path(editor_task.key) / "timeline.json").read_text())
    rate = tl_data["fps"]
    for t in g.all:
        if not st.has(t.key):
            raise ConfigError(f"{ctx.episode.id}: {t.artifact} is not made yet; run `filmcrew make {root}"
                              f"{' --preview' if ctx.preview else ''}` first")
    shots = {s.id: s for s in ctx.episode.shots()}
    media_dir.mkdir(parents=True, exist_ok=True)
    tl = otio.schema.Timeline(name=f"{ctx.bible.title} {ctx.episode.id}", global_start_time=RT(0, rate))
    tl.metadata["filmcrew"] = {"episode": ctx.episode.id, "frames": tl_data["frames"], "size": tl_data["size"]}
    video = otio.schema.Track(name="picture", kind=otio.schema.TrackKind.Video)
    for it in tl_data["shots"]:
        task = g.task(f"{it['shot']}.clip")
        rec = st.record(task.key)
        src = _copy(st.path(task.key) / "clip.mp4", media_dir / f"{it['shot']}.mp4")
        # the clip plays from its first frame after the previous dissolve to its very end; the dissolve into
        # the next shot overlaps its last `out` frames with the next clip's first `out` frames (a head handle)
        clip = otio.schema.Clip(name=it["shot"], source_range=TR(RT(it["in"], rate), RT(it["frames"] - it["in"], rate)))
        clip.media_reference = otio.schema.ExternalReference(target_url=f"{rel}/{src.name}",
                                                             available_range=TR(RT(0, rate), RT(it["frames"], rate)))
        sh = shots[it["shot"]]
        clip.metadata["filmcrew"] = {"shot": it["shot"], "scene": it["scene"], "camera": sh.camera, "prompt": sh.action,
                                     "seed": rec["seed"], "provider": rec["provider"]["name"],
                                     "model": rec["provider"]["model"], "key": task.key, "ledger": rec["ledger"],
                                     "lines": [ln.id for ln in sh.lines]}
        video.append(clip)
        if it["out"]:
            tr = otio.schema.Transition(name=it["transition"], transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                        in_offset=RT(it["out"], rate), out_offset=RT(0, rate))
            tr.metadata["filmcrew"] = {"kind": it["transition"]}  # "dip" is a dip to black
            video.append(tr)
    for ln in tl_data["lines"]:
        mk = otio.schema.Marker(name=ln["text"], marked_range=TR(RT(ln["start"], rate), RT(ln["frames"], rate)),
                                color=otio.schema.MarkerColor.YELLOW)
        mk.metadata["filmcrew"] = {"line": ln["line"], "speaker": ln["speaker"], "subtitle": True}
        video.markers.append(mk)
    dialogue = otio.schema.Track(name="dialogue", kind=otio.schema.TrackKind.Audio)
    pos = 0
    for ln in tl_data["lines"]:
        task = g.task(f"{ln['line']}.voice")
        rec = st.record(task.key)
        src = _copy(st.path(task.key) / "line.wav", media_dir / f"{ln['line']}.wav")
        if ln["start"] > pos:
            dialogue.append(otio.schema.Gap(source_range=TR(RT(0, rate), RT(ln["start"] - pos, rate))))
        c = otio.schema.Clip(name=ln["line"], source_range=TR(RT(0, rate), RT(ln["frames"], rate)))
        c.media_reference = otio.schema.ExternalReference(target_url=f"{rel}/{src.name}",
                                                          available_range=TR(RT(0, rate), RT(ln["frames"], rate)))
        c.metadata["filmcrew"] = {"line": ln["line"], "speaker": ln["speaker"], "text": ln["text"],
                                  "provider": rec["provider"]["name"], "model": rec["provider"]["model"],
                                  "key": task.key, "ledger": rec["ledger"]}
        dialogue.append(c)
        pos = ln["start"] + ln["frames"]
    tl.tracks.append(video)
    tl.tracks.append(dialogue)
    mix = g.task(f"{ctx.episode.id}.mix")
    for stem in ("music", "effects"):
        src = _copy(st.path(mix.key) / f"{stem}.wav", media_dir / f"{ctx.episode.id}.{stem}.wav")
        tr = otio.schema.Track(name=stem, kind=otio.schema.TrackKind.Audio)
        c = otio.schema.Clip(name=f"{ctx.episode.id}.{stem}", source_range=TR(RT(0, rate), RT(tl_data["frames"], rate)))
        c.media_reference = otio.schema.ExternalReference(target_url=f"{rel}/{src.name}",
                                                          available_range=TR(RT(0, rate), RT(tl_data["frames"], rate)))
        c.metadata["filmcrew"] = {"stem": stem, "key": mix.key}
        tr.append(c)
        tl.tracks.append(tr)
    return tl, tl_data


def _picture_only(tl):
    import copy

    import opentimelineio as otio
    pic = copy.deepcopy(tl)
    for t in list(pic.tracks):
        if t.kind != otio.schema.TrackKind.Video:
            pic.tracks.remove(t)
    return pic


def export(root: Path, st, ctx, g, formats: list[str]) -> list[Path]:
    import opentimelineio as otio
    out = Path(root) / "out"
    name = f"{ctx.episode.id}{'.preview' if ctx.preview else ''}"
    media_dir = out / f"{name}.media"
    tl, tl_data = build(root, st, ctx, g, media_dir, media_dir.name)
    written: list[Path] = []
    if "otio" in formats:
        p = out / f"{name}.otio"
        atomic.write_text(p, otio.adapters.write_to_string(tl, "otio_json"))
        written.append(p)
    for fmt in ("fcp7", "fcpx", "edl"):
        if fmt not in formats:
            continue
        adapter, suffix, package = ADAPTERS[fmt]
        if adapter not in {a.name for a in otio.plugins.ActiveManifest().adapters}:
            raise MissingExtraError(f"--to {fmt} ({package})", "export")
        p = out / f"{name}{suffix}"
        # EDL is one picture track; the XMLs take every track
        atomic.write_text(p, otio.adapters.write_to_string(_picture_only(tl) if fmt == "edl" else tl, adapter))
        written.append(p)
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
            written.append(_copy(st.path(mix.key) / f"{stem}.wav", sd / f"{ctx.episode.id}.{stem}.wav"))
        written.append(_copy(st.path(editor.key) / "subtitles.srt", sd / f"{ctx.episode.id}.srt"))
        written.append(_copy(st.path(editor.key) / "subtitles.ass", sd / f"{ctx.episode.id}.ass"))
    return written


__all__ = ["export", "build", "FORMATS"]
