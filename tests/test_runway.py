"""Runway as the animator, against a local server that follows its published API (tests/fake_runway.py):
the version header, THROTTLED as a waiting state, first-last on gen3a_turbo only, a SAFETY failure refused."""

from __future__ import annotations

import hashlib

import pytest
from fake_runway import KEY, FakeRunway
from test_kling import request

from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.runway import RunwayAnimator


@pytest.fixture
def fake():
    with FakeRunway() as srv:
        yield srv


def provider(fake, **kw):
    return RunwayAnimator(env={"RW_KEY": KEY}, base_url=fake.url, api_key_env="RW_KEY", poll_every=0.05, **kw)


def test_a_throttled_task_is_waited_for_and_its_output_fetched(fake, tmp_path):
    (tmp_path / "o").mkdir()
    provider(fake).animate(request(tmp_path, seconds=5), tmp_path / "o")
    (sent,) = fake.submits
    assert sent["model"] == "gen4_turbo" and sent["ratio"] == "720:1280" and sent["duration"] == 5
    assert sent["images"] == [hashlib.sha256((tmp_path / "first.png").read_bytes()).hexdigest()]
    assert "THROTTLED" in fake.states and fake.states[-1] == "SUCCEEDED"


def test_first_last_goes_to_gen3a_turbo_as_positions_and_gen4_refuses_it(fake, tmp_path):
    assert "cannot animate a shot as first-last" in provider(fake).refuse("first-last", "9:16", 0)
    (tmp_path / "o").mkdir()
    provider(fake, model="gen3a_turbo").animate(request(tmp_path, mode="first-last"), tmp_path / "o")
    assert fake.submits[0]["images"] == [("first", hashlib.sha256((tmp_path / "first.png").read_bytes()).hexdigest()),
                                         ("last", hashlib.sha256((tmp_path / "last.png").read_bytes()).hexdigest())]


def test_a_safety_failure_is_a_refusal(fake, tmp_path):
    fake.script = ["safety"]
    (tmp_path / "o").mkdir()
    with pytest.raises(jobs.RefusedError, match="SAFETY.INPUT.IMAGE: Input image flagged"):
        provider(fake).animate(request(tmp_path), tmp_path / "o")


@pytest.mark.slow
def test_a_film_animated_by_runway(fake, tmp_path, monkeypatch):
    """A whole film whose shots are Runway's clips (THROTTLED waits included when the fake says so)."""
    from model_project import BAKER, made_film
    monkeypatch.setenv("RW_KEY", KEY)
    prov = made_film(tmp_path / "film", fake.url, {"animator": "runway"}, 'api_key_env = "RW_KEY"\npoll_every = 0.05',
                     budget=100, premise=BAKER, new_args=())
    shots = [r for r in prov["artifacts"] if r["artifact"].endswith(".clip")]
    assert len(fake.submits) == len(shots) > 0 and all(r["provider"]["name"] == "runway" for r in shots)
    assert prov["ai_share"]["ai_share"]["trained"] > 0.5 and sum(prov["spend"].values()) > 0
