"""The story report (issue 21's `script check` part): the premise's words, lines said twice, stock lines,
people brought in and dropped; in English, French and Chinese. It is told to any writer, offline or a model
(tests/writer/test_story_premises.py holds the offline writer to it over 32 premises)."""

from __future__ import annotations

import pytest

from filmcrew import project
from filmcrew.cli import main
from filmcrew.story import fountain, screenplay
from filmcrew.story.report import premise_words, report


def episode(text: str, n: int = 1, language: str = "en"):
    ep, problems = screenplay.to_episode(fountain.parse(text, f"ep{n:02d}.fountain"), number=n, language=language)
    assert not problems
    return (f"story/ep{n:02d}.fountain", ep)


BAKER = "A baker must win back her stolen recipe from a rival before the festival"
TOLD = """EXT. MARKET - DAY

Rosa the baker finds her recipe book gone from the stall. [[shot: wide]]

ROSA
My grandmother's recipe. Stolen, the week of the festival.

INT. RIVAL BAKERY - NIGHT

Rosa slips into the rival's kitchen. [[shot: medium]]

ROSA
Give it back before the bells ring.
"""


def test_premise_words_in_three_languages():
    assert premise_words(BAKER, "en") == ["baker", "stolen", "recipe", "rival", "festival"]
    assert premise_words("Une boulangère doit reprendre sa recette volée à un rival avant la fête", "fr") == [
        "boulangère", "reprendre", "recette", "volée", "rival", "fête"]
    assert premise_words("一位面包师必须在节日之前从对手那里夺回被偷的配方", "zh") == ["面包师", "节日", "对手", "夺回", "配方"]


def test_a_story_that_tells_its_premise_has_nothing_missing_and_one_that_does_not_is_told():
    assert report([episode(TOLD)], BAKER, "en")["premise_missing"] == []
    other = (TOLD.replace("RIVAL BAKERY", "OLD SHED").replace("baker", "fisher").replace("recipe", "net")
             .replace("festival", "flood").replace("rival", "old"))
    rep = report([episode(other)], BAKER, "en")
    assert rep["premise_missing"] == ["baker", "recipe", "rival", "festival"]  # "stolen" is still said
    assert any("never says 'baker'" in p for p in rep["problems"])


def test_lines_said_twice_across_episodes_and_stock_lines_are_named_with_where():
    two = TOLD.replace("Give it back before the bells ring.", "I'm done fighting you.")
    rep = report([episode(TOLD, 1), episode(two.replace("My grandmother's", "Her"), 2)], BAKER, "en")
    assert [r["at"] for r in rep["repeated"]] == []  # "Her recipe. Stolen, ..." differs from the first
    rep = report([episode(TOLD, 1), episode(TOLD, 2)], BAKER, "en")
    assert {r["first"] for r in rep["repeated"]} == {"story/ep01.fountain:6", "story/ep01.fountain:13"}
    assert all(r["at"].startswith("story/ep02.fountain:") for r in rep["repeated"])
    rep = report([episode(two)], BAKER, "en")
    assert [s["cliche"] for s in rep["stock"]] == ["i'm done fighting you"]
    zh = "INT. 厨房 - 夜\n\n!阿梅看着窗外。 [[shot: wide]]\n\n阿梅\n相信我。\n\n阿福\n这还没完！\n"
    assert {s["cliche"] for s in report([episode(zh, language="zh")], "面包师", "zh")["stock"]} == {"相信我", "这还没完"}


@pytest.mark.slow
def test_script_check_reports_the_story_of_a_project(tmp_path, capsys):
    root = tmp_path / "baker"
    assert main(["new", str(root), "--premise", BAKER, "--minutes", "0.4"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    who = project.known_characters(root)[0]  # the bible's own people
    (root / "story" / "ep01.fountain").write_text(TOLD.replace("ROSA", who).replace("Rosa", who.title()))
    capsys.readouterr()
    assert main(["script", "check", str(root / "story" / "ep01.fountain")]) == 0  # a report, not a gate
    out = capsys.readouterr().out
    assert "story report" in out and "never says" not in out


def test_a_character_brought_in_once_and_dropped_is_a_set_up_without_pay_off():
    three = TOLD + """
EXT. FESTIVAL - DUSK

The festival opens. Rosa wins. [[shot: wide]]

ROSA
My recipe, my festival.
"""
    three = three.replace("Rosa slips into the rival's kitchen.", "Rosa slips into the rival's kitchen. Vera watches her.")
    rep = report([episode(three)], BAKER, "en", characters=["ROSA", "VERA"])
    assert [u["character"] for u in rep["unpaid"]] == ["VERA"] and rep["unpaid"][0]["at"] == "story/ep01.fountain:8"
    assert any("VERA comes into this scene" in p for p in rep["problems"])
    back = three.replace("The festival opens. Rosa wins.", "The festival opens. Vera hands Rosa the prize.")
    assert report([episode(back)], BAKER, "en", characters=["ROSA", "VERA"])["unpaid"] == []
    assert report([episode(TOLD)], BAKER, "en", characters=["ROSA", "VERA"])["unpaid"] == []  # two scenes: too short to say
