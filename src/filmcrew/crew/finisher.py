"""The finisher: per-shot segments with burned-in subtitles, transitions, the mix, the final MP4.

Each shot is rendered to its own segment with identical encoder settings (closed
GOP, every segment starts on a keyframe); transitions are their own short
segments, re-encoding only the frames they touch; the final film is assembled
by stream copy and muxed with the loudness-normalised mix, ``moov`` first.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .. import fonts, labels, ledger, mastering, media, timing
from ..errors import MediaError
from ..graph import ProviderId, Task
from ..project import Labels
from ..subtitles import chunks, piece_bounds, subtitle_box
from .common import EpisodeContext
from .voice import frames_of

CODE_VERSION = "finisher-4"
FINISHER = ProviderId("filmcrew-finisher", "1", "ffmpeg-libx264")


def encode_args(preview: bool) -> list[str]:
    return ["-c:v", "libx264", "-preset", "ultrafast" if preview else "veryfast", "-crf", "26" if preview else "20",
            "-profile:v", "high", "-pix_fmt", "yuv420p", "-r", "30", "-g", "60", "-keyint_min", "60",
            "-sc_threshold", "0", "-flags", "+cgop", "-maxrate", "10M", "-bufsize", "20M", "-an"]


def _clip_frames(folder: Path) -> int:
    return int(json.loads((Path(folder) / "record.json").read_text())["ledger"]["frames"])


# ---- subtitles -----------------------------------------------------------------------------------

def render_subtitle(text: str, size: tuple[int, int], path: Path) -> tuple[int, int]:
    fs, max_w, bottom = subtitle_box(size)
    font = fonts.font(fs)
    lines = text.split("\n")
    lh = int(fs * 1.3)
    w = int(max(font.getlength(ln) for ln in lines)) + fs
    h = lh * len(lines) + fs // 2
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle([0, 0, w, h], radius=fs // 3, fill=(0, 0, 0, 110))
    for k, ln in enumerate(lines):
        x = (w - font.getlength(ln)) / 2
        d.text((x, fs // 4 + k * lh), ln, font=font, fill=(255, 255, 255, 255), stroke_width=max(2, fs // 16),
               stroke_fill=(0, 0, 0, 255))
    im.save(path)
    return (size[0] - w) // 2, bottom - h


# ---- tasks ---------------------------------------------------------------------------------------

def segment_tasks(ctx: EpisodeContext, clips: dict[str, Task], voices: dict[str, Task]) -> tuple[list[Task], dict[str, Task]]:
    shots = ctx.episode.shots()
    overlaps = timing.transition_frames(shots)
    segs: list[Task] = []
    trans: dict[str, Task] = {}
    for i, sh in enumerate(shots):
        in_f = overlaps[i - 1] if i > 0 else 0
        inputs = {"clip": clips[sh.id], **{f"voice{k:02d}": voices[ln.id] for k, ln in enumerate(sh.lines)}}
        params = {"in": in_f, "out": overlaps[i], "texts": [ln.text for ln in sh.lines], "size": ctx.size,
                  "preview": ctx.preview}
        segs.append(Task("finisher", f"{sh.id}.segment", CODE_VERSION, FINISHER, params, _segment(ctx, sh, in_f, overlaps[i]),
                         inputs=inputs, episode=ctx.episode.number))
        if overlaps[i]:
            nxt = shots[i + 1]
            params = {"kind": sh.transition, "frames": overlaps[i], "preview": ctx.preview}
            trans[sh.id] = Task("finisher", f"{sh.id}.transition", CODE_VERSION, FINISHER, params,
                                _transition(sh.transition, overlaps[i], ctx.preview),
                                inputs={"a": clips[sh.id], "b": clips[nxt.id]}, episode=ctx.episode.number)
    return segs, trans


def _segment(ctx: EpisodeContext, sh, in_f: int, out_f: int):
    def run(tctx) -> dict:
        wd = Path(tctx.workdir)
        total = _clip_frames(tctx.inputs["clip"])
        vf = [frames_of(tctx.inputs[f"voice{k:02d}"]) for k in range(len(sh.lines))]
        _total, starts = timing.layout(sh, vf, in_f, out_f)
        fs, max_w, _b = subtitle_box(ctx.size)
        font = fonts.font(fs)
        args = ["-i", str(Path(tctx.inputs["clip"]) / "clip.mp4")]
        graph = [f"[0:v]trim=start_frame={in_f}:end_frame={total - out_f},setpts=PTS-STARTPTS[v0]"]
        k = 0
        for ln, st, n in zip(sh.lines, starts, vf):
            pieces = chunks(ln.text, font, max_w)
            bounds = piece_bounds(pieces, n)
            for j, piece in enumerate(pieces):
                png = wd / f"sub{k:03d}.png"
                x, y = render_subtitle(piece, ctx.size, png)
                a = st - in_f + int(round(bounds[j]))
                b = st - in_f + int(round(bounds[j + 1])) - 1
                args += ["-i", str(png)]
                graph.append(f"[v{k}][{k + 1}:v]overlay={x}:{y}:enable='between(n,{a},{b})'[v{k + 1}]")
                k += 1
        media.run_ffmpeg(args + ["-filter_complex", ";".join(graph), "-map", f"[v{k}]", *encode_args(ctx.preview),
                                 str(wd / "segment.mp4")], f"rendering segment {sh.id}")
        for p in wd.glob("sub*.png"):
            p.unlink()
        return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                            extra={"frames": total - in_f - out_f})
    return run


def _transition(kind: str, d: int, preview: bool):
    def run(tctx) -> dict:
        a_total = _clip_frames(tctx.inputs["a"])
        xf = "fadeblack" if kind == "dip" else "fade"
        graph = (f"[0:v]trim=start_frame={a_total - d}:end_frame={a_total},setpts=PTS-STARTPTS,settb=1/30[a];"
                 f"[1:v]trim=start_frame=0:end_frame={d},setpts=PTS-STARTPTS,settb=1/30[b];"
                 f"[a][b]xfade=transition={xf}:duration={d / 30:.4f}:offset=0,trim=end_frame={d}[v]")
        media.run_ffmpeg(["-i", str(Path(tctx.inputs["a"]) / "clip.mp4"), "-i", str(Path(tctx.inputs["b"]) / "clip.mp4"),
                          "-filter_complex", graph, "-map", "[v]", *encode_args(preview),
                          str(Path(tctx.workdir) / "segment.mp4")], "rendering a transition")
        return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC, extra={"frames": d})
    return run


# ---- the mix -------------------------------------------------------------------------------------

def mix_task(ctx: EpisodeContext, timeline: Task, voices: dict[str, Task], cues: dict[str, Task],
             beds: dict[str, Task]) -> Task:
    inputs = {"timeline": timeline, **{f"v:{k}": t for k, t in voices.items()},
              **{f"c:{k}": t for k, t in cues.items()}, **{f"a:{k}": t for k, t in beds.items()}}
    return Task("finisher", f"{ctx.episode.id}.mix", CODE_VERSION, FINISHER, {"lufs": -14.0, "tp": -1.0}, _mix,
                inputs=inputs, episode=ctx.episode.number)


def _fade(n: int, fade: int) -> np.ndarray:
    env = np.ones(n, np.float32)
    f = min(fade, n // 2)
    if f > 0:
        env[:f] = np.linspace(0, 1, f)
        env[n - f:] = np.linspace(1, 0, f)
    return env


def _mix(tctx) -> dict:
    rate = media.SAMPLE_RATE
    tl = json.loads((Path(tctx.inputs["timeline"]) / "timeline.json").read_text())
    spf = rate / tl["fps"]
    n = int(round(tl["frames"] * spf))
    dialogue = np.zeros((n, 2), np.float32)
    music = np.zeros((n, 2), np.float32)
    effects = np.zeros((n, 2), np.float32)
    for ln in tl["lines"]:
        a, _ = media.read_wav(Path(tctx.inputs[f"v:{ln['line']}"]) / "line.wav")
        s = int(round(ln["start"] * spf))
        e = min(n, s + len(a))
        dialogue[s:e] += a[: e - s, :1]
    fade = int(0.8 * rate)
    for sc in tl["scenes"]:
        s = int(round(sc["start"] * spf))
        e = min(n, int(round(sc["end"] * spf)))
        ln_ = e - s
        cue, _ = media.read_wav(Path(tctx.inputs[f"c:{sc['scene']}"]) / "cue.wav")
        reps = int(np.ceil(ln_ / len(cue)))
        cue = np.tile(cue, (reps, 1))[:ln_]
        music[s:e] += cue * _fade(ln_, fade)[:, None]
        bed, _ = media.read_wav(Path(tctx.inputs[f"a:{sc['scene']}"]) / "ambience.wav")
        bed = np.tile(bed, (int(np.ceil(ln_ / len(bed))), 1))[:ln_]
        effects[s:e] += bed * _fade(ln_, fade // 2)[:, None]
    # ducking: music and ambience dip under speech, with smooth attack and release
    speech = (np.abs(dialogue[:, 0]) > 0.01).astype(np.float32)
    win = int(0.25 * rate)
    kernel = np.ones(win, np.float32) / win
    env = np.clip(np.convolve(speech, kernel, mode="same") * 3, 0, 1)
    env = np.convolve(env, kernel, mode="same")
    music *= (0.30 - 0.20 * env)[:, None]
    effects *= (0.22 - 0.12 * env)[:, None]
    wd = Path(tctx.workdir)
    for name, stem in (("dialogue", dialogue), ("music", music), ("effects", effects)):
        media.write_wav(wd / f"{name}.wav", stem)
    raw = dialogue + music + effects
    measured = master_to_aac(raw, wd / "mix.wav", wd / "mix.m4a", tctx.task.params["lufs"], tctx.task.params["tp"])
    return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                        extra={"target_lufs": tctx.task.params["lufs"], "max_true_peak_dbtp": tctx.task.params["tp"], **measured})


AAC_ARGS = ["-c:a", "aac", "-b:a", "192k", "-ar", str(media.SAMPLE_RATE), "-ac", "2"]


def master_to_aac(raw: np.ndarray, wav: Path, m4a: Path, lufs: float, max_tp: float, extra: tuple = ()) -> dict:
    """Master to `lufs`, write `wav`, and encode the AAC file that ships (`m4a`, with `extra` ffmpeg output
    options), checking that file itself with ffmpeg's ebur128.

    The AAC encoder overshoots PCM peaks by a few tenths of a dB, by an amount that depends on the
    material, so the PCM ceiling starts 0.6 dB under the delivery limit and is lowered by the measured
    excess until the encoded file is at or under `max_tp` - 0.1."""
    ceiling = max_tp - 0.6
    info: dict = {}
    for _ in range(4):
        mixed, info = mastering.master(raw, media.SAMPLE_RATE, lufs, ceiling)
        media.write_wav(wav, mixed)
        media.run_ffmpeg(["-i", str(wav), *AAC_ARGS, *extra, str(m4a)], "encoding the sound track")
        m = media.loudness(m4a)
        info.update(integrated_lufs=m["integrated_lufs"], true_peak_dbtp=m["true_peak_dbtp"], pcm_ceiling_dbtp=round(ceiling, 2))
        over = m["true_peak_dbtp"] - (max_tp - 0.1)
        if not over > 0:
            return info
        ceiling -= over + 0.1
    raise MediaError(f"{m4a}: the encoded sound track peaks at {info['true_peak_dbtp']} dBTP, over the "
                     f"{max_tp} dBTP limit, after four limiter passes; this is a bug in filmcrew, please report it")


# ---- the final film ------------------------------------------------------------------------------

def final_task(ctx: EpisodeContext, segments: list[Task], transitions: dict[str, Task], mix: Task, timeline: Task) -> Task:
    inputs: dict[str, Task] = {"mix": mix, "timeline": timeline}
    order = []
    for i, seg in enumerate(segments):
        inputs[f"s{i:03d}"] = seg
        order.append(f"s{i:03d}")
        sid = seg.artifact.rsplit(".", 1)[0]
        if sid in transitions:
            inputs[f"t{i:03d}"] = transitions[sid]
            order.append(f"t{i:03d}")
    lab = ctx.labels or Labels()
    params = {"order": order, "preview": ctx.preview, "size": list(ctx.size), "language": ctx.language,
              "labels": {k: v for k, v in asdict(lab).items() if k != "audio"}}  # the audio label is for audio exports
    return Task("finisher", f"{ctx.episode.id}.final", CODE_VERSION, FINISHER, params, _final(order),
                inputs=inputs, episode=ctx.episode.number)


def _concat_input(listing: Path, files: list[Path]) -> list[str]:
    """Write an ffmpeg concat list of `files` and return the input options that read it."""
    listing.write_text("".join(f"file '{f.resolve()}'\n" for f in files))
    return ["-f", "concat", "-safe", "0", "-i", str(listing)]


def _labelled(paths: list[Path], frames: int, enable: str, png: Path, x: int, y: int, out: Path, preview: bool) -> None:
    """Re-encode the segments `paths` (joined) with the visible label over the frames `enable` selects."""
    listing = out.with_suffix(".txt")
    media.run_ffmpeg([*_concat_input(listing, paths), "-i", str(png), "-filter_complex",
                      f"[0:v][1:v]overlay={x}:{y}:enable='{enable}',trim=end_frame={frames}[v]", "-map", "[v]",
                      *encode_args(preview), str(out)], "burning in the AI label")
    listing.unlink()


def _final(order: list[str]):
    def run(tctx) -> dict:
        wd = Path(tctx.workdir)
        p = tctx.task.params
        lab = p["labels"]
        segs = [Path(tctx.inputs[k]) / "segment.mp4" for k in order]
        counts = [_clip_frames(tctx.inputs[k]) for k in order]
        total = sum(counts)
        span = min(total, int(round(lab["seconds"] * 30)))
        png = wd / "label.png"
        x, y, text_h = labels.render_label(p["language"], tuple(p["size"]), lab["position"], png)
        # the label goes over the first `span` frames: re-encode only the segments it touches, copy the rest
        head_n = next(i for i in range(1, len(segs) + 1) if sum(counts[:i]) >= span)
        pieces = [wd / "head.mp4"]
        _labelled(segs[:head_n], sum(counts[:head_n]), f"lt(n,{span})", png, x, y, pieces[0], p["preview"])
        rest = list(range(head_n, len(segs)))
        tail: list[Path] = []
        if lab["repeat_at_end"] and rest:
            tail_n = next((i for i in range(1, len(rest) + 1) if sum(counts[j] for j in rest[-i:]) >= span), len(rest))
            tail_idx = rest[-tail_n:]
            n_tail = sum(counts[j] for j in tail_idx)
            tail = [wd / "tail.mp4"]
            _labelled([segs[j] for j in tail_idx], n_tail, f"gte(n,{n_tail - span})", png, x, y, tail[0], p["preview"])
            rest = rest[:-tail_n]
        listing = wd / "segments.txt"
        parts = pieces + [segs[j] for j in rest] + tail
        film = wd / "film.mp4"
        produce_id = f"filmcrew-{tctx.task.key[:24]}"
        aigc = labels.aigc_json(lab["producer"], produce_id, lab["reserved1"], lab["reserved2"])
        media.run_ffmpeg([*_concat_input(listing, parts), "-i", str(Path(tctx.inputs["mix"]) / "mix.m4a"),
                          "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-shortest", *labels.write_args(aigc), str(film)],
                         "assembling the film")
        for q in [listing, png, *pieces, *tail]:
            q.unlink()
        labels.verify_written(film, aigc)
        tl = Path(tctx.inputs["timeline"])
        for name in ("subtitles.srt", "subtitles.ass", "timeline.otio"):
            (wd / name).write_bytes((tl / name).read_bytes())
        pr = media.probe(film)
        if not pr.faststart:
            raise MediaError(f"{film}: moov is not before mdat after assembly; this is a bug in filmcrew")
        return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                            extra={"seconds": pr.duration, "aigc": aigc,
                                   "visible_label": {"text": labels.WORDING.get(p["language"], labels.WORDING["en"]),
                                                     "position": lab["position"], "frames": span, "x": x, "y": y,
                                                     "text_height_px": text_h,
                                                     "repeat_at_end": bool(tail)}})
    return run


__all__ = ["segment_tasks", "mix_task", "final_task", "encode_args", "master_to_aac", "subprocess"]
