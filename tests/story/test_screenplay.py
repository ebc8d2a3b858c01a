import re

import pytest

from filmcrew.errors import ScriptError
from filmcrew.story import fountain, screenplay

SCRIPT = """Title: Test

INT. HUT - NIGHT #1#

Mara sits by the fire. [[shot: close-up; 4s; mood: tense]]

MARA
(whispering)
Is it gone?

BEN
Not yet.

EXT. RIVERBANK - DAWN #2#

Ben waves from the water. [[shot: wide; 3s; transition: crossfade]]

BEN
Come on!
"""


def episode(text, **kw):
    return screenplay.to_episode(fountain.parse(text), number=1, known_characters=["MARA", "BEN"], **kw)[0]


def test_shots_lines_and_metadata():
    ep = episode(SCRIPT)
    s1, s2 = ep.scenes
    assert (s1.id, s1.interior, s1.location, s1.time_of_day) == ("ep01-s01", True, "HUT", "night")
    assert (s2.location, s2.time_of_day, s2.interior) == ("RIVERBANK", "dawn", False)
    sh = s1.shots[0]
    assert (sh.id, sh.camera, sh.duration_frames, sh.mood) == ("ep01-s01-sh01", "close-up", 120, "tense")
    assert [ln.id for ln in sh.lines] == ["ep01-s01-l01", "ep01-s01-l02"]
    assert sh.lines[0].parenthetical == "whispering" and sh.characters == ("MARA", "BEN")
    assert s2.shots[0].transition == "crossfade"


def test_ids_survive_edits_in_another_scene():
    before = episode(SCRIPT)
    edited = SCRIPT.replace("Mara sits by the fire.", "Mara sits by the fire.\n\nThe wind howls.") \
                   .replace("Not yet.", "Not yet, and maybe never.")
    after = episode(edited)
    assert [s.id for s in before.scenes[1].shots] == [s.id for s in after.scenes[1].shots]
    assert [ln.id for ln in before.scenes[1].shots[0].lines] == [ln.id for ln in after.scenes[1].shots[0].lines]
    assert len(after.scenes[0].shots) == 2


def test_unknown_character_is_a_clear_error():
    with pytest.raises(ScriptError, match=r"ep01.fountain:\d+: unknown character 'ZED'.*bible"):
        screenplay.to_episode(fountain.parse(SCRIPT + "\nZED\nHello.\n"), known_characters=["MARA", "BEN"],
                              path="ep01.fountain", strict=True)


def test_bad_shot_note_is_reported():
    report = screenplay.check(SCRIPT.replace("close-up; 4s", "camera: zoomy; 4s"))
    assert any("unknown camera 'zoomy'" in e for e in report["errors"])


def test_script_check_json_shape():
    r = screenplay.check(SCRIPT)
    assert r["scenes"] == 2 and r["characters"] == {"MARA": 1, "BEN": 2} and r["lines"] == 3
    assert r["runtime_seconds"] >= 7.0


def test_a_shots_action_is_replaced_in_place_keeping_its_notes_and_refused_when_it_changed():
    from filmcrew.errors import ScriptError
    from filmcrew.story.screenplay import replace_action
    text = ("EXT. DOCK - DAY\n\nThe tide comes in.\nGulls circle. [[shot: wide; 4s]] [[note: dusk]]\n\n"
            "MEI\nLook.\n")
    out = replace_action(text, 4, "The tide comes in. Gulls circle.", "  The tide\n goes out. ")
    assert out == "EXT. DOCK - DAY\n\nThe tide goes out. [[shot: wide; 4s]] [[note: dusk]]\n\nMEI\nLook.\n"
    with pytest.raises(ScriptError, match="changed since it was read"):
        replace_action(out, 3, "The tide comes in. Gulls circle.", "Anything.")
    for bad in ("", "A [[shot: close-up]] sneaks in", "MEI"):
        with pytest.raises(ScriptError):
            replace_action(text, 4, "The tide comes in. Gulls circle.", bad)


@pytest.mark.parametrize("note, said", [
    ("animater: camera-moves", r"unknown key 'animater'.*did you mean 'animator'"),  # meant to keep the shot offline
    ("wide; 1e3s", r"unknown word '1e3s'.*length like 4s"),
    ("wide; nans", r"unknown word 'nans'"),
    ("3s; 5s", r"two lengths \('3s' and '5s'\)"),
    ("banana", r"unknown word 'banana'"),
    ("clse-up", r"did you mean 'close-up'"),
    ("seed:", r"'seed' has no value"),
])
def test_a_shot_note_word_it_does_not_know_or_says_twice_is_named_with_its_line(note, said):
    report = screenplay.check(SCRIPT.replace("close-up; 4s", note))
    assert any(re.search(said, e) for e in report["errors"]), report["errors"]
    line = next(i for i, ln in enumerate(SCRIPT.splitlines(), 1) if "close-up; 4s" in ln)
    assert any(f":{line}:" in e or f"line {line}" in e for e in report["errors"]), report["errors"]


def test_an_unclosed_note_is_refused_at_its_line_instead_of_swallowing_the_screenplay():
    text = ("INT. KITCHEN - DAY\n\nMara stirs the pot. [[shot: close-up; 3s\n\nMARA\nIt is ready.\n\n"
            "EXT. YARD - NIGHT\n\nRain falls. [[shot: wide]]\n")
    with pytest.raises(ScriptError, match=r":3: unclosed note"):
        fountain.parse(text, path="ep01.fountain")
    # a note may run over lines (and over a line of two spaces, as Fountain allows), but not past a blank line
    els = fountain.parse("INT. KITCHEN - DAY\n\nMara stirs. [[shot: close-up;\n  \n3s]]\n")
    assert [e.type for e in els] == ["scene_heading", "action"] and els[1].notes == ("shot: close-up; 3s",)
