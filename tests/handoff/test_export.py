"""Hand-off to editors: export a real film to every format and read each back with OpenTimelineIO."""
import json

import opentimelineio as otio
import pytest

from filmcrew.cli import main
from filmcrew.media import ffmpeg

pytestmark = pytest.mark.slow
READERS = {"otio": ("ep01.preview.otio", {}), "fcp7": ("ep01.preview.fcp7.xml", {"adapter_name": "fcp_xml"}),
           "fcpx": ("ep01.preview.fcpxml", {"adapter_name": "fcpx_xml"}),
           "edl": ("ep01.preview.edl", {"adapter_name": "cmx_3600", "rate": 30})}


@pytest.fixture(scope="module")
def exported(small_film):
    root = small_film
    assert main(["export", str(root), "--preview", "--to", "all"]) == 0
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    tl = json.loads(next((root / ".filmcrew" / "objects").rglob("timeline.json")).read_text())
    return root, prov, tl


@pytest.mark.parametrize("fmt", list(READERS))
def test_every_format_reads_back_with_the_shots_in_order_and_the_film_length(exported, fmt):
    root, prov, tl = exported
    name, kw = READERS[fmt]
    back = otio.adapters.read_from_file(str(root / "out" / name), **kw)
    clips = list(back.video_tracks()[0].find_clips())
    assert [c.name for c in clips] == [s["shot"] for s in tl["items"]]
    assert back.duration().to_frames() == tl["frames"] == ffmpeg.probe(root / "out" / "ep01.preview.mp4", count_frames=True).frames
    if fmt in ("otio", "fcp7"):  # these keep each clip's own length; EDL and FCPXML re-express the dissolves
        assert [c.source_range.duration.to_frames() for c in clips] == [s["frames"] for s in tl["items"]]
        assert [c.source_range.start_time.to_frames() for c in clips] == [s["src_in"] for s in tl["items"]]
    if fmt != "fcpx":  # the FCPXML adapter drops transitions
        n_trans = len(tl["transitions"])
        assert n_trans and len([x for x in back.video_tracks()[0] if isinstance(x, otio.schema.Transition)]) == n_trans


def test_otio_carries_filmcrew_metadata_and_real_media(exported):
    root, prov, tl = exported
    back = otio.adapters.read_from_file(str(root / "out" / "ep01.preview.otio"))
    objects = root / ".filmcrew" / "objects"
    for clip, item in zip(back.video_tracks()[0].find_clips(), tl["items"]):
        meta = clip.metadata["filmcrew"]
        assert meta["shot"] == item["shot"] and meta["prompt"] and meta["seed"] == 7
        # the shot's clip, made by the export (the film's segments drew their frames themselves)
        rec = json.loads((objects / meta["key"][:2] / meta["key"] / "record.json").read_text())
        assert meta["provider"] == "camera-moves" and rec["artifact"] == f"{item['shot']}.clip"
        assert meta["ledger"]["frames"] == rec["ledger"]["frames"]
        path = root / "out" / clip.media_reference.target_url
        assert ffmpeg.probe(path, count_frames=True).frames == clip.media_reference.available_range.duration.to_frames() \
            == item["src_out"]  # the whole clip: the frames outside the cut are handles
    dialogue = next(t for t in back.audio_tracks() if t.name == "dialogue")
    lines = list(dialogue.find_clips())
    assert [c.name for c in lines] == [ln["line"] for ln in tl["lines"]]
    assert [dialogue.range_of_child(c).start_time.to_frames() for c in lines] == [ln["start"] for ln in tl["lines"]]
    assert all((root / "out" / c.media_reference.target_url).exists() for c in lines)
    markers = back.video_tracks()[0].markers
    assert [m.name for m in markers] == [ln["text"] for ln in tl["lines"]]
    assert {t.name for t in back.audio_tracks()} == {"dialogue", "music", "effects"}


def test_the_shot_media_carry_the_lips_the_film_draws(exported):
    """An editing program has no lips step: the exported clip of a speaking shot has its mouths opened in."""
    import subprocess

    import numpy as np
    root, prov, tl = exported
    back = otio.adapters.read_from_file(str(root / "out" / "ep01.preview.otio"))
    by_shot = {c.metadata["filmcrew"]["shot"]: root / "out" / c.media_reference.target_url
               for c in back.video_tracks()[0].find_clips()}
    objects = root / ".filmcrew" / "objects"
    checked = 0
    for a in prov["artifacts"]:
        if not (a["artifact"].endswith(".segment") and a["ledger"].get("lips")):
            continue
        shot = a["artifact"].split(".")[0]
        key = next(c.metadata["filmcrew"]["key"]  # the clip's own (the export made it), before its lips
                   for c in back.video_tracks()[0].find_clips() if c.metadata["filmcrew"]["shot"] == shot)
        raw = objects / key[:2] / key / "clip.mp4"

        def frames(p):
            out = subprocess.run([ffmpeg.executable(), "-v", "error", "-i", str(p), "-f", "rawvideo", "-pix_fmt", "gray",
                                  "-"], check=True, capture_output=True).stdout
            return np.frombuffer(out, np.uint8).reshape(-1, 960, 540).astype(np.int16)
        a_, b_ = frames(raw), frames(by_shot[shot])
        assert a_.shape == b_.shape  # the whole clip, handles included
        changed = (np.abs(a_ - b_) > 40).mean(axis=(1, 2))
        assert changed.max() > 0 and changed.max() < 0.01  # a mouth, and nothing else
        checked += 1
    assert checked


def test_stems_and_the_screenplay(exported):
    root, prov, tl = exported
    seconds = tl["frames"] / tl["fps"]
    for stem in ("dialogue", "music", "effects"):
        a, rate = ffmpeg.read_wav(root / "out" / "ep01.preview.stems" / f"ep01.{stem}.wav")
        assert rate == 48000 and abs(len(a) / rate - seconds) < 1 / 30
        assert abs(a).max() > 0.001  # not silent
    from filmcrew.media.subtitles import timed_pieces
    cues = (root / "out" / "ep01.preview.stems" / "ep01.srt").read_text().count("-->")
    assert cues == len(timed_pieces(tl)) >= len(tl["lines"])  # every piece burned in, at least one a line
    assert (root / "out" / "ep01.fountain").read_text() == (root / "story" / "ep01.fountain").read_text()
