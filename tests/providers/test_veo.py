"""Veo through the Gemini API as the animator, against a local server that follows its long-running
operation protocol (tests/fake_veo.py)."""

from __future__ import annotations

import hashlib
import json

import pytest
from fake_veo import KEY, FakeVeo
from model_project import BAKER, made_film, model_project
from vendor_requests import request, still

from filmcrew.cli import main
from filmcrew.errors import ProviderError
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.veo import VeoAnimator


@pytest.fixture
def fake():
    with FakeVeo() as srv:
        yield srv


def provider(fake, **kw):
    return VeoAnimator(env={"GEMINI_KEY": KEY}, base_url=fake.url, api_key_env="GEMINI_KEY", poll_every=0.05, **kw)


def test_first_last_is_a_long_running_operation_followed_to_its_clip(fake, tmp_path):
    (tmp_path / "o").mkdir()
    provider(fake).animate(request(tmp_path, mode="first-last", seconds=6), tmp_path / "o")
    (sent,) = fake.submits
    assert sent["parameters"] == {"aspectRatio": "9:16", "durationSeconds": 6, "sampleCount": 1, "resolution": "720p"}
    assert sent["image"] == hashlib.sha256((tmp_path / "first.png").read_bytes()).hexdigest()
    assert sent["lastFrame"] == hashlib.sha256((tmp_path / "last.png").read_bytes()).hexdigest()
    rec = json.loads((tmp_path / "jobs" / f"{'ef' * 32}.json").read_text())
    assert rec["handle"]["operation"].startswith("models/veo-3.1-generate-preview/operations/")
    assert KEY not in json.dumps(rec) and "download" not in json.dumps(rec)
    assert json.loads((tmp_path / "o" / "generation.json").read_text())["estimate"]["amount"] == pytest.approx(2.4)


def test_references_force_eight_seconds_and_are_priced_so(fake, tmp_path):
    refs = (("JONAH", still(tmp_path / "j.png", (1, 2, 3))), ("MEI", still(tmp_path / "m.png", (4, 5, 6))))
    (tmp_path / "o").mkdir()
    p = provider(fake)
    p.animate(request(tmp_path, mode="reference", references=refs, seconds=4), tmp_path / "o")
    (sent,) = fake.submits
    assert sent["parameters"]["durationSeconds"] == 8
    assert sent["references"] == [hashlib.sha256(x.read_bytes()).hexdigest() for _, x in refs]
    assert p.estimate(4, False, "reference")["amount"] == pytest.approx(3.2)
    assert json.loads((tmp_path / "o" / "generation.json").read_text())["seconds"] == 8


def test_a_429_waits_its_retry_delay_and_a_wrong_key_is_named(fake, tmp_path, monkeypatch):
    monkeypatch.setattr("filmcrew.providers.http.Retry.base", 0.01)
    (tmp_path / "o").mkdir()
    with pytest.raises(ProviderError, match="5 s asked, and veo-3.1-generate-preview makes 4, 6, 8 s clips"):
        provider(fake).animate(request(tmp_path), tmp_path / "o")
    assert fake.submits == []
    fake.script = ["429"]  # (Google's RetryInfo retryDelay; a filtered result: tests/vendors/test_conformance.py)
    provider(fake).animate(request(tmp_path, seconds=6), tmp_path / "o")
    assert len(fake.submits) == 2 and len(fake.ops) == 1
    with pytest.raises(ProviderError, match="key was refused.*GEMINI_KEY"):
        VeoAnimator(env={"GEMINI_KEY": "nope"}, base_url=fake.url, api_key_env="GEMINI_KEY").animate(
            request(tmp_path, seconds=6, job=jobs.JobTicket(tmp_path / "jobs", "99" * 32, "x")), tmp_path / "o")


def test_a_shape_veo_does_not_make_is_refused_at_plan(fake, tmp_path, capsys):
    root = model_project(tmp_path / "film", fake.url, {"animator": "veo"}, 'api_key_env = "GEMINI_KEY"', premise=BAKER,
                         new_args=("--aspect", "1:1"))
    capsys.readouterr()
    assert main(["plan", str(root)]) == 2
    assert "makes 16:9, 9:16 clips, not 1:1" in capsys.readouterr().err and fake.submits == []


@pytest.mark.slow
def test_a_film_animated_by_veo(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("GEMINI_KEY", KEY)
    prov = made_film(tmp_path / "film", fake.url, {"animator": "veo"}, 'api_key_env = "GEMINI_KEY"\npoll_every = 0.05',
                     budget=20, premise=BAKER, new_args=())
    assert prov["spend"]["USD"] == pytest.approx(sum(0.4 * s["parameters"]["durationSeconds"] for s in fake.submits))
    assert {s["parameters"]["durationSeconds"] for s in fake.submits} <= {4, 6, 8}
    assert prov["ai_share"]["ai_share"]["trained"] > 0.5
