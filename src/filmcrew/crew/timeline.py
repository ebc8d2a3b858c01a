"""The editor's timeline as OpenTimelineIO: the cut `make` writes beside the film (`out/epNN.otio`) and
`filmcrew export` hands to editing programs in their own formats (handoff/export.py).

The renderer reads the editor's `timeline.json`; this is the same cut as an OTIO timeline: a picture track
(one clip per shot, dissolves as transitions, subtitle markers), dialogue tracks (one clip per line) and
the music and effects stems, every clip with its `metadata["filmcrew"]` (shot, prompt, seed, provider,
model, ledger). Its media are linked (hard links where the file system allows) into `out/epNN.media/`.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..engine import atomic
from ..engine.layout import Layout
from ..errors import ConfigError
from .common import out_name
from .editor import clip_length
from .voice import frames_of


def link_media(src: Path, dst: Path) -> Path:
    """`src` at `dst`: a hard link where the file system allows (no second copy of the media), else a copy."""
    if dst.exists() and dst.stat().st_size == src.stat().st_size and dst.stat().st_mtime >= src.stat().st_mtime:
        return dst
    return atomic.link_or_copy(src, dst)


def build(root: Path, st, ctx, g, media_dir: Path, rel: str, clips_made: bool = True):
    """The episode as an OTIO timeline whose media references point into `media_dir` (written as `rel`).
    With `clips_made` False (what `make` writes beside the film), a shot whose clip is not made (its segment drew
    its frames: crew/animator.Picture) gets a missing reference, its length from its timing; `filmcrew export`
    makes the clips and links them."""
    import opentimelineio as otio
    from ..engine.graph import topo_order
    RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
    film = {id(t) for t in topo_order([g.final])}
    for t in g.all:
        if not st.made(t) and (clips_made or id(t) in film):
            raise ConfigError(f"{ctx.episode.id}: {t.artifact} is not made yet; run `filmcrew make {root}"
                              f"{' --preview' if ctx.preview else ''}` first")
    tl_data = json.loads((st.path(g.task(f"{ctx.episode.id}.timeline").key) / "timeline.json").read_text())
    rate = tl_data["fps"]
    shots = {s.id: s for s in ctx.episode.shots()}
    media_dir.mkdir(parents=True, exist_ok=True)
    tl = otio.schema.Timeline(name=f"{ctx.bible.title} {ctx.episode.id}", global_start_time=RT(0, rate))
    tl.metadata["filmcrew"] = {"episode": ctx.episode.id, "frames": tl_data["frames"], "size": tl_data["size"],
                               "cut": tl_data.get("cut")}
    video = otio.schema.Track(name="picture", kind=otio.schema.TrackKind.Video)
    joins = {j["after"]: j for j in tl_data["transitions"]}
    for it in tl_data["items"]:
        k = it["item"]
        task = g.plays[k]
        if not clips_made and it["kind"] == "shot" and not st.made(task):  # drawn by its segment: no clip file yet
            total = clip_length(st.path(g.task(f"{it['shot']}.timing").key))
            clip = otio.schema.Clip(name=it["name"], source_range=TR(RT(it["src_in"], rate), RT(it["frames"], rate)))
            clip.media_reference = otio.schema.MissingReference(name=f"{it['shot']}.mp4",
                                                                available_range=TR(RT(0, rate), RT(total, rate)))
            sh = shots[it["shot"]]
            clip.metadata["filmcrew"] = {"item": k, "kind": "shot", "scene": it["scene"], "seed": task.seed,
                                         "provider": task.provider.name, "model": task.provider.model, "key": task.key,
                                         "shot": it["shot"], "camera": sh.camera, "prompt": sh.action,
                                         "lines": [ln.id for ln in sh.lines],
                                         "media": f"not made: `filmcrew export {root}` makes the clip"}
            video.append(clip)
        elif it["kind"] == "gap":
            video.append(otio.schema.Gap(source_range=TR(RT(0, rate), RT(it["frames"], rate))))
        else:
            rec = st.record(task.key)
            total = int(rec["ledger"]["frames"])
            label = it["shot"] or task.artifact.rsplit(".", 1)[0]
            lipped = g.media.get(it["shot"]) if it["kind"] == "shot" else None  # the lips drawn in, once exported
            src = link_media(st.path((lipped if lipped is not None and st.made(lipped) else task).key) / "clip.mp4",
                        media_dir / f"{label}.mp4")
            # the item plays [src_in, src_out) of its clip; the frames around it are handles for transitions
            clip = otio.schema.Clip(name=it["name"], source_range=TR(RT(it["src_in"], rate), RT(it["frames"], rate)))
            clip.media_reference = otio.schema.ExternalReference(target_url=f"{rel}/{src.name}",
                                                                 available_range=TR(RT(0, rate), RT(total, rate)))
            meta = {"item": k, "kind": it["kind"], "scene": it["scene"], "seed": rec["seed"],
                    "provider": rec["provider"]["name"], "model": rec["provider"]["model"], "key": task.key,
                    "ledger": rec["ledger"]}
            if it["kind"] == "shot":
                sh = shots[it["shot"]]
                meta |= {"shot": it["shot"], "camera": sh.camera, "prompt": sh.action, "lines": [ln.id for ln in sh.lines]}
            clip.metadata["filmcrew"] = meta
            video.append(clip)
        if k in joins:
            j = joins[k]
            tr = otio.schema.Transition(name=j["kind"], transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                        in_offset=RT(j["before"], rate), out_offset=RT(j["into"], rate))
            tr.metadata["filmcrew"] = {"kind": j["kind"]}  # "dip" is a dip to black
            video.append(tr)
    for ln in tl_data["lines"]:
        mk = otio.schema.Marker(name=ln["text"], marked_range=TR(RT(ln["start"], rate), RT(ln["frames"], rate)),
                                color=otio.schema.MarkerColor.YELLOW)
        mk.metadata["filmcrew"] = {"line": ln["line"], "speaker": ln["speaker"], "subtitle": True}
        video.markers.append(mk)
    tl.tracks.append(video)
    # dialogue: one clip per line where it plays; lines that overlap (a duplicated shot, a long
    # crossfade) go to a second dialogue track
    dialogue: list = []
    ends: list[int] = []
    for ln in tl_data["lines"]:
        n = next((i for i, e in enumerate(ends) if e <= ln["start"]), None)
        if n is None:
            dialogue.append(otio.schema.Track(name="dialogue" if not dialogue else f"dialogue {len(dialogue) + 1}",
                                              kind=otio.schema.TrackKind.Audio))
            ends.append(0)
            n = len(ends) - 1
        task = g.by_artifact.get(f"{ln['line']}.voice.pick") or g.task(f"{ln['line']}.voice")  # (a retaken voice)
        rec = st.record(task.key)
        src = link_media(st.path(task.key) / "line.wav", media_dir / f"{ln['line']}.wav")
        if ln["start"] > ends[n]:
            dialogue[n].append(otio.schema.Gap(source_range=TR(RT(0, rate), RT(ln["start"] - ends[n], rate))))
        c = otio.schema.Clip(name=ln["line"], source_range=TR(RT(ln["from"], rate), RT(ln["frames"], rate)))
        c.media_reference = otio.schema.ExternalReference(
            target_url=f"{rel}/{src.name}", available_range=TR(RT(0, rate), RT(frames_of(st.path(task.key)), rate)))
        c.metadata["filmcrew"] = {"line": ln["line"], "speaker": ln["speaker"], "text": ln["text"], "gain_db": ln["gain_db"],
                                  "provider": rec["provider"]["name"], "model": rec["provider"]["model"],
                                  "key": task.key, "ledger": rec["ledger"]}
        dialogue[n].append(c)
        ends[n] = ln["start"] + ln["frames"]
    dialogue = dialogue or [otio.schema.Track(name="dialogue", kind=otio.schema.TrackKind.Audio)]
    for tr, end in zip(dialogue, ends or [0]):  # each track as long as the film: silence after its last line
        if tl_data["frames"] > end:
            tr.append(otio.schema.Gap(source_range=TR(RT(0, rate), RT(tl_data["frames"] - end, rate))))
    tl.tracks.extend(dialogue)
    mix = g.task(f"{ctx.episode.id}.mix")
    for stem in ("music", "effects"):
        src = link_media(st.path(mix.key) / f"{stem}.wav", media_dir / f"{ctx.episode.id}.{stem}.wav")
        tr = otio.schema.Track(name=stem, kind=otio.schema.TrackKind.Audio)
        c = otio.schema.Clip(name=f"{ctx.episode.id}.{stem}", source_range=TR(RT(0, rate), RT(tl_data["frames"], rate)))
        c.media_reference = otio.schema.ExternalReference(target_url=f"{rel}/{src.name}",
                                                          available_range=TR(RT(0, rate), RT(tl_data["frames"], rate)))
        c.metadata["filmcrew"] = {"stem": stem, "key": mix.key, "gain_db": tl_data["gains"][stem]}
        tr.append(c)
        tl.tracks.append(tr)
    return tl, tl_data


def write(root: Path, st, ctx, g, clips_made: bool = True) -> Path:
    """`out/epNN.otio` for the made episode, its media beside it in `out/epNN.media/` (see `build`)."""
    out = Layout.of(root).out
    name = out_name(ctx)
    media_dir = out / f"{name}.media"
    tl, _ = build(root, st, ctx, g, media_dir, media_dir.name, clips_made)
    return write_otio(out / f"{name}.otio", tl)


def write_otio(path: Path, tl) -> Path:
    import opentimelineio as otio
    text = otio.adapters.write_to_string(tl, "otio_json")
    try:
        if Path(path).read_text(encoding="utf-8") == text:
            return path  # unchanged: left as it is
    except (OSError, UnicodeDecodeError):
        pass
    atomic.write_text(path, text)
    return path
