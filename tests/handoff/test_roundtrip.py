"""The round trip: export a film, edit the cut as an editor would, import it, make the film again."""
import copy
import hashlib
import json
import shutil

import numpy as np
import opentimelineio as otio
import pytest

from filmcrew.cli import main
from filmcrew.media import ffmpeg
from filmcrew.provenance import credentials

pytestmark = pytest.mark.slow
RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
FORMATS = {"otio": "ep01.preview.otio", "fcp7": "ep01.preview.fcp7.xml", "fcpx": "ep01.preview.fcpxml",
           "edl": "ep01.preview.edl"}


@pytest.fixture(scope="module")
def project(small_film, tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip") / "film"
    shutil.copytree(small_film, root)
    assert main(["export", str(root), "--preview", "--to", "all"]) == 0
    return root


def _plan(root, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["plan", str(root), "--preview", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _import(root, path, capsys, *extra) -> tuple[int, dict | str]:
    capsys.readouterr()
    try:
        rc = main(["import", str(root), str(path), "--json", *extra])
    except SystemExit as e:  # argparse
        rc = e.code
    out = capsys.readouterr()
    return rc, (json.loads(out.out) if rc == 0 else out.err)


def _tree_digest(root) -> str:
    h = hashlib.sha256()
    for p in sorted(x for x in root.rglob("*") if x.is_file() and ".filmcrew/tmp" not in str(x)):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_an_unedited_export_imports_as_the_same_cut_in_every_format(project, fmt, capsys):
    rc, rep = _import(project, project / "out" / FORMATS[fmt], capsys, "--dry-run")
    assert rc == 0, rep
    assert rep["unknown"] == [] and rep["episode"] == 1 and rep["written"] == []
    assert all(i["kind"] == "shot" for i in rep["items"])
    assert rep["edits"] == []  # (FCPXML too: filmcrew writes its dissolves, which the adapter left out)
    assert not (project / "cut").exists()


def test_an_edited_cut_comes_back_without_making_any_picture_or_voice(project, tmp_path, capsys):
    tl = otio.adapters.read_from_file(str(project / "out" / "ep01.preview.otio"))
    video = tl.video_tracks()[0]
    clips = [c for c in video if isinstance(c, otio.schema.Clip)]
    assert len(clips) >= 4
    a, b = clips[0], clips[1]  # reverse two clips
    video.remove(b)
    video.insert(video.index(a), copy.deepcopy(b))
    c = clips[2]  # trim one by 12 frames at its head
    c.source_range = TR(c.source_range.start_time + RT(12, 30), c.source_range.duration - RT(12, 30))
    video.remove(clips[-1])  # delete one
    outside = tmp_path / "outside.mp4"  # a clip from elsewhere: 6 s at 25 fps, 4:3, of which 2 s to 4 s are used
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=s=640x480:r=25:d=6", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                      str(outside)], "test clip")
    video.insert(2, otio.schema.Clip(name="outside", media_reference=otio.schema.ExternalReference(
        target_url=str(outside), available_range=TR(RT(0, 25), RT(150, 25))), source_range=TR(RT(50, 25), RT(50, 25))))
    music = next(t for t in tl.audio_tracks() if t.name == "music")
    music.find_clips()[0].metadata["filmcrew"]["gain_db"] = -6.0  # and the music down 6 dB
    edited = tmp_path / "edited.otio"
    otio.adapters.write_to_file(tl, str(edited))
    want = [x for x in video if isinstance(x, otio.schema.Clip)]

    rc, rep = _import(project, edited, capsys, "--by", "Ana Editor")
    assert rc == 0, rep
    assert [i["name"] for i in rep["items"]] == [x.name for x in want]
    edits = " | ".join(rep["edits"])
    for what in (f"removed {clips[-1].name}", "reordered", f"trimmed {c.name}: head +12", "added clip outside",
                 "music level -6.0 dB"):
        assert what in edits
    work = [p["role"] for p in _plan(project, capsys)]
    assert work and not {"illustrator", "animator", "voice"} & set(work), work

    assert main(["make", str(project), "--preview", "--quiet"]) == 0
    mp4 = project / "out" / "ep01.preview.mp4"
    n = ffmpeg.probe(mp4, count_frames=True).frames
    assert n == video.duration().to_frames()  # the edit's length, to the frame
    # the film's own OTIO is now the edited cut, its media and ranges right for every clip
    back = otio.adapters.read_from_file(str(project / "out" / "ep01.preview.otio"))
    got_clips = list(back.video_tracks()[0].find_clips())
    assert [x.name for x in got_clips] == [x.name for x in want]
    assert back.video_tracks()[0].duration().to_frames() == n
    # the order: the middle frame of each clip in the film is that clip's own frame (top half: no subtitles)
    H = 960
    for clip, mine in zip(want, got_clips):
        r = video.range_of_child(clip)
        t = r.start_time.to_frames() + r.duration.to_frames() // 2
        got = ffmpeg.frame_at(mp4, (t + 0.5) / 30).astype(float)[: H // 2]
        src_file = project / "out" / mine.media_reference.target_url
        assert ffmpeg.probe(src_file, count_frames=True).frames == mine.media_reference.available_range.duration.to_frames()
        assert mine.source_range.end_time_exclusive() <= mine.media_reference.available_range.end_time_exclusive()
        src = mine.source_range.start_time.to_frames() + r.duration.to_frames() // 2
        own = ffmpeg.frame_at(src_file, (src + 0.5) / 30).astype(float)[: H // 2]
        others = [ffmpeg.frame_at(project / "out" / o.media_reference.target_url,
                                 (min(src, o.media_reference.available_range.duration.to_frames() - 1) + 0.5) / 30
                                 ).astype(float)[: H // 2] for o in got_clips if o.name != clip.name]
        diff = np.abs(got - own).mean()
        assert diff < 6 and all(diff < np.abs(got - x).mean() for x in others), clip.name
    # the ledger: the re-cut and the added clip are human contributions, in the credentials too
    prov = json.loads((project / "out" / "ep01.preview.provenance.json").read_text())
    editor = next(a for a in prov["artifacts"] if a["artifact"] == "ep01.timeline")["ledger"]
    assert editor["digital_source_type"] == "humanEdits" and editor["made_by"] == "human:Ana Editor"
    assert "trimmed" in editor["prompt"]
    pic = prov["ai_share"]["tracks"]["picture"]
    assert pic["human"] == pytest.approx(60 / n, abs=0.002)  # the outside clip's 2 s
    store = credentials.read_manifest(mp4)
    acts = [x for a in store["manifests"][store["active_manifest"]]["assertions"] if a["label"].startswith("c2pa.actions")
            for x in a["data"]["actions"]]
    assert acts[0]["action"] == "c2pa.created" and sum(x["action"] == "c2pa.edited" for x in acts) == 2
    # and back to the screenplay's cut: everything it needs is still made
    assert main(["import", str(project), "--reset"]) == 0
    assert _plan(project, capsys) == []


@pytest.mark.parametrize("name", ["simple_cut", "transition_test", "multitrack", "nested_example",
                                  "generator_reference_test", "premiere_example"])
def test_foreign_timelines_are_reported_and_change_nothing(project, samples, name, capsys):
    path = samples / "otio" / f"{name}.otio"
    before = _tree_digest(project)
    rc, rep = _import(project, path, capsys, "--dry-run")
    if name == "nested_example":
        assert rc == 2 and "nested stack" in rep and "flatten" in rep
    else:
        assert rc == 0 and rep["unknown"] and not rep["items"], rep
        assert all(u["name"] and u["why"] for u in rep["unknown"])
    rc, err = _import(project, path, capsys)
    assert rc == 2 and ("does not know" in err and "Nothing was changed" in err or "nested stack" in err), err
    assert _tree_digest(project) == before
