"""The festival in headless Chromium, one person per browser context (issue 16): an entrant sends a film made by
filmcrew (its upload cut off once and resumed) and sees it pass iqiyi-2025; a plain 30-second video fails with each
reason shown to its entrant; the organiser invites a juror and assigns the films; the juror scores and compares;
the organiser decides and publishes; the public sees the results. Screenshots go to docs/, each at a desktop's
size (1280x800) and a phone's (390x844, NAME-phone.png)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the festival needs its extra: pip install 'filmcrew[festival]'")
sync = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")

from festival_helpers import PASSWORD, make_festival, synth  # noqa: E402

from filmcrew.festival.checks import Checker  # noqa: E402
from filmcrew.festival.app import create_app  # noqa: E402
from filmcrew.web.serve import Background  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DOCS = Path(__file__).resolve().parents[2] / "docs"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_film(tmp_path_factory) -> Path:
    """A full-size film made by filmcrew's offline crew, just over the contest's one-minute minimum (a preview's
    fast encoder is Constrained Baseline, which iqiyi-2025's delivery rules refuse)."""
    from filmcrew.cli import main
    root = tmp_path_factory.mktemp("entry") / "film"
    assert main(["demo", str(root), "--minutes", "1.1"]) == 0
    return root / "out" / "ep01.mp4"


@pytest.fixture(scope="module")
def festival(tmp_path_factory):
    fest = make_festival(tmp_path_factory.mktemp("fest") / "fest", max_mb=100)
    srv = Background(create_app(festival=fest), "127.0.0.1").start()
    checker = Checker(fest)
    checker.start(every=0.3)
    yield f"http://127.0.0.1:{srv.port}", fest
    checker.stop()
    srv.close()
    fest.close()


DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    """The page at a desktop's size and at a phone's (docs/NAME.png, docs/NAME-phone.png); nothing wider than the
    phone's screen but what scrolls inside the page (a wide table in its own scrolling box)."""
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    page.screenshot(path=str(DOCS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _register(page, base, name, email):
    page.goto(f"{base}/register")
    page.fill("input[name=name]", name)
    page.fill("input[name=country]", "France")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.box button")
    assert page.url.endswith("/me")


def _send(page, film: Path, title: str, provenance: Path | None = None):
    page.fill("input[name=title]", title)
    page.fill("textarea[name=synopsis]", "A fisherman, a flood, a god.")
    page.fill("textarea[name=credits]", "Made with filmcrew's offline crew")
    page.set_input_files("#film", str(film))
    if provenance:
        page.set_input_files("#provenance", str(provenance))
    with page.expect_navigation(url="**/entry?id=*", timeout=120000):
        page.click("#send")


def _wait_checked(page, timeout_s=240):
    """Until the entry's page (it reloads itself while the check runs) shows the check's outcome. (Polled from
    here: the festival's Content-Security-Policy forbids the evaluated scripts wait_for_function uses.)"""
    import time
    end = time.time() + timeout_s
    while time.time() < end:
        try:
            if page.locator("#state").inner_text(timeout=2000) not in ("waiting for its check", "being checked",
                                                                        "not checked yet"):
                return
        except sync.Error:  # (between two loads)
            pass
        page.wait_for_timeout(500)
    raise AssertionError(f"the check did not finish in {timeout_s} s")


def test_an_ai_film_contest_from_entry_to_published_results(festival, full_film, tmp_path):
    if CHROMIUM is None:
        pytest.skip("the browser tests need Debian's chromium: apt-get install chromium")
    base, fest = festival
    plain = synth(tmp_path / "plain.mp4", seconds=30)
    provenance = full_film.with_name("ep01.provenance.json")
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        view = {"viewport": DESKTOP}

        # ---- an entrant: the film made by filmcrew, its upload cut off once and resumed ----------------
        ann = browser.new_context(**view).new_page()
        _register(ann, base, "Ann Lee", "ann@example.org")
        cut = {"n": 0}

        def flaky(route):
            if route.request.method == "PUT" and "offset=0" not in route.request.url and cut["n"] == 0:
                cut["n"] += 1
                return route.abort("connectionreset")  # the second piece is lost on the way
            return route.continue_()
        ann.route("**/upload?*", flaky)
        _send(ann, full_film, "The God of Floods", provenance)
        assert cut["n"] == 1
        _wait_checked(ann)
        assert ann.locator("#state").inner_text() == "eligible", ann.locator("table").inner_text()
        body = ann.locator("main").inner_text()
        assert "meets every rule" in body and "100% generated" in body
        shoot(ann, "festival-entrant-eligible")
        stored = fest.film_path(fest.all_entries(fest.session(fest.login("org@example.org", PASSWORD)[0]), 1)[0]["film_sha"])
        assert stored.read_bytes() == full_film.read_bytes()  # whole, after the lost piece

        # ---- a plain 30-second video without labels: each failed rule shown to its entrant -------------
        ann.goto(f"{base}/me")
        _send(ann, plain, "Test card")
        _wait_checked(ann)
        assert ann.locator("#state").inner_text() == "not eligible"
        verdict = ann.locator("p.msg.bad").inner_text()
        for rule in ("duration", "ai_share", "visible_label", "aigc_tag", "loudness"):
            assert rule in verdict, verdict
        table = ann.locator("table").inner_text()
        assert "30.0 s; allowed 60 to 300 s" in table and "no visible AI label detected" in table
        shoot(ann, "festival-entrant-check")

        # ---- a second entrant sends the same film (its check is the first one's, not decoded again) -----
        bob = browser.new_context(**view).new_page()
        _register(bob, base, "Bo Chen", "bo@example.org")
        _send(bob, full_film, "洪水之神 · Les crues, a second cut", provenance)  # (titles in Chinese and French too)
        _wait_checked(bob, 60)
        assert bob.locator("#state").inner_text() == "eligible"
        bob.goto(f"{base}/entry?id=1")  # Ann's: not his to see
        assert "no such entry" in bob.locator("main").inner_text()

        # ---- the organiser invites a juror and assigns the films ---------------------------------------
        org = browser.new_context(**view).new_page()
        org.goto(f"{base}/login")
        org.fill("input[name=email]", "org@example.org")
        org.fill("input[name=password]", PASSWORD)
        with org.expect_navigation():
            org.click("form.box button")
        assert "3 entries; 3 checked, 2 eligible" in org.locator("main").inner_text()
        table = org.locator("table").inner_text()
        assert "洪水之神 · Les crues" in table and "100% (declared)" in table  # (signed, but by no signer it trusts)
        assert "same film as #1" in table and "same film as #3" in table  # Ann's and Bo's: the same bytes, both flagged
        shoot(org, "festival-organiser-entries")
        org.goto(f"{base}/entry?id=3")
        assert "Possible copy" in org.locator("main").inner_text() and "the same bytes" in org.locator("#copies").inner_text()
        org.goto(f"{base}/jury")
        with org.expect_navigation():
            org.click("#start-judging")  # entries close; judging starts
        assert "judging" in org.locator("#phase").inner_text()
        org.fill("form[action='/jury/invite'] input[name=name]", "Mei Wong")
        org.fill("form[action='/jury/invite'] input[name=email]", "mei@example.org")
        with org.expect_navigation():
            org.click("form[action='/jury/invite'] button")
        lost = org.locator("#invite-link code").inner_text()
        with org.expect_navigation():  # the link is lost: a new one, and the old one dies
            org.click("button.reinvite")
        link = org.locator("#invite-link code").inner_text()
        assert link != lost
        org.fill("input[name=per_entry]", "1")
        with org.expect_navigation():
            org.click("#assign")
        with org.expect_navigation():
            org.click("#switch-blind")
        assert "Judging is blind" in org.locator("main").inner_text()

        # ---- the juror: joins, scores each film, compares them -----------------------------------------
        mei = browser.new_context(**view).new_page()
        mei.goto(lost)
        assert "not valid" in mei.locator("main").inner_text()
        mei.goto(link)
        assert mei.url == f"{base}/invite"  # the token left the address (and the history) at once
        assert "mei@example.org" in mei.locator("#joining").inner_text()
        mei.fill("input[name=password]", PASSWORD)
        with mei.expect_navigation():
            mei.click("form.box button")
        rows = mei.locator("table tr")
        assert rows.count() == 3 and "blind" in rows.nth(1).inner_text()  # the two eligible films, no names
        assert "Test card" not in mei.locator("main").inner_text()
        for i, marks in ((1, ("8", "7", "9", "6", "7")), (2, ("6", "6", "6", "9", "8"))):
            mei.goto(f"{base}/judge")
            with mei.expect_navigation():
                mei.locator("table tr").nth(i).locator("a").click()
            assert "Ann Lee" not in mei.locator("main").inner_text() and "Bo Chen" not in mei.locator("main").inner_text()
            selects = mei.locator("select")
            assert selects.count() == 5  # Best Film's three categories, Best Narration's two
            for k in range(5):
                selects.nth(k).select_option(marks[k])
            for form in range(2):
                with mei.expect_navigation():
                    mei.locator("form[action='/judge/score'] button").nth(form).click()
                for k in range(5):  # (the page comes back with what was saved)
                    selects.nth(k).select_option(marks[k])
            mei.fill("textarea[name=text]", f"Film {i}: the flood scene is the strongest")
            with mei.expect_navigation():
                mei.click("#comment")
        mei.goto(f"{base}/judge")
        with mei.expect_navigation():
            mei.click("text=Best Creativity: compare films two at a time")
        assert mei.locator("video").count() == 2
        shoot(mei, "festival-juror-compare")
        with mei.expect_navigation():
            mei.click("#equal")  # about equal
        assert "Every pair of your films is compared" in mei.locator("main").inner_text()
        mei.goto(f"{base}/results")
        assert "not published yet" in mei.locator("main").inner_text()

        # ---- the organiser decides and publishes; the public sees the results ----------------------------
        org.goto(f"{base}/entry?id=1")
        assert "the flood scene is the strongest" in org.locator("#comments").inner_text()
        org.goto(f"{base}/awards")
        awards_text = org.locator("main").inner_text()
        assert "A tie at the top" in awards_text and "1= tied" in awards_text  # about equal: one shared rank
        for table in range(3):
            with org.expect_navigation():
                org.locator("table").nth(table).locator("button.decide").first.click()
        shoot(org, "festival-organiser-awards")
        with org.expect_navigation():
            org.click("#decided")
        with org.expect_navigation():
            org.click("#publish")
        assert "published" in org.locator("main").inner_text()
        public = browser.new_context(**view).new_page()
        public.goto(f"{base}/results")
        text = public.locator("main").inner_text()
        assert text.count("AI share: 100%") == 3 and "Best Creativity" in text and "Best Narration" in text
        assert "from the C2PA manifest" in text and "Test card" not in text and "evidence: declared" in text
        shoot(public, "festival-results")
        # the swap attack: the winners' entrant has no way to send a new version now
        ann.goto(f"{base}/entry?id=1")
        assert ann.locator("#submit").count() == 0
        ann.goto(f"{base}/me")
        assert ann.locator("#submit").count() == 0
        org.goto(f"{base}/audit")
        log = org.locator("table").inner_text()
        for action in ("juror invited", "juror invitation re-issued", "jurors assigned", "award decided",
                       "contest changed", "contest phase", "entry submitted"):
            assert action in log
        browser.close()
