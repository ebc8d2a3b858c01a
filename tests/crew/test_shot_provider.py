"""Another provider for one shot (`[[shot: illustrator: NAME]]`, `[[shot: animator: NAME]]`): an offline film
whose one shot is animated by Kling and another drawn by Seedream (both behind their local fakes), the rest by
the offline crew; what is sent, priced, recorded and re-made; names that are no provider, or not of that role."""

from __future__ import annotations

import json
import os
import re

import pytest
from fake_ark_images import FakeArk
from fake_kling import AK, SK, FakeKling
from model_project import BAKER

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.story.screenplay import set_shot_note
from filmcrew.engine.layout import Layout

ARK = "ark-fake-0001"
ENV = {"KLING_ACCESS_KEY": AK, "KLING_SECRET_KEY": SK, "ARK_KEY": ARK}


@pytest.fixture
def fakes():
    with FakeKling() as kling, FakeArk(ARK) as ark:
        yield kling, ark


def _project(root, kling, ark):
    assert main(["new", str(root), "--premise", BAKER, "--minutes", "0.4", "--seed", "7"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    toml = root / "filmcrew.toml"
    toml.write_text(toml.read_text() + f'\n[providers.kling]\nbase_url = "{kling.url}"\nmodel = "kling-v2-6"\n'
                    f'mode = "std"\npoll_every = 0.05\n\n[providers.seedream]\nbase_url = "{ark.url}"\n'
                    f'api_key_env = "ARK_KEY"\n')
    return root


def _note(root, n: int, key: str, value: str) -> None:
    """Shot `n` (0-based) of episode 1 says `key: value` in its note (as the studio writes it)."""
    _, (ctx,) = pipeline.contexts(root, {}, 1, True)
    sh = ctx.episode.shots()[n]
    ep = root / "story" / "ep01.fountain"
    ep.write_text(set_shot_note(ep.read_text(), sh.source_line, key, value))


def _records(root):
    _, (ctx,) = pipeline.contexts(root, dict(os.environ), 1, True)
    g, st = pipeline.episode_graph(ctx), Layout.of(root).store()
    return ctx.episode.shots(), g, (lambda art: st.record(g.task(art).key)["ledger"])


def test_one_shot_animated_by_kling_and_one_drawn_by_seedream_in_an_offline_film(fakes, tmp_path, monkeypatch, capsys):
    kling, ark = fakes
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    root = _project(tmp_path / "film", kling, ark)
    _note(root, 0, "animator", "kling")
    _note(root, 1, "illustrator", "seedream")
    text = (root / "story" / "ep01.fountain").read_text()
    assert text.count("animator: kling") == 1 and text.count("illustrator: seedream") == 1
    assert "[[shot: wide; 4.1s; animator: kling]]" in text  # (the note keeps what it said)

    capsys.readouterr()
    assert main(["plan", str(root), "--preview", "--cost"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"ep01-s01-sh01\.video .*CNY", out) and re.search(r"ep01-s01-sh02\.keyframe .*CNY", out)
    assert kling.submits == [] and ark.requests == []  # priced, nothing sent

    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    shots, g, rec = _records(root)
    assert [s["body"]["duration"] for s in kling.submits] == ["5"]  # one video job: shot 1's
    drawn = [r for r in ark.requests if "shot, one frame" in r["body"]["prompt"]]
    assert len(drawn) == 1 and len(ark.requests) == 1  # one still: shot 2's (its references are the procedural sheets)
    assert len(drawn[0]["refs"]) == len(shots[1].characters) == 2

    clip1 = rec(f"{shots[0].id}.clip")
    assert clip1["made_by"] == "model:kling-v2-6" and clip1["digital_source_type"] == "trainedAlgorithmicMedia"
    assert rec(f"{shots[1].id}.keyframe")["made_by"].startswith("model:doubao-seedream")
    assert g.task(f"{shots[1].id}.keyframe").provider.name == "seedream"
    assert rec(f"{shots[1].id}.segment")["drawn"]["by"] == "camera-moves"  # its animation is the project's (drawn by
    # its segment: no clip of its own is encoded)
    for sh in shots[2:]:
        assert rec(f"{sh.id}.keyframe")["made_by"] == "algorithm:procedural"
        assert rec(f"{sh.id}.segment")["drawn"]["by"] == "camera-moves"
    assert g.task(f"{shots[0].id}.clip").provider.name == "kling"
    film = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    assert set(film["spend"]) == {"CNY"} and film["spend"]["CNY"] > 0

    # the note taken away: shot 1 is animated here again, and nothing is sent
    _note(root, 0, "animator", "")
    assert "animator" not in (root / "story" / "ep01.fountain").read_text()
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    assert len(kling.submits) == 1 and len(ark.requests) == 1
    shots, g, rec = _records(root)
    assert rec(f"{shots[0].id}.segment")["drawn"]["by"] == "camera-moves"
    # and back: the video job made before is the store's (the journal's): nothing is paid twice
    _note(root, 0, "animator", "kling")
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    assert len(kling.submits) == 1


@pytest.mark.parametrize("note, says", [
    ("animator: seedream", "'seedream' does not play the animator; use one of camera-moves, comfyui, hailuo, kling"),
    ("illustrator: kling", "'kling' does not play the illustrator; use one of comfyui, openai-images, procedural"),
    ("animator: klingg", "'klingg' is not a provider"),
])
def test_a_shot_naming_no_provider_of_that_role_is_refused_with_its_line(tmp_path, capsys, note, says):
    root = tmp_path / "film"
    assert main(["new", str(root), "--premise", BAKER, "--minutes", "0.4"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    key, value = note.split(": ")
    _note(root, 2, key, value)
    line = next(i for i, ln in enumerate((root / "story" / "ep01.fountain").read_text().splitlines(), 1) if note in ln)
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 2
    err = capsys.readouterr().err
    assert f"ep01.fountain:{line}:" in err and says in err


def test_set_shot_note_writes_replaces_and_takes_away_a_key():
    text = "INT. ROOM - DAY\n\nAnna waits.\n[[shot: wide; 4s]]\n\nBen sits. Ben waits.\n"
    once = set_shot_note(text, 3, "animator", "kling")
    assert once == "INT. ROOM - DAY\n\nAnna waits.\n[[shot: wide; 4s; animator: kling]]\n\nBen sits. Ben waits.\n"
    assert set_shot_note(once, 3, "animator", "veo").count("animator") == 1
    assert set_shot_note(once, 3, "animator", "") == text
    added = set_shot_note(text, 6, "illustrator", "seedream")
    assert added.endswith("Ben sits. Ben waits. [[shot: illustrator: seedream]]\n")
    assert set_shot_note(added, 6, "illustrator", "") == text
    alone = "INT. ROOM - DAY\n\nAnna waits.\n[[shot: animator: kling]]\n\nBen sits.\n"
    assert set_shot_note(alone, 3, "animator", "") == "INT. ROOM - DAY\n\nAnna waits.\n\nBen sits.\n"


def test_the_shot_page_chooses_another_animator_and_gives_it_back(fakes, tmp_path, monkeypatch):
    """In Chromium: the shot page's "Animated by" choice writes `animator: kling` in the shot's note (the card
    then wants that shot's video job, priced), choosing "the project's" takes it away; a name that plays no
    such role, or another role, is refused."""
    from studio_helpers import CHROMIUM, base, post, serve
    sync = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")
    if CHROMIUM is None:
        pytest.skip("the browser tests need Debian's chromium: apt-get install chromium")
    kling, ark = fakes
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    root = _project(tmp_path / "film", kling, ark)
    ep = root / "story" / "ep01.fountain"
    studio = serve(root)
    try:
        b = base(studio)
        with sync.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(f"{b}/board")
            sid = page.locator(".card").nth(2).get_attribute("id").removeprefix("card-")
            page.goto(f"{b}/shot?id={sid}")
            assert page.locator("#animator-choice").input_value() == ""  # the project's
            assert "the project's (camera-moves)" in page.locator("#animator-choice").inner_text()
            page.select_option("#animator-choice", "kling")
            with page.expect_navigation():
                page.locator("form:has(#animator-choice) button").click()
            assert "kling is the animator of" in page.content()
            assert page.locator("#animator-choice").input_value() == "kling"
            text = ep.read_text()
            assert text.count("animator: kling") == 1
            page.screenshot(path="/tmp/shot-providers.png", full_page=True)
            page.goto(f"{b}/board")
            card = page.locator(f"#card-{sid}")
            assert card.get_attribute("data-state") == "to make" and "· kling" in card.inner_text()
            assert "duration:" in card.inner_text()  # (the video model's first task, in words)
            page.goto(f"{b}/shot?id={sid}")
            page.select_option("#animator-choice", "")
            with page.expect_navigation():
                page.locator("form:has(#animator-choice) button").click()
            assert "animator" not in ep.read_text()
            browser.close()
        import hashlib
        version = hashlib.sha256(ep.read_bytes()).hexdigest()
        for fields, says in (({"role": "animator", "name": "seedream"}, "does not play the animator"),
                             ({"role": "voice", "name": "piper"}, "its illustrator or its animator"),
                             ({"role": "animator", "name": "../x"}, "does not play the animator")):
            code, body, _ = post(f"{b}/provider", {"shot": sid, "version": version, "csrf": studio.csrf, **fields})
            assert code == 400 and says in body
        assert "animator" not in ep.read_text()
    finally:
        studio.close()
