"""MiniMax Hailuo as the animator, against a local server that follows its published API
(tests/fake_hailuo.py): errors and rate limits inside HTTP 200 answers, files/retrieve for the link."""

from __future__ import annotations

import hashlib
import json

import pytest
from fake_hailuo import KEY, FakeHailuo
from vendor_requests import request

from filmcrew.errors import ProviderError
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.hailuo import HailuoAnimator


@pytest.fixture
def fake():
    with FakeHailuo() as srv:
        yield srv


def provider(fake, **kw):
    return HailuoAnimator(env={"MM_KEY": KEY}, base_url=fake.url, api_key_env="MM_KEY", poll_every=0.05, **kw)


def test_first_last_with_a_rate_limit_inside_a_200_answer(fake, tmp_path, monkeypatch):
    monkeypatch.setattr("filmcrew.providers.http.Retry.base", 0.01)
    fake.script = ["1002"]
    (tmp_path / "o").mkdir()
    provider(fake).animate(request(tmp_path, mode="first-last", seconds=6), tmp_path / "o")
    assert len(fake.submits) == 2 and len(fake.tasks) == 1  # the 1002 answer was asked again
    sent = fake.submits[1]
    assert sent["model"] == "MiniMax-Hailuo-2.3" and sent["duration"] == 6 and sent["resolution"] == "768P"
    assert sent["prompt_optimizer"] is False
    assert sent["first"] == hashlib.sha256((tmp_path / "first.png").read_bytes()).hexdigest()
    assert sent["last"] == hashlib.sha256((tmp_path / "last.png").read_bytes()).hexdigest()
    gen = json.loads((tmp_path / "o" / "generation.json").read_text())
    assert gen["estimate"] == {"amount": 2.0, "currency": "CNY", "checked": "2026-12-02"}


@pytest.mark.parametrize("step,error,says", [  # (1026, the prompt refused: tests/vendors/test_conformance.py)
    ("1027", jobs.RefusedError, "1027: output video sensitive"),
    ("1008", ProviderError, "balance is too low")])
def test_sensitive_prompts_outputs_and_balance_are_said_and_not_retried(fake, tmp_path, step, error, says):
    fake.script = [step]
    (tmp_path / "o").mkdir()
    with pytest.raises(error, match=says):
        provider(fake).animate(request(tmp_path, seconds=6), tmp_path / "o")
    assert len(fake.submits) == 1


def test_1080p_makes_six_seconds_only_and_reference_is_refused(fake):
    hd = provider(fake, resolution="1080P")
    assert hd.duration_for(5.5) == 6
    with pytest.raises(Exception, match="at most 6 s"):
        hd.duration_for(9.0)
    assert "cannot animate a shot as reference" in provider(fake).refuse("reference", "9:16", 1)


@pytest.mark.slow
def test_a_film_animated_by_hailuo(fake, tmp_path, monkeypatch):
    """A whole film whose shots are Hailuo's clips (the crew path is Kling's; the answers are MiniMax's)."""
    from model_project import LIGHTHOUSE, made_film
    monkeypatch.setenv("MM_KEY", KEY)
    prov = made_film(tmp_path / "film", fake.url, {"animator": "hailuo"}, 'api_key_env = "MM_KEY"\npoll_every = 0.05',
                     budget=100, currency="CNY", premise=LIGHTHOUSE, new_args=())
    shots = [r for r in prov["artifacts"] if r["artifact"].endswith(".clip")]
    assert len(fake.submits) == len(shots) > 0 and all(r["provider"]["name"] == "hailuo" for r in shots)
    assert prov["ai_share"]["ai_share"]["trained"] > 0.5 and sum(prov["spend"].values()) > 0
