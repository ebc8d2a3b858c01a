"""Recaps and cold opens (issue 37): episode 2 of a small series opens with "Previously on..." re-cut from episode 1's
made film (nothing made again), then its first scene, its title, and the rest; measured with ffprobe and on frames."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from filmcrew import pipeline, project
from filmcrew.cli import main
from filmcrew.crew import recap
from filmcrew.engine.layout import Layout
from filmcrew.errors import ConfigError
from filmcrew.media import ffmpeg


def ffprobe(path: Path) -> dict:
    exe = shutil.which("ffprobe")
    if exe is None:
        pytest.skip("Debian's ffprobe is not installed")
    out = subprocess.run([exe, "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    root = tmp_path_factory.mktemp("recap") / "s"
    assert main(["new", str(root), "--premise", "A courier must deliver a letter across a flooded city", "--format",
                 "series", "--episodes", "2", "--minutes", "0.3", "--seed", "3"]) == 0
    text = (root / "filmcrew.toml").read_text()
    assert "recap" not in text  # off by default, and not written while off
    (root / "filmcrew.toml").write_text(text.replace("[film]\n", "[film]\nrecap = 2\ncold_open = true\n", 1))
    assert main(["write", str(root), "--quiet"]) == 0
    return root


def test_a_recap_refuses_to_make_an_episode_that_is_not_made(series, capsys):
    assert main(["make", str(series), "--preview", "--quiet", "--episode", "2"]) == 0
    said = capsys.readouterr().out
    assert "ep02: no recap: " in said and "ep01 is not made as its story now stands" in said
    with pytest.raises(ConfigError, match=r"ep01 is not made as its story now stands; run `filmcrew make .* --episode 1 "
                                          r"--preview` first"):
        from filmcrew.cli.recap import make_recap
        make_recap(series, 2, preview=True)


def test_episode_two_opens_with_the_last_shots_of_episode_one_as_made(series, capsys):
    root = series
    assert main(["make", str(root), "--preview", "--quiet", "--episode", "1"]) == 0
    st = Layout.of(root).store()
    made_before = sorted(p.name for p in st.index.iterdir())
    capsys.readouterr()
    # the project asks for recaps ([film] recap = 2): make writes episode 2's once episode 1 is made
    assert main(["make", str(root), "--preview", "--quiet", "--episode", "2"]) == 0
    assert "ep02: " + str(root / "out" / "ep02.preview.recap.mp4") + "  (opens with" in capsys.readouterr().out
    mp4, plan = root / "out" / "ep02.preview.recap.mp4", json.loads((root / "out" / "ep02.preview.recap.json").read_text())
    # nothing made again: the cache holds what it held
    assert sorted(p.name for p in st.index.iterdir()) == made_before
    assert main(["recap", str(root), "--preview"]) == 0  # the command says the same, for episodes made before
    assert "ep02: " in capsys.readouterr().out
    kinds = [(p["kind"], p["new"]) for p in plan["parts"]]
    assert kinds == [("card", True), ("film", False), ("film", False), ("film", False), ("card", True), ("film", False)]
    assert plan["parts"][0]["source"] == "Previously on " + project.load_bible(root).title
    assert plan["parts"][4]["source"].startswith("Episode 2: ")
    assert plan["new_frames"] == 2 * int(recap.CARD_S * 30) and [p["kind"] for p in plan["new"]] == ["card", "card"]
    _cfg, ctxs = pipeline.contexts(root, {}, None, preview=True)
    g1, g2 = (pipeline.episode_graph(c) for c in ctxs)
    film1, film2 = st.path(g1.final.key) / "film.mp4", st.path(g2.final.key) / "film.mp4"
    assert plan["parts"][1]["sha256"] == recap.sha256(film1) and plan["parts"][1]["shot"].startswith("ep01-")
    # the length: the cards, the two re-used shots and the whole episode 2 (its first scene before its title)
    total = plan["reused_frames"] + plan["new_frames"]
    tl2 = json.loads((st.path(g2.task("ep02.timeline").key) / "timeline.json").read_text())
    assert plan["parts"][3]["frames"] + plan["parts"][5]["frames"] == tl2["frames"]
    info = ffprobe(mp4)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    a = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert v["codec_name"] == "h264" and a["codec_name"] == "aac" and int(a["sample_rate"]) == 48000
    assert (int(v["width"]), int(v["height"])) == ctxs[1].size
    assert abs(float(info["format"]["duration"]) - total / 30) < 0.15
    # measured on frames: the recap's first re-used shot is episode 1's picture at that time
    p1 = plan["parts"][1]
    mid = (p1["frames"] // 2)
    got = ffmpeg.frame_at(mp4, (int(recap.CARD_S * 30) + mid) / 30).astype(int)
    want = ffmpeg.frame_at(film1, (p1["start"] + mid) / 30).astype(int)
    other = ffmpeg.frame_at(film2, 0.5).astype(int)
    assert np.abs(got - want).mean() < 6 < np.abs(got - other).mean()
    card = ffmpeg.frame_at(mp4, 0.5)
    assert card.mean() < 40  # the card: white words on black


def test_recap_settings_are_checked(tmp_path):
    with pytest.raises(ConfigError, match=r"\[film\] recap: 99 must be a whole number from 0"):
        project.validate(project.Config(premise="x", recap=99))
    with pytest.raises(ConfigError, match=r"\[film\] cold_open: 'yes' must be true or false"):
        project.validate(project.Config(premise="x", cold_open="yes"))
