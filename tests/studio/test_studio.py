"""The studio (issue 15, on the web kit since issue 30): its refusals over plain HTTP, and a person's session in a real browser (Debian's
chromium driven by Playwright; no browser is downloaded): edit a line and see its shot go stale, make the
preview and see it finish, upload a voice take. Screenshots of the pages go to a temporary folder, or to
docs/ with `FILMCREW_SCREENSHOTS=docs .venv/bin/python -m pytest tests/studio/test_studio.py` (how the README's
were taken)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from studio_helpers import CHROMIUM, base, get, post, serve  # noqa: F401 (the shared helpers)

from filmcrew.media import ffmpeg

pytestmark = pytest.mark.slow
# the screenshots of the pages: to a temporary folder, or (FILMCREW_SCREENSHOTS=docs) the README's docs/
DOCS = Path(os.environ.get("FILMCREW_SCREENSHOTS") or tempfile.mkdtemp(prefix="studio-shots-"))
TASK_ID = re.compile(r"ep\d\d-s\d\d-(sh|l)\d\d\.[a-z]")  # an internal task id: never in what a person reads


def studio_faces() -> bool:
    """Whether the consistency check runs here (the faces extra), so the cards carry takes and scores."""
    from filmcrew.consistency.faces import available
    return available()


@pytest.fixture(scope="module")
def studio(small_film, tmp_path_factory):
    root = tmp_path_factory.mktemp("studio") / "film"
    shutil.copytree(small_film, root, symlinks=True)
    s = serve(root)
    yield s
    s.close()


def test_paths_outside_the_project_hosts_and_forms_from_elsewhere_are_refused(studio, tmp_path):
    b = base(studio)
    assert get(f"{b}/file?p=out/ep01.preview.srt")[0] == 200
    for bad in ("../filmcrew.toml", "/etc/passwd", "out/../../x", "filmcrew.toml", ".filmcrew/index/x"):
        assert get(f"{b}/file?p={urllib.parse.quote(bad)}")[0] == 403, bad
    (studio.root / "out" / "link.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text("secret")
    code, body = get(f"{b}/file?p=out/link.txt")
    assert code == 403 and "secret" not in body.replace("secret.txt", "")
    assert get(f"{b}/thumb?key=../../etc")[0] == 404
    assert get(f"{b}/board?ep=abc")[0] == 400 and get(f"{b}/board?ep=7")[0] == 409  # said, not a dropped connection
    # a page on another site that resolves a name of its own to 127.0.0.1 (DNS rebinding)
    assert get(f"{b}/", {"Host": "evil.example"})[0] == 403
    # changes: the studio's form token, and nothing from another origin
    script = (studio.root / "story" / "ep01.fountain").read_text()
    assert post(f"{b}/script", {"ep": "1", "text": "x", "version": "v"})[0] == 403
    assert post(f"{b}/script", {"ep": "1", "text": "x", "version": "v", "csrf": studio.csrf},
                {"Origin": "http://evil.example"})[0] == 403
    assert (studio.root / "story" / "ep01.fountain").read_text() == script
    # an upload over the limit is refused from its declared length, before it is read
    c = http.client.HTTPConnection("127.0.0.1", studio.port, timeout=10)
    c.putrequest("POST", "/dub")
    c.putheader("Content-Type", "multipart/form-data; boundary=x")
    c.putheader("Content-Length", str(200 * 1024 * 1024))
    c.endheaders()
    r = c.getresponse()
    assert r.status == 413 and "at most 50 MiB" in r.read().decode()
    c.close()


def test_a_studio_beyond_this_machine_needs_its_token(small_film, tmp_path):
    root = tmp_path / "film"
    shutil.copytree(small_film, root, symlinks=True)
    s = serve(root, host="127.0.0.2")  # not 127.0.0.1: as --host 0.0.0.0 would be, a token is printed and needed
    try:
        port = s.port
        assert s.token and s.url().endswith(f"?token={s.token}")
        assert get(f"http://127.0.0.2:{port}/")[0] == 401
        assert get(f"http://127.0.0.2:{port}/?token=wrong")[0] == 401
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(s.url()) as r:  # the token once, then its cookie
            assert r.status == 200 and "filmcrew studio" in r.read().decode()
        with opener.open(f"http://127.0.0.2:{port}/board") as r:
            assert r.status == 200
    finally:
        s.close()


def test_a_save_over_a_newer_version_is_refused_and_both_are_shown(studio):
    b = base(studio)
    path = studio.root / "story" / "bible.yaml"
    original = path.read_text()
    version = re.search(r'name="version" value="([0-9a-f]{64})"', get(f"{b}/bible")[1]).group(1)
    theirs = original + "\n# a note saved in a text editor\n"
    path.write_text(theirs)  # someone saves the file after the page was opened
    code, body, _ = post(f"{b}/bible", {"text": original + "\n# mine\n", "version": version, "csrf": studio.csrf})
    assert code == 409 and "Someone saved this file" in body and "# mine" in body and "a note saved" in body
    assert path.read_text() == theirs  # nothing merged, nothing lost
    version = re.search(r'name="version" value="([0-9a-f]{64})"', body).group(1)
    code, _, headers = post(f"{b}/bible", {"text": original, "version": version, "csrf": studio.csrf})
    assert code == 303 and path.read_text() == original


# (the pages' CSP forbids eval: what the tests wait for is given to Playwright as functions, "() => ...")
@pytest.fixture(scope="module")
def browser():
    sync = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")
    if CHROMIUM is None:
        pytest.skip("the browser tests need Debian's chromium: apt-get install chromium")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])  # a test microphone (it beeps)
        yield b
        b.close()


def test_a_person_edits_a_line_makes_the_preview_and_uploads_a_take_in_the_browser(studio, browser, tmp_path):
    b = base(studio)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    DOCS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{b}/")
    assert "film" in page.title()
    page.screenshot(path=str(DOCS / "studio-overview.png"))
    page.goto(f"{b}/board")
    cards = page.locator(".card")
    assert cards.count() >= 4 and all(cards.nth(i).get_attribute("data-state") == "fresh" for i in range(cards.count()))
    states = json.loads(get(f"{b}/api/board?ep=1")[1])  # what the board polls while a make runs
    assert [c["state"] for c in states] == ["fresh"] * cards.count()
    if studio_faces():  # the chosen take's consistency, as numbers
        assert "palette" in cards.nth(0).inner_text() or "match" in cards.nth(0).inner_text()
    page.screenshot(path=str(DOCS / "studio-storyboard.png"), full_page=True)
    # the screenplay: a mistake shows as you type; a changed line, saved, makes its shot stale
    page.goto(f"{b}/script?ep=1")
    text = page.locator("#text").input_value()
    words = re.search(r"\n[A-Z][A-Z ]+\n([^\n\[(]+)\n", text).group(1)
    note = re.search(r"\[\[shot: [^\]]*\]\]", text).group(0)
    page.locator("#text").fill(text.replace(note, note[:-2] + "; transition: spin]]", 1))
    page.wait_for_function("() => document.getElementById('problems').textContent.includes(\"unknown value 'spin'\")",
                           timeout=15000)
    page.screenshot(path=str(DOCS / "studio-screenplay.png"))
    page.locator("#text").fill(text.replace(words, words.rstrip(".!?") + ", truly.", 1))
    with page.expect_navigation():
        page.locator("form button").click()
    assert "saved story/ep01.fountain" in page.locator(".msg").inner_text()  # said once, from the session
    page.goto(f"{b}/board")
    stale = [cards.nth(i) for i in range(cards.count()) if cards.nth(i).get_attribute("data-state") != "fresh"]
    assert len(stale) == 1 and "truly" in stale[0].inner_text() and "voice of line" in stale[0].inner_text()
    # make the preview from the Make page and watch it finish
    page.goto(f"{b}/make")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the preview").click()
    assert page.locator("#status").count() == 1, page.content()
    page.wait_for_function("() => ['finished','failed'].includes(document.getElementById('status').dataset.state)",
                           timeout=300000)
    assert page.locator("#status").get_attribute("data-state") == "finished", page.locator("#log").text_content()
    page.wait_for_function("() => !document.getElementById('watch-it').hidden", timeout=10000)  # "Watch it"
    assert not TASK_ID.search(page.inner_text("body")), page.inner_text("body")
    page.screenshot(path=str(DOCS / "studio-make.png"))
    page.goto(f"{b}/board")
    assert all(cards.nth(i).get_attribute("data-state") == "fresh" for i in range(cards.count()))
    # a voice take: a file that is not sound is refused by its content; a real take replaces the line's voice
    first = cards.nth(0)
    sid = first.get_attribute("id").removeprefix("card-")
    page.goto(f"{b}/shot?id={sid}")
    page.screenshot(path=str(DOCS / "studio-shot.png"), full_page=True)
    fake = tmp_path / "take.wav"
    fake.write_text("not sound at all")
    page.locator("input[name=take]").first.set_input_files(str(fake))
    page.locator("form:has(input[name=take]) button").first.click()
    assert "not an audio file" in page.content()
    page.goto(f"{b}/shot?id={sid}")
    take = tmp_path / "take.flac"
    t = np.arange(int(1.6 * 48000)) / 48000
    with ffmpeg.wav_writer(tmp_path / "take.wav", channels=1) as put:
        put((0.2 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2)[:, None].astype(np.float32))
    ffmpeg.run(["-i", str(tmp_path / "take.wav"), str(take)], "a test take")
    page.locator("input[name=take]").first.set_input_files(str(take))
    with page.expect_navigation():
        page.locator("form:has(input[name=take]) button").first.click()
    assert "take;" in page.content() and "take;" in page.locator(".msg").inner_text()
    assert list((studio.root / "takes").glob("ep01-*.wav"))
    # a picture instead of the drawn keyframe: a text file named .png is refused; a real picture is kept as the take
    page.goto(f"{b}/shot?id={sid}")
    (tmp_path / "still.png").write_text("<html>not a picture</html>")
    page.locator("input[name=picture]").set_input_files(str(tmp_path / "still.png"))
    page.locator("form:has(input[name=picture]) button").click()
    assert "is not a picture" in page.content() and not list((studio.root / "takes").glob(f"{sid}.*"))
    from PIL import Image
    Image.new("RGB", (540, 960), (30, 120, 200)).save(tmp_path / "still.jpg", "JPEG")
    page.goto(f"{b}/shot?id={sid}")
    page.locator("input[name=picture]").set_input_files(str(tmp_path / "still.jpg"))
    with page.expect_navigation():
        page.locator("form:has(input[name=picture]) button").click()
    assert "the next make uses it" in page.locator(".msg").inner_text()
    assert (studio.root / "takes" / f"{sid}.jpg").is_file()
    page.goto(f"{b}/board")
    assert cards.nth(0).get_attribute("data-state") == "to make"
    assert "picture: another provider" in cards.nth(0).inner_text()
    # a clip instead of the animated shot: a text file named .mp4 is refused; a real clip (checked by content,
    # decoded by ffmpeg) is kept as the shot's take
    page.goto(f"{b}/shot?id={sid}")
    (tmp_path / "fake.mp4").write_text("not a video")
    page.locator("input[name=clip]").set_input_files(str(tmp_path / "fake.mp4"))
    page.locator("form:has(input[name=clip]) button").click()
    assert "is not a video" in page.content() and not list((studio.root / "takes").glob(f"{sid}.mp4"))
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1", "-pix_fmt", "yuv420p", str(tmp_path / "mine.mov")],
               "a test clip")
    page.goto(f"{b}/shot?id={sid}")
    page.locator("input[name=clip]").set_input_files(str(tmp_path / "mine.mov"))
    with page.expect_navigation():
        page.locator("form:has(input[name=clip]) button").click()
    assert "the next make fits it" in page.locator(".msg").inner_text()
    assert "25 frames" in page.content() and (studio.root / "takes" / f"{sid}.mov").is_file()
    page.goto(f"{b}/board")
    assert "yours" in cards.nth(0).inner_text() and "clip: " in cards.nth(0).inner_text()
    page.goto(f"{b}/watch")
    page.screenshot(path=str(DOCS / "studio-watch.png"))
    assert page.locator("video").count() >= 1


def test_one_make_at_a_time_whoever_starts_it(studio, capsys):
    """A make (the studio's or a terminal's) holds the project's lock: another is refused naming it, and the
    studio will not start one meanwhile."""
    from filmcrew.cli import main
    from filmcrew.engine.lock import holder, make_lock
    with make_lock(studio.root, "make"):
        assert holder(studio.root)["pid"]
        capsys.readouterr()
        assert main(["make", str(studio.root), "--preview", "--quiet"]) == 2
        assert "another make of" in capsys.readouterr().err
        code, body, _ = post(f"{base(studio)}/run", {"what": "make-preview", "csrf": studio.csrf})
        assert code == 409 and "is running" in body
    assert holder(studio.root) is None


def test_from_a_premise_to_a_checked_film_in_the_studio_alone(browser, tmp_path):
    """A person who never uses the command line: a new film from a premise, its story written, the film made
    and checked against the delivery profile, all from the page."""
    s = serve(tmp_path / "new film")
    try:
        b = base(s)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{b}/make")  # nothing but the new film's form until there is a film
        assert page.locator("#premise").count() == 1
        page.locator("#premise").fill("A night-shift nurse must find the patient who vanished before dawn")
        page.locator("input[name=minutes]").fill("0.4")
        page.screenshot(path=str(DOCS / "studio-new.png"))
        with page.expect_navigation():
            page.get_by_role("button", name="Start the film").click()
        assert (s.root / "filmcrew.toml").is_file()

        def run(button: str):
            with page.expect_navigation():
                page.get_by_role("button", name=button).click()
            page.wait_for_function("() => ['finished','failed'].includes(document.getElementById('status').dataset.state)",
                                   timeout=400000)
            assert page.locator("#status").get_attribute("data-state") == "finished", page.locator("#log").inner_text()
        run("Write the story")
        assert (s.root / "story" / "ep01.fountain").is_file()
        run("Make the film")
        page.goto(f"{b}/watch")
        page.locator("form:has(input[value='out/ep01.mp4']) select").select_option("delivery")
        page.locator("form:has(input[value='out/ep01.mp4']) button").click()  # a spinner, then the verdict in place
        page.wait_for_selector("#verdict", timeout=120000)
        assert page.url.endswith("/watch")
        assert page.locator("#verdict").inner_text().startswith("delivery: PASSED"), page.locator("table").last.inner_text()
        page.screenshot(path=str(DOCS / "studio-watch.png"), full_page=True)
    finally:
        s.close()


def test_a_shots_action_changed_and_a_line_recorded_in_the_page(studio, browser):
    """On a shot's page: what happens is changed in the screenplay itself (the shot is drawn again at the next
    make), and a line is recorded with the microphone (chromium's test device) and checked like any take."""
    b = base(studio)
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    ctx.grant_permissions(["microphone"], origin=b)
    page = ctx.new_page()
    page.goto(f"{b}/board")
    card = page.locator(".card").nth(1)
    sid = card.get_attribute("id").removeprefix("card-")
    page.goto(f"{b}/shot?id={sid}")
    old = page.locator("#action").input_value()
    page.locator("#action").fill("A gull lands on the roof and stares at the sea.")
    with page.expect_navigation():
        page.locator("form:has(#action) button").click()
    text = (studio.root / "story" / "ep01.fountain").read_text()
    assert "A gull lands on the roof and stares at the sea. [[shot:" in text and old not in text
    page.goto(f"{b}/board")
    assert page.locator(f"#card-{sid}").get_attribute("data-state") == "to make"
    assert "picture: " in page.locator(f"#card-{sid}").inner_text()
    # a recording made in the page
    page.goto(f"{b}/shot?id={sid}")
    rec = page.locator("button[data-line]")
    if rec.count() == 0:
        pytest.skip("this shot has no line to record")
    line = rec.first.get_attribute("data-line")
    rec.first.click()
    page.wait_for_function("() => document.querySelector('button[data-line]').dataset.recording==='1'", timeout=10000)
    page.wait_for_timeout(2000)
    with page.expect_navigation(timeout=30000):
        rec.first.click()
    assert "take;" in page.locator(".msg").inner_text(), page.content()[-2000:]  # said once, from the session
    assert (studio.root / "takes" / f"{line}.wav").is_file()
    ctx.close()


def test_the_live_check_knows_the_bibles_characters_as_script_check_does(studio, capsys):
    from filmcrew.cli import main
    text = (studio.root / "story" / "ep01.fountain").read_text()
    speaker = re.search(r"\n([A-Z][A-Z ]+)\n[^\n\[(]", text).group(1)
    bad = text.replace(f"\n{speaker}\n", "\nNOBODY KNOWN\n", 1)
    req = urllib.request.Request(f"{base(studio)}/api/check", data=json.dumps({"ep": 1, "text": bad}).encode(),
                                 headers={"Content-Type": "application/json", "X-CSRF": studio.csrf}, method="POST")
    with urllib.request.urlopen(req) as r:
        errors = json.loads(r.read())["errors"]
    assert any("unknown character 'NOBODY KNOWN'" in x for x in errors), errors
    p = studio.root / "story" / "ep99.fountain"  # the command line says the same of a file in the project
    p.write_text(bad)
    try:
        capsys.readouterr()
        assert main(["script", "check", str(p)]) == 1
        assert "unknown character 'NOBODY KNOWN'" in capsys.readouterr().out
    finally:
        p.unlink()


def test_the_make_page_plans_the_preview_or_the_full_size_film(studio):
    """The preview is made (the demo film): nothing left in its plan; the full-size film's plan is all to make."""
    code, page = get(f"{base(studio)}/make")
    assert code == 200 and re.search(r"Plan for the preview \((\d+) to make", page)
    code, full = get(f"{base(studio)}/make?film=full")
    n = int(re.search(r"Plan for the full-size film \((\d+) to make", full).group(1))
    assert code == 200 and n > 20 and "href='/make'>preview</a>" in full
    plan = re.search(r'<p id="plan" class="plan">([^<]*)</p>', full).group(1)  # the plan in a sentence
    # (clips: a shot animated here is drawn by its own segment since 0b4c98e, so few or none are planned apart)
    assert re.match(r"(\d+ voices?, )?\d+ pictures, (\d+ clips?, )?.*the edit; about \d+ s here; nothing to pay$", plan), plan
    assert not re.search(r"\bep\d\d", plan)  # no build name in the sentence (a later state's sheet included)
    assert "<details" in full and "the picture of scene 1, shot 1" in full and not TASK_ID.search(full)
    # nothing the studio started is running: no Cancel offered, and a Cancel sent anyway is answered in words
    assert re.search(r'<form[^>]*id="cancel-form"[^>]*hidden', page)
    code, _, headers = post(f"{base(studio)}/cancel", {"csrf": studio.csrf})
    assert code == 303
    cookie = headers["set-cookie"].split(";")[0]
    _, after = get(f"{base(studio)}/make", {"Cookie": cookie})
    assert "nothing to cancel" in after


def test_every_page_fits_a_phone_and_breaks_no_rule_of_its_csp(studio, browser):
    """Each page at 390 px wide (a phone) and at 1280 (a desktop): nothing wider than the screen, nothing the
    Content-Security-Policy refused (an inline script or style would be, and said on the console). Screenshots
    as studio-NAME-phone.png beside the desktop ones."""
    b = base(studio)
    sid = json.loads(get(f"{b}/api/board?ep=1")[1])[0]["id"]
    pages = {"overview": "/", "screenplay": "/script?ep=1", "bible": "/bible", "storyboard": "/board",
             "shot": f"/shot?id={sid}", "make": "/make", "watch": "/watch"}
    DOCS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1280, 800)):
        page = browser.new_page(viewport={"width": width, "height": height})
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        for name, path in pages.items():
            page.goto(f"{b}{path}")
            page.wait_for_load_state("networkidle")
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= width + 1, (name, width, wide)
            assert not TASK_ID.search(page.inner_text("body")), (name, page.inner_text("body"))
            if width == 390:
                page.screenshot(path=str(DOCS / f"studio-{name}-phone.png"), full_page=name in ("overview", "make"))
        assert not refused, refused
        page.close()
