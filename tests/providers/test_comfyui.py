"""ComfyUI as the illustrator, against a local server that follows ComfyUI's routes (tests/fake_comfyui.py):
the workflow's placeholders filled, references uploaded and bound in the prompt's order, node and execution
errors shown with the node, a kill while submitting found again instead of sent twice, and a whole film."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fake_comfyui import FakeComfy
from model_project import LIGHTHOUSE, model_project
from vendor_requests import shot_request

from filmcrew.cli import main
from filmcrew.errors import ConfigError, ProviderError
from filmcrew.providers import http
from filmcrew.providers.remote import comfyui, jobs
from filmcrew.providers.remote.comfyui import EXAMPLE, ComfyUIIllustrator


@pytest.fixture
def fake():
    with FakeComfy() as srv:
        yield srv


def provider(fake, **kw):
    return ComfyUIIllustrator(base_url=fake.url, poll_every=0.02, **kw)


def test_the_workflow_is_filled_and_the_references_uploaded_in_the_prompts_order(fake, tmp_path):
    (tmp_path / "o").mkdir()
    provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    (sent,) = fake.prompts
    g = sent["prompt"]
    assert sent["prompt_id"] == sent["client_id"]  # filmcrew's id, journaled before the request
    text = g["4"]["inputs"]["text"]
    assert "JONAH (reference image 1)" in text and "MEI (reference image 2)" in text
    assert g["19"]["inputs"]["width"] == 1024 and g["19"]["inputs"]["height"] == 1536 and isinstance(g["20"]["inputs"]["seed"], int)
    loads = [g[n]["inputs"]["image"] for n in ("5", "9", "13")]
    assert fake.uploads[loads[0]] == (tmp_path / "JONAH.png").read_bytes()
    assert fake.uploads[loads[1]] == (tmp_path / "MEI.png").read_bytes()
    assert loads[2] not in (loads[0], loads[1])  # the third slot: a plain grey image, not a character
    gen = json.loads((tmp_path / "o" / "generation.json").read_text())
    assert [n for n, _ in gen["references"]] == ["JONAH", "MEI"] and gen["estimate"]["amount"] == 0.0
    from PIL import Image
    with Image.open(tmp_path / "o" / "background.png") as im:
        assert im.size == (600, 1000)


@pytest.mark.parametrize("websocket", [True, False])
def test_progress_comes_over_the_websocket_and_polling_is_the_fallback(fake, tmp_path, caplog, websocket):
    import logging
    caplog.set_level(logging.INFO, logger="filmcrew.jobs")
    fake.work, fake.websocket = 0.8, websocket
    (tmp_path / "o").mkdir()
    provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    said = [r.getMessage() for r in caplog.records]
    if websocket:  # the server's progress messages, and /history asked only at the start and when it ended
        assert any("running 50%" in m or "running 75%" in m for m in said), said
        assert fake.history_asks <= 3
    else:
        assert not any("%" in m.split(":")[-1].split("(")[0] for m in said) and fake.history_asks >= 5
    assert any("done" in m for m in said)


def test_a_ui_format_workflow_and_one_without_a_prompt_are_refused_with_the_fix(tmp_path):
    ui = tmp_path / "ui.json"
    ui.write_text(json.dumps({"last_node_id": 9, "nodes": [{"id": 1, "type": "KSampler"}], "links": []}))
    with pytest.raises(ConfigError, match="UI format.*Export \\(API\\)"):
        ComfyUIIllustrator(workflow=str(ui))
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"1": {"class_type": "SaveImage", "inputs": {}}}))
    with pytest.raises(ConfigError, match="no \\{\\{prompt\\}\\} placeholder"):
        ComfyUIIllustrator(workflow=str(plain))
    with pytest.raises(ConfigError, match="not found.*Save \\(API\\)"):
        ComfyUIIllustrator(workflow="nowhere.json", project=str(tmp_path))


def test_a_missing_node_and_a_failed_run_are_shown_with_the_node(fake, tmp_path):
    wf = json.loads(EXAMPLE.read_text())
    wf["20"]["class_type"] = "KSamplerAdvancedPlus"
    custom = tmp_path / "custom.json"
    custom.write_text(json.dumps(wf))
    (tmp_path / "o").mkdir()
    with pytest.raises(ProviderError, match="node KSamplerAdvancedPlus does not exist.*#20"):
        provider(fake, workflow=str(custom)).draw(shot_request(tmp_path), tmp_path / "o")
    jobs.Journal(tmp_path / "jobs").forget("cd" * 32)
    fake.fail_next = 1
    with pytest.raises(ProviderError, match="node 20 \\(KSampler\\) failed: torch.OutOfMemoryError"):
        provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    provider(fake).draw(shot_request(tmp_path), tmp_path / "o")  # the next make sends the failed job afresh
    assert sum(fake.submits.values()) == 2


def test_more_characters_than_the_workflow_has_reference_inputs_is_refused_before_sending(fake, tmp_path):
    req = shot_request(tmp_path, chars=("JONAH", "MEI", "ANA", "BO"))
    with pytest.raises(ProviderError, match="shows 4 characters.*at most 3 reference images: add LoadImage nodes"):
        provider(fake).draw(req, tmp_path)
    assert fake.prompts == [] and fake.uploads == {}


def test_a_kill_while_submitting_finds_the_job_instead_of_sending_it_twice(fake, tmp_path, monkeypatch):
    real = http.request
    state = {"killed": False}

    def dies_after_prompt(method, url, **kw):
        ans = real(method, url, **kw)
        if url.endswith("/prompt") and not state["killed"]:
            state["killed"] = True
            raise KeyboardInterrupt  # the request reached the server; its answer never reached the journal
        return ans

    monkeypatch.setattr(comfyui.http, "request", dies_after_prompt)
    (tmp_path / "o").mkdir()
    with pytest.raises(KeyboardInterrupt):
        provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    rec = json.loads((tmp_path / "jobs" / f"{'cd' * 32}.json").read_text())
    assert rec["state"] == "submitting"
    provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    assert fake.submits == {rec["client_id"]: 1}


def test_a_result_that_cannot_be_fetched_is_fetched_again_later_never_resubmitted(fake, tmp_path):
    fake.expired = True
    (tmp_path / "o").mkdir()
    with pytest.raises(ProviderError, match="fetching the output failed \\(404\\)"):
        provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    assert json.loads((tmp_path / "jobs" / f"{'cd' * 32}.json").read_text())["state"] == "submitted"
    fake.expired = False
    provider(fake).draw(shot_request(tmp_path), tmp_path / "o")
    assert sum(fake.submits.values()) == 1 and (tmp_path / "o" / "background.png").exists()


@pytest.mark.slow
def test_a_film_from_a_comfyui_workflow_in_the_project(fake, tmp_path, capsys):
    root = model_project(tmp_path / "film", fake.url, {"illustrator": "comfyui"},
                         'workflow = "workflows/still.json"\nmax_concurrent = 1\npoll_every = 0.02',
                         premise=LIGHTHOUSE, new_args=("--seed", "3"))
    (root / "workflows").mkdir()
    shutil.copy(EXAMPLE, root / "workflows" / "still.json")
    capsys.readouterr()
    assert main(["plan", str(root), "--preview", "--cost"]) == 0
    assert "0.000 USD" in capsys.readouterr().out and fake.prompts == []
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    assert Path(root / "out" / "ep01.preview.mp4").stat().st_size > 50_000
    assert all(n == 1 for n in fake.submits.values()) and len(fake.submits) == len(fake.history)
    shots = [p for p in fake.prompts if "shot, one frame" in p["prompt"]["4"]["inputs"]["text"]]
    assert shots and all(p["prompt"]["19"]["inputs"]["width"] == 512 for p in shots)  # --preview: half size
    n = len(fake.prompts)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0 and len(fake.prompts) == n


@pytest.mark.slow
def test_kills_at_random_points_never_send_a_comfyui_job_twice(fake, tmp_path):
    """make is SIGKILLed ten times at random moments after a job reached the server (jobs take 0.6 s, so
    kills land while uploading, submitting, following and fetching). ComfyUI takes filmcrew's prompt_id, so
    every interrupted submit is found again: each job reaches the server once, with no person's help."""
    import subprocess
    import sys

    from killer import kill_at_random
    fake.work = 0.6
    root = model_project(tmp_path / "film", fake.url, {"illustrator": "comfyui"}, "max_concurrent = 2\npoll_every = 0.05",
                         premise=LIGHTHOUSE, new_args=("--seed", "3"))
    cmd = [sys.executable, "-m", "filmcrew", "make", str(root), "--preview", "--quiet"]
    kills = kill_at_random(cmd, lambda: len(fake.prompts), seed=5, window=1.5)
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert kills >= 3
    records = jobs.Journal(root / ".filmcrew" / "jobs").records()
    assert records and all(rec["state"] == "fetched" for rec in records)
    assert fake.submits == {rec["client_id"]: 1 for rec in records}  # one job per thing to make, each sent once
