"""The finisher: per-shot segments with lips and burned-in subtitles, transitions, the final MP4 (the mix: crew/mixer.py).

Each shot is rendered to its own segment with identical encoder settings (closed
GOP, every segment starts on a keyframe); transitions are their own short
segments, re-encoding only the frames they touch; the final film is assembled
by stream copy and muxed with the loudness-normalised mix, ``moov`` first.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, replace
from pathlib import Path

from PIL import Image, ImageDraw

from .. import ledger
from ..engine import atomic
from ..engine.graph import ProviderId, Task
from ..engine.store import for_project
from ..errors import MediaError
from ..media import ffmpeg, fonts, lips
from ..media.subtitles import line_pieces, subtitle_box
from ..provenance import labels
from ..provenance.labels import Labels
from ..story.cut import Cut, local_range
from . import subtitle_tracks
from .common import EpisodeContext
from .editor import clip_length, read_layout
from .voice import frames_of, spans_of

CODE_VERSION = "finisher-10"  # 9: BT.709 (converted, tagged); 10: the visible label drawn by the first (and last) segment
# the segments and transitions: 11: a shot animated here is drawn by its segment (each frame encoded once), with its
# lips drawn into the frames; the final and the media for export keep CODE_VERSION (the mix: crew/mixer.py); 12: x264
# on one thread (DELIVERY_THREADS)
SEGMENT_VERSION = "finisher-12"
# a transition between two shots drawn here is blended in the finisher and piped into the encoder, as a segment is
# (13; it was two raw files on disk and ffmpeg's xfade: issue 36); 14: in the film's own cut, keyed by its sides'
# pictures and lengths only (no line shows in a transition: see segment_tasks)
TRANSITION_VERSION = "finisher-14"
FINISHER = ProviderId("filmcrew-finisher", "1", "ffmpeg-libx264")


# The delivery encodes (segments, transitions, the final's labelled runs) run x264 on one thread: two segments are
# made side by side (more with `make --jobs N` on a machine with more cores), so x264's own frame threads bought
# little wall time on two cores but held ~75 MB more each (frames in flight) and cost ~5-10% more CPU (issue 36: the
# peak and the bill). Same preset and CRF; other bytes than on 3 threads, so the segments' keys changed with it.
DELIVERY_THREADS = ["-threads", "1"]


def encode_args(preview: bool) -> list[str]:
    return ["-c:v", "libx264", "-preset", "ultrafast" if preview else "veryfast", "-crf", "26" if preview else "20",
            "-profile:v", "high", "-pix_fmt", "yuv420p", "-r", "30", "-g", "60", "-keyint_min", "60",
            "-sc_threshold", "0", "-flags", "+cgop", "-maxrate", "10M", "-bufsize", "20M", "-an", *DELIVERY_THREADS,
            *ffmpeg.BT709_TAGS]


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

def segment_tasks(ctx: EpisodeContext, cut: Cut, clips: dict[str, Task], sources: dict[int, Task],
                  voices: dict[str, Task], timings: dict[str, Task],
                  pictures: dict | None = None, translations: dict | None = None) -> tuple[list[Task], dict[int, Task]]:
    """One segment per item of the cut (the frames no transition covers) and one per transition.

    A segment's key holds only its own clip, its own lines' voices and timing, and its range, so
    re-ordering or trimming other items in an editor re-encodes nothing here. The speakers' lips are
    drawn here, from their voices, over the clip (media/lips.py). A shot in `pictures` (animated here,
    frame by frame: crew/animator.Picture) has no clip to read: its segment draws the frames from the
    keyframe, lips included, and encodes them once; its key holds the keyframe and how it is animated.
    A delivery that burns another language (`ctx.burn`, --burn) draws the translator's words (its task an input,
    `burn` a parameter) or no subtitles ("none"); the film's own language adds nothing to the keys."""
    shots = ctx.episode.shots()
    burned = _burned(ctx, translations)
    by_id = {sh.id: sh for sh in shots}
    pictures = pictures or {}

    def picture(k: int):
        it = cut.items[k]
        pic = pictures.get(it.shot) if it.kind == "shot" else None
        return pic if pic is not None and pic.clip is clips.get(it.shot) else None  # (not a person's clip take)

    def source(k: int) -> tuple[dict, dict]:
        it = cut.items[k]
        sh = by_id.get(it.shot)
        pic = picture(k)
        inputs = {**({"keyframe": pic.keyframe} if pic else {"clip": clips[it.shot] if it.kind == "shot" else sources[k]}),
                  **({"timing": timings[it.shot]} if it.kind == "shot" else {}),
                  **{f"voice{n:02d}": voices[ln.id] for n, ln in enumerate(sh.lines if sh else [])},
                  **burned[0]}
        dropped = [ln.id for ln in (sh.lines if sh else []) if cut.lines.get(ln.id) == "drop"]
        return inputs, {"item": [it.kind, it.shot, it.sha256, it.src_in, it.src_out],
                        "texts": [ln.text for ln in (sh.lines if sh else [])], **({"dropped": dropped} if dropped else {}),
                        **({"picture": pic.recipe()} if pic else {}), **burned[1]}

    def name(k: int) -> str:
        return f"{ctx.episode.id}.cut{k:03d}" if cut.human else cut.items[k].shot

    segs: list[Task] = []
    trans: dict[int, Task] = {}
    common = {"size": ctx.size, "preview": ctx.preview}
    lab = ctx.labels or Labels()
    for k, it in enumerate(cut.items):
        first, last = cut.offsets(k)
        inputs, src = source(k)
        # the film's first item draws the visible label over its opening frames, and its last item over its closing
        # ones where the label repeats at the end: the final film is then assembled by stream copy alone
        ends = [e for e, on in (("head", k == 0), ("tail", k == len(cut.items) - 1 and lab.repeat_at_end)) if on]
        label = {"label": {"at": ends, "language": ctx.language, "position": lab.position, "seconds": lab.seconds}} \
            if ends else {}
        segs.append(Task("finisher", f"{name(k)}.segment", SEGMENT_VERSION, FINISHER,
                         {**src, "first": first, "last": last, **common, **label},
                         _segment(ctx, it, by_id.get(it.shot), first, last, frozenset(src.get("dropped", ())), picture(k)),
                         inputs=inputs, episode=ctx.episode.number))
        j = cut.join_after(k)
        if j:
            b_in, b_src = source(k + 1)
            nxt = cut.items[k + 1]
            t_inputs = {**{f"a.{n}": t for n, t in inputs.items()}, **{f"b.{n}": t for n, t in b_in.items()}}
            sides, by_content = (src, b_src), {}
            if not cut.human:  # no line is heard or seen in a transition of the film's own cut (see _quiet)
                t_inputs = {n: t for n, t in t_inputs.items() if not n.split(".", 1)[1].startswith(("voice", "translation"))}
                by_content = {n: "length.json" for n in t_inputs if n.endswith(".timing")}
                sides = tuple({n: v for n, v in side.items() if n not in ("texts", "burn")} for side in sides)
            trans[k] = Task("finisher", f"{name(k)}.transition", TRANSITION_VERSION, FINISHER,
                            {"kind": j.kind, "before": j.before, "into": j.into, "a": sides[0], "b": sides[1], **common},
                            _transition(ctx, j, (it, by_id.get(it.shot), picture(k)), (nxt, by_id.get(nxt.shot), picture(k + 1)),
                                        frozenset(src.get("dropped", ())) | frozenset(b_src.get("dropped", ())),
                                        voiced=cut.human),
                            inputs=t_inputs, by_content=by_content, store=for_project(ctx.root) if by_content else None,
                            episode=ctx.episode.number)
    return segs, trans


def _quiet(tctx, prefix: str, sh, lo: int, hi: int, what: str) -> None:
    """Check that no line of `sh` is heard in its clip frames [lo, hi) of a transition (its mouth open, its subtitle
    shown). In the film's own cut a line never is: a shot's first line starts LEAD frames after its
    incoming transition and its last ends TAIL frames before its outgoing one (story/timing.py), so such a
    transition's key holds its sides' pictures and lengths, not their lines, and a line made longer re-makes no
    transition it does not show in. Checked on every such transition made, from the shot's layout: a line inside
    one is a bug in filmcrew (its key would not hold that line), said as such."""
    if sh is None or not sh.lines:
        return
    lay = json.loads((Path(tctx.inputs[f"{prefix}timing"]) / "layout.json").read_text())
    for ln, st, n in zip(sh.lines, lay["starts"], lay["voice_frames"]):
        if st < hi and st + n > lo:
            raise MediaError(f"{what}: line {ln.id} is heard inside the transition (frames {st}..{st + n} of the "
                             f"shot, the transition {lo}..{hi}); this is a bug in filmcrew, please report it")


def _subtitles(ctx: EpisodeContext, wd: Path, inputs: dict, prefix: str, sh, lo: int, hi: int, tag: str,
               drop: frozenset = frozenset()) -> list:
    """The subtitle images of shot `sh`'s lines over its clip's frames [lo, hi): (png, x, y, first, last)
    with first and last counted from `lo`. A line shows wherever its shot's frames are on screen, but for
    the lines in `drop` (the cut leaves them out). A delivery's burned language other than the film's own (the
    `translation` input, timed by length as its soft track is) or "none" (no input: nothing drawn) replaces the
    lines' words."""
    if sh is None or not sh.lines or ctx.burn == "none":
        return []
    words = _words(inputs.get("translation") or inputs.get(f"{prefix}translation"))
    vf = [frames_of(inputs[f"{prefix}voice{k:02d}"]) for k in range(len(sh.lines))]
    _total, starts = read_layout(inputs[f"{prefix}timing"])
    fs, max_w, _b = subtitle_box(ctx.size)
    font = fonts.font(fs)
    out = []
    for k, (ln, st, n) in enumerate(zip(sh.lines, starts, vf)):
        if ln.id in drop:
            continue
        text, spans = (words.get(ln.id, ln.text), None) if words is not None else \
            (ln.text, spans_of(inputs[f"{prefix}voice{k:02d}"]))
        for j, (piece, pa, pb) in enumerate(line_pieces(text, font, max_w, n, spans)):
            a, b = max(lo, st + pa), min(hi, st + pb)
            if b > a:
                png = wd / f"sub-{tag}{k:02d}-{j:02d}.png"
                x, y = render_subtitle(piece, ctx.size, png)
                out.append((png, x, y, a - lo, b - 1 - lo))
    return out


def _burned(ctx: EpisodeContext, translations: dict | None) -> tuple[dict, dict]:
    """(inputs, parameters) a segment, transition or final adds for its delivery's burned subtitles: nothing for
    the film's own language (so a project's keys stay as they were), {"burn": "none"}, or the language's
    translation task and {"burn": LL}."""
    if not ctx.burn:
        return {}, {}
    if ctx.burn == "none":
        return {}, {"burn": "none"}
    if ctx.burn not in (translations or {}):
        raise MediaError(f"burn {ctx.burn}: no {ctx.burn} subtitles are made (add it to [film] subtitle_languages "
                         "with a translator in filmcrew.toml)")
    return {"translation": translations[ctx.burn]}, {"burn": ctx.burn}


def _words(folder) -> dict | None:
    """{line id: translated text} from a translator task's folder; None without one (the film's own words)."""
    if folder is None:
        return None
    return json.loads((Path(folder) / "translation.json").read_text(encoding="utf-8"))


def _lips(wd: Path, inputs: dict, prefix: str, sh, lo: int, hi: int, tag: str, drop: frozenset = frozenset()) -> list:
    """The speakers' open mouths over the clip's frames [lo, hi), where the animator tracked them (not for
    the lines in `drop`)."""
    if sh is None or not sh.lines:
        return []
    track = lips.read_track(inputs[f"{prefix}clip"])
    if not track:
        return []
    total, starts = read_layout(inputs[f"{prefix}timing"])
    said = [k for k, ln in enumerate(sh.lines) if ln.id not in drop]
    envs = lips.mouth_envelopes(replace(sh, lines=tuple(sh.lines[k] for k in said)),
                                [inputs[f"{prefix}voice{k:02d}"] for k in said], [starts[k] for k in said], total)
    return lips.sprites(track, envs, lo, hi, wd, tag)


def _overlay(label: str, subs: list, first_input: int) -> tuple[list[str], list[str], str]:
    """ffmpeg inputs and filter steps that lay `subs` over the stream `label`; returns the last label."""
    args, graph = [], []
    for k, (png, x, y, a, b) in enumerate(subs):
        args += ["-i", str(png)]
        graph.append(f"[{first_input + k}:v]{ffmpeg.RGBA_TO_BT709}[p{k}];"
                     f"[{label}][p{k}]overlay={x}:{y}:enable='between(n,{a},{b})'[o{k}]")
        label = f"o{k}"
    return args, graph, label


def _lay_lips(label: str, sprites: list, first_input: int, tag: str) -> tuple[list[str], list[str], str]:
    """ffmpeg inputs and filter steps that lay the lips `sprites` (raw RGBA videos from frame 0 of the
    stream `label`) over it; returns the last label."""
    args, graph = [], []
    for k, (path, x, y, w, h, _n) in enumerate(sprites):
        args += ["-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{w}x{h}", "-framerate", "30", "-i", str(path)]
        graph.append(f"[{first_input + k}:v]{ffmpeg.RGBA_TO_BT709}[{tag}p{k}];"
                     f"[{label}][{tag}p{k}]overlay={x}:{y}:eof_action=pass[{tag}{k}]")
        label = f"{tag}{k}"
    return args, graph, label


def _draw_picture(pic, inputs: dict, prefix: str, sh, lo: int, hi: int, drop: frozenset, info: dict):
    """Frames [lo, hi) of a shot's picture, drawn here (crew/animator.Picture) with the speakers' lips opened
    by their voices (but for the lines in `drop`): BT.601 yuv420p arrays, one a frame, each valid until the next."""
    import cv2
    total = clip_length(inputs[f"{prefix}timing"])
    envs: dict = {}
    if sh is not None and sh.lines:
        frames, starts = read_layout(inputs[f"{prefix}timing"])
        said = [k for k, ln in enumerate(sh.lines) if ln.id not in drop]
        envs = lips.mouth_envelopes(replace(sh, lines=tuple(sh.lines[k] for k in said)),
                                    [inputs[f"{prefix}voice{k:02d}"] for k in said], [starts[k] for k in said], frames)
    yuv = None
    f = max(0, lo)
    for frame, at in pic.draw(Path(inputs[f"{prefix}keyframe"]), total, lo, hi, info):
        if envs:
            lips.lay_mouths(frame, at, {n: e[f] for n, e in envs.items() if f < len(e)}, info["skin"])
        yuv = cv2.cvtColor(frame, cv2.COLOR_RGBA2YUV_I420, dst=yuv)
        f += 1
        yield yuv


def _segment(ctx: EpisodeContext, it, sh, first: int, last: int, drop: frozenset, pic=None):
    def run(tctx) -> dict:
        wd = Path(tctx.workdir)
        total = clip_length(tctx.inputs["timing"]) if pic else _clip_frames(tctx.inputs["clip"])
        a, b = local_range(it, total)
        lo, hi = a + first, b - last
        if hi <= lo:
            raise MediaError(f"cut item {it.shot or it.name}: no frames left between its transitions ({a}..{b} "
                             f"less {first} + {last}); re-import the cut with shorter transitions")
        if pic:
            return _drawn_segment(ctx, tctx, it, sh, lo, hi, drop, pic)
        mouths = _lips(wd, tctx.inputs, "", sh, lo, hi, "s", drop)
        l_args, l_graph, label = _lay_lips("v0", mouths, 1, "m")
        subs = _subtitles(ctx, wd, tctx.inputs, "", sh, lo, hi, "s", drop)
        marks = _label_marks(tctx.task.params.get("label"), hi - lo, ctx.size, wd)
        args, graph, label = _overlay(label, subs + [m[:5] for m in marks], 1 + len(mouths))
        ffmpeg.run(["-i", str(Path(tctx.inputs["clip"]) / "clip.mp4"), *l_args, *args, "-filter_complex",
                          ";".join([f"[0:v]trim=start_frame={lo}:end_frame={hi},setpts=PTS-STARTPTS,"
                                    f"{ffmpeg.to_bt709(Path(tctx.inputs['clip']) / 'clip.mp4')}[v0]", *l_graph,
                                    *graph]),
                          "-map", f"[{label}]", *encode_args(ctx.preview), str(wd / "segment.mp4")],
                         f"rendering {it.shot or it.name}")
        for p in [*wd.glob("sub-*.png"), *wd.glob("lips-*.rgba"), *(m[0] for m in marks)]:
            p.unlink(missing_ok=True)
        return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                            extra={"frames": hi - lo, **({"lips": len(mouths)} if mouths else {}),
                                   **({"label": {m[5]: m[4] - m[3] + 1 for m in marks}} if marks else {})})
    return run


def _drawn_segment(ctx: EpisodeContext, tctx, it, sh, lo: int, hi: int, drop: frozenset, pic) -> dict:
    """A shot's segment whose frames are drawn here, lips in, with the subtitles and the label laid over them in
    the encoder's filter graph: each frame encoded once."""
    wd = Path(tctx.workdir)
    subs = _subtitles(ctx, wd, tctx.inputs, "", sh, lo, hi, "s", drop)
    marks = _label_marks(tctx.task.params.get("label"), hi - lo, ctx.size, wd)
    args, graph, label = _overlay("v0", subs + [m[:5] for m in marks], 1)
    info: dict = {}
    ffmpeg.pipe_in([*ffmpeg.raw_input(ctx.size), *args, "-filter_complex",
                    ";".join([f"[0:v]{ffmpeg.BT601_TO_BT709}[v0]", *graph]), "-map", f"[{label}]",
                    *encode_args(ctx.preview), "-frames:v", str(hi - lo), str(wd / "segment.mp4")],
                   _draw_picture(pic, tctx.inputs, "", sh, lo, hi, drop, info), f"rendering {it.shot}", wd / "ffmpeg.log")
    for p in [*wd.glob("sub-*.png"), *(m[0] for m in marks)]:
        p.unlink(missing_ok=True)
    spoke = sorted({ln.speaker for ln in sh.lines if ln.id not in drop} & set(info.get("skin", {}))) if sh else []
    prov = pic.clip.provider
    return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                        extra={"frames": hi - lo, **({"lips": len(spoke)} if spoke else {}),
                               "drawn": {"by": prov.name, "version": prov.version, "model": prov.model, "move": info.get("move"),
                                         "blinks": info.get("blinks"), "breathing": info.get("breathing")},
                               **({"label": {m[5]: m[4] - m[3] + 1 for m in marks}} if marks else {})})


def _label_marks(spec: dict | None, n: int, size: tuple[int, int], wd: Path) -> list[tuple]:
    """The visible label over a segment of `n` frames that opens (`head`) or closes (`tail`) the film, as its
    `spec` says (the task's `label` parameter): [(png, x, y, first, last, "head" or "tail")] in the segment's
    frames, over at most the label's own span at each end."""
    if not spec or n <= 0:
        return []
    span = min(n, int(round(spec["seconds"] * 30)))
    png = wd / "label.png"
    x, y, _h = labels.render_label(spec["language"], tuple(size), spec["position"], png)
    return [(png, x, y, 0, span - 1, "head") if at == "head" else (png, x, y, n - span, n - 1, "tail")
            for at in spec["at"]]


def _transition(ctx: EpisodeContext, j, a_side, b_side, drop: frozenset, voiced: bool = True):
    """`j.before` frames of the outgoing item before the cut and `j.into` of the incoming one after it,
    blended; where a clip has no handle frames left, its last (or first) frame is held. Not `voiced` (the film's
    own cut): no line is heard in it (checked: `_quiet`), so its key holds no line."""
    d = j.before + j.into

    def run(tctx) -> dict:
        wd = Path(tctx.workdir)
        if a_side[2] is not None and b_side[2] is not None:
            return _drawn_transition(ctx, tctx, j, a_side, b_side, drop, voiced)
        steps, subs_all, l_args, n_lips = [], [], [], 0
        ins: list[str] = []
        for n, (prefix, (it, sh, pic)) in enumerate((("a.", a_side), ("b.", b_side))):
            folder = Path(tctx.inputs[f"{prefix}timing" if pic else f"{prefix}clip"])
            total = clip_length(folder) if pic else _clip_frames(folder)
            lo, hi, s, e, front, back = _side_range(j, it, total, prefix == "a.")
            if not voiced:  # (no line to draw: checked)
                _quiet(tctx, prefix, sh, lo, hi, f"the transition after {a_side[0].shot}")
                sh = None
            if pic:  # drawn here, lips in, its first and last frames held where the shot has no more (the other
                raw = wd / f"side{n}.yuv"  # side a model's clip: both drawn here is _drawn_transition)
                with open(raw, "wb") as out:
                    for yuv in _held(_draw_picture(pic, tctx.inputs, prefix, sh, s, e, drop, {}), front, back,
                                     f"the transition after {a_side[0].shot}"):
                        out.write(memoryview(yuv))
                ins += ffmpeg.raw_input(ctx.size, str(raw))
                steps.append(f"[{n}:v]setpts=PTS-STARTPTS,settb=1/30,{ffmpeg.BT601_TO_BT709}[x{n}]")
                subs_all += _subtitles(ctx, wd, tctx.inputs, prefix, sh, lo, hi, f"{n}", drop)
                continue
            ins += ["-i", str(folder / "clip.mp4")]
            pad = f",tpad=start_mode=clone:start={front}:stop_mode=clone:stop={back}" if (front or back) else ""
            steps.append(f"[{n}:v]trim=start_frame={s}:end_frame={e},setpts=PTS-STARTPTS{pad},settb=1/30,"
                         f"{ffmpeg.to_bt709(folder / 'clip.mp4')}[y{n}]")
            # each side's lips before the blend (inputs 2, 3, ...: after the two clips)
            mouths = _lips(wd, tctx.inputs, prefix, sh, lo, hi, f"{n}", drop)
            args, graph, label = _lay_lips(f"y{n}", mouths, 2 + n_lips, f"m{n}_")
            l_args, n_lips = l_args + args, n_lips + len(mouths)
            steps += graph + [f"[{label}]null[x{n}]"]
            subs_all += _subtitles(ctx, wd, tctx.inputs, prefix, sh, lo, hi, f"{n}", drop)
        xf = "fadeblack" if j.kind == "dip" else "fade"
        steps.append(f"[x0][x1]xfade=transition={xf}:duration={d / 30:.4f}:offset=0,trim=end_frame={d}[v0]")
        args, graph, label = _overlay("v0", subs_all, 2 + n_lips)
        ffmpeg.run([*ins, *l_args, *args,
                          "-filter_complex", ";".join(steps + graph), "-map", f"[{label}]", *encode_args(ctx.preview),
                          str(wd / "segment.mp4")], "rendering a transition")
        for p in [*wd.glob("sub-*.png"), *wd.glob("lips-*.rgba"), *wd.glob("side*.yuv")]:
            p.unlink()
        return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC, extra={"frames": d})
    return run


def _side_range(j, it, total: int, outgoing: bool) -> tuple[int, int, int, int, int, int]:
    """(lo, hi, s, e, front, back): the `j.before + j.into` frames of a side around the cut point [lo, hi); the
    clip frames [s, e) drawn for them; and how many times its first is shown before them and its last after. Where
    the clip has none of [lo, hi) (the incoming shot used from its first frame with the whole transition before
    the cut, or the outgoing one to its last with it all after), its nearest frame is held throughout."""
    a, b = local_range(it, total)
    cut_at = b if outgoing else a  # the clip frame at the cut point
    lo, hi = cut_at - j.before, cut_at + j.into
    s, e = max(0, lo), min(total, hi)
    if e <= s:
        s = 0 if hi <= 0 else total - 1
        return lo, hi, s, s + 1, 0, hi - lo - 1
    return lo, hi, s, e, s - lo, hi - e


def _held(frames, before: int, after: int, what: str):
    """`frames` with its first frame shown `before` more times ahead of it and its last `after` more times after
    it (each array stays valid until the next is asked for: a generator's own buffer is held, not copied)."""
    frame = None
    for n, frame in enumerate(frames):
        for _ in range(before + 1 if n == 0 else 1):
            yield frame
    if frame is None:
        raise MediaError(f"{what}: the shot has no frames to blend")
    for _ in range(after):
        yield frame


def _blend(j, a_frames, b_frames, size: tuple[int, int]):
    """The transition's frames from the two sides' (BT.601 yuv420p arrays, side by side): a cross-fade, or a dip
    through black ("dip"), by the progress P going from 1 to 0 over the `d` frames as ffmpeg's xfade has it
    (fade: a·P + b·(1 - P); fadeblack: a fading to black by smoothstep(0.8, 1, P), black to b by
    smoothstep(0.2, 1, P), mixed by P), in OpenCV's 8-bit weighted sums (rounded)."""
    import cv2
    import numpy as np
    d = j.before + j.into
    w, h = size
    out = np.empty((h * 3 // 2, w), np.uint8)
    black = pa = pb = None
    if j.kind == "dip":
        black = np.full_like(out, 128)
        black[:h] = 16
        pa, pb = np.empty_like(out), np.empty_like(out)

    def smooth(e0: float, x: float) -> float:
        t = min(1.0, max(0.0, (x - e0) / (1.0 - e0)))
        return t * t * (3 - 2 * t)

    for i, (a, b) in enumerate(zip(a_frames, b_frames)):
        p = 1.0 - i / d
        if black is None:
            cv2.addWeighted(a, p, b, 1.0 - p, 0.0, dst=out)
        else:
            s1, s2 = smooth(0.8, p), smooth(0.2, p)
            cv2.addWeighted(a, s1, black, 1.0 - s1, 0.0, dst=pa)
            cv2.addWeighted(black, s2, b, 1.0 - s2, 0.0, dst=pb)
            cv2.addWeighted(pa, p, pb, 1.0 - p, 0.0, dst=out)
        yield out


def _drawn_transition(ctx: EpisodeContext, tctx, j, a_side, b_side, drop: frozenset, voiced: bool = True) -> dict:
    """A transition between two shots drawn here: each side's frames drawn (lips in), blended here and piped
    into the encoder with both sides' subtitles laid over, like a drawn segment (no raw files, no xfade)."""
    wd = Path(tctx.workdir)
    d = j.before + j.into
    sides, subs = [], []
    for n, (prefix, (it, sh, pic)) in enumerate((("a.", a_side), ("b.", b_side))):
        total = clip_length(tctx.inputs[f"{prefix}timing"])
        lo, hi, s, e, front, back = _side_range(j, it, total, prefix == "a.")
        if not voiced:  # (no line to draw: checked)
            _quiet(tctx, prefix, sh, lo, hi, f"the transition after {a_side[0].shot}")
            sh = None
        sides.append(_held(_draw_picture(pic, tctx.inputs, prefix, sh, s, e, drop, {}), front, back,
                           f"the transition after {a_side[0].shot}"))
        subs += _subtitles(ctx, wd, tctx.inputs, prefix, sh, lo, hi, f"{n}", drop)
    args, graph, label = _overlay("v0", subs, 1)
    ffmpeg.pipe_in([*ffmpeg.raw_input(ctx.size), *args, "-filter_complex",
                    ";".join([f"[0:v]{ffmpeg.BT601_TO_BT709}[v0]", *graph]), "-map", f"[{label}]",
                    *encode_args(ctx.preview), "-frames:v", str(d), str(wd / "segment.mp4")],
                   _blend(j, *sides, ctx.size), "rendering a transition", wd / "ffmpeg.log")
    for p in wd.glob("sub-*.png"):
        p.unlink()
    return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC, extra={"frames": d})


# ---- each shot's media for an editing program ---------------------------------------------------

def media_tasks(ctx: EpisodeContext, clips: dict[str, Task], voices: dict[str, Task],
                timings: dict[str, Task]) -> dict[str, Task]:
    """shot id -> its whole clip with the speakers' lips drawn in, as `filmcrew export` hands it to an
    editing program (whose own render has no lips step). Made by `export`, not by `make`: the film's own
    segments draw the lips themselves."""
    out = {}
    for sh in ctx.episode.shots():
        if not sh.lines:
            continue
        inputs = {"clip": clips[sh.id], "timing": timings[sh.id],
                  **{f"voice{n:02d}": voices[ln.id] for n, ln in enumerate(sh.lines)}}
        out[sh.id] = Task("finisher", f"{sh.id}.media", CODE_VERSION, FINISHER, {"preview": ctx.preview},
                          _media(ctx, sh), inputs=inputs, episode=ctx.episode.number)
    return out


def _media(ctx: EpisodeContext, sh):
    def run(tctx) -> dict:
        wd = Path(tctx.workdir)
        clip = Path(tctx.inputs["clip"]) / "clip.mp4"
        total = _clip_frames(tctx.inputs["clip"])
        mouths = _lips(wd, tctx.inputs, "", sh, 0, total, "e")
        if not mouths:  # nobody's mouth to open here: the clip as it is
            atomic.link_or_copy(clip, wd / "clip.mp4")
        else:  # the animator's own intermediate settings
            args, graph, label = _lay_lips("c", mouths, 1, "m")
            ffmpeg.run(["-i", str(clip), *args, "-filter_complex", ";".join([f"[0:v]{ffmpeg.to_bt709(clip)}[c]", *graph]),
                        "-map", f"[{label}]", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "24" if ctx.preview
                        else "16", "-pix_fmt", "yuv420p", "-g", "30", "-an", *ffmpeg.X264_THREADS, *ffmpeg.BT709_TAGS,
                        str(wd / "clip.mp4")],
                       f"drawing the lips of {sh.id}")
            for p in wd.glob("lips-*.rgba"):
                p.unlink()
        return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                            extra={"frames": total, "lips": len(mouths)})
    return run


# ---- the final film ------------------------------------------------------------------------------

def final_task(ctx: EpisodeContext, segments: list[Task], transitions: dict[int, Task], mix: Task, timeline: Task,
               translations: dict | None = None) -> Task:
    burned = _burned(ctx, translations)  # the carried subtitles in the delivery's burned language
    inputs: dict[str, Task] = {"mix": mix, "timeline": timeline, **burned[0]}
    order = []
    for i, seg in enumerate(segments):
        inputs[f"s{i:03d}"] = seg
        order.append(f"s{i:03d}")
        if i in transitions:
            inputs[f"t{i:03d}"] = transitions[i]
            order.append(f"t{i:03d}")
    lab = ctx.labels or Labels()
    params = {"order": order, "preview": ctx.preview, "size": list(ctx.size), "language": ctx.language,
              "labels": {k: v for k, v in asdict(lab).items() if k != "audio"},  # the audio label is for audio exports
              "soft_subtitles": 2, **burned[1]}  # (issue 37: the subtitle languages as mov_text tracks, none on; the final's key changed)
    return Task("finisher", f"{ctx.episode.id}.final", CODE_VERSION, FINISHER, params, _final(order),
                inputs=inputs, episode=ctx.episode.number)


def _concat_input(listing: Path, files: list[Path]) -> list[str]:
    """Write an ffmpeg concat list of `files` and return the input options that read it."""
    listing.write_text("".join(f"file '{f.resolve()}'\n" for f in files))
    return ["-f", "concat", "-safe", "0", "-i", str(listing)]


def _overlaid(paths: list[Path], frames: int, overlays: list, out: Path, preview: bool) -> None:
    """Re-encode the segments `paths` (joined) with `overlays` (png, x, y, first, last: frames of this run)."""
    listing = out.with_suffix(".txt")
    args, graph, label = _overlay("0:v", overlays, 1)
    ffmpeg.run([*_concat_input(listing, paths), *args, "-filter_complex",
                ";".join([*graph, f"[{label}]trim=end_frame={frames}[v]"]), "-map", "[v]",
                *encode_args(preview), str(out)], "burning in the AI label")
    listing.unlink()


def carried_subtitles(tl: dict, size: tuple[int, int], wd: Path) -> list:
    """The subtitles of kept lines (a trim cut into them; the person chose to keep them whole) where they
    play over other items' picture, which their own shot's segments do not burn: (png, x, y, first, last)
    in film frames. Where another line's subtitle shows at the same time, the carried one sits above it."""
    fs, max_w, bottom = subtitle_box(size)
    font = fonts.font(fs)
    out = []
    for n, ln in enumerate(tl["lines"]):
        lo, hi = ln.get("on_picture") or (ln["start"], ln["start"] + ln["frames"])
        end = ln["start"] + ln["frames"]
        if ln["start"] >= lo and end <= hi:
            continue
        origin = ln["start"] - ln["from"]  # the film frame of the voice's first frame
        others = [(o["start"], o["start"] + o["frames"]) for o in tl["lines"] if o is not ln]
        for j, (piece, pa, pb) in enumerate(line_pieces(ln["text"], font, max_w, ln["voice_frames"], ln.get("spans"))):
            a, b = max(origin + pa, ln["start"]), min(origin + pb, end)
            for side, (x0, x1) in enumerate(((a, min(b, lo)), (max(a, hi), b))):
                if x1 <= x0:
                    continue
                png = wd / f"carried-{n:03d}-{j:02d}-{side}.png"
                x, y = render_subtitle(piece, size, png)
                if any(s < x1 and e > x0 for s, e in others):
                    y -= (bottom - y) + fs // 3
                out.append((png, x, y, x0, x1 - 1))
    return out


def _drawn(folder, end: str) -> int:
    """How many frames of the visible label a segment drew at the film's `end` ("head" or "tail")."""
    rec = json.loads((Path(folder) / "record.json").read_text())["ledger"]
    return int((rec.get("label") or {}).get(end, 0))


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
        tl = json.loads((Path(tctx.inputs["timeline"]) / "timeline.json").read_text())
        words = _words(tctx.inputs.get("translation"))
        if words is not None:  # a delivery burning another language: its words, timed by length like its soft track
            tl = {**tl, "lines": [{**ln, "text": words.get(ln["line"], ln["text"]), "spans": None} for ln in tl["lines"]]}
        carried = [] if p.get("burn") == "none" else carried_subtitles(tl, tuple(p["size"]), wd)
        # the label's frames the first and last segments drew themselves (all of them, unless a segment is
        # shorter than the label's span) are not drawn again
        head = _drawn(tctx.inputs[order[0]], "head")
        overlays = [*([(png, x, y, head, span - 1)] if head < span else []), *carried]
        tail = lab["repeat_at_end"] and total > span
        if tail:
            drawn_tail = _drawn(tctx.inputs[order[-1]], "tail")
            if drawn_tail < span:
                overlays.append((png, x, y, total - span, total - 1 - drawn_tail))
        # re-encode only the runs of segments an overlay touches (the label's, carried subtitles'); copy the rest
        starts = [sum(counts[:i]) for i in range(len(segs) + 1)]
        touched = [any(o[3] < starts[i + 1] and o[4] >= starts[i] for o in overlays) for i in range(len(segs))]
        parts: list[Path] = []
        made: list[Path] = []
        i = 0
        while i < len(segs):
            if not touched[i]:
                parts.append(segs[i])
                i += 1
                continue
            j = i
            while j < len(segs) and touched[j]:
                j += 1
            s0, s1 = starts[i], starts[j]
            run = [(o[0], o[1], o[2], max(0, o[3] - s0), min(s1 - 1, o[4]) - s0) for o in overlays
                   if o[3] < s1 and o[4] >= s0]
            made.append(wd / f"run{i:03d}.mp4")
            _overlaid(segs[i:j], s1 - s0, run, made[-1], p["preview"])
            parts.append(made[-1])
            i = j
        listing = wd / "segments.txt"
        film = wd / "film.mp4"
        produce_id = f"filmcrew-{tctx.task.key[:24]}"
        aigc = labels.aigc_json(lab["producer"], produce_id, lab["reserved1"], lab["reserved2"])
        # every subtitle language also as a soft track (mov_text, language-tagged: crew/subtitle_tracks.py); with
        # them, the film ends after its `total` frames (-shortest would end it at the last subtitle)
        soft = subtitle_tracks.tracks(Path(tctx.inputs["timeline"]), p["language"])
        soft_in, soft_out = subtitle_tracks.args(soft, 2, ["-map", "0:v:0", "-map", "1:a:0", "-c", "copy"])
        ffmpeg.run([*_concat_input(listing, parts), "-i", str(Path(tctx.inputs["mix"]) / "mix.m4a"), *soft_in,
                          *soft_out, *(["-t", f"{total / 30:.6f}"] if soft else ["-shortest"]),
                          # one tick a frame: each segment's start, added up by the concat demuxer in microseconds
                          # from the segments' container durations, lands on its exact frame (no frame a few
                          # ticks short at a join, which QC tools report as a variable frame rate)
                          "-video_track_timescale", "30", *labels.write_args(aigc), str(film)],
                         "assembling the film")
        for q in [listing, png, *made, *(o[0] for o in carried)]:
            q.unlink(missing_ok=True)
        labels.verify_written(film, aigc)
        subtitle_tracks.quiet(film)  # listed by players, not shown over the burned-in subtitles
        for f in Path(tctx.inputs["timeline"]).iterdir():
            if f.name.startswith("subtitles.") or f.name == "timeline.json":
                (wd / f.name).write_bytes(f.read_bytes())
        pr = ffmpeg.probe(film)
        if not pr.faststart:
            raise MediaError(f"{film}: moov is not before mdat after assembly; this is a bug in filmcrew")
        return ledger.entry(made_by="algorithm:filmcrew-finisher", source_type=ledger.ALGORITHMIC,
                            extra={"seconds": pr.duration, "aigc": aigc,
                                   "visible_label": {"text": labels.WORDING.get(p["language"], labels.WORDING["en"]),
                                                     "position": lab["position"], "frames": span, "x": x, "y": y,
                                                     "text_height_px": text_h,
                                                     "repeat_at_end": bool(tail)},
                                   **({"carried_subtitles": len(carried)} if carried else {})})
    return run


# the mix lives in crew/mixer.py; its names stay importable from here
from .mixer import AAC_ARGS, master_to_aac, mix_task  # noqa: E402

__all__ = ["segment_tasks", "media_tasks", "mix_task", "final_task", "encode_args", "master_to_aac", "AAC_ARGS", "subprocess"]
