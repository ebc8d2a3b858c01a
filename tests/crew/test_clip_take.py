"""A person's own clip replaces a shot (issue 15): takes/SHOT.mp4 is fitted to the shot and counts as human-made."""

import json
import shutil
import subprocess

import numpy as np
import pytest

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.media import ffmpeg
from filmcrew.engine.layout import Layout

pytestmark = pytest.mark.slow


def red_clip(path, seconds=1.0, size="320x240"):
    """A short landscape clip, pure red: the shot is 9:16, so it must be scaled and cropped to fill."""
    subprocess.run([ffmpeg.executable(), "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=red:s={size}:r=25:d={seconds}",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)


def frame(mp4, n, size):
    w, h = size
    raw = subprocess.run([ffmpeg.executable(), "-v", "error", "-i", str(mp4), "-vf", f"select=eq(n\\,{n})", "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(h, w, 3)


def test_a_clip_in_takes_replaces_the_shot_and_counts_as_human(small_film, tmp_path, capsys):
    root = tmp_path / "film"
    shutil.copytree(small_film, root)
    before = json.loads(next((root / "out").glob("ep01*.provenance.json")).read_text())["ai_share"]
    _cfg, ctxs = pipeline.contexts(root, {}, preview=True)
    shot = ctxs[0].episode.shots()[0]
    red_clip(root / "takes" / f"{shot.id}.mp4")
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 0
    planned = capsys.readouterr().out
    assert f"{shot.id}.clip" in planned and f"{shot.id}.keyframe" not in planned  # the picture is not drawn again
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    _cfg, ctxs = pipeline.contexts(root, {}, preview=True)
    g = pipeline.episode_graph(ctxs[0])
    st = Layout.of(root).store()
    clip = g.task(f"{shot.id}.clip")
    rec = st.record(clip.key)["ledger"]
    assert clip.provider.name == "human-take" and rec["made_by"] == "human" and rec["digital_source_type"] == "digitalCreation"
    assert rec["fit"] == "slowed and held" and rec["take_seconds"] == 1.0 and rec["frames"] > 30  # 1 s for a longer shot
    mp4 = st.path(clip.key) / "clip.mp4"
    p = ffmpeg.probe(mp4, count_frames=True)
    assert (p.width, p.height) == ctxs[0].size and p.frames == rec["frames"]  # the shot's frame and length
    px = frame(mp4, p.frames // 2, ctxs[0].size).reshape(-1, 3).mean(axis=0)
    assert px[0] > 200 and px[1] < 40 and px[2] < 40  # the person's red clip, not a drawing
    after = json.loads(next((root / "out").glob("ep01*.provenance.json")).read_text())["ai_share"]
    assert after["tracks"]["picture"]["human"] > before["tracks"]["picture"].get("human", 0)
    assert after["ai_share"]["generated"] < before["ai_share"]["generated"]
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 0
    assert "nothing to do" in capsys.readouterr().out
