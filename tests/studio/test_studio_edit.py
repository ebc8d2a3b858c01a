"""The studio a creator would choose (issue 32): settings in the page (filmcrew.toml written as a person would,
the contest's warning at once), a vendor's key entered in the page (kept outside the project, found by the
command line), a character's colours, a shot's length/framing/transition and shots added, duplicated, deleted and
moved (the screenplay rewritten as a text editor would), a conflict shown as a line diff. Over TestClient, then
as a person in Chromium at 390x844 and 1366x900 (screenshots: FILMCREW_SCREENSHOTS=docs, as test_studio.py)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from filmcrew.engine.layout import Layout

pytestmark = pytest.mark.slow
TASK_ID = re.compile(r"ep\d\d-s\d\d-(sh|l)\d\d\.[a-z]")
DOCS = Path(os.environ.get("FILMCREW_SCREENSHOTS") or tempfile.mkdtemp(prefix="studio-shots-"))
SECRET = "sk-test-0123456789abcdef-NEVER-IN-THE-PROJECT"


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """The user's config folder (where keys go when there is no keyring), away from the real one."""
    h = tmp_path / "home"
    monkeypatch.setenv("FILMCREW_HOME", str(h))
    monkeypatch.setenv("FILMCREW_KEYRING", "file")
    for v in ("KLING_ACCESS_KEY", "KLING_SECRET_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(v, raising=False)
    return h


@pytest.fixture()
def film(small_film, tmp_path):
    root = tmp_path / "film"
    shutil.copytree(small_film, root, symlinks=True)
    return root


@pytest.fixture()
def client(film, home):
    from fastapi.testclient import TestClient

    from filmcrew.studio.app import Studio
    s = Studio(film, port=0)
    with TestClient(s.app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        c.studio = s
        yield c
    s.close()


def keep_mine(client, page: str, action: str):
    """Press the conflict page's "Keep mine": its form's fields sent again to `action`."""
    form = re.search(rf'<form[^>]*action="{action}"[^>]*>(?:(?!</form>).)*id="keep-mine"', page, re.S).group(0)
    return client.post(action, data=dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form)), follow_redirects=False)


def version_of(html: str) -> str:
    return re.search(r'name="version" value="([0-9a-f]{64})"', html).group(1)


def test_settings_are_written_as_a_person_would_and_a_bad_one_is_refused_naming_it(client, film):
    toml = film / "filmcrew.toml"
    toml.write_text("# my film's settings\n" + toml.read_text().replace("minutes = 0.4", "minutes = 0.4  # short!"))
    page = client.get("/settings").text
    assert "iqiyi-2025" in page and "KLING_ACCESS_KEY" in page
    form = {"csrf": client.studio.csrf, "version": version_of(page), "premise": "A fisherman and a flood god",
            "format": "short", "episodes": "1", "minutes": "1.5", "aspect": "16:9", "language": "en",
            "style": "storybook", "genre": "", "contest": "iqiyi-2025", "budget": "20", "currency": "CNY",
            "p_illustrator": "procedural", "p_animator": "camera-moves", "p_voice": "piper"}
    r = client.post("/settings", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[-800:]
    text = toml.read_text()
    assert text.startswith("# my film's settings\n") and "minutes = 1.5  # short!" in text  # comments kept, in place
    assert 'aspect = "16:9"' in text and 'contest = "iqiyi-2025"' in text and "max = 20" in text
    from filmcrew import project
    cfg = project.load_config(film)
    assert (cfg.minutes, cfg.aspect, cfg.contest, cfg.budget, cfg.currency) == (1.5, "16:9", "iqiyi-2025", 20.0, "CNY")
    # what cannot pass the contest is said (a 0.5-minute film can never meet iQIYI's 60 s)
    page = client.get("/settings").text
    r = client.post("/settings", data={**form, "version": version_of(page), "minutes": "0.5"}, follow_redirects=True)
    assert "cannot pass iqiyi-2025" in r.text
    # a value load_config refuses: the field named, nothing written
    before = toml.read_text()
    page = client.get("/settings").text
    r = client.post("/settings", data={**form, "version": version_of(page), "minutes": "99"})
    assert r.status_code == 400 and "[film] minutes" in r.text and "nothing was saved" in r.text
    assert toml.read_text() == before
    # a stale page: refused, nothing written
    r = client.post("/settings", data={**form, "version": "0" * 64, "minutes": "2"})
    assert r.status_code == 409 and toml.read_text() == before


def test_a_key_entered_in_the_page_is_present_outside_the_project_and_the_command_line_finds_it(client, film, home):
    page = client.get("/settings").text
    assert re.search(r'id="key-KLING_ACCESS_KEY">.*?missing', page, re.S)
    r = client.post("/settings/key", data={"csrf": client.studio.csrf, "name": "KLING_ACCESS_KEY", "value": SECRET},
                    follow_redirects=True)
    assert r.status_code == 200 and "KLING_ACCESS_KEY is kept in" in r.text
    row = re.search(r'id="key-KLING_ACCESS_KEY">(.*?)</tr>', r.text, re.S).group(1)
    assert "present" in row and "missing" not in row and SECRET not in r.text
    stored = home / "secrets.json"
    assert stored.is_file() and stored.stat().st_mode & 0o777 == 0o600
    for p in film.rglob("*"):  # no file of the project (its cache and ledger included) holds it
        if p.is_file() and not p.is_symlink():
            assert SECRET.encode() not in p.read_bytes(), p
    from filmcrew.providers import registry
    kling = registry.load("kling", {}, {})  # the command line's providers: the environment, then the keyring
    assert kling._keys[0] == SECRET
    # a name no provider reads is refused; forget takes it away
    assert client.post("/settings/key", data={"csrf": client.studio.csrf, "name": "PATH", "value": "x"}).status_code == 400
    client.post("/settings/key", data={"csrf": client.studio.csrf, "name": "KLING_ACCESS_KEY", "forget": "1"})
    assert "KLING_ACCESS_KEY" not in stored.read_text()


def test_a_characters_colour_is_changed_on_its_page(client, film):
    import yaml
    bible = film / "story" / "bible.yaml"
    name = yaml.safe_load(bible.read_text())["characters"][0]["name"]
    page = client.get(f"/character?name={name}").text
    assert 'type="color"' in page and "Hear a sample" in page
    r = client.post("/character", data={"csrf": client.studio.csrf, "version": version_of(page), "name": name,
                                        "palette_0": "#123456", "look_eyes": "#00ff00", "costume": "a red raincoat"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[-600:]
    ch = yaml.safe_load(bible.read_text())["characters"][0]
    assert ch["palette"][0] == "#123456" and ch["look"]["eyes"] == "#00ff00" and ch["costume"] == "a red raincoat"
    wav = client.get(f"/character/sample?name={name}")
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF" and len(wav.content) > 8000


def test_a_shots_settings_and_the_storyboards_shots_rewrite_the_screenplay_as_an_editor_would(client, film):
    from filmcrew.studio import project as proj
    path = film / "story" / "ep01.fountain"
    original = path.read_text()
    cards, _ = proj.board(film, 1, True)
    sid = cards[1].id
    page = client.get(f"/shot?id={sid}").text
    assert 'id="prev"' in page and 'id="next"' in page and not TASK_ID.search(page.split("<body>")[1])
    form = {"csrf": client.studio.csrf, "shot": sid, "version": version_of(page)}
    r = client.post("/shot/settings", data={**form, "seconds": "5", "camera": "wide", "transition": "dip"},
                    follow_redirects=False)
    assert r.status_code == 303
    changed = [(a, b) for a, b in zip(original.split("\n"), path.read_text().split("\n")) if a != b]
    assert len(changed) == 1 and "[[shot: wide; 5s; transition: dip]]" in changed[0][1]  # one line, its note
    card = next(c for c in proj.board(film, 1, True)[0] if c.id == sid)
    assert (card.camera, card.seconds, card.transition) == ("wide", 5.0, "dip")
    path.write_text(original)
    # the storyboard: add after, move down and back up, duplicate, delete: the text comes back as it was
    n = len(cards)
    board = lambda: client.get("/board").text  # noqa: E731
    r = client.post("/board/shot", data={**form, "version": version_of(board()), "do": "add"}, follow_redirects=False)
    assert r.status_code == 303 and "What we see next." in path.read_text()
    assert len(proj.board(film, 1, True)[0]) == n + 1
    added = proj.board(film, 1, True)[0][2]
    assert added.action == "What we see next." and added.scene == cards[1].scene
    client.post("/board/shot", data={**form, "shot": added.id, "version": version_of(board()), "do": "delete"})
    assert path.read_text() == original
    first = cards[0].id
    client.post("/board/shot", data={**form, "shot": first, "version": version_of(board()), "do": "down"})
    moved = path.read_text()
    assert moved != original and proj.board(film, 1, True)[0][1].action == cards[0].action
    client.post("/board/shot", data={**form, "shot": cards[1].id.replace("sh02", "sh01") if cards[1].scene == cards[0].scene
                                      else first, "version": version_of(board()), "do": "down"})
    assert path.read_text() == original
    client.post("/board/shot", data={**form, "shot": first, "version": version_of(board()), "do": "duplicate"})
    dup = proj.board(film, 1, True)[0]
    assert len(dup) == n + 1 and dup[1].action == dup[0].action and not dup[1].lines
    # a refusal changes nothing
    before = path.read_text()
    assert client.post("/board/shot", data={**form, "version": "0" * 64, "do": "delete"}).status_code == 409
    assert client.post("/board/shot", data={**form, "version": version_of(board()), "do": "explode"}).status_code == 400
    assert path.read_text() == before


def test_a_conflict_is_a_line_diff_with_keep_mine_and_take_theirs(client, film):
    path = film / "story" / "bible.yaml"
    page = client.get("/bible").text
    original = path.read_text()
    path.write_text(original.replace("title:", "title: THEIRS", 1).replace("title: THEIRS", "title:", 0))
    theirs = original + "# theirs: a note saved in a text editor\n"
    path.write_text(theirs)
    mine = original + "# mine\n"
    r = client.post("/bible", data={"csrf": client.studio.csrf, "version": version_of(page), "text": mine})
    assert r.status_code == 409 and 'id="diff"' in r.text
    assert re.search(r'class="del">− # theirs: a note', r.text) and re.search(r'class="add">\+ # mine', r.text)
    assert "Keep mine" in r.text and "Take theirs" in r.text and path.read_text() == theirs
    keep = re.search(r'<form[^>]*>(?:(?!</form>).)*id="keep-mine"', r.text, re.S).group(0)
    r = client.post("/bible", data={"csrf": client.studio.csrf, "version": version_of(keep), "text": mine},
                    follow_redirects=False)
    assert r.status_code == 303 and path.read_text() == mine


# ---- in the browser, as a person -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    sync = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("the browser tests need Debian's chromium: apt-get install chromium")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_a_person_sets_the_film_up_and_edits_it_in_the_browser(film, home, browser, size):
    from filmcrew.studio.app import Studio
    s = Studio(film, port=0)
    s.start()
    width, height = size
    tag = "-phone" if width < 500 else ""
    DOCS.mkdir(parents=True, exist_ok=True)
    try:
        b = f"http://127.0.0.1:{s.port}"
        page = browser.new_page(viewport={"width": width, "height": height})
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

        def fits(name: str):
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= width + 1, (name, width, wide)
            assert not TASK_ID.search(page.inner_text("body")), (name, page.inner_text("body")[:2000])

        # settings: the contest's rules and, at once, what cannot pass them; then saved
        page.goto(f"{b}/settings")
        page.select_option("#contest", "iqiyi-2025")
        assert "iQIYI" in page.inner_text("#rules") and "cannot pass iqiyi-2025" in page.inner_text("#warnings")
        page.fill("#minutes", "1.5")
        assert "length" not in page.inner_text("#warnings")
        page.fill("#minutes", "0.4")
        page.screenshot(path=str(DOCS / f"studio-settings{tag}.png"), full_page=True)
        fits("settings")
        page.fill("#minutes", "1.5")
        page.select_option("#aspect", "16:9")
        with page.expect_navigation():
            page.click("#save-settings")
        assert "your settings are saved" in page.inner_text(".msg")
        text = (film / "filmcrew.toml").read_text()
        assert "minutes = 1.5" in text and 'aspect = "16:9"' in text and 'contest = "iqiyi-2025"' in text
        # a key entered for a provider: marked present; in no file of the project
        row = page.locator("#key-KLING_ACCESS_KEY")
        assert "missing" in row.inner_text()
        row.locator("input[name=value]").fill(SECRET)
        with page.expect_navigation():
            row.locator("button").first.click()
        assert "present" in page.locator("#key-KLING_ACCESS_KEY").inner_text()
        page.locator("#key-KLING_ACCESS_KEY").scroll_into_view_if_needed()
        page.screenshot(path=str(DOCS / f"studio-keys{tag}.png"))
        assert not [p for p in film.rglob("*") if p.is_file() and not p.is_symlink() and SECRET.encode() in p.read_bytes()]
        # a character's colour changed with its picker
        page.goto(f"{b}/characters")
        fits("characters")
        with page.expect_navigation():
            page.locator("a.charcard").first.click()
        page.locator("input[type=color][name=palette_0]").evaluate("(el) => { el.value = '#1188cc'; }")
        page.screenshot(path=str(DOCS / f"studio-character{tag}.png"), full_page=True)
        fits("character")
        with page.expect_navigation():
            page.click("#save-character")
        assert "is changed" in page.inner_text(".msg")
        assert "#1188cc" in (film / "story" / "bible.yaml").read_text()
        # a shot added and moved on the storyboard, its length set on its page
        page.goto(f"{b}/board")
        n = page.locator(".card").count()
        with page.expect_navigation():
            page.locator(".card").nth(1).locator("button[data-do=add]").click()
        assert page.locator(".card").count() == n + 1 and "What we see next." in page.locator(".card").nth(2).inner_text()
        with page.expect_navigation():
            page.locator(".card").nth(2).locator("button[data-do=up]").click()
        assert "What we see next." in page.locator(".card").nth(1).inner_text()
        page.screenshot(path=str(DOCS / f"studio-storyboard-edit{tag}.png"))
        fits("storyboard")
        with page.expect_navigation():
            page.locator(".card").nth(1).locator("a", has_text="open the shot").click()
        page.fill("input[name=seconds]", "2.5")
        page.select_option("select[name=camera]", "close-up")
        with page.expect_navigation():
            page.click("#save-shot")
        assert "[[shot: close-up; 2.5s]]" in (film / "story" / "ep01.fountain").read_text()
        assert page.locator("#next").count() == 1 and page.locator("#prev").count() == 1
        page.screenshot(path=str(DOCS / f"studio-shot-edit{tag}.png"), full_page=True)
        fits("shot")
        page.goto(f"{b}/timeline")
        assert page.locator(".block").count() == n + 1
        page.click("#play")
        page.wait_for_function("() => document.getElementById('now').textContent.length > 0", timeout=5000)
        page.screenshot(path=str(DOCS / f"studio-timeline{tag}.png"))
        fits("timeline")
        # a conflict: the screenplay saved in a text editor while the page was open; resolved by keeping mine
        page.goto(f"{b}/script?ep=1")
        ep = film / "story" / "ep01.fountain"
        ep.write_text(ep.read_text() + "\nA gull cries. [[shot: wide; 2s]]\n")
        mine = page.locator("#text").input_value().replace("What we see next.", "The river rises.")
        page.locator("#text").fill(mine)
        with page.expect_navigation():
            page.locator("form button").first.click()
        assert page.locator("#diff").count() == 1 and "The river rises." in page.inner_text("#diff")
        page.screenshot(path=str(DOCS / f"studio-conflict{tag}.png"), full_page=True)
        fits("conflict")
        with page.expect_navigation():
            page.click("#keep-mine")
        assert "saved story/ep01.fountain" in page.inner_text(".msg")
        assert "The river rises." in ep.read_text() and "A gull cries." not in ep.read_text()
        for name, path in (("make", "/make"), ("watch", "/watch"), ("overview", "/")):
            page.goto(f"{b}{path}")
            page.wait_for_load_state("networkidle")
            fits(name)
        assert not refused, refused
        page.close()
    finally:
        s.close()


# ---- the timeline: re-cut in the page, kept as the project's cut (as `filmcrew import` keeps an edited one) ---------
def blocks_of(html: str) -> list[tuple[str, int, int, int]]:
    """(shot, its clip's frames, first frame, end frame) of each timeline block, in the page's order."""
    return [(s, int(t), int(a), int(b)) for s, t, a, b in
            re.findall(r'data-shot="([^"]+)" data-total="(\d+)" data-a="(\d+)" data-b="(\d+)"', html)]


def to_make(root: Path) -> set[str]:
    """The roles the next preview make would run (its plan)."""
    from filmcrew import pipeline
    from filmcrew.engine.executor import plan
    _, (ctx,) = pipeline.contexts(root, dict(os.environ), 1, preview=True)
    return {item.task.role for item in plan(Layout.of(root).store(), pipeline.episode_graph(ctx).targets)}


def test_a_cut_kept_on_the_timeline_is_the_projects_cut_and_the_next_make_follows_it(client, film):
    import opentimelineio as otio

    from filmcrew.cli import main
    from filmcrew.story import cut as cut_mod
    page = client.get("/timeline").text
    blocks = blocks_of(page)
    assert len(blocks) == 5 and all(b == t for _, t, _, b in blocks)  # made: each plays to its clip's end
    (s1, t1, a1, _), (s2, t2, a2, _), *rest = blocks
    # the second shot first, trimmed 20 frames short of its end; the last shot left out
    kept = [(s2, a2, t2 - 20), (s1, a1, None)] + [(s, a, None) for s, _, a, _ in rest[:-1]]
    cut = ";".join(f"{s}:{a}:{'' if b is None else b}" for s, a, b in kept)
    form = {"csrf": client.studio.csrf, "version": version_of(page), "ep": "1", "cut": cut}
    path = cut_mod.path(film, 1)
    for bad, code in (({"version": "0" * 64}, 409), ({"cut": cut.replace(s1, "ep01-s09-sh09")}, 400),
                      ({"cut": f"{s1}:40:30"}, 400), ({"cut": "nonsense"}, 400), ({"cut": ""}, 422)):
        r = client.post("/timeline/keep", data={**form, **bad}, follow_redirects=False)
        assert r.status_code in (code, 400) and not path.exists(), (bad, r.status_code, r.text[-400:])
    r = client.post("/timeline/keep", data=form, follow_redirects=True)
    assert r.status_code == 200 and "your cut is kept" in r.text, r.text[-800:]
    # the file `filmcrew import` writes, read back by the same reader the make uses
    ids = [s for s, *_ in blocks]
    got = cut_mod.load(film, 1, ids)
    assert [(it.shot, it.src_in, it.src_out) for it in got.items] == kept
    assert got.human and got.removed == (rest[-1][0],) and any(e.startswith("reordered") for e in got.edits)
    assert blocks_of(r.text)[:len(kept)] == [(s, t, a, t if b is None else b) for (s, a, b), t in
                                             zip(kept, [t2, t1] + [t for _, t, _, _ in rest[:-1]])]
    assert 'class="block out"' in r.text  # the left-out shot is offered back
    # the stale page is refused once the cut changed under it; nothing rewritten
    before = path.read_text()
    assert client.post("/timeline/keep", data=form).status_code == 409 and path.read_text() == before
    # the next plan re-makes the edit only (no picture, clip or voice), and the make follows the kept cut
    assert to_make(film) <= {"editor", "finisher"}
    make = client.get("/make").text  # the kept cut's parts in words ("part 2 of your cut"), not as the build names them
    assert "the edit" in make and not re.search(r"cut\d{3}", make)
    from filmcrew.studio import pages
    assert pages.event_words({"type": "task_ended", "artifact": "ep01.cut001.segment", "role": "finisher",
                              "outcome": "made", "seconds": 0.8}) == "made: part 2 of your cut (0.8 s)"
    assert main(["make", str(film), "--preview"]) == 0
    tl = otio.adapters.read_from_file(str(film / "out" / "ep01.preview.otio"))
    clips = [c for c in tl.video_tracks()[0] if isinstance(c, otio.schema.Clip)]
    assert [c.metadata["filmcrew"]["shot"] for c in clips] == [s for s, _, _ in kept]
    first = clips[0].trimmed_range()
    assert round(first.duration.value * 30 / first.duration.rate) <= t2 - 20 - a2
    watch = client.get("/watch").text  # the person's own work, in words, where they watch the film
    assert "the edit: your cut" in watch, watch[-3000:]
    # back to the screenplay's cut: the kept one stays beside it
    page = client.get("/timeline").text
    r = client.post("/timeline/reset", data={"csrf": client.studio.csrf, "version": version_of(page), "ep": "1"},
                    follow_redirects=True)
    assert "back to the screenplay" in r.text and not path.exists() and path.with_suffix(".json.bak").exists()
    assert [s for s, *_ in blocks_of(r.text)] == ids


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_a_person_re_cuts_the_episode_on_the_timeline_by_touch_or_mouse_and_keeps_it(film, home, browser, size):
    """Dragged by a finger on a phone (touch events: Chromium's pointer events of pointerType touch), by the mouse
    on a desktop; moved with the keyboard; trimmed; played at once before any make; kept; the next plan follows."""
    from filmcrew.studio.app import Studio
    from filmcrew.story import cut as cut_mod
    s = Studio(film, port=0)
    s.start()
    width, height = size
    phone = width < 500
    DOCS.mkdir(parents=True, exist_ok=True)
    try:
        page = browser.new_page(viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone)
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"http://127.0.0.1:{s.port}/timeline")
        order = lambda: page.eval_on_selector_all(".block", "els => els.map(e => e.dataset.shot)")  # noqa: E731
        first = order()
        assert len(first) == 5 and page.locator(".block img").count() == 5  # each block shows its picture
        # drag the first block by its handle past the second
        grip = page.locator(".block").nth(0).locator(".grip").bounding_box()
        target = page.locator(".block").nth(1).bounding_box()
        x0, y0 = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
        x1, y1 = target["x"] + target["width"] * 0.8, target["y"] + target["height"] / 2
        if phone:
            cdp = page.context.new_cdp_session(page)
            touch = lambda kind, pts: cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": pts})  # noqa: E731
            touch("touchStart", [{"x": x0, "y": y0}])
            for k in range(1, 9):
                touch("touchMove", [{"x": x0 + (x1 - x0) * k / 8, "y": y0}])
            touch("touchEnd", [])
        else:
            page.mouse.move(x0, y0)
            page.mouse.down()
            page.mouse.move(x1, y1, steps=8)
            page.mouse.up()
        assert order()[:2] == [first[1], first[0]], order()
        # the keyboard: the third block moved later with Shift+ArrowRight
        page.locator(".block").nth(2).focus()
        page.keyboard.press("Shift+ArrowRight")
        moved = order()
        assert moved[2:4] == [first[3], first[2]], moved
        # trimmed: the selected block (the third block now) ends earlier; its width follows
        page.locator(".block").nth(0).click(position={"x": 10, "y": 70})
        end = int(page.locator(".block").nth(0).get_attribute("data-b"))
        page.locator("#b").fill(str(end - 30))
        assert int(page.locator(".block").nth(0).get_attribute("data-b")) == end - 30
        # played at once, as cut, from the clips already made (no make)
        page.click("#play")
        page.wait_for_function("() => document.getElementById('now').textContent.length > 0", timeout=5000)
        assert page.inner_text("#now") == page.locator(".block").nth(0).get_attribute("data-name")
        assert "/clip?key=" in page.eval_on_selector("#player", "v => v.src")
        page.screenshot(path=str(DOCS / f"studio-timeline-recut{'-phone' if phone else ''}.png"), full_page=True)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width + 1 and not TASK_ID.search(page.inner_text("body"))
        with page.expect_navigation():
            page.click("#keep")
        assert "your cut is kept" in page.inner_text(".msg")
        kept = cut_mod.load(film, 1, first)
        assert [it.shot for it in kept.items] == moved and kept.items[0].src_out == end - 30
        assert order()[:5] == moved  # the page shows the kept cut
        from filmcrew import pipeline
        _, (ctx,) = pipeline.contexts(film, dict(os.environ), 1, preview=True)
        assert [p.artifact.split(".")[0] for p in pipeline.episode_graph(ctx).plays] == moved  # the next make's order
        assert not refused, refused
        page.close()
    finally:
        s.close()


def test_the_watch_page_gives_each_tracks_share_of_the_person_and_the_crew_from_the_films_record(client, film):
    """Picture, voices, music, effects, screenplay (and its subtitles): what the person made and what the crew
    made, in words, read from the provenance that `filmcrew disclose` reads; a voice take recorded in the page
    and made shows as the person's share of the voices."""
    import json

    import numpy as np

    from filmcrew.cli import main
    from filmcrew.handoff import dub
    from filmcrew.media import ffmpeg
    prov = json.loads((film / "out" / "ep01.preview.provenance.json").read_text())
    page = client.get("/watch").text
    for label in ("Picture", "Voices", "Music", "Sound effects", "Screenplay and subtitles"):
        assert f"<dt>{label}</dt>" in page, label
    assert "by you" not in page and "Your own work in it" not in page  # the demo: all the crew's
    assert "by filmcrew&#39;s own algorithms" in page and "by AI models" in page  # its voices are a trained model's
    # a take of one line, recorded in the page (its upload route), then made
    line = dub.listing(film, 1)[0]
    rate = 24000
    t = np.arange(int(min(line["seconds"] or 1.0, 1.5) * rate)) / rate
    voice = (np.random.default_rng(1).standard_normal(len(t)) * 0.2 * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)))
    take = film.parent / "take.wav"
    ffmpeg.write_wav(take, voice.astype(np.float32), rate)
    with take.open("rb") as fh:
        r = client.post("/dub", data={"csrf": client.studio.csrf, "line": line["line"]},
                        files={"take": ("take.wav", fh, "audio/wav")}, follow_redirects=False)
    assert r.status_code == 303, r.text[-600:]
    assert main(["make", str(film), "--preview"]) == 0
    prov = json.loads((film / "out" / "ep01.preview.provenance.json").read_text())
    voices = prov["ai_share"]["tracks"]["dialogue"]
    assert 0 < voices["human"] < 1
    page = client.get("/watch").text
    said = re.search(r"<dt>Voices</dt><dd class=\"yours\">([^<]*)", page)
    assert said and said.group(1).startswith(f"{voices['human']:.0%} by you, {voices['trained']:.0%} by AI models"), page
    assert "your voice take" in page and not TASK_ID.search(re.sub(r"<[^>]+>", " ", page))


def test_settings_and_character_conflicts_are_a_diff_with_keep_mine_and_take_theirs(client, film):
    """As the screenplay's: a page read before someone else saved the file shows the person's changes over the file
    as it is now, line by line; keep mine writes them over it (theirs kept where the page did not differ), take
    theirs goes back to the page."""
    import yaml
    toml = film / "filmcrew.toml"
    page = client.get("/settings").text
    form = {"csrf": client.studio.csrf, "version": version_of(page), "premise": "A fisherman and a flood god",
            "format": "short", "episodes": "1", "minutes": "0.4", "aspect": "9:16", "language": "en",
            "style": "storybook", "genre": "", "contest": "", "budget": "20", "currency": "CNY",
            "p_illustrator": "procedural", "p_animator": "camera-moves", "p_voice": "piper"}
    theirs = toml.read_text() + "# a note typed in a text editor\n"
    toml.write_text(theirs)
    r = client.post("/settings", data=form)
    assert r.status_code == 409 and 'id="diff"' in r.text and toml.read_text() == theirs
    assert re.search(r'class="add">\+ max = 20', r.text) and "Keep mine" in r.text and "Take theirs" in r.text
    assert 'href="/settings" id="take-theirs"' in r.text or 'id="take-theirs" href="/settings"' in r.text
    keep = re.search(r'<form[^>]*action="/settings"[^>]*>(?:(?!</form>).)*id="keep-mine"', r.text, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', keep))
    assert fields["premise"] == form["premise"] and fields["version"] != form["version"]
    r = client.post("/settings", data=fields, follow_redirects=False)
    assert r.status_code == 303
    text = toml.read_text()
    assert "# a note typed in a text editor" in text and "max = 20" in text  # theirs kept, mine written over it
    # a character's page read before the bible changed
    bible = film / "story" / "bible.yaml"
    name = yaml.safe_load(bible.read_text())["characters"][0]["name"]
    page = client.get(f"/character?name={name}").text
    data = yaml.safe_load(bible.read_text())
    data["characters"][0]["description"] = "THEIRS: a description written elsewhere"
    bible.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
    theirs = bible.read_text()
    r = client.post("/character", data={"csrf": client.studio.csrf, "version": version_of(page), "name": name,
                                        "costume": "a blue raincoat"})
    assert r.status_code == 409 and bible.read_text() == theirs
    assert re.search(r'class="add">\+ +costume: a blue raincoat', r.text), r.text[-3000:]
    assert re.search(r'class="del">− +costume:', r.text) and "THEIRS" in r.text  # theirs shown, not lost
    r = keep_mine(client, r.text, "/character")
    assert r.status_code == 303
    ch = yaml.safe_load(bible.read_text())["characters"][0]
    assert ch["costume"] == "a blue raincoat" and ch["description"] == "THEIRS: a description written elsewhere"


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_storyboard_and_timeline_cards_show_each_shots_picture_even_while_it_is_to_make_again(film, browser, size):
    """Made: each card shows its keyframe. A new shape (every picture to make again): each card shows the last
    picture made, marked as such, instead of an empty box. Loaded pictures (not broken links), no sideways scroll."""
    from filmcrew.studio.app import Studio
    width, height = size
    tag = "-phone" if width < 500 else ""
    s = Studio(film, port=0)
    s.start()
    DOCS.mkdir(parents=True, exist_ok=True)
    try:
        page = browser.new_page(viewport={"width": width, "height": height})
        b = f"http://127.0.0.1:{s.port}"

        def pictures(selector: str) -> list[int]:
            """Each card's picture's natural width (0: none, or a broken one), once the lazy ones are loaded."""
            page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
            page.wait_for_load_state("networkidle")
            page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=10000)
            got = page.eval_on_selector_all(selector, "els => els.map(e => { const i = e.querySelector('img'); "
                                                       "const v = e.querySelector('video'); "
                                                       "return i ? i.naturalWidth : (v ? v.poster : 0); })")
            import urllib.request
            for k, x in enumerate(got):  # a clip's card: its poster, the picture, fetched as the browser would
                if isinstance(x, str) and x:
                    with urllib.request.urlopen(x) as r:
                        got[k] = len(r.read()) if r.headers["Content-Type"] == "image/jpeg" else 0
            return got

        def fits(name: str):
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1, name
            assert not TASK_ID.search(page.inner_text("body")), name

        for stage in ("made", "to-make-again"):
            if stage == "to-make-again":  # a new shape: every picture is to make again
                toml = film / "filmcrew.toml"
                toml.write_text(toml.read_text().replace('aspect = "9:16"', 'aspect = "16:9"'))
            page.goto(f"{b}/board")
            got = pictures(".card")
            assert len(got) == 5 and all(got), (stage, got)
            if stage == "to-make-again":
                assert page.locator(".card .earlier").count() == 5
                assert "the last picture made" in page.inner_text("#board")
            page.screenshot(path=str(DOCS / f"studio-board-{stage}{tag}.png"), full_page=True)
            fits(f"board {stage}")
            page.goto(f"{b}/timeline")
            got = pictures(".block")
            assert len(got) == 5 and all(got), (stage, got)
            page.screenshot(path=str(DOCS / f"studio-timeline-{stage}{tag}.png"), full_page=True)
            fits(f"timeline {stage}")
        page.close()
    finally:
        s.close()


def test_keep_mine_writes_only_what_the_person_changed_over_someone_elses_change(client, film):
    """A whole form sent as a browser sends it (every field, most untouched) from a page read before someone else
    changed the file: "Keep mine" writes the person's own change and keeps theirs in the fields the page did not
    change (it used to write every field of the stale page back, undoing theirs)."""
    import tomllib

    import yaml
    from studio_helpers import form_values
    toml = film / "filmcrew.toml"
    form = form_values(client.get("/settings").text, "settings")
    assert form["was"] and form["premise"] and form["version"]
    form["budget"] = "20"  # mine
    form["currency"] = "CNY"
    text = toml.read_text()
    premise = tomllib.loads(text)["film"]["premise"]
    toml.write_text(text.replace(premise, "THEIRS: a premise written elsewhere"))  # theirs
    r = client.post("/settings", data=form)
    assert r.status_code == 409 and "THEIRS" in toml.read_text()
    assert not re.search(r'class="add">\+ premise', r.text), r.text[-3000:]  # the old premise is not put back
    r = keep_mine(client, r.text, "/settings")
    assert r.status_code == 303
    film_now = tomllib.loads(toml.read_text())
    assert film_now["film"]["premise"] == "THEIRS: a premise written elsewhere"
    assert film_now.get("budget", {}).get("max") == 20 or "max = 20" in toml.read_text()
    # the character's page, whole, with the costume changed; the description changed elsewhere meanwhile
    bible = film / "story" / "bible.yaml"
    name = yaml.safe_load(bible.read_text())["characters"][0]["name"]
    form = form_values(client.get(f"/character?name={name}").text, "character")
    assert "description" in form and "voice_provider" in form
    form["costume"] = "a blue raincoat"
    data = yaml.safe_load(bible.read_text())
    data["characters"][0]["description"] = "THEIRS: a description written elsewhere"
    bible.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
    r = client.post("/character", data=form)
    assert r.status_code == 409 and re.search(r'class="add">\+ +costume: a blue raincoat', r.text)
    assert not re.search(r'class="add">\+ +description:', r.text)  # their description is not undone
    r = keep_mine(client, r.text, "/character")
    assert r.status_code == 303
    ch = yaml.safe_load(bible.read_text())["characters"][0]
    assert ch["costume"] == "a blue raincoat" and ch["description"] == "THEIRS: a description written elsewhere"
