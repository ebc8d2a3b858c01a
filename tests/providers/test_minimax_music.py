"""MiniMax's music model as the composer, against a local server that follows its published API
(tests/fake_minimax_music.py): an instrumental cue per scene, looped or trimmed to the cue's length,
busy and refused answers read inside HTTP 200, and a film whose score is the model's."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fake_minimax_music import KEY, FakeMusic
from model_project import BAKER, model_project

from filmcrew.cli import main
from filmcrew.providers.base import CueRequest
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.minimax_music import MiniMaxComposer, loop_to


@pytest.fixture
def fake():
    with FakeMusic() as srv:
        yield srv


def provider(fake, **kw):
    return MiniMaxComposer(env={"MM_KEY": KEY}, base_url=fake.url, api_key_env="MM_KEY", **kw)


def cue(seconds=24.0, ending=""):
    return CueRequest(scene_id="ep01-s01", mood="tense", seconds=seconds, seed=1, theme_seed=5, ending=ending)


def test_an_instrumental_cue_looped_to_its_length_after_a_busy_answer(fake, tmp_path, monkeypatch):
    monkeypatch.setattr("filmcrew.providers.http.Retry.base", 0.01)
    fake.script = ["1002"]
    ticket = jobs.JobTicket(tmp_path / "jobs", "aa" * 32, "ep01-s01.cue")
    audio, rate = provider(fake).compose(cue(24.0, "hook"), job=ticket)
    assert len(fake.requests) == 2
    sent = fake.requests[-1]
    assert sent["is_instrumental"] is True and sent["output_format"] == "hex" and sent["model"] == "music-2.6"
    assert "tense" in sent["prompt"] and "suspenseful" in sent["prompt"]
    assert audio.shape == (24 * 48000, 2) and rate == 48000 and np.abs(audio[-48000:]).max() > 0.05  # 12 s looped
    rec = json.loads((tmp_path / "jobs" / f"{'aa' * 32}.json").read_text())
    assert rec["state"] == "fetched" and rec["actual"] == 0.18 and rec["result"].endswith(".mp3")


def test_a_sensitive_prompt_is_refused_and_a_loop_crossfades():
    music = np.ones((100, 2), np.float32)
    out = loop_to(music, 250, 10, fade_s=2.0)
    assert out.shape == (250, 2) and np.allclose(out, 1.0)  # a crossfade of equal signals is seamless
    assert loop_to(music, 50, 10).shape == (50, 2)


def test_refused(fake, tmp_path):
    fake.script = ["1026"]
    with pytest.raises(jobs.RefusedError, match="1026: input new_sensitive"):
        provider(fake).compose(cue(), job=jobs.JobTicket(tmp_path / "jobs", "bb" * 32, "ep01-s01.cue"))


@pytest.mark.slow
def test_a_film_scored_by_the_music_model(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("MM_KEY", KEY)
    root = model_project(tmp_path / "film", fake.url, {"composer": "minimax-music"}, 'api_key_env = "MM_KEY"',
                         premise=BAKER, new_args=())
    assert main(["plan", str(root), "--preview", "--cost"]) == 0 and fake.requests == []
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    cues = [a for a in prov["artifacts"] if a["role"] == "composer"]
    assert len(fake.requests) == len(cues) and all(a["ledger"]["digital_source_type"] == "trainedAlgorithmicMedia"
                                                   for a in cues)
    assert prov["ai_share"]["tracks"]["music"]["trained"] == pytest.approx(1.0)
    assert prov["spend"]["USD"] == pytest.approx(0.18 * len(cues))
