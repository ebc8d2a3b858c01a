"""The procedural illustrator: props the action names, signs with the place's name in three scripts,
and a huge character's close-up that still fits the frame."""
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from filmcrew.crew.illustrator import faces
from filmcrew.media import fonts
from filmcrew.model import Character, Scene, Shot
from filmcrew.providers.base import DrawRequest
from filmcrew.providers.procedural_art import BRASS, ProceduralIllustrator, sign_text

CANVAS = (302, 538)
HERO = Character("MEI", role="protagonist", look={"face": "round", "skin": "#e8c4a0", "hair": "bob",
                                                 "hair_colour": "#222222", "eyes": "#442211"}, palette=("#aa3333", "#eedd99"))
GOD = Character("RIVER GOD", role="antagonist", look={"face": "long", "skin": "#9fc7d6", "hair": "long",
                                                      "hair_colour": "#e0f0ff", "eyes": "#9ff3ff", "build": "huge",
                                                      "aura": "#7fd3ff"}, palette=("#225577", "#aaddff"))


def _draw(tmp_path, name, action, camera, chars=(HERO,), location="BEACH", language="en", interior=False):
    shot = Shot("ep01-s01-sh01", action, camera=camera, characters=tuple(c.name for c in chars))
    scene = Scene("ep01-s01", f"{'INT' if interior else 'EXT'}. {location} - DAY", interior, location, shots=(shot,))
    d = tmp_path / name
    d.mkdir()
    ProceduralIllustrator().draw(DrawRequest(shot, scene, chars, CANVAS, "storybook", 3,
                                             speaking=chars[0].name if chars else "", language=language), d)
    return d


def _rgba(d, layer):
    return np.asarray(Image.open(d / f"{layer}.png").convert("RGBA")).astype(int)


def test_an_insert_shows_the_prop_the_action_names(tmp_path):
    compass = _rgba(_draw(tmp_path, "c", "A brass compass in her palm.", "insert", ()), "characters")
    plain = _rgba(_draw(tmp_path, "p", "Her palm, open.", "insert", ()), "characters")
    h, w = compass.shape[:2]
    centre = compass[int(h * 0.3):int(h * 0.6), int(w * 0.25):int(w * 0.75)]
    brass = (np.abs(centre[..., :3] - BRASS).sum(axis=2) < 30) & (centre[..., 3] > 200)
    red = (centre[..., 0] > 170) & (centre[..., 1] < 80) & (centre[..., 3] > 200)  # the needle
    assert brass.sum() > 200 and red.sum() > 10
    assert np.abs(compass - plain).sum() > 0


def test_a_character_holds_the_prop_in_hand(tmp_path):
    holding = _draw(tmp_path, "l", "Mei lifts a lantern.", "medium")
    empty = _draw(tmp_path, "e", "Mei looks out.", "medium")
    diff = np.abs(_rgba(holding, "characters") - _rgba(empty, "characters")).max(axis=2) > 40
    (face,) = faces(holding)
    hx, hy, hr = face["hand"]
    ys, xs = np.nonzero(diff)
    assert len(ys) > 50
    assert abs(xs.mean() - hx) < CANVAS[0] * 0.1 and abs(ys.mean() - hy) < CANVAS[1] * 0.08  # at the hand


@pytest.mark.parametrize("location,language,text", [("FISHING VILLAGE", "en", "Fishing Village"),
                                                    ("VILLAGE DES PÊCHEURS", "fr", "Village des pêcheurs"),
                                                    ("渔村", "zh", "渔村")])
def test_a_sign_names_the_place_in_its_own_script(tmp_path, location, language, text):
    assert sign_text(location, language) == text
    signed = _rgba(_draw(tmp_path, "s", "Mei waits.", "wide", location=location, language=language), "midground")
    board = (np.abs(signed[..., :3] - (120, 82, 50)).sum(axis=2) < 12) & (signed[..., 3] == 255)
    letters = (signed[..., 0] > 230) & (signed[..., 1] > 215) & (signed[..., 2] > 170) & (signed[..., 3] == 255)
    assert board.sum() > 300
    ys, xs = np.nonzero(board)
    inside = letters[ys.min():ys.max(), xs.min():xs.max()]
    assert inside.sum() > 20  # there is writing on the board
    # and every character has a real glyph in the font the sign uses (no empty "tofu" boxes)
    font = fonts.font(24, language=language)
    tofu = np.asarray(font.getmask("\U000f0000"))
    for ch in text.replace(" ", ""):
        mask = np.asarray(font.getmask(ch))
        assert mask.size and mask.any() and (mask.shape != tofu.shape or not np.array_equal(mask, tofu)), ch


def test_a_huge_characters_close_up_fits_the_frame(tmp_path):
    d = _draw(tmp_path, "g", "The god watches.", "close-up", (GOD,))
    chars = _rgba(d, "characters")
    solid = chars[..., 3] > 200  # the figure (its aura is a faint glow)
    cols = np.nonzero(solid.any(axis=0))[0]
    w = CANVAS[0]
    assert cols.min() > w * 0.02 and cols.max() < w * 0.98  # shoulders inside the frame
    (face,) = faces(d)
    average = replace(GOD, look={**GOD.look, "build": "average"})
    usual = faces(_draw(tmp_path, "a", "The god watches.", "close-up", (average,)))[0]
    # the face is a close-up face like anyone's, not 25% larger than the frame allows
    span = lambda f: f["eyes"][1][0] - f["eyes"][0][0]  # noqa: E731
    assert span(face) == pytest.approx(span(usual), rel=0.02)
    huge_wide = faces(_draw(tmp_path, "w", "The god towers.", "wide", (GOD, HERO)))[0]
    usual_wide = faces(_draw(tmp_path, "u", "The god towers.", "wide", (average, HERO)))[0]
    assert span(huge_wide) == pytest.approx(span(usual_wide) * 1.25, rel=0.05)  # wide, the god towers


def test_the_keyframe_is_keyed_on_what_the_picture_reads_of_the_lines(tmp_path):
    """A line's words enter a procedural keyframe's key only through its speaker's expression (issue 36): an edit
    that keeps every expression keeps the key, and the picture is indeed the same; one that changes an expression
    changes the key, and the face. A provider that does not say what it reads keys on the lines' whole text."""
    from filmcrew.crew.illustrator import _shot_params
    from filmcrew.model import Line

    def shot(text, paren=""):
        return Shot("ep01-s01-sh01", "She looks out to sea.", camera="close-up", characters=("MEI",),
                    lines=(Line("ep01-s01-l01", "MEI", text, parenthetical=paren),))

    art = ProceduralIllustrator()
    calm, calm2, cross = shot("The tide is late today."), shot("The tide is late today, and I mean it."), shot("Never again!")
    assert _shot_params(calm, art) == _shot_params(calm2, art)
    assert _shot_params(calm, art) != _shot_params(cross, art)
    assert _shot_params(calm, art) != _shot_params(shot("The tide is late today.", "shouting"), art)
    assert _shot_params(calm, object()) != _shot_params(calm2, object())  # (no line_reading: the whole text)

    def draw(name, sh):
        scene = Scene("ep01-s01", "EXT. BEACH - DAY", False, "BEACH", shots=(sh,))
        d = tmp_path / name
        d.mkdir()
        art.draw(DrawRequest(sh, scene, (HERO,), CANVAS, "storybook", 3, speaking="MEI"), d)
        return _rgba(d, "characters")

    a, b, c = draw("a", calm), draw("b", calm2), draw("c", cross)
    assert (a == b).all()  # the same key, the same picture
    assert (a != c).any()
