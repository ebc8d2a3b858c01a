"""The series card (issue 37): `filmcrew series` (out/series.html and .json) and the studio's series page: the
episodes, each character's and place's state episode by episode (the bible's changes, here the ones the offline
writer recorded), and the continuity breaks; the page at phone and desktop sizes in Debian's chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from filmcrew.cli import main
from studio_helpers import base, get, serve

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _written(root: Path, lang: str, premise: str) -> Path:
    assert main(["new", str(root), "--premise", premise, "--format", "series", "--episodes", "3", "--minutes", "1.5",
                 "--seed", "3", "--lang", lang]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    return root


@pytest.fixture(scope="module")
def courier(tmp_path_factory):
    return _written(tmp_path_factory.mktemp("card") / "courier", "en",
                    "A courier must deliver a letter across a flooded city")


def test_the_card_lists_episodes_states_by_episode_and_the_continuity(courier, capsys):
    assert main(["series", str(courier), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert json.loads((courier / "out" / "series.json").read_text()) == card
    assert [e["number"] for e in card["episodes"]] == [1, 2, 3]
    assert all(e["film"] is None and e["made_seconds"] is None and e["shots"] > 0 for e in card["episodes"])
    hugo = next(c for c in card["characters"] if c["name"] == "HUGO")
    # the offline writer's recorded change: HUGO's hands bandaged in ep02 scene 5, held in ep03
    assert [(x["since"], x["words"].split("; ")[-1]) for x in hugo["by_episode"][1]["changes"]] == [
        ("ep02-s05", "both hands bandaged")]
    assert "both hands bandaged" in hugo["by_episode"][2]["words"] and "bandaged" not in hugo["by_episode"][0]["words"]
    assert card["places"][0]["name"] == "FISHERMAN'S HUT" and card["places"][0]["by_episode"][2]["words"] == "a broken window"
    # nothing made yet: checked nothing, and says so
    assert card["continuity"]["breaks"] == [] and card["continuity"]["checked_shots"] == 0
    assert card["continuity"]["unmade"] > 0
    page = (courier / "out" / "series.html").read_text()
    assert "<h1>" in page and "; both hands bandaged" in page and "ep02-s05: " in page and "not made" in page


def test_the_studio_series_page(courier, tmp_path_factory):
    zh = _written(tmp_path_factory.mktemp("card") / "zh", "zh", "一位快递员必须在洪水淹没的城市里送一封信")
    for root in (courier, zh):
        s = serve(root)
        try:
            status, page = get(f"{base(s)}/series")
            assert status == 200, page[:500]
            assert 'href="/series"' in get(f"{base(s)}/")[1]  # found from the overview of a series
            if root == courier:
                assert "HUGO" in page and "both hands bandaged" in page and "Not checked yet" in page
                assert "style=" not in page.split("<main>", 1)[1]  # the studio's CSP: no inline style
        finally:
            s.close()
    assert main(["continuity", str(courier)]) == 0  # nothing made: no breaks, every shot unmade
    s = serve(courier)
    try:
        status, page = get(f"{base(s)}/series")
        assert status == 200 and "0 breaks in 0 character shot(s)" in page and "not made yet, not checked" in page
    finally:
        s.close()


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_the_series_page_fits_a_phone_and_a_desktop(courier, tmp_path_factory, size):
    sync = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("the browser tests need Debian's chromium: apt-get install chromium")
    roots = {"en": courier}
    zh = Path(str(courier).replace("courier", "zh"))
    if not (zh / "filmcrew.toml").exists():
        zh = _written(tmp_path_factory.mktemp("card") / "zh", "zh", "一位快递员必须在洪水淹没的城市里送一封信")
    roots["zh"] = zh
    width, height = size
    DOCS.mkdir(parents=True, exist_ok=True)
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            for lang, root in roots.items():
                s = serve(root)
                try:
                    page = b.new_page(viewport={"width": width, "height": height})
                    refused = []
                    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
                    page.goto(f"{base(s)}/series")
                    wide = page.evaluate("() => document.documentElement.scrollWidth")
                    assert wide <= width + 1, (lang, width, wide)
                    assert not refused, refused
                    tag = ("-phone" if width < 500 else "") + ("-zh" if lang == "zh" else "")
                    page.screenshot(path=str(DOCS / f"studio-series{tag}.png"), full_page=True)
                finally:
                    s.close()
        finally:
            b.close()


def test_the_card_says_the_writers_beats_in_words_and_keeps_a_persons_summary():
    from filmcrew.crew import series_card
    assert series_card.in_words("micro_open / micro_end") == "a short opening / a short ending"
    assert series_card.in_words("opening / crisis / hook") == "opening / crisis / hook"
    assert series_card.in_words("Kai loses the letter / finds it again") == "Kai loses the letter / finds it again"
