"""What the OpenTimelineIO adapters write for FCP 7 XML and FCPXML, made into what editors expect.

- Media as absolute, percent-encoded `file://` URLs (FCP 7: `file://localhost/...`, as Premiere writes
  them): relative paths open as offline media in Premiere, Resolve and Final Cut Pro. The media folder stays
  beside the timeline, so a moved project can be relinked.
- The frame size: FCP 7's sequence `<format>` gets `<samplecharacteristics>` (width, height, rate, square
  pixels), FCPXML's `<format>` its `width` and `height` and Rec. 709, so a 9:16 film opens as a 9:16 sequence.
- FCP 7 dissolves between two clips aligned `end` (they end on the edit point, as filmcrew makes them), not
  `end-black`, which Premiere reads as a fade to black.
- FCPXML: the project gets a `uid` (a stable one, from its name).
"""

from __future__ import annotations

import urllib.parse
import uuid
from fractions import Fraction
import xml.etree.ElementTree as ET
from pathlib import Path


def file_url(path: Path, localhost: bool = False) -> str:
    url = Path(path).resolve().as_uri()  # percent-encoded
    return url.replace("file:///", "file://localhost/", 1) if localhost else url


def _absolute(value: str, base: Path, localhost: bool) -> str:
    if not value or "://" in value:
        return value
    return file_url(base / urllib.parse.unquote(value), localhost)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = value
    return el


def fcp7(text: str, base: Path, size: tuple[int, int], fps: int) -> str:
    root = ET.fromstring(text)
    for p in root.iter("pathurl"):
        p.text = _absolute(p.text or "", base, localhost=True)
    for seq in root.iter("sequence"):
        for fmt in seq.findall("media/video/format"):
            for old in list(fmt):
                fmt.remove(old)
            sc = ET.SubElement(fmt, "samplecharacteristics")
            rate = ET.SubElement(sc, "rate")
            _text(rate, "timebase", str(fps))
            _text(rate, "ntsc", "FALSE")
            _text(sc, "width", str(size[0]))
            _text(sc, "height", str(size[1]))
            _text(sc, "anamorphic", "FALSE")
            _text(sc, "pixelaspectratio", "square")
            _text(sc, "fielddominance", "none")
            _text(sc, "colordepth", "24")
    for track in root.iter("track"):
        items = list(track)
        for k, el in enumerate(items):
            if el.tag != "transitionitem":
                continue
            between = 0 < k < len(items) - 1 and items[k - 1].tag == "clipitem" and items[k + 1].tag == "clipitem"
            al = el.find("alignment")
            if between and al is not None and al.text in ("end-black", "start-black"):
                al.text = "end"
    return _xml(root, "<!DOCTYPE xmeml>")


def transitions(tl, fps: int) -> list[tuple[int, int, int, str]]:
    """(edit point, frames before it, frames after it, name) of each transition on the timeline's picture track."""
    import opentimelineio as otio
    track = tl.video_tracks()[0]
    out = []
    for k, item in enumerate(track):
        if isinstance(item, otio.schema.Transition) and k + 1 < len(track):
            edit = round(track.range_of_child_at_index(k + 1).start_time.rescaled_to(fps).value)
            out.append((edit, round(item.in_offset.rescaled_to(fps).value), round(item.out_offset.rescaled_to(fps).value),
                        item.name))
    return out


def _time(frames: int, fps: int) -> str:
    f = Fraction(frames, fps)
    return f"{f.numerator}/{f.denominator}s" if f.denominator != 1 else f"{f.numerator}s"


def fcpx(text: str, base: Path, size: tuple[int, int], joins: list | None = None, fps: int = 30) -> str:
    """`joins`: transitions(tl) - the adapter leaves FCPXML's out, so a dissolve would come back as a cut."""
    root = ET.fromstring(text)
    spine = next(root.iter("spine"), None)
    for edit, before, after, name in (joins or []) if spine is not None else []:
        kids = list(spine)
        at = next((i for i, el in enumerate(kids) if el.get("offset") and
                   Fraction(el.get("offset")[:-1]) == Fraction(edit, fps)), None)
        if at is None:
            continue
        tr = ET.Element("transition", {"name": "Cross Dissolve" if "black" not in name.lower() else "Fade To Color",
                                       "offset": _time(edit - before, fps), "duration": _time(before + after, fps)})
        spine.insert(at, tr)
    for asset in root.iter("asset"):
        if asset.get("src"):
            asset.set("src", _absolute(asset.get("src"), base, localhost=False))
        for rep in asset.iter("media-rep"):
            if rep.get("src"):
                rep.set("src", _absolute(rep.get("src"), base, localhost=False))
    for fmt in root.iter("format"):
        fmt.set("width", str(size[0]))
        fmt.set("height", str(size[1]))
        fmt.set("colorSpace", "1-1-1 (Rec. 709)")
        if not fmt.get("name"):
            fmt.attrib.pop("name", None)
    for proj in root.iter("project"):
        if not proj.get("uid"):
            proj.set("uid", str(uuid.uuid5(uuid.NAMESPACE_URL, "filmcrew:" + (proj.get("name") or ""))).upper())
    return _xml(root, "<!DOCTYPE fcpxml>")


def _xml(root: ET.Element, doctype: str) -> str:
    ET.indent(root, space="    ")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n\n' + ET.tostring(root, encoding="unicode") + "\n"
