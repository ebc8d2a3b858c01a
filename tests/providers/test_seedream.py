"""Seedream through Volcengine Ark, against a local server that follows Ark's published protocol
(tests/fake_ark_images.py): the exact request, the references as data URIs bound to names, the refusals,
the price in CNY and a budget in another currency refused."""

from __future__ import annotations

import hashlib
import json

import pytest
from fake_ark_images import FakeArk
from model_project import BAKER, model_project
from vendor_requests import shot_request

from filmcrew.cli import main
from filmcrew.errors import ProviderError
from filmcrew.providers.remote.seedream import SeedreamIllustrator

KEY = "ark-fake-0001"


@pytest.fixture
def fake():
    with FakeArk(KEY) as srv:
        yield srv


def provider(fake, **kw):
    return SeedreamIllustrator(env={"ARK_KEY": KEY}, base_url=fake.url, api_key_env="ARK_KEY", **kw)


def test_the_request_follows_arks_protocol_with_references_in_the_prompts_order(fake, tmp_path):
    (tmp_path / "o").mkdir()
    provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    (sent,) = fake.requests
    b = sent["body"]
    assert b["model"] == "doubao-seedream-4-5-251128" and b["size"] == "1440x2560"
    assert b["response_format"] == "b64_json" and b["sequential_image_generation"] == "disabled"
    assert b["watermark"] is False and b["stream"] is False
    assert sent["refs"] == [hashlib.sha256((tmp_path / f"{n}.png").read_bytes()).hexdigest() for n in ("JONAH", "MEI")]
    assert "JONAH (reference image 1)" in b["prompt"] and "MEI (reference image 2)" in b["prompt"]
    gen = json.loads((tmp_path / "o" / "generation.json").read_text())
    assert gen["estimate"] == {"amount": 0.25, "currency": "CNY", "checked": "2026-12-02"} and gen["actual"] == 0.25


def test_a_wrong_key_is_named(fake, tmp_path):
    # (a refusal, busy answers and a hung server: tests/vendors/test_conformance.py, for every vendor)
    (tmp_path / "o").mkdir()
    bad = SeedreamIllustrator(env={"ARK_KEY": "nope"}, base_url=fake.url, api_key_env="ARK_KEY")
    with pytest.raises(ProviderError, match="refused the key.*AuthenticationError.*ARK_KEY"):
        bad.draw(shot_request(tmp_path), tmp_path / "o")


def test_a_budget_in_another_currency_is_refused_before_anything_is_sent(fake, tmp_path, monkeypatch, capsys):
    root = model_project(tmp_path / "film", fake.url, {"illustrator": "seedream"}, 'api_key_env = "ARK_KEY"', budget=50)
    monkeypatch.setenv("ARK_KEY", KEY)
    capsys.readouterr()
    assert main(["make", str(root), "--preview", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "priced in CNY but the budget is in USD" in err and 'currency = "CNY"' in err and fake.requests == []
    assert main(["plan", str(root), "--preview", "--cost"]) == 0
    assert "CNY" in capsys.readouterr().out and fake.requests == []


@pytest.mark.slow
def test_a_film_from_seedream_within_a_budget_in_yuan(fake, tmp_path, monkeypatch, capsys):
    root = model_project(tmp_path / "film", fake.url, {"illustrator": "seedream"}, 'api_key_env = "ARK_KEY"',
                         budget=3, currency="CNY", premise=BAKER)
    monkeypatch.setenv("ARK_KEY", KEY)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    assert prov["spend"] == {"CNY": pytest.approx(0.25 * len(fake.requests))}
    assert all(r["body"]["size"] == "1440x2560" for r in fake.requests)
    shots = [r for r in fake.requests if "shot, one frame" in r["body"]["prompt"]]
    assert shots and all(len(r["refs"]) == r["body"]["prompt"].count("(reference image") for r in shots)
