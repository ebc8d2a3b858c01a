"""Human dubbing: `filmcrew dub`, its checks, and what a dubbed line re-makes."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from filmcrew import media, pipeline
from filmcrew.cli import main
from filmcrew.run import plan

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
    media.write_wav(tmp_path / "silent.wav", np.zeros(RATE, np.float32))
    media.write_wav(tmp_path / "clipped.wav", np.sign(np.sin(np.arange(RATE) / RATE * 2 * np.pi * 200)).astype(np.float32))
    media.write_wav(tmp_path / "long.wav", _speechlike(40))
    media.write_wav(tmp_path / "ok.wav", _speechlike(1.5))
    for f, msg in (("notes.wav", "not an audio file"), ("silent.wav", "silent"), ("clipped.wav", "badly clipped"),
                   ("long.wav", "trim the recording")):
        r = _dub(made, line, tmp_path / f)
        assert r.returncode == 2 and msg in r.stderr, (f, r.stderr)
    r = _dub(made, "ep01-s09-l09", tmp_path / "ok.wav")
    assert r.returncode == 2 and "no such line" in r.stderr
    assert not (made / "takes").exists() or not list((made / "takes").iterdir())


def test_a_dubbed_line_remakes_its_voice_and_what_depends_on_it_only(made, tmp_path):
    root = tmp_path / "film"
    shutil.copytree(made, root)
    rows = json.loads(_dub(root, "--list", "--json").stdout)
    assert all(r["made_by"] == "synthetic" and r["made"] for r in rows)
    line = rows[1]
    media.write_wav(tmp_path / "take.wav", np.concatenate([np.zeros(RATE // 2, np.float32), _speechlike(1.8, seed=3)]))
    r = _dub(root, line["line"], tmp_path / "take.wav")
    assert r.returncode == 0 and (root / "takes" / f"{line['line']}.wav").exists()
    cfg, ctxs = pipeline.contexts(root, {}, None, True)
    g = pipeline.episode_graph(ctxs[0])
    todo = {i.task.artifact: i.reason for i in plan(pipeline.store(root), [g.final])}
    shot = next(s for s in ctxs[0].episode.shots() if any(ln.id == line["line"] for ln in s.lines))
    assert todo[f"{line['line']}.voice"] == "provider"
    assert not any(a.endswith(".voice") for a in todo if a != f"{line['line']}.voice")
    assert not any(a.endswith((".keyframe", ".cue", ".ambience")) for a in todo)
    # the picture of that one shot follows the take's length (its clip and segment); no other shot's
    assert {a for a in todo if a.endswith(".clip")} == {f"{shot.id}.clip"}
    assert {"ep01.timeline", "ep01.mix", "ep01.final"} <= set(todo)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    after = {r["line"]: r for r in json.loads(_dub(root, "--list", "--json").stdout)}
    assert after[line["line"]]["made_by"] == "human" and abs(after[line["line"]]["seconds"] - 1.8) < 0.15
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    rec = next(a for a in prov["artifacts"] if a["artifact"] == f"{line['line']}.voice")
    assert rec["ledger"]["digital_source_type"] == "digitalCapture" and rec["ledger"]["made_by"] == "human"
    srt = (root / "out" / "ep01.preview.srt").read_text()
    assert line["text"] in srt
