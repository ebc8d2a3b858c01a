"""A JianYing (剪映) / CapCut draft of the cut: `filmcrew export PROJECT --to jianying`.

JianYing is where Chinese micro-drama producers finish. Its drafts are folders (`draft_content.json`,
`draft_meta_info.json`) in its drafts directory; filmcrew writes one with pyJianYingDraft
(https://github.com/GuanYixuan/pyJianYingDraft, Apache-2.0), a maintained library that writes that format,
installed by the optional extra `filmcrew[jianying]` (it brings pymediainfo with its own libmediainfo).
The licence would allow a default dependency; it is an extra because only JianYing users need it.

What the draft holds, from the same OpenTimelineIO timeline as the other exports (crew/timeline.py):
- a video track: each item of the cut with its source range, at its place (the main track's magnet is
  off, so black between clips stays black); a crossfade is JianYing's 叠化 (dissolve), a dip to black
  its 闪黑 (flash to black), each on the clip before it, as long as the cut's transition;
- the dialogue tracks (a segment per line, at its level), the music and effects stems;
- a text track with the subtitles (the episode's SRT, imported the way JianYing imports one).
The materials point at the exported media in `out/epNN.media/` by absolute path: open the draft on the
machine that made it, or relink in JianYing after moving the media.

Versions, honestly: pyJianYingDraft 0.3.x documents drafts it writes as opening in JianYing 5.9 and
10.8 (its own tests). filmcrew has no JianYing here (it runs on Windows and macOS only); the tests read
each draft back with pyJianYingDraft's own loader and check every segment's times and media against the
cut. Copy `out/epNN.jianying/<draft>` into JianYing's drafts folder (Windows: `%LOCALAPPDATA%\\JianyingPro
\\User Data\\Projects\\com.lveditor.draft`; settings > drafts location shows it) and it lists the draft.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from ..errors import MissingExtraError

US = 1_000_000  # JianYing counts microseconds


def available() -> bool:
    import importlib.util
    return importlib.util.find_spec("pyJianYingDraft") is not None


def _us(frames: float, fps: int) -> int:
    return int(round(frames * US / fps))


def write(out: Path, name: str, tl, srt: Path, size: tuple[int, int], fps: int) -> Path:
    """Write the draft of OpenTimelineIO timeline `tl` (media URLs relative to `out`) into
    `out/<name>.jianying/<name>/`; returns that draft folder."""
    try:
        import pyJianYingDraft as jy
    except ImportError:
        raise MissingExtraError("--to jianying (pyJianYingDraft)", "jianying") from None
    import opentimelineio as otio
    root = out / f"{name}.jianying"
    root.mkdir(parents=True, exist_ok=True)
    tmp = f".{name}.partial"
    if (root / tmp).exists():
        shutil.rmtree(root / tmp)
    folder = jy.DraftFolder(str(root))
    script = folder.create_draft(tmp, size[0], size[1], fps, maintrack_adsorb=False)
    materials: dict = {}

    def media(clip, kind):
        path = str((out / clip.media_reference.target_url).resolve())
        if path not in materials:
            materials[path] = (jy.VideoMaterial if kind == "video" else jy.AudioMaterial)(path)
        return materials[path]

    def span(track, clip, material):
        """(where the clip plays, which part of its media): a sound file can end within the last frame
        the timeline gives it (a voice is laid out in whole frames), so the part ends with the file."""
        start = track.range_of_child(clip).start_time.rescaled_to(fps).value
        src, dur = clip.source_range.start_time.rescaled_to(fps).value, clip.source_range.duration.rescaled_to(fps).value
        src_us = _us(src, fps)
        dur_us = min(_us(dur, fps), material.duration - src_us)
        return jy.Timerange(_us(start, fps), dur_us), jy.Timerange(src_us, dur_us)

    picture = tl.video_tracks()[0]
    script.append_track(jy.TrackSpec(jy.TrackType.video, "picture"))
    segments = []
    for child in picture:
        if isinstance(child, otio.schema.Transition):
            kind = (child.metadata.get("filmcrew") or {}).get("kind", "crossfade")
            frames = child.in_offset.rescaled_to(fps).value + child.out_offset.rescaled_to(fps).value
            if segments:
                segments[-1].add_transition(jy.TransitionType.闪黑 if kind == "dip" else jy.TransitionType.叠化,
                                            duration=_us(frames, fps))
            continue
        if not isinstance(child, otio.schema.Clip):
            continue  # a gap: nothing there (the magnet is off)
        material = media(child, "video")
        target, source = span(picture, child, material)
        segments.append(jy.VideoSegment(material, target, source_timerange=source, volume=0.0))
    for seg in segments:
        script.add_segment(seg, "picture")
    for track in tl.audio_tracks():
        clips = [c for c in track if isinstance(c, otio.schema.Clip)]
        if not clips:
            continue
        script.append_track(jy.TrackSpec(jy.TrackType.audio, track.name))
        for clip in clips:
            material = media(clip, "audio")
            target, source = span(track, clip, material)
            gain = float((clip.metadata.get("filmcrew") or {}).get("gain_db", 0.0) or 0.0)
            script.add_segment(jy.AudioSegment(material, target, source_timerange=source,
                                               volume=10 ** (gain / 20)), track.name)
    if srt.is_file() and srt.read_text(encoding="utf-8").strip():
        script.import_srt(str(srt), "subtitles")
    script.save()
    meta_path = root / tmp / "draft_meta_info.json"  # its own id and name (the library's template has fixed ones)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(draft_id=str(uuid.uuid4()).upper(), draft_name=name)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    final = root / name
    if final.exists():
        shutil.rmtree(final)
    (root / tmp).rename(final)
    return final


__all__ = ["write", "available"]
