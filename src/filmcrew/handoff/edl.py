"""CMX 3600 EDLs, read and written by filmcrew itself, column by column as the standard lays them out.

Why not the OpenTimelineIO adapter: its reader stops on lines Premiere, Resolve and Avid write for file-based
clips (`* SOURCE FILE:`), and its writer puts the dissolve duration outside the standard columns and names
each reel after the first 8 characters of the file, so that the shots of one scene share a reel and a
reel-based conform links the wrong media.

Columns (1-based): event 1-3, reel 6-13, channel 15-18, transition 21-24, its duration 26-28, source in 30-40,
source out 42-52, record in 54-64, record out 66-76. A dissolve is a pair of events with one number: the
outgoing clip, zero long, where the dissolve starts, then the incoming clip with `D` and the duration.

Reading: the picture events (`V` or `B` channels) in record order; a clip's name from `* FROM CLIP NAME:`
(`* TO CLIP NAME:` for a dissolve's incoming clip), with a media file's extension dropped (Premiere, Resolve
and Avid write `ep01-s01-sh01.mp4`); its media from `* FROM CLIP:`, `* SOURCE FILE:` or `* TO CLIP:`. The
record timecodes are counted from the hour of the first event (an editor's sequence starts at 00:00:00:00
or, by default in Resolve and Avid, 01:00:00:00), so a sequence start is not read as an hour of black.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import TimelineImportError

EVENT = re.compile(r"^(\d{1,6})\s+(\S+)\s+(\S+)\s+(C|D|W\d{3}|K[BO]?)\s*(\d{1,3})?\s+"
                   r"(\d\d[:;]\d\d[:;]\d\d[:;]\d\d)\s+(\d\d[:;]\d\d[:;]\d\d[:;]\d\d)\s+"
                   r"(\d\d[:;]\d\d[:;]\d\d[:;]\d\d)\s+(\d\d[:;]\d\d[:;]\d\d[:;]\d\d)\s*$")
MEDIA_EXTS = {".mp4", ".mov", ".mxf", ".m4v", ".avi", ".mkv", ".wav", ".png", ".jpg", ".jpeg", ".dpx", ".exr"}


def tc_to_frames(tc: str, fps: int) -> int:
    """'01:00:02:15' -> frames; ValueError for a timecode no clock shows (minutes or seconds over 59, a frame
    number the rate does not have)."""
    h, m, s, f = (int(x) for x in re.split(r"[:;]", tc))
    if m > 59 or s > 59 or f >= fps:
        raise ValueError(f"timecode {tc} is impossible (minutes and seconds 00-59, frames 00-{fps - 1:02d})")
    return ((h * 60 + m) * 60 + s) * fps + f


def frames_to_tc(n: int, fps: int) -> str:
    f = n % fps
    s = n // fps
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{f:02d}"


def clip_name(name: str) -> str:
    """A clip name as filmcrew knows it: `ep01-s01-sh01.mp4` -> `ep01-s01-sh01`."""
    name = name.strip()
    return name[: -len(Path(name).suffix)] if Path(name).suffix.lower() in MEDIA_EXTS else name


def read(path: Path, fps: int):
    """The EDL's picture events as an OpenTimelineIO timeline: clips (named, with their media where the EDL
    says), gaps where the record timecodes leave black, and dissolves as transitions before the incoming clip
    (in_offset 0, out_offset the duration), as the importer reads every format."""
    import opentimelineio as otio
    RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    events: list[dict] = []
    title = ""
    for n, line in enumerate(text.splitlines(), 1):
        s = line.rstrip()
        if not s.strip():
            continue
        if s.startswith("TITLE:"):
            title = s[6:].strip()
            continue
        if s.startswith(("FCM:", "SPLIT:", ">>>")) or s.upper().startswith("M2 "):
            continue
        m = EVENT.match(s)
        if m:
            num, reel, chan, kind, dur, si, so, ri, ro = m.groups()
            try:
                src, rec = (tc_to_frames(si, fps), tc_to_frames(so, fps)), (tc_to_frames(ri, fps), tc_to_frames(ro, fps))
            except ValueError as err:
                raise TimelineImportError(f"{path}:{n}: event {num}: {err}; export the EDL again") from None
            if rec[1] < rec[0] or src[1] < src[0]:
                which, (a, b) = ("record", (ri, ro)) if rec[1] < rec[0] else ("source", (si, so))
                raise TimelineImportError(f"{path}:{n}: event {num} ends before it starts ({which} out {b} is before "
                                          f"{which} in {a}); export the EDL again")
            events.append({"num": num, "reel": reel, "channel": chan.upper(), "kind": kind[0], "dur": int(dur or 0),
                           "src": src, "rec": rec, "line": n, "notes": {}})
            continue
        if s.startswith("*") and events:
            key, _, value = s[1:].partition(":")
            events[-1]["notes"].setdefault(key.strip().upper(), value.strip())
            continue
        if re.match(r"^\d{1,6}\s", s):
            raise TimelineImportError(f"{path}:{n}: an event line filmcrew cannot read as CMX 3600 ({s.strip()!r}); "
                                      f"export the EDL as CMX 3600 from your editor")
    pictures = [e for e in events if e["channel"].startswith(("V", "B"))]
    if not pictures:
        raise TimelineImportError(f"{path}: no picture events (channel V); export the video track as a CMX 3600 EDL")
    start = pictures[0]["rec"][0] // (3600 * fps) * (3600 * fps)  # the sequence's start hour
    track = otio.schema.Track(name="V", kind=otio.schema.TrackKind.Video)
    cursor = 0
    for e in pictures:
        a, b = e["rec"][0] - start, e["rec"][1] - start
        if b <= a:  # the outgoing half of a dissolve: zero long
            continue
        if e["kind"] == "D" and e["dur"]:
            name = e["notes"].get("TO CLIP NAME") or e["notes"].get("FROM CLIP NAME") or e["reel"]
            media = e["notes"].get("TO CLIP") or e["notes"].get("SOURCE FILE") or e["notes"].get("FROM CLIP")
        else:
            name = e["notes"].get("FROM CLIP NAME") or e["reel"]
            media = e["notes"].get("FROM CLIP") or e["notes"].get("SOURCE FILE")
        if e["reel"].upper() in ("BL", "BLACK"):  # black, written as an event
            track.append(otio.schema.Gap(source_range=TR(RT(0, fps), RT(b - max(a, cursor), fps))))
            cursor = b
            continue
        if a > cursor:
            track.append(otio.schema.Gap(source_range=TR(RT(0, fps), RT(a - cursor, fps))))
        elif a < cursor:
            raise TimelineImportError(f"{path}:{e['line']}: event {e['num']} starts before the one before it ends; "
                                      f"filmcrew imports one picture track without overlaps")
        if e["kind"] == "D" and e["dur"] and len(track) and not isinstance(track[-1], otio.schema.Gap):
            track.append(otio.schema.Transition(name="Dissolve", transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                                in_offset=RT(0, fps), out_offset=RT(e["dur"], fps),
                                                metadata={"cmx_3600": {"transition": "D", "transition_duration": e["dur"]}}))
        ref = otio.schema.ExternalReference(target_url=media) if media else otio.schema.MissingReference()
        si = e["src"][0]
        track.append(otio.schema.Clip(name=clip_name(name), media_reference=ref,
                                      source_range=TR(RT(si, fps), RT(b - a, fps)),
                                      metadata={"cmx_3600": {"reel": e["reel"]}}))
        cursor = b
    tl = otio.schema.Timeline(name=title)
    tl.tracks.append(track)
    return tl


def reel(artifact: str, used: dict[str, str]) -> str:
    """A short reel name unique in the EDL (8 characters at most, letters and digits): `ep01-s02-sh03` ->
    `S02SH03`; anything else -> `AX001`, `AX002`, ..."""
    if artifact in used:
        return used[artifact]
    m = re.search(r"s(\d\d)-sh(\d\d)$", artifact)
    name = "BL" if artifact == "BL" else f"S{m.group(1)}SH{m.group(2)}" if m else \
        f"AX{sum(v.startswith('AX') for v in used.values()) + 1:03d}"
    used[artifact] = name
    return name


def write(title: str, clips: list[dict], fps: int) -> str:
    """An EDL of the picture: `clips` in order, each {"name", "media", "src_in", "frames", "dissolve": frames of
    the dissolve into it (0: a cut)}; frames at `fps`, record from 00:00:00:00."""
    out = [f"TITLE: {title}", "FCM: NON-DROP FRAME", ""]
    used: dict[str, str] = {}
    rec = 0
    num = 0
    prev = None
    for c in clips:
        num += 1
        r = reel(c["name"], used)
        si, so = c["src_in"], c["src_in"] + c["frames"]
        if c.get("dissolve") and prev is not None:
            pr = reel(prev["name"], used)
            p_at = prev["src_in"] + prev["frames"]
            out.append(_line(num, pr, "C", 0, p_at, p_at, rec, rec, fps))
            out.append(_line(num, r, "D", c["dissolve"], si, so, rec, rec + c["frames"], fps))
            out += [f"* FROM CLIP NAME: {prev['name']}", f"* TO CLIP NAME: {c['name']}"]
            if prev.get("media"):
                out.append(f"* FROM CLIP: {prev['media']}")
            if c.get("media"):
                out.append(f"* TO CLIP: {c['media']}")
        elif c.get("black"):
            out.append(_line(num, r, "C", 0, si, so, rec, rec + c["frames"], fps))
        else:
            out.append(_line(num, r, "C", 0, si, so, rec, rec + c["frames"], fps))
            out.append(f"* FROM CLIP NAME: {c['name']}")
            if c.get("media"):
                out.append(f"* FROM CLIP: {c['media']}")
        rec += c["frames"]
        prev = c
    return "\n".join(out) + "\n"


def _line(num: int, reel_name: str, kind: str, dur: int, si: int, so: int, ri: int, ro: int, fps: int) -> str:
    trans = f"{kind:<4} {dur:03d}" if kind != "C" else f"{kind:<4}    "
    line = (f"{num:03d}  {reel_name:<8} {'V':<4}  {trans} {frames_to_tc(si, fps)} {frames_to_tc(so, fps)} "
            f"{frames_to_tc(ri, fps)} {frames_to_tc(ro, fps)}")
    return line


def from_otio(tl, fps: int) -> list[dict]:
    """The clips of the timeline's first video track as `write` takes them (a gap is black, reel BL): an OTIO
    transition's frames on either side of the cut become the EDL dissolve into the incoming clip."""
    import opentimelineio as otio
    out: list[dict] = []
    pending = 0
    for item in tl.video_tracks()[0]:
        if isinstance(item, otio.schema.Transition):
            before, after = round(item.in_offset.rescaled_to(fps).value), round(item.out_offset.rescaled_to(fps).value)
            if out:
                out[-1]["frames"] -= before
            pending = (before, before + after)
            continue
        rng = item.trimmed_range()
        a, n = round(rng.start_time.rescaled_to(fps).value), round(rng.duration.rescaled_to(fps).value)
        if isinstance(item, otio.schema.Gap):
            out.append({"name": "BL", "media": None, "src_in": 0, "frames": n, "dissolve": 0, "black": True})
        else:
            before, d = pending or (0, 0)
            url = getattr(item.media_reference, "target_url", None)
            out.append({"name": item.name, "media": url, "src_in": a - before, "frames": n + before, "dissolve": d})
        pending = 0
    return out
