"""Runway as the animator, against a local server that follows its published API (tests/fake_runway.py):
the version header, THROTTLED as a waiting state, each model's own ratios (gen3a_turbo, withdrawn, refused),
the field Runway names in a validation error. What every vendor does (429, 5xx, a refusal such as a SAFETY
failure, timeouts, an empty result, a killed make): tests/vendors/test_conformance.py."""

from __future__ import annotations

import hashlib

import pytest
from fake_runway import KEY, FakeRunway
from vendor_requests import request

from filmcrew.errors import ConfigError, ProviderError
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


def test_gen3a_turbo_has_left_runway_and_no_current_model_takes_first_last(fake, tmp_path):
    with pytest.raises(ConfigError, match=r"model: 'gen3a_turbo': it has left Runway's API.*use gen4_turbo or gen4.5"):
        provider(fake, model="gen3a_turbo")
    for model in ("gen4_turbo", "gen4.5"):
        assert "cannot animate a shot as first-last" in provider(fake, model=model).refuse("first-last", "9:16", 0)


def test_gen4_5_has_its_own_durations_and_a_validation_error_names_the_field(fake, tmp_path):
    (tmp_path / "o").mkdir()
    provider(fake, model="gen4.5").animate(request(tmp_path, seconds=3), tmp_path / "o")
    assert fake.submits[0]["model"] == "gen4.5" and fake.submits[0]["duration"] == 3
    assert fake.submits[0]["ratio"] == "720:1280"
    p = provider(fake)
    t2 = jobs.JobTicket(tmp_path / "jobs", "34" * 32, "ep01-s01-sh02.video")
    p.request = lambda req: {"body": {**RunwayAnimator.request(p, req)["body"], "ratio": "768:1280"}}  # gen3a's
    with pytest.raises(ProviderError, match=r"400: Validation of body failed \(field ratio: Invalid enum value"):
        p.animate(request(tmp_path, job=t2), tmp_path / "o")
    assert jobs.Journal(tmp_path / "jobs").read("34" * 32)["state"] == "failed"  # an answer saying no: not billed
    assert jobs.Journal(tmp_path / "jobs").spent() == {"USD": pytest.approx(0.36)}  # the 3 s gen4.5 clip only


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
