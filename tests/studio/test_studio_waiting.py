"""The studio and money (issue 32): a make that fails before sending spends nothing on any page; a make that needs
the person waits for them, said plainly on the Make page: a key nobody entered, a plan the vendor refused, a paid
plan to confirm (started only with the amount the person saw, refused when the plan costs more). Against the local
fake of Kling (tests/fake_kling.py, Kling's published API); the studio over the framework's TestClient, its make a
real `filmcrew make` process as a person's press starts it."""

from __future__ import annotations

import re
import time

import pytest
from fake_kling import AK, SK, FakeKling
from model_project import model_project

from filmcrew.cli import main
from filmcrew.engine.jobs import Journal
from filmcrew.studio import waiting

pytestmark = pytest.mark.slow
KLING = 'mode = "std"\npoll_every = 0.05'
TASK_ID = re.compile(r"ep\d\d-s\d\d-(sh|l)\d\d\.[a-z]")


@pytest.fixture
def kling():
    with FakeKling() as srv:
        yield srv


@pytest.fixture
def home(tmp_path, monkeypatch):
    """Keys entered in the page go to a file under this home (no keyring), never the real one; none in the env."""
    monkeypatch.setenv("FILMCREW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FILMCREW_KEYRING", "file")
    for k in ("KLING_ACCESS_KEY", "KLING_SECRET_KEY"):
        monkeypatch.delenv(k, raising=False)
    return tmp_path / "home"


def studio_of(root):
    from fastapi.testclient import TestClient

    from filmcrew.studio.app import Studio
    s = Studio(root, port=0)
    c = TestClient(s.app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    c.studio = s
    return c


def text(html: str) -> str:
    """What a person reads of a page (its visible words)."""
    body = html.split("<main>", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&#39;", "'")


def paid_words(page: str) -> list[str]:
    return re.findall(r"already paid[^;<]*", page)


def wait_for_run(c, timeout: float = 240.0) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        state = c.get("/api/run").json()
        if state["name"] and not state["running"]:
            return state
        time.sleep(0.3)
    raise AssertionError("the make did not end")


def test_a_make_without_keys_waits_for_them_then_for_the_money_and_pays_only_what_was_confirmed(kling, home, tmp_path):
    root = model_project(tmp_path / "film", kling.url, {"animator": "kling"}, KLING, budget=100, currency="CNY")
    c = studio_of(root)
    try:
        make = c.get("/make").text
        said = text(make)
        assert "Waiting for you" in said and "kling needs its keys KLING_ACCESS_KEY and KLING_SECRET_KEY" in said, said
        assert re.search(r'<button disabled[^>]*>Make the preview</button>', make)
        r = c.post("/run", data={"csrf": c.studio.csrf, "what": "make-preview"})
        assert r.status_code == 409 and "waiting for you" in text(r.text) and "nothing was sent" in text(r.text)
        assert c.get("/api/run").json()["name"] is None and kling.submits == []  # no make was started
        # a make typed in a terminal anyway fails before sending: nothing is spent, on any page
        assert main(["make", str(root), "--preview", "--quiet"]) != 0
        assert kling.submits == [] and not list(Journal.of(root).records())
        _, costs = waiting.plan_of(root, {}, True)
        assert costs.paid == {} and costs.to_pay.get("CNY", 0) > 0
        for path in ("/make", "/board", "/watch", "/"):
            page = c.get(path).text
            assert not paid_words(page) and not re.search(r"\b(being sent|sent \d)", text(page)), (path, text(page))
            assert not TASK_ID.search(text(page)), path
        assert "CNY to pay" in text(c.get("/make").text) and "No film yet" in text(c.get("/watch").text)
        board = text(c.get("/board").text)  # each shot kling animates waits for the keys, said on its card
        assert board.count("waiting for you: enter KLING_ACCESS_KEY and KLING_SECRET_KEY on the Settings page") == 5, board
        # the keys entered in the page: the make now waits only for the money, said as the plan's amount
        for name, value in (("KLING_ACCESS_KEY", AK), ("KLING_SECRET_KEY", SK)):
            assert c.post("/settings/key", data={"csrf": c.studio.csrf, "name": name, "value": value},
                          follow_redirects=False).status_code == 303
        make = c.get("/make").text
        pay = re.search(r'name="what" value="make-preview"><input type="hidden" name="pay" value="([^"]+)"', make).group(1)
        assert pay == waiting.amount_words(costs.to_pay) and "Nothing is sent until you confirm it" in text(make)
        assert f"Pay about {pay} and make the preview" in text(make) and "needs its key" not in text(make)
        assert "waiting for you" not in text(c.get("/board").text)
        for confirmed in ("", "0.001 CNY", "5 USD", "lots", "1e308 CNY", "-1 CNY", "nan", "nan CNY", "inf CNY"):
            # not what the plan pays: refused, nothing sent
            r = c.post("/run", data={"csrf": c.studio.csrf, "what": "make-preview", "pay": confirmed})
            assert r.status_code == 409 and "confirm it on the Make page" in text(r.text), (confirmed, r.text[-500:])
        assert kling.submits == [] and c.get("/api/run").json()["name"] is None
        from filmcrew.studio import project as sproj  # a confirmation far above the plan: held to the plan's price
        huge = "1" + "0" * 150 + " CNY"
        assert waiting.refuse_unless_ready(root, sproj.env(), True, huge) == ["--budget", f"{costs.to_pay['CNY']:.6f}"]
        r = c.post("/run", data={"csrf": c.studio.csrf, "what": "make-preview", "pay": pay}, follow_redirects=False)
        assert r.status_code == 303, r.text[-500:]
        args = c.studio.runs.current.args  # the make itself is held to the amount confirmed (spent before: nothing)
        assert args[args.index("--budget") + 1] == f"{costs.to_pay['CNY']:.6f}", args
        state = wait_for_run(c)
        assert state["returncode"] == 0, state["log"][-12:]
        spent = Journal.of(root).spent()
        assert kling.submits and 0 < spent["CNY"] <= costs.to_pay["CNY"] + 1e-9
        # the same figure wherever money is shown: the film's record, the Watch page, the cards
        watch = text(c.get("/watch").text)
        assert f"{spent['CNY']:.2f} CNY" in watch, watch
        board = c.get("/board").text
        cards = sum(float(x) for x in re.findall(r"· (\d+\.\d\d) CNY", board))
        assert abs(cards - spent["CNY"]) < 0.01 * len(kling.submits) + 1e-9, (cards, spent)
        make = text(c.get("/make").text)  # the preview: nothing left to make or pay (the full-size film is to make)
        assert "The preview sends" not in make and "Make the preview" in make and "needs its key" not in make
    finally:
        c.studio.close()


def test_a_plan_the_vendor_refused_waits_for_the_person_and_spends_nothing(kling, home, tmp_path, monkeypatch):
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    root = model_project(tmp_path / "film", kling.url, {"animator": "kling"}, KLING, budget=100, currency="CNY")
    kling.script = ["1301"]  # the vendor's moderation refuses the first video asked for
    assert main(["make", str(root), "--preview", "--quiet"]) != 0  # the other shots' videos are made and paid
    n, spent = len(kling.submits), Journal.of(root).spent()
    assert spent.get("CNY", 0) > 0
    c = studio_of(root)
    try:
        said = text(c.get("/make").text)
        assert "Waiting for you" in said and "the plan cannot be made" in said and "refused" in said, said
        assert "filmcrew" not in said.replace("filmcrew studio", "")  # no command line to type
        r = c.post("/run", data={"csrf": c.studio.csrf, "what": "make-preview", "pay": "100 CNY"})
        assert r.status_code == 409 and "waiting for you" in text(r.text)
        assert len(kling.submits) == n and Journal.of(root).spent() == spent  # nothing sent, nothing spent
        for path in ("/make", "/board", "/"):  # what was paid (the other shots' videos), the same on every page
            page = c.get(path).text
            assert set(paid_words(page)) <= {f"already paid: {spent['CNY']:.3f} CNY"}, (path, paid_words(page))
            assert not TASK_ID.search(text(page)), path
        cards = sum(float(x) for x in re.findall(r"· (\d+\.\d\d) CNY", c.get("/board").text))
        assert abs(cards - spent["CNY"]) < 0.01 * n, (cards, spent)
    finally:
        c.studio.close()
