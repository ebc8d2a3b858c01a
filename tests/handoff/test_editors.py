"""Timelines as today's editors write them (issue 19): FCPXML 1.10 from Final Cut Pro or DaVinci Resolve (a
library, `media-rep` file URLs, `asset-clip`s, a sequence starting at 01:00:00:00), a Premiere-style FCP 7 XML
(a start timecode, `file://localhost` percent-encoded URLs), a Resolve/Avid CMX 3600 EDL (extensions in clip
names, `* SOURCE FILE:` lines, records from 01:00:00:00). Each imports as the edit it holds, frame for frame;
and the exports carry absolute media URLs, the frame size, and a reel per shot in the standard columns (read
back by pycmx, an independent CMX reader)."""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
import urllib.request
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from filmcrew.cli import main
from filmcrew.engine.layout import Layout

pytestmark = pytest.mark.slow
FPS = 30


@pytest.fixture(scope="module")
def film(small_film, tmp_path_factory):
    root = tmp_path_factory.mktemp("editors") / "my film"  # a space in the path, as on a desktop
    shutil.copytree(small_film, root)
    assert main(["export", str(root), "--preview", "--to", "all"]) == 0
    return root


def cut_of(root: Path) -> list[dict]:
    """The exported cut: per clip its shot, media, source in point and frames (its trimmed range: the clips abut,
    a dissolve overlaps them), and the frames of the dissolve into it (ending on the edit point)."""
    tl = otio.adapters.read_from_file(str(root / "out" / "ep01.preview.otio"))
    out, into = [], 0
    for item in tl.video_tracks()[0]:
        if isinstance(item, otio.schema.Transition):
            assert item.out_offset.value == 0  # filmcrew's dissolves end on the edit point
            into = round(item.in_offset.value)
            continue
        r = item.source_range
        out.append({"shot": item.name, "media": root / "out" / item.media_reference.target_url,
                    "src_in": round(r.start_time.value), "frames": round(r.duration.value), "dissolve": into})
        into = 0
    return out


def imported(root: Path, path: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["import", str(root), str(path), "--json", "--dry-run"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def t(frames: int) -> str:
    f = Fraction(frames, FPS)
    return f"{f.numerator}/{f.denominator}s"


def fcpxml_110(cut: list[dict], media_dir: Path, trim_tail: dict | None = None) -> str:
    """FCPXML 1.10 as Final Cut Pro 11 and Resolve 19 write it: clips named "Clip N" (only the media-rep URL
    says which shot each is), the sequence at 01:00:00:00, each dissolve ending on its edit point."""
    trim_tail = trim_tail or {}
    assets, spine, at = [], [], 3600 * FPS
    for k, c in enumerate(cut, 2):
        url = (media_dir / c["media"].name).as_uri()  # percent-encoded, "Media%20Pool"
        assets.append(f'<asset id="r{k}" name="{c["media"].name}" start="0s" duration="{t(c["src_in"] + c["frames"] + 30)}" '
                      f'hasVideo="1" format="r1" videoSources="1"><media-rep kind="original-media" src="{url}"/></asset>')
        if c["dissolve"]:
            spine.append(f'<transition name="Cross Dissolve" offset="{t(at - c["dissolve"])}" duration="{t(c["dissolve"])}">'
                         f'<filter-video ref="r99" name="Cross Dissolve"/></transition>')
        frames = c["frames"] - trim_tail.get(c["shot"], 0)
        spine.append(f'<asset-clip ref="r{k}" offset="{t(at)}" name="Clip {k - 1}" start="{t(c["src_in"])}" '
                     f'duration="{t(frames)}" format="r1" tcFormat="NDF"/>')
        at += frames
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n<fcpxml version="1.10"><resources>'
            '<format id="r1" name="FFVideoFormat1080p30" frameDuration="1/30s" width="540" height="960"/>'
            '<effect id="r99" name="Cross Dissolve" uid="FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"/>'
            + "".join(assets) + '</resources><library location="file:///Users/ana/Movies/Film.fcpbundle/">'
            '<event name="Film"><project name="ep01 cut 3"><sequence format="r1" duration="'
            + t(at - 3600 * FPS) + '" tcStart="3600s" tcFormat="NDF" audioLayout="stereo" audioRate="48k"><spine>'
            + "".join(spine) + "</spine></sequence></project></event></library></fcpxml>\n")


def test_fcpxml_1_10_from_final_cut_or_resolve_imports_as_its_edit(film, capsys, tmp_path):
    cut = cut_of(film)
    pool = tmp_path / "Media Pool"
    shutil.copytree(film / "out" / "ep01.preview.media", pool)
    p = tmp_path / "resolve.fcpxml"
    p.write_text(fcpxml_110(cut, pool))
    rep = imported(film, p, capsys)
    assert rep["unknown"] == [] and rep["edits"] == [], rep  # no hour of black, every clip known, every dissolve
    assert [i["name"] for i in rep["items"]] == [c["shot"] for c in cut]
    assert rep["joins"] == sum(1 for c in cut if c["dissolve"])
    # a trim of 10 frames off one clip's tail comes back as that trim, and the rest as it was
    shot = cut[1]["shot"]
    p.write_text(fcpxml_110(cut, pool, {shot: 10}))
    rep = imported(film, p, capsys)
    assert rep["edits"] == [f"trimmed {shot}: tail -10 frames"], rep["edits"]


def test_a_premiere_fcp7_xml_with_a_start_timecode_and_encoded_urls_imports_as_its_edit(film, capsys, tmp_path):
    text = (film / "out" / "ep01.preview.fcp7.xml").read_text()
    assert "%20" in text  # the export's own URLs: absolute, percent-encoded
    seq = text.index("<media>", text.index("<sequence"))
    text = (text[:seq] + "<timecode><rate><timebase>30</timebase><ntsc>FALSE</ntsc></rate><string>01:00:00:00</string>"
            "<frame>108000</frame><displayformat>NDF</displayformat></timecode>" + text[seq:])
    p = tmp_path / "premiere.xml"
    p.write_text(text)
    rep = imported(film, p, capsys)
    assert rep["unknown"] == [] and rep["edits"] == [], rep


@pytest.mark.parametrize("rate", ["60", "29.97"])
def test_a_premiere_fcp7_xml_at_60_fps_or_ntsc_imports_as_its_edit(film, capsys, tmp_path, rate):
    """The export's FCP 7 XML as Premiere writes a 60 fps sequence (every frame number doubled) or an NTSC one
    (timebase 30 with <ntsc>TRUE</ntsc>: 29.97 fps, frames counted as at 30): the same edit, frame for frame."""
    import xml.etree.ElementTree as ET
    tree = ET.parse(film / "out" / "ep01.preview.fcp7.xml")
    for el in tree.iter():
        if rate == "60" and el.tag == "timebase":
            el.text = "60"
        elif rate == "60" and el.tag in ("duration", "in", "out", "start", "end", "frame") and int(el.text) > 0:
            el.text = str(int(el.text) * 2)
        elif rate == "29.97" and el.tag == "ntsc":
            el.text = "TRUE"
    p = tmp_path / f"premiere-{rate}.xml"
    tree.write(p, encoding="UTF-8", xml_declaration=True)
    rep = imported(film, p, capsys)
    assert rep["unknown"] == [] and rep["edits"] == [], rep
    assert [i["name"] for i in rep["items"]] == [c["shot"] for c in cut_of(film)]
    # and three minutes in (the film is too short for a reading by seconds to drift a whole frame)
    from filmcrew.handoff.importer import _frames
    ntsc = 30000 / 1001 if rate == "29.97" else 60
    assert _frames(otio.opentime.RationalTime(5400 * (1 if rate == "29.97" else 2), ntsc)) == 5400


def test_a_resolve_or_avid_edl_imports_as_its_edit(film, capsys, tmp_path):
    lines = []
    for line in (film / "out" / "ep01.preview.edl").read_text().splitlines():
        m = re.match(r"^(\d{3}.{50})(\d\d)(:\d\d:\d\d:\d\d) (\d\d)(:\d\d:\d\d:\d\d)$", line)
        if m:  # records from 01:00:00:00
            line = f"{m.group(1)}{int(m.group(2)) + 1:02d}{m.group(3)} {int(m.group(4)) + 1:02d}{m.group(5)}"
        line = re.sub(r"^(\* (?:FROM|TO) CLIP NAME: )(\S+)$", r"\1\2.mp4", line)
        line = re.sub(r"^\* FROM CLIP: (\S+)$", lambda m: f"* SOURCE FILE: /Volumes/Media/{Path(m.group(1)).name}", line)
        lines.append(line)
    p = tmp_path / "avid.edl"
    p.write_text("\n".join(lines) + "\n")
    assert "01:00:00:00" in p.read_text() and ".mp4" in p.read_text() and "SOURCE FILE" in p.read_text()
    rep = imported(film, p, capsys)
    assert rep["unknown"] == [] and rep["edits"] == [], rep
    assert [i["name"] for i in rep["items"]] == [c["shot"] for c in cut_of(film)]


def test_the_exports_carry_absolute_urls_the_frame_size_and_a_reel_per_shot(film):
    import xml.etree.ElementTree as ET

    import pycmx
    out = film / "out"
    size = [540, 960]  # the preview of a 9:16 film
    # FCP 7 XML: file://localhost URLs that name files that exist; the sequence's size; dissolves on the edit
    x7 = ET.parse(out / "ep01.preview.fcp7.xml").getroot()
    urls = [p.text for p in x7.iter("pathurl")]
    assert urls and all(u.startswith("file://localhost/") for u in urls)
    assert all(Path(urllib.request.url2pathname(urllib.parse.urlparse(u).path)).is_file() for u in urls)
    sc = x7.find(".//sequence/media/video/format/samplecharacteristics")
    assert [int(sc.find("width").text), int(sc.find("height").text)] == size
    assert {a.text for a in x7.iter("alignment")} == {"end"}
    # FCPXML: the format's size, absolute asset URLs, a project uid, the dissolves
    fx = ET.parse(out / "ep01.preview.fcpxml").getroot()
    fmt = fx.find("resources/format")
    assert [int(fmt.get("width")), int(fmt.get("height"))] == size
    assert all(a.get("src").startswith("file:///") for a in fx.iter("asset"))
    assert fx.find(".//project").get("uid")
    dissolves = sum(1 for c in cut_of(film) if c["dissolve"])
    assert len(list(fx.iter("transition"))) == dissolves > 0
    # EDL, read by pycmx by the standard's columns: one reel per shot, the dissolves with their length, the film
    # as long as its timeline, record times continuous
    with open(out / "ep01.preview.edl") as f:
        edl = pycmx.parse_cmx3600(f)
    edits = [e for ev in edl.events for e in ev.edits]
    reels = {}
    for e in edits:
        assert reels.setdefault(e.clip_name, e.source) == e.source
    assert len(set(reels.values())) == len(reels) and all(len(r) <= 8 for r in reels.values())
    dis = [e for e in edits if e.transition.kind == "D"]
    assert len(dis) == dissolves and all(e.transition.effect_duration == 15 for e in dis)

    def tc(s):
        h, m, sec, f = map(int, s.split(":"))
        return ((h * 60 + m) * 60 + sec) * FPS + f
    recs = [(tc(e.record_in), tc(e.record_out)) for e in edits]
    assert recs[0][0] == 0 and all(b[0] == a[1] for a, b in zip(recs, recs[1:]))
    tl = otio.adapters.read_from_file(str(out / "ep01.preview.otio"))
    assert recs[-1][1] == tl.video_tracks()[0].duration().to_frames()


def test_a_trim_into_a_line_is_reported_and_the_line_kept_whole_or_dropped(film, capsys, tmp_path):
    """An editor trims a shot so it leaves the screen while its line is still being said. The import says so and
    keeps the line whole (heard over the next shot, its subtitle burned in there too); `filmcrew lines` drops it,
    or takes the choice back (then only the part on screen is heard, and `plan` asks for a choice)."""
    import numpy as np
    root = tmp_path / "trimmed film"
    shutil.copytree(film, root, symlinks=True)
    cut = cut_of(root)
    tl = otio.adapters.read_from_file(str(root / "out" / "ep01.preview.otio"))
    shot = cut[1]["shot"]
    start = sum(c["frames"] for c in cut[:1])  # the film frame where the second item starts
    line = next(c for tr in tl.audio_tracks() for c in tr.find_clips()
                if (c.metadata.get("filmcrew") or {}).get("line", "").startswith(shot.rsplit("-", 1)[0]) and
                start <= tr.range_of_child(c).start_time.value < start + cut[1]["frames"])
    l_start = round(line.trimmed_range_in_parent().start_time.value)
    l_frames = round(line.source_range.duration.value)
    # the shot now ends half way through its line
    cut_here = l_start + l_frames // 2
    trim = start + cut[1]["frames"] - cut_here
    p = tmp_path / "trimmed.fcpxml"
    pool = tmp_path / "Media Pool"
    shutil.copytree(root / "out" / "ep01.preview.media", pool)
    p.write_text(fcpxml_110(cut, pool, {shot: trim}))
    lid = line.metadata["filmcrew"]["line"]
    capsys.readouterr()
    assert main(["import", str(root), str(p), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["edits"] == [f"trimmed {shot}: tail -{trim} frames"]
    assert len(rep["lines"]) == 1 and lid in rep["lines"][0] and "kept whole" in rep["lines"][0], rep["lines"]
    assert json.loads((root / "cut" / "ep01.json").read_text())["lines"] == {lid: "keep"}

    def made() -> tuple[dict, list[dict], np.ndarray]:
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        tl = _timeline(root)
        frame = ffmpeg_frame(root / "out" / "ep01.preview.mp4", cut_here + (l_start + l_frames - cut_here) // 2)
        return tl, [ln for ln in tl["lines"] if ln["line"] == lid], frame

    tl_keep, kept, frame_keep = made()
    assert len(kept) == 1 and kept[0]["frames"] == kept[0]["voice_frames"] == l_frames and kept[0]["start"] == l_start
    text = kept[0]["text"]
    srt = (root / "out" / "ep01.preview.srt").read_text()
    assert text.split()[-1] in srt  # the line's last words are in the subtitles
    capsys.readouterr()
    assert main(["lines", str(root), "--drop", lid]) == 0
    out = capsys.readouterr().out
    assert "left out, as chosen" in out and lid in out
    tl_drop, dropped, frame_drop = made()
    assert dropped == [] and tl_drop["frames"] == tl_keep["frames"]
    assert text.split()[-1] not in (root / "out" / "ep01.preview.srt").read_text()
    # the kept line's subtitle is burned in over the next shot: the frames differ where subtitles sit, not above
    h = frame_keep.shape[0]
    changed = np.abs(frame_keep.astype(int) - frame_drop.astype(int)).max(axis=2) > 60
    assert changed[int(h * 0.6):int(h * 0.85)].sum() > 300 and changed[:int(h * 0.55)].sum() < 30, (
        changed[int(h * 0.6):int(h * 0.85)].sum(), changed[:int(h * 0.55)].sum())
    # no choice: only the part on screen plays, and plan asks for one
    assert main(["lines", str(root), "--clear", lid]) == 0
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 0
    err = capsys.readouterr().err
    assert f"{lid}" in err and "cut off mid-line. Choose" in err, err


def _timeline(root: Path) -> dict:
    """The made timeline.json of the preview."""
    from filmcrew import pipeline
    _, (ctx,) = pipeline.contexts(root, {}, 1, preview=True)
    task = pipeline.episode_graph(ctx).task("ep01.timeline")
    return json.loads((Layout.of(root).store().path(task.key) / "timeline.json").read_text())


def ffmpeg_frame(mp4: Path, n: int):
    """Frame n of a film as an RGB array."""
    import subprocess

    import numpy as np
    from PIL import Image
    png = mp4.with_name(f"frame-{n}.png")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(mp4), "-vf", f"select=eq(n\\,{n})", "-frames:v", "1",
                    str(png)], check=True)
    return np.asarray(Image.open(png).convert("RGB"))


def test_the_jianying_draft_holds_the_cut_with_its_media_sound_and_subtitles(film):
    """The JianYing (剪映) draft, read back by pyJianYingDraft's own loader (no JianYing runs here): the canvas is
    the film's size; each picture segment is the cut's clip at its place, from its source frame, on its media;
    the dissolves are there; the dialogue, music and effects are audio tracks; the subtitles a text track."""
    jy = pytest.importorskip("pyJianYingDraft", reason="the jianying extra: pip install 'filmcrew[jianying]'")
    assert main(["export", str(film), "--preview", "--to", "jianying"]) == 0
    folder = film / "out" / "ep01.preview.jianying"
    assert [p.name for p in folder.iterdir()] == ["ep01.preview"]  # no partial folder left
    draft = jy.DraftFolder(str(folder)).load_template("ep01.preview")
    assert (draft.width, draft.height, draft.fps) == (540, 960, 30)
    tl = otio.adapters.read_from_file(str(film / "out" / "ep01.preview.otio"))
    assert draft.duration == round(tl.duration().to_seconds() * 1_000_000)
    tracks = {t.name: t for t in draft.imported_tracks}
    assert set(tracks) == {"picture", "subtitles", "dialogue", "music", "effects"}
    paths = {m["id"]: m["path"] for m in draft.content["materials"]["videos"]}
    at = 0
    for seg, c in zip(tracks["picture"].segments, cut_of(film), strict=True):
        assert paths[seg.material_id] == str(c["media"].resolve()) and Path(paths[seg.material_id]).is_file()
        assert seg.target_timerange.start == round(at * 1_000_000 / FPS)
        assert seg.source_timerange.start == round(c["src_in"] * 1_000_000 / FPS)
        assert seg.target_timerange.duration == round(c["frames"] * 1_000_000 / FPS)
        at += c["frames"]
    dissolves = [t for t in draft.content["materials"]["transitions"]]
    assert [t["duration"] for t in dissolves] == [round(c["dissolve"] * 1_000_000 / FPS) for c in cut_of(film) if c["dissolve"]]
    lines = [c for tr in tl.audio_tracks() if tr.name.startswith("dialogue") for c in tr.find_clips()]
    assert len(tracks["dialogue"].segments) == len(lines) > 0
    srt = (film / "out" / "ep01.preview.srt").read_text()
    assert len(tracks["subtitles"].segments) == srt.count(" --> ")
    meta = json.loads((folder / "ep01.preview" / "draft_meta_info.json").read_text())
    assert meta["draft_name"] == "ep01.preview" and meta["draft_id"]
