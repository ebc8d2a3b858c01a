"""The editor: the episode's timeline (frames), written as JSON, SRT and ASS, following the cut.

The cut is the screenplay's own (every shot in order, the script's transitions) unless a person cut the
episode in an editing program and `filmcrew import` recorded it in `cut/epNN.json`; then the timeline
follows that cut, and the editor's ledger entry records the re-cut as a human contribution.

Clips a person added in the editor (and gaps, as black) are conformed here to the film's size and rate,
with a second of handles each side for transitions.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import ledger
from ..engine import atomic
from ..engine.graph import ProviderId, Task
from ..errors import ConfigError
from ..media import ffmpeg, subtitles
from ..story import timing
from ..story.cut import HANDLE, Cut, Item, local_range, script_cut, source_base
from ..story.cut import path as cut_path
from .common import EpisodeContext
from .voice import frames_of, spans_of

CODE_VERSION = "editor-7"  # 7: lines a trim cuts into (kept, dropped, or clipped) and where each is on picture
CONFORM_VERSION = "conform-2"  # 2: BT.709
TIMING_VERSION = "timing-1"
EDITOR = ProviderId("filmcrew-editor", "1")


def the_cut(ctx: EpisodeContext) -> Cut:
    return ctx.cut or script_cut(ctx.episode.shots())


def tasks(ctx: EpisodeContext, voices: dict[str, Task], timings: dict[str, Task],
          translations: dict[str, Task] | None = None) -> Task:
    shots = ctx.episode.shots()
    cut = the_cut(ctx)
    inputs = {**{ln.id: voices[ln.id] for ln in ctx.episode.lines()},
              **{f"layout:{sid}": t for sid, t in timings.items()},
              **{f"subtitles-{lang}": t for lang, t in (translations or {}).items()}}
    params = {"shots": [(s.id, s.duration_frames, s.transition, s.action if not s.duration_frames else "",
                         [(ln.id, ln.speaker, ln.text) for ln in s.lines]) for s in shots],
              "scenes": [(sc.id, sc.mood, [s.id for s in sc.shots]) for sc in ctx.episode.scenes],
              "cut": cut.params(), "by": cut.by, "edits": list(cut.edits)}
    return Task("editor", f"{ctx.episode.id}.timeline", CODE_VERSION, EDITOR, params,
                _runner(ctx, cut), inputs=inputs, episode=ctx.episode.number)


# ---- each shot's timing -------------------------------------------------------------------------------

def timing_tasks(ctx: EpisodeContext, voices: dict[str, Task], scratch: dict[str, Task]) -> dict[str, Task]:
    """shot id -> the task that lays out its lines (timing.layout; a dubbed take keeps its scratch track's
    slot when it fits, timing.slot). It writes length.json, the clip's frames (all the animator takes from
    the voices, by content: a new voice of the same slot re-makes no picture), and layout.json, each
    line's first frame in the clip."""
    shots = ctx.episode.shots()
    out = {}
    for sh, io in zip(shots, timing.edges(shots)):
        inputs = {f"voice{k:02d}": voices[ln.id] for k, ln in enumerate(sh.lines)}
        inputs.update({f"scratch{k:02d}": scratch[ln.id] for k, ln in enumerate(sh.lines) if ln.id in scratch})
        params = {"shot": sh.id, "io": io, "action_frames": timing.action_frames(sh), "lines": len(sh.lines)}
        out[sh.id] = Task("editor", f"{sh.id}.timing", TIMING_VERSION, EDITOR, params, _lay_out(sh, io), inputs=inputs,
                          episode=ctx.episode.number)
    return out


def _lay_out(sh, io: tuple[int, int]):
    def run(tctx) -> dict:
        inp = tctx.inputs
        vf = [frames_of(inp[f"voice{k:02d}"]) for k in range(len(sh.lines))]
        slots = [timing.slot(n, frames_of(inp[f"scratch{k:02d}"]) if f"scratch{k:02d}" in inp else None)
                 for k, n in enumerate(vf)]
        total, starts = timing.layout(sh, slots, *io)
        wd = Path(tctx.workdir)
        atomic.write_text(wd / "length.json", json.dumps({"frames": total}))
        atomic.write_text(wd / "layout.json", json.dumps({"frames": total, "starts": starts, "voice_frames": vf,
                                                           "slots": slots}))
        fitted = [ln.id for k, ln in enumerate(sh.lines) if f"scratch{k:02d}" in inp and slots[k] != vf[k]]
        return ledger.entry(made_by="algorithm:filmcrew-editor", source_type=ledger.ALGORITHMIC,
                            extra={"frames": total, **({"fitted_takes": fitted} if fitted else {})})
    return run


def clip_length(folder: Path) -> int:
    return int(json.loads((Path(folder) / "length.json").read_text())["frames"])


def read_layout(folder: Path) -> tuple[int, list[int]]:
    """(the shot's frames, each line's first frame in it), as its timing task laid them out."""
    lay = json.loads((Path(folder) / "layout.json").read_text())
    return int(lay["frames"]), [int(s) for s in lay["starts"]]


# ---- clips a person supplied, and gaps --------------------------------------------------------------

def source_tasks(ctx: EpisodeContext, cut: Cut) -> dict[int, Task]:
    """item index -> the task that conforms that take or gap to a clip like the animator's."""
    out = {}
    for k, it in enumerate(cut.items):
        if it.kind == "shot":
            continue
        base = source_base(it)
        params = {"kind": it.kind, "sha256": it.sha256, "from": base, "to": it.src_out + HANDLE, "size": ctx.size,
                  "preview": ctx.preview, "source_type": it.source_type}
        name = f"take-{it.sha256[:12]}-{base}" if it.kind == "take" else f"gap-{it.src_out + HANDLE}"
        out[k] = Task("editor", f"{ctx.episode.id}-{name}.clip", CONFORM_VERSION, ProviderId("filmcrew-conform", "1",
                      "ffmpeg"), params, _conform(ctx, it, base), episode=ctx.episode.number)
    return out


def _conform(ctx: EpisodeContext, it: Item, base: int):
    def run(tctx) -> dict:
        W, H = ctx.size
        n = it.src_out + HANDLE - base
        out = str(Path(tctx.workdir) / "clip.mp4")
        enc = ["-c:v", "libx264", "-preset", "ultrafast" if ctx.preview else "veryfast", "-crf", "24" if ctx.preview
               else "16", "-pix_fmt", "yuv420p", "-r", "30", "-an", "-frames:v", str(n), *ffmpeg.X264_THREADS,
               *ffmpeg.BT709_TAGS]
        if it.kind == "gap":
            ffmpeg.run(["-f", "lavfi", "-i", f"color=black:s={W}x{H}:r=30", "-vf", ffmpeg.BT709_PARAMS, *enc, out],
                       "making a gap")
        else:
            # recomposed, not cropped: the whole picture fits the frame over a blurred fill of itself
            graph = (f"fps=30,{ffmpeg.to_bt709(Path(ctx.root) / it.media)},split[a][b];[a]scale={W}:{H}:force_original_aspect_ratio=increase,"
                     f"crop={W}:{H},boxblur=24:2[bg];[b]scale={W}:{H}:force_original_aspect_ratio=decrease,setsar=1[fg];"
                     f"[bg][fg]overlay=(W-w)/2:(H-h)/2,format=yuv420p")
            ffmpeg.run(["-ss", f"{base / timing.FPS:.4f}", "-i", str(Path(ctx.root) / it.media),
                              "-filter_complex", graph, *enc, out], f"conforming {it.media}")
        frames = ffmpeg.probe(Path(out), count_frames=True).frames
        if it.kind == "take":
            return ledger.entry(made_by=f"human:{it.name or it.media}", source_type=it.source_type,
                                prompt=f"clip {it.name or it.media} added in the editor",
                                extra={"frames": frames, "media": it.media, "sha256": it.sha256})
        return ledger.entry(made_by="algorithm:filmcrew-conform", source_type=ledger.ALGORITHMIC,
                            extra={"frames": frames})
    return run


# ---- the timeline -------------------------------------------------------------------------------------

def shot_layout(ctx: EpisodeContext, voice_frames: dict[str, int]) -> dict[str, tuple[int, list[int]]]:
    """shot id -> (its clip's frames, each line's first frame in the clip), when no line has a scratch
    track to fit (the timing tasks' layout then)."""
    shots = ctx.episode.shots()
    return {sh.id: timing.layout(sh, [voice_frames[ln.id] for ln in sh.lines], *io)
            for sh, io in zip(shots, timing.edges(shots))}


def build_timeline(ctx: EpisodeContext, voice_frames: dict[str, int], cut: Cut | None = None,
                   spans: dict[str, list] | None = None, layouts: dict[str, tuple[int, list[int]]] | None = None) -> dict:
    cut = cut or the_cut(ctx)
    shots = {s.id: s for s in ctx.episode.shots()}
    scene_of = {s.id: sc for sc in ctx.episode.scenes for s in sc.shots}
    lay = layouts or shot_layout(ctx, voice_frames)
    items, lines, effects, trimmed = [], [], [], []
    start = 0
    for k, it in enumerate(cut.items):
        # in frames of the clip the finisher reads (a conformed take starts a handle before its range)
        a, b = local_range(it, lay[it.shot][0] if it.kind == "shot" else None)
        first, last = cut.offsets(k)
        if b - a < first + last + 1:
            raise ConfigError(f"{cut_path(ctx.root, ctx.episode.number)}: items[{k}] ({it.shot or it.name or it.kind}) "
                              f"plays {b - a} frames, fewer than its transitions take ({first} + {last}); shorten "
                              f"the transitions or lengthen the clip, and re-import")
        items.append({"item": k, "kind": it.kind, "shot": it.shot or None, "name": it.name or it.shot or it.kind,
                      "scene": scene_of[it.shot].id if it.kind == "shot" else None, "start": start, "frames": b - a,
                      "src_in": a, "src_out": b, **({"source_type": it.source_type} if it.kind == "take" else {})})
        if it.kind == "shot":
            sh = shots[it.shot]
            prev, nxt = cut.join_after(k - 1), cut.join_after(k)
            lo_vis, hi_vis = a - (prev.before if prev else 0), b + (nxt.into if nxt else 0)
            for ln, s in zip(sh.lines, lay[it.shot][1]):
                n = voice_frames[ln.id]
                lo, hi = max(s, lo_vis), min(s + n, hi_vis)
                # where its shot's frames are on screen (film frames): its subtitle is burned in there
                entry = {"line": ln.id, "speaker": ln.speaker, "text": ln.text, "voice_frames": n, "shot": sh.id,
                         "item": k, "gain_db": float(cut.line_gains.get(ln.id, 0.0)), "spans": (spans or {}).get(ln.id),
                         "on_picture": [start + lo_vis - a, start + hi_vis - a]}
                choice = None
                if lo > s or hi < s + n:  # a trim cuts into the line
                    choice = cut.lines.get(ln.id)
                    trimmed.append({"line": ln.id, "shot": sh.id, "item": k, "text": ln.text, "speaker": ln.speaker,
                                    "head": max(0, min(n, lo_vis - s)), "tail": max(0, min(n, s + n - hi_vis)),
                                    "frames": n, "choice": choice})
                if choice == "drop":
                    continue
                if choice == "keep":  # whole, in step with its shot's picture, over the neighbouring items
                    lo, hi = s, s + n
                if hi > lo:
                    lines.append({**entry, "start": start + lo - a, "frames": hi - lo, "from": lo - s})
            # where the shot's own sound plays (its spot effects, or a video model's sound: the mix has whichever
            # it makes): from its clip's first frame on screen, as long as its frames are, transitions included
            lo = max(0, lo_vis)
            effects.append({"shot": sh.id, "item": k, "start": start + lo - a, "from": lo, "frames": hi_vis - lo})
        start += b - a
    # takes and gaps carry on the scene before them (its music and ambience), or the next one when first
    for k, it in enumerate(items):
        if it["scene"] is None:
            near = [x["scene"] for x in items[k::-1] + items[k:] if x["scene"]]
            it["scene"] = near[0] if near else ctx.episode.scenes[0].id
    mood = {sc.id: sc.mood for sc in ctx.episode.scenes}
    scenes = []
    for it in items:
        if scenes and scenes[-1]["scene"] == it["scene"]:
            scenes[-1]["end"] = it["start"] + it["frames"]
        else:
            scenes.append({"scene": it["scene"], "start": it["start"], "end": it["start"] + it["frames"],
                           "mood": mood[it["scene"]]})
    joins = [{"after": j.after, "kind": j.kind, "before": j.before, "into": j.into} for j in cut.joins]
    for ln in lines:  # a kept line heard before the film starts or after it ends starts or ends with it
        cut_off = max(0, -ln["start"])
        ln["start"], ln["from"], ln["frames"] = ln["start"] + cut_off, ln["from"] + cut_off, ln["frames"] - cut_off
        ln["frames"] = min(ln["frames"], start - ln["start"])
    lines = [ln for ln in lines if ln["frames"] > 0]
    lines.sort(key=lambda ln: ln["start"])
    return {"fps": timing.FPS, "frames": start, "items": items, "transitions": joins, "lines": lines, "scenes": scenes,
            "effects": effects, "trimmed": trimmed,
            "gains": {"dialogue": 0.0, "music": 0.0, "effects": 0.0, **cut.gains}, "size": list(ctx.size),
            "episode": ctx.episode.id, "cut": {"by": cut.by, "source": cut.source, "edits": list(cut.edits)} if cut.human
            else None}


def _runner(ctx: EpisodeContext, cut: Cut):
    def run(tctx) -> dict:
        voices = {name: path for name, path in tctx.inputs.items() if not name.startswith(("subtitles-", "layout:"))}
        layouts = {name.split(":", 1)[1]: read_layout(path) for name, path in tctx.inputs.items()
                   if name.startswith("layout:")}
        timeline = build_timeline(ctx, {n: frames_of(p) for n, p in voices.items()}, cut,
                                  {n: spans_of(p) for n, p in voices.items()}, layouts)
        wd = Path(tctx.workdir)
        atomic.write_text(wd / "timeline.json", json.dumps(timeline, indent=1, ensure_ascii=False))
        atomic.write_text(wd / "subtitles.srt", subtitles.srt(timeline))
        atomic.write_text(wd / "subtitles.ass", subtitles.ass(timeline, ctx.language))
        for name, folder in tctx.inputs.items():  # translated tracks, at the same times
            if name.startswith("subtitles-"):
                lang = name.split("-", 1)[1]
                words = json.loads((Path(folder) / "translation.json").read_text(encoding="utf-8"))
                tr = {**timeline, "lines": [{**ln, "text": words.get(ln["line"], ln["text"]), "spans": None}  # by length
                                            for ln in timeline["lines"]]}
                atomic.write_text(wd / f"subtitles.{lang}.srt", subtitles.srt(tr))
                atomic.write_text(wd / f"subtitles.{lang}.ass", subtitles.ass(tr, lang))
        if cut.human:
            return ledger.entry(made_by=f"human:{cut.by}", source_type=ledger.HUMAN_EDITS,
                                prompt="re-cut in an editor" + (": " + "; ".join(cut.edits) if cut.edits else ""),
                                extra={"frames": timeline["frames"], "cut_source": cut.source})
        return ledger.entry(made_by="algorithm:filmcrew-editor", source_type=ledger.ALGORITHMIC,
                            extra={"frames": timeline["frames"]})
    return run
