"""The OpenAI Images illustrator against a local server that follows OpenAI's published protocol
(tests/fake_openai_images.py): the exact requests, the references bound to names, the failure modes,
the cost before anything is sent, the budget, and a whole film made from the model's stills."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai_images import FakeImages
from model_project import model_project
from vendor_requests import shot_request
from killer import kill_at_random

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.errors import ProviderError
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.openai_images import OpenAIImagesIllustrator
from filmcrew.engine.layout import Layout

KEY = "sk-fake-images-0001"


@pytest.fixture
def fake():
    with FakeImages(KEY) as srv:
        yield srv


def provider(fake, **kw):
    return OpenAIImagesIllustrator(env={"FAKE_KEY": KEY}, base_url=fake.url, api_key_env="FAKE_KEY", **kw)


def test_a_shot_with_characters_is_an_edit_with_their_references_in_the_order_the_prompt_names(fake, tmp_path):
    req = shot_request(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (layer,) = provider(fake, quality="high").draw(req, out)
    (sent,) = fake.requests
    assert sent["path"] == "/v1/images/edits"
    f = sent["fields"]
    assert f["model"] == "gpt-image-1" and f["size"] == "1024x1536" and f["quality"] == "high" and f["n"] == "1"
    assert [name for name, _ in sent["refs"]] == ["jonah.png", "mei.png"]
    assert [sha for _, sha in sent["refs"]] == [hashlib.sha256((tmp_path / f"{n}.png").read_bytes()).hexdigest()
                                                for n in ("JONAH", "MEI")]
    assert "JONAH (reference image 1)" in f["prompt"] and "MEI (reference image 2)" in f["prompt"]
    assert "Jonah hands Mei the hook" in f["prompt"] and "old dock" in f["prompt"]
    from PIL import Image
    with Image.open(layer) as im:
        assert im.size == (600, 1000) and im.mode == "RGBA"
    gen = json.loads((out / "generation.json").read_text())
    assert [n for n, _ in gen["references"]] == ["JONAH", "MEI"] and gen["estimate"]["amount"] == 0.25  # high, 2:3
    words = len(f["prompt"].split())  # the fake counts 2 tokens a word and 323 per reference image
    assert gen["actual"] == pytest.approx((2 * words * 5 + 2 * 323 * 10 + 6240 * 40) / 1e6)  # from the answer's usage
    assert KEY not in json.dumps(gen) and KEY not in (tmp_path / "jobs" / f"{'cd' * 32}.json").read_text()


def test_the_places_reference_goes_after_the_characters_where_there_is_room(fake, tmp_path):
    from dataclasses import replace

    from PIL import Image
    req = shot_request(tmp_path)
    Image.new("RGB", (40, 30), (0, 90, 160)).save(tmp_path / "dock.png")
    req = replace(req, references=req.references + (("OLD DOCK", tmp_path / "dock.png"),))
    (tmp_path / "o").mkdir()
    provider(fake).draw(req, tmp_path / "o")
    (sent,) = fake.requests
    assert [n for n, _ in sent["refs"]] == ["jonah.png", "mei.png", "old-dock.png"]
    assert "(the place as in reference image 3)" in sent["fields"]["prompt"]
    gen = json.loads((tmp_path / "o" / "generation.json").read_text())
    assert [n for n, _ in gen["references"]] == ["JONAH", "MEI", "OLD DOCK"]


def test_an_empty_frame_is_a_generation_and_preview_asks_for_low_quality(fake, tmp_path):
    req = shot_request(tmp_path, chars=(), preview=True)
    (tmp_path / "o").mkdir()
    provider(fake).draw(req, tmp_path / "o")
    (sent,) = fake.requests
    assert sent["path"] == "/v1/images/generations" and sent["fields"]["quality"] == "low"
    assert sent["fields"]["n"] == 1 and "No people in the frame" in sent["fields"]["prompt"]


def test_a_character_without_a_reference_is_refused_before_anything_is_sent(fake, tmp_path):
    from dataclasses import replace
    req = shot_request(tmp_path)
    with pytest.raises(ProviderError, match="shows MEI but has no reference image.*never drawn from text alone"):
        provider(fake).draw(replace(req, references=req.references[:1]), tmp_path)
    assert fake.requests == []


# (busy answers, a moderation refusal and a hung server: tests/vendors/test_conformance.py, for every vendor)
@pytest.mark.parametrize("step,says", [
    ("badjson", "not JSON"), ("empty", "the answer holds no image"), ("video", "the result is a video")])
def test_what_goes_wrong_is_said_with_the_shot(fake, tmp_path, step, says):
    fake.script = [step]
    (tmp_path / "o").mkdir()
    with pytest.raises(ProviderError, match=says) as err:
        provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    assert "ep01-s01-sh01.keyframe" in str(err.value) or step == "badjson"
    assert len(fake.requests) == 1  # none of these is retried in the same make


def test_a_wrong_key_is_named(fake, tmp_path):
    (tmp_path / "o").mkdir()
    p = OpenAIImagesIllustrator(env={"FAKE_KEY": "sk-wrong"}, base_url=fake.url, api_key_env="FAKE_KEY")
    with pytest.raises(ProviderError, match="refused the key.*FAKE_KEY"):
        p.draw(shot_request(tmp_path), tmp_path / "o")


# ---- a whole project on the model ----------------------------------------------------------------------

OPENAI = 'model = "gpt-image-1"\napi_key_env = "FAKE_IMAGES_KEY"\nmax_concurrent = 2'


def project(root: Path, fake, budget: float | None = None) -> Path:
    """A written 0.4-minute project whose illustrator is OpenAI Images behind `fake`."""
    return model_project(root, fake.url, {"illustrator": "openai-images"}, OPENAI, budget)


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("FAKE_IMAGES_KEY", KEY)


def test_plan_cost_prices_every_job_before_any_request_and_a_small_budget_is_refused(fake, tmp_path, keyed, capsys):
    root = project(tmp_path / "film", fake, budget=0.05)
    assert main(["plan", str(root), "--preview", "--cost"]) == 0
    out = capsys.readouterr().out
    # 5 shots + the references of the characters shown and of the places the episode returns to, low quality
    refs = [ln for ln in out.splitlines() if ".reference" in ln]
    shots = [ln for ln in out.splitlines() if ".keyframe" in ln]
    assert len(shots) == 5 and refs and all("0.016 USD" in ln for ln in shots)
    assert "budget: 0.05 USD" in out and "this make would be refused" in out
    assert fake.requests == []
    assert main(["make", str(root), "--preview", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Nothing was sent" in err and "0.05 USD" in err and fake.requests == []
    assert main(["make", str(root), "--preview", "--quiet", "--budget", "0.01"]) == 2 and fake.requests == []


@pytest.mark.slow
def test_a_film_made_from_the_models_stills_with_references_bound_to_names(fake, tmp_path, keyed, capsys):
    root = project(tmp_path / "film", fake, budget=5.0)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    _, ctxs = pipeline.contexts(root, dict(os.environ), None, True)
    ep = ctxs[0].episode
    shots = {r["fields"]["prompt"]: r for r in fake.requests if "shot, one frame" in r["fields"]["prompt"]}
    sheets = [r for r in fake.requests if r["fields"]["prompt"].startswith(("Character sheet", "Establishing view"))]
    assert len(shots) == len(ep.shots()) and len(fake.requests) == len(shots) + len(sheets)  # one request each
    named = {c for sh in ep.shots() for c in sh.characters}
    assert {r["fields"]["prompt"].split(":")[0].removeprefix("Character sheet of ") for r in sheets
            if r["fields"]["prompt"].startswith("Character")} == named
    st = Layout.of(root).store()
    (g,) = [pipeline.episode_graph(c) for c in ctxs]
    for sh in ep.shots():
        rec = st.record(g.task(f"{sh.id}.keyframe").key)
        assert rec["ledger"]["digital_source_type"] == "trainedAlgorithmicMedia"
        sent = [n for n, _ in rec["ledger"]["references"]]
        place = [sc.location for sc in ep.scenes if sh in sc.shots][0]
        assert sent[:len(sh.characters)] == list(sh.characters)  # bound, in the prompt's order
        assert sent[len(sh.characters):] in ([], [place])  # then the place, where it has a reference
        prompt = next(p for p in shots if sh.action in p)
        assert all(f"{n} (reference image {k})" in prompt for k, n in enumerate(sh.characters, 1))
        assert (f"(the place as in reference image {len(sent)})" in prompt) == (sent[-1:] == [place])
        ref_keys = {n.split(":", 1)[1]: k for n, k in rec["inputs"].items() if n.startswith("ref:")}
        assert set(sh.characters) <= set(ref_keys)
    mp4 = root / "out" / "ep01.preview.mp4"
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    assert prov["ai_share"]["ai_share"]["trained"] > 0.5  # the picture is a trained model's now (was 0.2)
    paid = sum(a["ledger"]["cost"]["actual"] for a in prov["artifacts"] if "cost" in a["ledger"])
    assert prov["spend"] == {"USD": pytest.approx(paid)} and paid > 0
    assert main(["disclose", str(root)]) == 0
    assert f"paid to model vendors: {paid:.2f} USD" in (root / "out" / "disclosure.md").read_text()
    capsys.readouterr()
    assert main(["check", str(mp4), "--contest", "iqiyi-2025", "--json"]) in (0, 1)
    rep = json.loads(capsys.readouterr().out)
    share = next(c for c in rep["checks"] if c["check"] == "ai_share")
    assert share["status"] == "pass" and "trained models: " in share["detail"]
    # nothing in the project, the cache, the journal or out/ holds the key
    for p in root.rglob("*"):
        if p.is_file() and p.stat().st_size < 5_000_000:
            assert KEY.encode() not in p.read_bytes(), p
    # a second make sends nothing
    n = len(fake.requests)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0 and len(fake.requests) == n
    assert main(["plan", str(root), "--preview", "--cost"]) == 0
    assert "already paid for this project" in capsys.readouterr().out


@pytest.mark.slow
def test_kills_at_random_points_never_send_a_job_twice(fake, tmp_path, keyed):
    """make is SIGKILLed up to ten times, each at a random moment after a new request reached the vendor
    (answers take 0.3 s and come in two halves, so kills land in submits, in answers being read and between
    jobs); each job is sent once, except where a person allowed a lost submit to be sent again (OpenAI Images
    cannot be asked whether an answer it gave was lost)."""
    fake.delay, fake.slow = 0.3, 0.1
    root = project(tmp_path / "film", fake)
    env = {**os.environ, "FAKE_IMAGES_KEY": KEY}
    cmd = [sys.executable, "-m", "filmcrew", "make", str(root), "--preview", "--quiet"]
    allowed: dict[str, int] = {}
    journal = jobs.Journal(root / ".filmcrew" / "jobs")

    def allow_lost() -> None:  # what a person does when make says a submit was lost
        for rec in journal.records():
            if rec.get("state") == "submitting":
                allowed[rec["label"]] = allowed.get(rec["label"], 0) + 1
                journal.forget(rec["key"])
    kills = kill_at_random(cmd, lambda: len(fake.requests), seed=11, window=1.5, env=env, after=allow_lost)
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    allow_lost()
    if r.returncode != 0:
        assert "may have been billed" in r.stderr, r.stderr
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    sent: dict[str, int] = {}
    for req in fake.requests:
        sent[req["fields"]["prompt"]] = sent.get(req["fields"]["prompt"], 0) + 1
    by_label = {rec["label"]: rec for rec in journal.records()}
    assert all(rec["state"] == "fetched" for rec in by_label.values())
    assert kills >= 3  # the kills did land while jobs were out
    assert sum(sent.values()) == len(by_label) + sum(allowed.values()), (sent, allowed)
    assert max(sent.values()) <= 1 + max(allowed.values(), default=0)
    assert (root / "out" / "ep01.preview.mp4").exists()
