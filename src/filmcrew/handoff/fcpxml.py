"""FCPXML timelines read by filmcrew itself, every version from 1.8 (what filmcrew exports) to 1.13.

Why not the OpenTimelineIO adapter: it knows the 1.8 layout only, so what current Final Cut Pro and DaVinci
Resolve write comes back as unknown clips: `<asset>` holding its file in `<media-rep kind="original-media"
src="file://...">`, the project nested in `<library>` / `<event>`, `asset-clip` elements in the spine; and it
does not subtract the sequence's `tcStart` (Resolve's default 01:00:00:00), which reads as an hour of black.

What is read: the one project's sequence; its spine's `asset-clip`, `clip` (with its `video`), `ref-clip`
and `gap` elements in order (a `transition` becomes an OpenTimelineIO transition on both sides of its edit
point); each clip's source in point (`start`, less its asset's own `start`); its name and media file.
Connected clips (those with a `lane`) are other tracks: not the picture filmcrew imports.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

from ..errors import TimelineImportError


MAX_SECONDS = 24 * 3600  # no time in a film's cut is longer than a day


def seconds(value: str | None, where: str) -> Fraction:
    """'13/2s', '3600/1s', '0s', '1001/30000s' -> seconds as a Fraction."""
    if not value:
        return Fraction(0)
    v = value.strip()
    if not v.endswith("s"):
        raise TimelineImportError(f"{where}: time {value!r} is not an FCPXML time (such as 1001/30000s)")
    try:
        t = Fraction(v[:-1])
    except (ValueError, ZeroDivisionError, OverflowError):
        raise TimelineImportError(f"{where}: time {value!r} is not an FCPXML time (such as 1001/30000s)") from None
    if t < 0 or t > MAX_SECONDS:
        raise TimelineImportError(f"{where}: time {value!r} is {'negative' if t < 0 else 'longer than a day'}; no cut "
                                  f"of a film holds it: export the FCPXML again")
    return t


def media_url(asset: ET.Element) -> str | None:
    """The asset's file: its `src` (FCPXML 1.8) or its original media-rep's (1.9 and later)."""
    if asset.get("src"):
        return asset.get("src")
    reps = asset.findall("media-rep")
    for rep in sorted(reps, key=lambda r: r.get("kind") != "original-media"):
        if rep.get("src"):
            return rep.get("src")
    return None


def local(url: str | None) -> str | None:
    """A file:// URL as a path (percent-decoding it); other values as they are."""
    if url and url.startswith("file:"):
        return urllib.request.url2pathname(urllib.parse.urlparse(url).path)
    return url


def read(path: Path, fps: int):
    import opentimelineio as otio
    RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise TimelineImportError(f"{path}: not well-formed XML ({e}); export the FCPXML again") from None
    if root.tag != "fcpxml":
        raise TimelineImportError(f"{path}: the root element is <{root.tag}>, not <fcpxml>")
    assets = {a.get("id"): a for a in root.iter("asset")}
    sequences = list(root.iter("sequence"))
    if len(sequences) != 1:
        raise TimelineImportError(f"{path}: holds {len(sequences)} projects; export the one to import (File > Export XML "
                                  f"with only that project selected)")
    seq = sequences[0]
    spine = seq.find("spine")
    if spine is None:
        raise TimelineImportError(f"{path}: the sequence has no spine")
    t0 = seconds(seq.get("tcStart"), f"{path}: sequence tcStart")

    def frames(t: Fraction) -> int:
        return int(round(t * fps))

    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    cursor = t0  # where the next spine element starts (sequence time)
    pending = None
    for n, el in enumerate(spine):
        where = f"{path}: spine[{n}] <{el.tag}> {el.get('name', '')!r}"
        off, dur = seconds(el.get("offset"), where), seconds(el.get("duration"), where)
        if el.tag == "transition":
            pending = (off, dur, el.get("name") or "Cross Dissolve")
            continue
        if el.tag in ("sync-clip", "mc-clip", "spine"):
            raise TimelineImportError(f"{where} is a compound of clips; filmcrew imports a flat cut: break it apart in "
                                      f"Final Cut Pro (Clip > Break Apart Clip Items) and export again")
        if el.tag not in ("asset-clip", "clip", "ref-clip", "gap", "title", "video"):
            continue
        if off > cursor:  # black between elements
            track.append(otio.schema.Gap(source_range=TR(RT(0, fps), RT(frames(off - cursor), fps))))
        if el.tag in ("gap", "title"):
            track.append(otio.schema.Gap(source_range=TR(RT(0, fps), RT(frames(dur), fps))))
            cursor = off + dur
            pending = None
            continue
        ref_el = el if el.get("ref") else el.find("video") if el.find("video") is not None else el.find("asset-clip")
        asset = assets.get(ref_el.get("ref")) if ref_el is not None else None
        start = seconds(el.get("start"), where)
        if ref_el is not None and ref_el is not el:  # a clip's video: its offset in the clip, its own start
            start = start - seconds(ref_el.get("offset"), where) + seconds(ref_el.get("start"), where)
        if asset is not None:
            start -= seconds(asset.get("start"), where)
        url = local(media_url(asset)) if asset is not None else None
        name = el.get("name") or (asset.get("name") if asset is not None else "")
        if pending is not None and len(track) and not isinstance(track[-1], otio.schema.Gap):
            t_off, t_dur, t_name = pending
            before = max(0, frames(off - t_off))
            track.append(otio.schema.Transition(name=t_name, transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                                in_offset=RT(before, fps),
                                                out_offset=RT(max(0, frames(t_dur) - before), fps)))
        pending = None
        ref = otio.schema.ExternalReference(target_url=url) if url else otio.schema.MissingReference()
        track.append(otio.schema.Clip(name=name, media_reference=ref,
                                      source_range=TR(RT(frames(start), fps), RT(frames(dur), fps))))
        cursor = off + dur
    tl = otio.schema.Timeline(name=next((p.get("name") for p in root.iter("project") if seq in list(p)), "") or path.stem)
    tl.tracks.append(track)
    return tl
