"""Seedance through Volcengine Ark as the animator, against a local server that follows Ark's published task
protocol (tests/fake_ark_images.py): the content list with roles, the task followed to its clip, the refusal,
the price from the output tokens, and a film."""

from __future__ import annotations

import hashlib
import json

import pytest
from fake_ark_images import FakeArk
from model_project import BAKER, made_film
from vendor_requests import request, still

from filmcrew.providers.remote.seedance import SeedanceAnimator

KEY = "ark-fake-0001"


@pytest.fixture
def fake():
    with FakeArk(KEY) as srv:
        yield srv


def provider(fake, **kw):
    return SeedanceAnimator(env={"ARK_KEY": KEY}, base_url=fake.url, api_key_env="ARK_KEY", poll_every=0.05, **kw)


def test_first_last_is_a_content_list_with_roles_and_the_clip_is_priced_by_its_tokens(fake, tmp_path):
    (tmp_path / "o").mkdir()
    provider(fake).animate(request(tmp_path, mode="first-last", seconds=6), tmp_path / "o")
    (sent,) = fake.video_requests
    b = sent["body"]
    assert b["model"] == "doubao-seedance-2-0-260128" and b["duration"] == 6 and b["ratio"] == "9:16"
    assert b["resolution"] == "720p" and b["generate_audio"] is False and "service_tier" not in b
    assert sent["text"] == ["Jonah pulls the net. medium shot."]
    assert sent["images"] == [("first_frame", hashlib.sha256((tmp_path / "first.png").read_bytes()).hexdigest()),
                              ("last_frame", hashlib.sha256((tmp_path / "last.png").read_bytes()).hexdigest())]
    gen = json.loads((tmp_path / "o" / "generation.json").read_text())
    assert gen["actual"] == pytest.approx(46.0 * 108000 / 1e6) and gen["estimate"]["currency"] == "CNY"


def test_reference_images_go_in_the_prompts_order_and_preview_asks_for_480p(fake, tmp_path):
    refs = (("JONAH", still(tmp_path / "j.png", (1, 2, 3))), ("MEI", still(tmp_path / "m.png", (4, 5, 6))))
    (tmp_path / "o").mkdir()
    provider(fake).animate(request(tmp_path, mode="reference", references=refs, preview=True), tmp_path / "o")
    (sent,) = fake.video_requests
    assert sent["body"]["resolution"] == "480p"
    assert sent["images"] == [("reference_image", hashlib.sha256(p.read_bytes()).hexdigest()) for _, p in refs]


@pytest.mark.slow
def test_a_film_animated_by_seedance(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("ARK_KEY", KEY)
    prov = made_film(tmp_path / "film", fake.url, {"animator": "seedance"}, 'api_key_env = "ARK_KEY"\npoll_every = 0.05',
                     budget=100, currency="CNY", premise=BAKER, new_args=())
    assert prov["spend"]["CNY"] == pytest.approx(len(fake.video_requests) * 46.0 * 108000 / 1e6)
    assert all(4 <= r["body"]["duration"] <= 15 for r in fake.video_requests)
    assert prov["ai_share"]["ai_share"]["trained"] > 0.5


def test_sound_effects_sets_generate_audio_and_the_priced_for_sound_model_costs_more(fake, tmp_path):
    p = provider(fake, sound="effects")
    p.check_sound()
    assert p.request(request(tmp_path, sound=True))["body"]["generate_audio"] is True
    silent = provider(fake, model="doubao-seedance-1-5-pro-251215")
    voiced = provider(fake, model="doubao-seedance-1-5-pro-251215", sound="effects")
    assert voiced.estimate(5, False)["amount"] == pytest.approx(2 * silent.estimate(5, False)["amount"])
    assert p.estimate(5, False)["amount"] == provider(fake).estimate(5, False)["amount"]  # 2.0: one price
