"""The editor: the episode's timeline (frames), written as JSON, OpenTimelineIO and SRT."""

from __future__ import annotations

import json
from pathlib import Path

from .. import atomic, ledger, subtitles, timing
from ..graph import ProviderId, Task
from .common import EpisodeContext
from .voice import frames_of

CODE_VERSION = "editor-2"


def tasks(ctx: EpisodeContext, voices: dict[str, Task]) -> Task:
    shots = ctx.episode.shots()
    inputs = {ln.id: voices[ln.id] for ln in ctx.episode.lines()}
    params = {"shots": [(s.id, s.duration_frames, s.transition, s.action if not s.duration_frames else "",
                         [(ln.id, ln.speaker, ln.text) for ln in s.lines]) for s in shots],
              "scenes": [(sc.id, [s.id for s in sc.shots]) for sc in ctx.episode.scenes]}
    return Task("editor", f"{ctx.episode.id}.timeline", CODE_VERSION, ProviderId("filmcrew-editor", "1"), params,
                _runner(ctx), inputs=inputs, episode=ctx.episode.number)


def build_timeline(ctx: EpisodeContext, voice_frames: dict[str, int]) -> dict:
    shots = ctx.episode.shots()
    overlaps = timing.transition_frames(shots)
    items, lines = [], []
    start = 0
    scene_of = {s.id: sc for sc in ctx.episode.scenes for s in sc.shots}
    for i, sh in enumerate(shots):
        in_f = overlaps[i - 1] if i > 0 else 0
        vf = [voice_frames[ln.id] for ln in sh.lines]
        total, starts = timing.layout(sh, vf, in_f, overlaps[i])
        items.append({"shot": sh.id, "scene": scene_of[sh.id].id, "start": start, "frames": total, "in": in_f,
                      "out": overlaps[i], "transition": sh.transition if overlaps[i] else "cut"})
        for ln, st, n in zip(sh.lines, starts, vf):
            lines.append({"line": ln.id, "speaker": ln.speaker, "text": ln.text, "start": start + st, "frames": n,
                          "shot": sh.id})
        start += total - overlaps[i]
    scenes = []
    for sc in ctx.episode.scenes:
        its = [it for it in items if it["scene"] == sc.id]
        if its:
            scenes.append({"scene": sc.id, "start": its[0]["start"], "end": its[-1]["start"] + its[-1]["frames"],
                           "mood": sc.mood})
    return {"fps": timing.FPS, "frames": start, "shots": items, "lines": lines, "scenes": scenes,
            "size": list(ctx.size), "episode": ctx.episode.id}


def to_otio(timeline: dict, ctx: EpisodeContext):
    import opentimelineio as otio
    rate = timeline["fps"]
    tl = otio.schema.Timeline(name=f"{ctx.bible.title} {ctx.episode.id}")
    video = otio.schema.Track(name="picture", kind=otio.schema.TrackKind.Video)
    for it in timeline["shots"]:
        clip = otio.schema.Clip(name=it["shot"], source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(it["in"], rate), otio.opentime.RationalTime(it["frames"] - it["in"] - it["out"], rate)))
        clip.media_reference = otio.schema.MissingReference(available_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(it["frames"], rate)))
        clip.metadata["filmcrew"] = {"shot": it["shot"], "scene": it["scene"]}
        video.append(clip)
    dialogue = otio.schema.Track(name="dialogue", kind=otio.schema.TrackKind.Audio)
    pos = 0
    for ln in timeline["lines"]:
        if ln["start"] > pos:
            dialogue.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(ln["start"] - pos, rate))))
        c = otio.schema.Clip(name=ln["line"], source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(ln["frames"], rate)))
        c.metadata["filmcrew"] = {"line": ln["line"], "speaker": ln["speaker"], "text": ln["text"]}
        dialogue.append(c)
        pos = ln["start"] + ln["frames"]
    tl.tracks.append(video)
    tl.tracks.append(dialogue)
    return tl


def _runner(ctx: EpisodeContext):
    def run(tctx) -> dict:
        import opentimelineio as otio
        vf = {name: frames_of(path) for name, path in tctx.inputs.items()}
        timeline = build_timeline(ctx, vf)
        wd = Path(tctx.workdir)
        atomic.write_text(wd / "timeline.json", json.dumps(timeline, indent=1, ensure_ascii=False))
        atomic.write_text(wd / "subtitles.srt", subtitles.srt(timeline))
        atomic.write_text(wd / "subtitles.ass", subtitles.ass(timeline, ctx.language))
        otio.adapters.write_to_file(to_otio(timeline, ctx), str(wd / "timeline.otio"))
        return ledger.entry(made_by="algorithm:filmcrew-editor", source_type=ledger.ALGORITHMIC,
                            extra={"frames": timeline["frames"]})
    return run
