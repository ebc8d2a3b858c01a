"""Money safety (issue 38): a paid submit whose answer is lost is never sent again on its own; `filmcrew jobs`
lists it with its price and lets a person resend or forget it; a make that fails before anything leaves
spends nothing; a refused request is refused again at plan, with the shot's line, until it changes; budgets
are finite amounts. Against the local fakes of Kling and OpenAI Images (tests/fake_kling.py,
tests/fake_openai_images.py), which can take a job and then drop the connection or cut the answer."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import pytest
from fake_kling import AK, SK, FakeKling
from fake_openai_images import FakeImages
from model_project import model_project

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.engine import money
from filmcrew.engine.executor import plan
from filmcrew.engine.jobs import Journal
from filmcrew.model import Scene, Shot
from filmcrew.providers.base import DrawRequest
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.openai_images import OpenAIImagesIllustrator
from filmcrew.engine.layout import Layout

KEY = "sk-fake-images-0001"
KLING_ENV = {"KLING_ACCESS_KEY": AK, "KLING_SECRET_KEY": SK}
KLING = 'mode = "std"\npoll_every = 0.05'


@pytest.fixture
def images():
    with FakeImages(KEY) as srv:
        yield srv


@pytest.fixture
def kling():
    with FakeKling() as srv:
        yield srv


def draw_request(tmp_path: Path) -> DrawRequest:
    shot = Shot(id="ep01-s01-sh01", action="Jonah hands Mei the hook.", camera="medium", characters=())
    scene = Scene(id="ep01-s01", heading="EXT. OLD DOCK - DAWN", interior=False, location="OLD DOCK",
                  time_of_day="DAWN", shots=(shot,))
    ticket = jobs.JobTicket(tmp_path / "jobs", "cd" * 32, "ep01-s01-sh01.keyframe")
    return DrawRequest(shot=shot, scene=scene, characters=(), size=(600, 1000), style="storybook", seed=1,
                       preview=True, references=(), job=ticket)


@pytest.mark.parametrize("step,cause", [
    ("drop", "the connection dropped before any answer"), ("cut", "the answer was cut off"),
    ("badjson", "is not JSON"), ("hang", "did not answer within 0.5 s")])
def test_a_submit_whose_answer_is_lost_is_sent_once_and_names_the_cause(images, tmp_path, step, cause):
    images.script, images.hang = [step], 2.0
    prov = OpenAIImagesIllustrator(env={"K": KEY}, base_url=images.url, api_key_env="K", timeout=0.5)
    (tmp_path / "o").mkdir()
    for _ in range(2):  # the next make does not send it again either
        with pytest.raises(jobs.LostSubmitError, match=re.escape(cause) + r".*may have been billed \(0.0\d\d USD\)"
                                                       r".*filmcrew jobs .* --resend cdcdcdcdcdcd"):
            prov.draw(draw_request(tmp_path), tmp_path / "o")
        assert len(images.requests) == 1
    assert "the make was stopped" not in str(jobs.lost_message(jobs.Journal(tmp_path / "jobs"), "cd" * 32,
                                                               jobs.Journal(tmp_path / "jobs").read("cd" * 32), "x"))
    assert jobs.Journal(tmp_path / "jobs").paid("cd" * 32)  # it may have been billed: counted


def _lost_rows(root: Path, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["jobs", str(root), "--json"]) == 0
    return [r for r in json.loads(capsys.readouterr().out) if r["state"] == "submitting"]


def _make_fails_with_a_lost_submit(root: Path, capsys, cause: str) -> None:
    capsys.readouterr()
    assert main(["make", str(root), "--preview", "--quiet"]) != 0
    err = capsys.readouterr().err
    assert "may have been billed" in err and cause in err and "filmcrew jobs" in err, err


def test_kling_takes_a_job_then_drops_the_connection_it_is_paid_once_and_listed(kling, tmp_path, monkeypatch, capsys):
    for k, v in KLING_ENV.items():
        monkeypatch.setenv(k, v)
    root = model_project(tmp_path / "film", kling.url, {"animator": "kling"}, KLING, budget=100, currency="CNY")
    kling.script = ["drop"]
    _make_fails_with_a_lost_submit(root, capsys, "the connection dropped before any answer")
    dropped = kling.submits[0]["body"]["prompt"]
    assert [s["body"]["prompt"] for s in kling.submits].count(dropped) == 1  # exactly one submit reached Kling
    (row,) = _lost_rows(root, capsys)
    assert row["needs"] == "may have been billed" and row["price"]["currency"] == "CNY" and row["price"]["amount"] > 0
    assert "connection dropped" in row["detail"]
    _make_fails_with_a_lost_submit(root, capsys, "connection dropped")  # the next make: still not resent
    assert [s["body"]["prompt"] for s in kling.submits].count(dropped) == 1
    capsys.readouterr()
    assert main(["jobs", str(root)]) == 0
    out = capsys.readouterr().out
    assert row["key"][:12] in out and "may have been billed" in out and f"{row['price']['amount']:8.3f} CNY" in out
    # a person looks in Kling's dashboard and allows it: sent once more, and what the lost one may have cost stays counted
    assert main(["jobs", str(root), "--resend", row["key"][:12]]) == 0
    assert "may pay" in capsys.readouterr().out and _lost_rows(root, capsys) == []
    assert Journal.of(root).spent()["CNY"] >= row["price"]["amount"]


def test_openai_images_takes_a_job_then_drops_the_connection_it_is_paid_once_and_listed(images, tmp_path,
                                                                                        monkeypatch, capsys):
    monkeypatch.setenv("FAKE_IMAGES_KEY", KEY)
    root = model_project(tmp_path / "film", images.url, {"illustrator": "openai-images"},
                         'model = "gpt-image-1"\napi_key_env = "FAKE_IMAGES_KEY"\nmax_concurrent = 1', 5.0)
    images.script = ["drop"]
    _make_fails_with_a_lost_submit(root, capsys, "the connection dropped before any answer")
    dropped = images.requests[0]["fields"]["prompt"]
    sent = [r["fields"]["prompt"] for r in images.requests]
    assert sent.count(dropped) == 1
    (row,) = _lost_rows(root, capsys)
    assert row["price"]["currency"] == "USD" and row["price"]["amount"] > 0
    _make_fails_with_a_lost_submit(root, capsys, "connection dropped")
    assert [r["fields"]["prompt"] for r in images.requests].count(dropped) == 1
    # it was not billed after all (the vendor's dashboard says so): forgotten, no longer counted
    before = Journal.of(root).spent().get("USD", 0.0)
    capsys.readouterr()
    assert main(["jobs", str(root), "--forget", row["key"][:12]]) == 0
    assert "no longer counted as spent" in capsys.readouterr().out
    assert Journal.of(root).spent().get("USD", 0.0) == pytest.approx(before - row["price"]["amount"])


def _costs(root: Path) -> money.Costs:
    _, ctxs = pipeline.contexts(root, dict(os.environ), None, True)
    st = Layout.of(root).store()
    return money.costs(Journal.of(root), plan(st, [t for c in ctxs for t in pipeline.episode_graph(c).targets]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("why", ["no key", "unreachable"])
def test_a_make_that_fails_before_sending_spends_nothing(kling, tmp_path, monkeypatch, capsys, why):
    url = kling.url if why == "no key" else f"http://127.0.0.1:{_free_port()}"
    if why == "unreachable":
        for k, v in KLING_ENV.items():
            monkeypatch.setenv(k, v)
    else:
        for k in KLING_ENV:
            monkeypatch.delenv(k, raising=False)
    root = model_project(tmp_path / "film", url, {"animator": "kling"}, KLING, budget=100, currency="CNY")
    capsys.readouterr()
    assert main(["make", str(root), "--preview", "--quiet"]) != 0
    err = capsys.readouterr().err
    assert ("no keys: set the environment variables KLING_ACCESS_KEY" if why == "no key" else "cannot reach") in err
    assert kling.submits == []
    c = _costs(root)
    assert c.paid == {} and c.resumed == 0 and c.to_pay.get("CNY", 0) > 0  # nothing paid; every job still to send
    assert not [r for r in Journal.of(root).records()]  # no job is left "submitting" (it said "already paid")
    assert main(["plan", str(root), "--preview", "--cost"]) == 0
    assert "already paid" not in capsys.readouterr().out


def test_a_refused_request_is_refused_at_plan_with_the_shots_line_until_it_changes(kling, tmp_path, monkeypatch, capsys):
    for k, v in KLING_ENV.items():
        monkeypatch.setenv(k, v)
    root = model_project(tmp_path / "film", kling.url, {"animator": "kling"}, KLING, budget=100, currency="CNY")
    kling.script = ["1301"]
    assert main(["make", str(root), "--preview", "--quiet"]) != 0
    refused = kling.submits[0]["body"]["prompt"]
    n = len(kling.submits)
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 2
    err = capsys.readouterr().err
    m = re.search(r"ep01\.fountain:(\d+): shot (ep01-s\d+-sh\d+): kling's moderation refused this same request", err)
    assert m and "1301: CM_EXT: the prompt failed the content safety check" in err and "--forget" in err, err
    assert main(["make", str(root), "--preview", "--quiet"]) == 2  # refused before anything is sent
    assert len(kling.submits) == n and [s["body"]["prompt"] for s in kling.submits].count(refused) == 1
    key = re.search(r"--forget ([0-9a-f]{12})", err).group(1)
    assert main(["jobs", str(root), "--forget", key]) == 0  # a person chose to send it unchanged
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 0


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "-0.5"])
def test_a_budget_that_is_not_a_finite_amount_is_refused_everywhere(kling, tmp_path, capsys, value):
    root = model_project(tmp_path / "film", kling.url, {"animator": "kling"}, KLING)
    capsys.readouterr()
    with pytest.raises(SystemExit) as ex:
        main(["make", str(root), "--preview", "--quiet", "--budget", value])
    assert ex.value.code == 2 and "--budget" in capsys.readouterr().err
    toml = root / "filmcrew.toml"
    toml.write_text(toml.read_text() + f'\n[budget]\nmax = {value}\ncurrency = "CNY"\n')
    assert main(["plan", str(root), "--preview", "--cost"]) == 2
    err = capsys.readouterr().err
    assert "[budget] max" in err and "must be a finite amount of at least 0" in err
    assert kling.submits == []
    with pytest.raises(Exception, match="make --budget.*finite amount"):
        money.admit(money.Budget.of(None, float(value)), money.Costs([], {"CNY": 1.0}, {}))
