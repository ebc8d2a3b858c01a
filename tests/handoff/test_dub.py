"""Human dubbing: `filmcrew dub`, its checks, and what a dubbed line re-makes."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from filmcrew import pipeline
from filmcrew.crew import publish
from filmcrew.cli import main
from filmcrew.engine.executor import execute
from filmcrew.media import ffmpeg
from filmcrew.engine.layout import Layout

pytestmark = pytest.mark.slow
RATE = 48000


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("dub") / "film"
    assert main(["demo", str(root), "--minutes", "0.3", "--preview"]) == 0
    return root


def _speechlike(seconds, level=0.2, seed=0):
    """Noise shaped by a 4 Hz syllable envelope: it stands in for a recorded voice."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    return (rng.standard_normal(len(t)) * level * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))).astype(np.float32)


def _dub(root, *args):
    return subprocess.run([sys.executable, "-m", "filmcrew", "dub", str(root), *map(str, args)], capture_output=True, text=True)


def test_bad_takes_are_refused_and_nothing_changes(made, tmp_path):
    rows = json.loads(_dub(made, "--list", "--json").stdout)
    line = rows[0]["line"]
    (tmp_path / "notes.wav").write_text("this is not audio")
    ffmpeg.write_wav(tmp_path / "silent.wav", np.zeros(RATE, np.float32))
    ffmpeg.write_wav(tmp_path / "clipped.wav", np.sign(np.sin(np.arange(RATE) / RATE * 2 * np.pi * 200)).astype(np.float32))
    ffmpeg.write_wav(tmp_path / "long.wav", _speechlike(40))
    ffmpeg.write_wav(tmp_path / "ok.wav", _speechlike(1.5))
    for f, msg in (("notes.wav", "not an audio file"), ("silent.wav", "silent"), ("clipped.wav", "badly clipped"),
                   ("long.wav", "trim the recording")):
        r = _dub(made, line, tmp_path / f)
        assert r.returncode == 2 and msg in r.stderr, (f, r.stderr)
    r = _dub(made, "ep01-s09-l09", tmp_path / "ok.wav")
    assert r.returncode == 2 and "no such line" in r.stderr
    assert not (made / "takes").exists() or not list((made / "takes").iterdir())


def _make(root):
    """Make the preview as `filmcrew make --preview` does; returns the episode, its graph and the run's report."""
    _, (ctx,) = pipeline.contexts(root, {}, None, True)
    g = pipeline.episode_graph(ctx)
    report = execute(Layout.of(root).store(), [g.final])
    publish.publish(root, Layout.of(root).store(), ctx, g, True)
    return ctx, g, report


def _dubbed(made, tmp_path, seconds_over_slot):
    root = tmp_path / "film"
    shutil.copytree(made, root)
    rows = json.loads(_dub(root, "--list", "--json").stdout)
    assert all(r["made_by"] == "synthetic" and r["made"] for r in rows)
    line = rows[1]
    secs = line["seconds"] + seconds_over_slot
    ffmpeg.write_wav(tmp_path / "take.wav", np.concatenate([np.zeros(RATE // 2, np.float32), _speechlike(secs, seed=3)]))
    r = _dub(root, line["line"], tmp_path / "take.wav")
    assert r.returncode == 0 and (root / "takes" / f"{line['line']}.wav").exists()
    # it says what the take does to the shot's picture
    assert ("the shot's picture is kept" if seconds_over_slot < 0 else "the shot stretches") in r.stdout, r.stdout
    ctx, g, report = _make(root)
    shot = next(s for s in ctx.episode.shots() if any(ln.id == line["line"] for ln in s.lines))
    after = {r["line"]: r for r in json.loads(_dub(root, "--list", "--json").stdout)}
    assert after[line["line"]]["made_by"] == "human" and abs(after[line["line"]]["seconds"] - secs) < 0.1
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    rec = next(a for a in prov["artifacts"] if a["artifact"] == f"{line['line']}.voice")
    assert rec["ledger"]["digital_source_type"] == "digitalCapture" and rec["ledger"]["made_by"] == "human"
    srt = (root / "out" / "ep01.preview.srt").read_text()
    assert line["text"] in srt
    return root, ctx, g, report, line, shot


def test_a_dubbed_take_that_fits_remakes_its_audio_subtitles_mix_and_final_only(made, tmp_path):
    """A take a little shorter than the synthetic line keeps the shot's slot: the picture is not animated again
    (no keyframe, no clip); the shot's segment is rendered again (it draws the same frames, its subtitles and
    lips follow the take), then the mix and the film."""
    root, ctx, g, report, line, shot = _dubbed(made, tmp_path, -0.3)
    shots = ctx.episode.shots()
    prev = shots[shots.index(shot) - 1].id if shots.index(shot) else None
    scene = next(sc.id for sc in ctx.episode.scenes if shot in sc.shots)  # the mix: the shot's scene's part, the master
    remade = {f"{line['line']}.voice", f"{shot.id}.timing", "ep01.timeline", f"{shot.id}.segment", "ep01.mix",
              "ep01.mixscore", f"{scene}.mixpart", "ep01.final"}
    assert remade <= set(report.ran)
    # besides those, only the transitions that show this shot's frames
    assert set(report.ran) - remade <= {f"{shot.id}.transition", f"{prev}.transition"}, report.ran
    assert not any(a.endswith((".keyframe", ".clip")) for a in report.ran)  # the picture is drawn as it was
    st = Layout.of(root).store()
    timing = st.record(g.task(f"{shot.id}.timing").key)["ledger"]
    assert timing["fitted_takes"] == [line["line"]]
    # the lips follow the take, drawn into the shot's frames
    assert st.record(g.task(f"{shot.id}.segment").key)["ledger"].get("lips")
    old = json.loads((made / "out" / "ep01.preview.provenance.json").read_text())
    was = next(a for a in old["artifacts"] if a["artifact"] == f"{shot.id}.segment")["ledger"]["frames"]
    assert st.record(g.task(f"{shot.id}.segment").key)["ledger"]["frames"] == was  # the slot is kept


def test_a_dubbed_take_longer_than_its_slot_stretches_the_shot(made, tmp_path):
    root, ctx, g, report, line, shot = _dubbed(made, tmp_path, 3.0)
    ran = set(report.ran)
    assert {f"{line['line']}.voice", f"{shot.id}.timing", f"{shot.id}.segment", "ep01.timeline",
            "ep01.mix", "ep01.final"} <= ran
    assert not any(a.endswith((".keyframe", ".cue", ".ambience")) for a in ran)
    assert not any(a.endswith(".voice") for a in ran if a != f"{line['line']}.voice")
    # the segments draw their shots' frames: no clip is encoded, and no other shot's segment is made again
    assert not any(a.endswith(".clip") for a in ran)
    assert {a for a in ran if a.endswith(".segment")} == {f"{shot.id}.segment"}
    st = Layout.of(root).store()
    assert "fitted_takes" not in st.record(g.task(f"{shot.id}.timing").key)["ledger"]
    frames = st.record(g.task(f"{shot.id}.segment").key)["ledger"]["frames"]
    old = json.loads((made / "out" / "ep01.preview.provenance.json").read_text())
    was = next(a for a in old["artifacts"] if a["artifact"] == f"{shot.id}.segment")["ledger"]["frames"]
    assert frames > was + 20  # the shot stretched to the take
