"""A ComfyUI video workflow as the animator (Wan-style placeholders), against the ComfyUI fake: the frames
and fps filled in, the first frame uploaded, the video output found and verified, the modes following from
the workflow's placeholders; and one `[providers.comfyui]` table serving both the stills and the clips."""

from __future__ import annotations

import json

import pytest
from fake_comfyui import FakeComfy
from model_project import BAKER, model_project
from vendor_requests import request

from filmcrew.cli import main
from filmcrew.media import ffmpeg
from filmcrew.providers.remote.comfyui import EXAMPLE, EXAMPLE_VIDEO, ComfyUIAnimator, comfyui


@pytest.fixture
def fake():
    with FakeComfy() as srv:
        yield srv


def test_the_video_workflow_is_filled_and_its_clip_verified(fake, tmp_path):
    p = ComfyUIAnimator(base_url=fake.url, poll_every=0.02)
    (tmp_path / "o").mkdir()
    out = p.animate(request(tmp_path, seconds=5), tmp_path / "o")
    (sent,) = fake.prompts
    g = sent["prompt"]
    assert g["9"]["inputs"]["length"] == 81 and g["12"]["inputs"]["fps"] == 16  # 5 s x 16 fps + 1
    assert (g["9"]["inputs"]["width"], g["9"]["inputs"]["height"]) == (480, 832)
    assert fake.uploads[g["5"]["inputs"]["image"]] == (tmp_path / "first.png").read_bytes()
    assert ffmpeg.probe(out, count_frames=True).duration == pytest.approx(5.0, abs=0.1)


def test_the_modes_follow_the_workflows_placeholders(fake, tmp_path):
    p = ComfyUIAnimator(base_url=fake.url)
    assert p.caps["modes"] == ("first-frame",)
    assert "cannot animate a shot as first-last" in p.refuse("first-last", "9:16", 0)
    wf = json.loads(EXAMPLE_VIDEO.read_text())
    wf["20"] = {"class_type": "LoadImage", "inputs": {"image": "{{last_frame}}"}}
    (tmp_path / "fl.json").write_text(json.dumps(wf))
    assert ComfyUIAnimator(base_url=fake.url, workflow=str(tmp_path / "fl.json")).caps["modes"] == (
        "first-frame", "first-last")
    assert p.duration_for(6.0) == 5 and p.duration_for(2.0) == 3


def test_one_table_serves_the_stills_and_the_clips(fake, tmp_path):
    settings = {"base_url": fake.url, "workflow": str(EXAMPLE), "video_workflow": str(EXAMPLE_VIDEO), "fps": 24}
    still, video = comfyui(role="illustrator", **settings), comfyui(role="animator", **settings)
    assert still.workflow_path == EXAMPLE and video.workflow_path == EXAMPLE_VIDEO and video.fps == 24


@pytest.mark.slow
def test_a_film_from_comfyui_stills_and_comfyui_clips(fake, tmp_path):
    root = model_project(tmp_path / "film", fake.url, {"illustrator": "comfyui", "animator": "comfyui"},
                         "poll_every = 0.02\nseconds = [3, 5]", premise=BAKER, new_args=())
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    videos = [p for p in fake.prompts if "9" in p["prompt"] and p["prompt"]["9"]["class_type"] == "WanImageToVideo"]
    stills = [p for p in fake.prompts if "20" in p["prompt"] and p["prompt"]["20"]["class_type"] == "KSampler"]
    assert videos and stills and all(p["prompt"]["9"]["inputs"]["length"] in (49, 81) for p in videos)
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    assert prov["ai_share"]["ai_share"]["trained"] > 0.5 and all(n == 1 for n in fake.submits.values())
