"""The ComfyUI lip-sync slot (`[[shot: lipsync: comfyui]]`, providers/remote/comfyui.py ComfyUILipSync) against
tests/fake_comfyui.py, which follows ComfyUI's routes and runs no model: the clip and the voices uploaded as files
and named in the workflow's LoadVideo and LoadAudio, one journaled job per shot that a second ask or a make killed
after submitting never sends again, a workflow without the placeholders refused, and a film whose ComfyUI-animated
shot is lip-synced through it. Untested on a real ComfyUI server (said in the adapter and the README)."""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import numpy as np
import pytest
from fake_comfyui import FakeComfy
from model_project import BAKER, model_project

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.crew import lipsync
from filmcrew.engine.layout import Layout
from filmcrew.errors import ConfigError
from filmcrew.providers import registry
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.comfyui import EXAMPLE_LIPSYNC, ComfyUILipSync, comfyui
from filmcrew.providers.remote.kling_lipsync import LipSyncRequest
from filmcrew.story import screenplay


@pytest.fixture
def fake():
    with FakeComfy() as srv:
        yield srv


def _voice(path: Path, seconds: float = 2.0) -> Path:
    rate = 48000
    t = np.arange(int(seconds * rate)) / rate
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((0.3 * np.sin(2 * np.pi * 180 * t) * 32767).astype("<i2").tobytes())
    return path


def _clip(tmp_path: Path) -> Path:
    from fake_kling import clip
    p = tmp_path / "model.mp4"
    p.write_bytes(clip(3, "9:16"))
    return p


def _request(tmp_path, key="34" * 32):
    return LipSyncRequest(shot_id="ep01-s01-sh02", audio=_voice(tmp_path / "voices.wav"), animator_task={},
                          video_seconds=3, job=jobs.JobTicket(tmp_path / "jobs", key, "ep01-s01-sh02.lipsync"),
                          video=_clip(tmp_path))


def test_the_clip_and_the_voices_are_uploaded_and_named_in_the_workflow(fake, tmp_path):
    p = ComfyUILipSync(base_url=fake.url, poll_every=0.02)
    assert p.workflow_path == EXAMPLE_LIPSYNC and p.model.startswith("workflow:") and p.refuse(object()) is None
    (tmp_path / "o").mkdir()
    out = p.lipsync(_request(tmp_path), tmp_path / "o")
    (sent,) = fake.prompts
    g = sent["prompt"]
    video, audio = g["1"]["inputs"]["file"], g["3"]["inputs"]["audio"]
    assert video.endswith(".mp4") and audio.endswith(".wav")
    assert fake.uploads[video] == (tmp_path / "model.mp4").read_bytes()
    assert fake.uploads[audio] == (tmp_path / "voices.wav").read_bytes()
    assert isinstance(g["5"]["inputs"]["seed"], int) and g["5"]["class_type"] == "LatentSyncNode"
    assert out.read_bytes() == (tmp_path / "model.mp4").read_bytes()  # (the fake runs no model)
    gen = json.loads((tmp_path / "o" / "generation.json").read_text())
    assert gen["provider"] == "comfyui" and gen["estimate"]["amount"] == 0.0  # a local GPU: journaled, costs nothing
    rec = json.loads((tmp_path / "jobs" / f"{'34' * 32}.json").read_text())
    assert rec["state"] == "fetched" and rec["kind"] == "video"
    p.lipsync(_request(tmp_path), tmp_path / "o")  # asked again: the journal answers
    assert len(fake.prompts) == 1


def test_a_job_killed_after_it_was_sent_is_found_not_sent_again(fake, tmp_path):
    p = ComfyUILipSync(base_url=fake.url, poll_every=0.02)
    (tmp_path / "o").mkdir()
    p.lipsync(_request(tmp_path), tmp_path / "o")
    journal = jobs.Journal(tmp_path / "jobs")
    rec = journal.read("34" * 32)
    # as a make killed between sending the prompt and hearing back leaves it: "submitting", no handle, no result
    journal.write("34" * 32, {k: v for k, v in rec.items() if k not in ("handle", "result", "fetched_at")}
                  | {"state": "submitting"})
    p.lipsync(_request(tmp_path), tmp_path / "o")
    assert len(fake.prompts) == 1 and list(fake.submits.values()) == [1]
    assert journal.read("34" * 32)["state"] == "fetched"


def test_a_workflow_without_the_placeholders_is_refused(fake, tmp_path):
    wf = json.loads(EXAMPLE_LIPSYNC.read_text())
    wf["3"]["inputs"]["audio"] = "voices.wav"
    (tmp_path / "wf.json").write_text(json.dumps(wf))
    with pytest.raises(ConfigError, match=r"no \{\{audio\}\} placeholder.*LoadAudio"):
        ComfyUILipSync(base_url=fake.url, workflow=str(tmp_path / "wf.json"))


def test_one_table_serves_the_stills_the_clips_and_the_lip_sync(fake, tmp_path):
    assert registry.plays("comfyui", "lipsync") and "comfyui" in registry.for_role("lipsync")
    settings = {"base_url": fake.url, "fps": 24, "negative_prompt": "blurry", "lipsync_workflow": str(EXAMPLE_LIPSYNC)}
    ls, video, still = (comfyui(role=r, **settings) for r in ("lipsync", "animator", "illustrator"))
    assert isinstance(ls, ComfyUILipSync) and ls.workflow_path == EXAMPLE_LIPSYNC and video.fps == 24


def test_the_offline_animator_s_shot_is_refused_at_plan(fake, tmp_path, capsys):
    root = model_project(tmp_path / "film", fake.url, {}, "", premise=BAKER, new_args=())  # the offline animator
    _opt_in(root)
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 2
    assert "video model's clip, and this shot has none" in capsys.readouterr().err
    assert fake.prompts == []


def _opt_in(root: Path):
    _, ctxs = pipeline.contexts(root, dict(os.environ), None, True)
    shots = ctxs[0].episode.shots()
    sh = next(s for s in shots if lipsync.on_screen(s))
    ep = root / "story" / "ep01.fountain"
    ep.write_text(screenplay.set_shot_note(ep.read_text(), sh.source_line, "lipsync", "comfyui"))
    return sh


@pytest.mark.slow
def test_a_comfyui_animated_shot_is_lip_synced_once(fake, tmp_path):
    root = model_project(tmp_path / "film", fake.url, {"animator": "comfyui"}, "poll_every = 0.02\nseconds = [3, 5]",
                         premise=BAKER, new_args=())
    sh = _opt_in(root)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    syncs = [p for p in fake.prompts if any(n["class_type"] == "LatentSyncNode" for n in p["prompt"].values())]
    assert len(syncs) == 1  # one job, for the shot that asked
    _, (ctx,) = pipeline.contexts(root, dict(os.environ), None, True)
    g = pipeline.episode_graph(ctx)
    st = Layout.of(root).store()
    task = g.task(f"{sh.id}.lipsync")
    assert g.task(f"{sh.id}.clip").inputs["video"] is task  # the fit trims the lip-synced clip
    sent = syncs[0]["prompt"]
    assert fake.uploads[sent["3"]["inputs"]["audio"]] == (st.path(task.key) / "voices.wav").read_bytes()
    assert fake.uploads[sent["1"]["inputs"]["file"]] == (st.path(task.inputs["video"].key) / "model.mp4").read_bytes()
    rec = st.record(task.key)["ledger"]
    assert "workflow:" in rec["made_by"] and rec["cost"]["estimate"] == 0.0  # (the workflow file names the model)
    labels = [r["label"] for r in jobs.Journal(Layout.of(root).jobs).records()]
    assert labels.count(f"{sh.id}.lipsync") == 1
    n = len(fake.prompts)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0 and len(fake.prompts) == n  # nothing sent again
