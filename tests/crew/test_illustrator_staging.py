"""The procedural illustrator stages its scenes (issue 21): signs never covered nor cut, characters standing
on the ground, costumes, gender and age drawn, in the three shapes."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filmcrew.model import ASPECTS, Character, Voice
from filmcrew.providers.base import DrawRequest, ReferenceRequest, WriteRequest
from filmcrew.providers.camera_moves import MARGIN
from filmcrew.providers.procedural_art import FACES_ABOVE, GROUND, SAFE, WATER_TO, ProceduralIllustrator, costume_parts
from filmcrew.writer.engine import StoryEngine

PREMISES = [("en", "A mortal fisherman challenges the god of floods to save his village"),
            ("en", "A baker must win back her stolen recipe from a rival before the festival"),
            ("zh", "少年剑客必须在月圆之夜前从山妖手中救出师父"),
            ("fr", "Un magicien maladroit doit retrouver son lapin avant le spectacle de l'école"),
            ("en", "A lighthouse keeper's daughter must relight the lamp before the storm ships arrive")]


def drawn(tmp_path: Path, aspect: str):
    """Every shot of five premises' films, drawn small in `aspect`: (shot, scene, layout, layer folder)."""
    fw, fh = (v // 5 // 2 * 2 for v in ASPECTS[aspect])
    size = (int(round(fw * MARGIN / 2)) * 2, int(round(fh * MARGIN / 2)) * 2)
    for i, (lang, premise) in enumerate(PREMISES):
        d = StoryEngine().write(WriteRequest(premise, "short", 1, 1.5, lang, 7))
        cast = {c.name: c for c in d.bible.characters}
        for sc in d.episodes[0].scenes:
            for sh in sc.shots:
                out = tmp_path / aspect / str(i) / sh.id
                out.mkdir(parents=True)
                ProceduralIllustrator().draw(DrawRequest(sh, sc, tuple(cast[n] for n in sh.characters if n in cast), size,
                                                         "storybook", 7, language=lang), out)
                yield sh, sc, json.loads((out / "layout.json").read_text()), out, size


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
def test_signs_are_never_covered_nor_cut_and_figures_stand_on_the_ground(tmp_path, aspect):
    signs = wides = 0
    for sh, sc, layout, out, (W, H) in drawn(tmp_path, aspect):
        chars = np.asarray(Image.open(out / "characters.png"))[..., 3]
        if layout["sign"]:
            signs += 1
            x0, y0, x1, y1 = layout["sign"]
            assert W * SAFE <= x0 and x1 <= W * (1 - SAFE) and H * SAFE <= y0, (sh.id, layout)  # no camera move cuts it
            assert chars[int(y0):round(y1), int(x0):round(x1)].max() == 0, (sh.id, sc.location)  # no figure in front of it
        if sh.camera == "wide" and layout["figures"]:
            wides += 1
            mid = np.asarray(Image.open(out / "midground.png").convert("RGB")).astype(int)
            for x0, y0, x1, y1 in layout["figures"]:
                assert WATER_TO * H + 10 <= y1 <= GROUND * H + 2, (sh.id, y1)  # feet on the ground, below any water
                assert W * SAFE - 2 <= x0 and x1 <= W * (1 - SAFE) + 2, (sh.id, x0, x1)
                r, g, b = mid[min(int(y1), H - 1), int((x0 + x1) / 2)]
                assert not (b > r + 30 and b > g), (sh.id, sc.location, (r, g, b))  # not standing on water
            if aspect == "9:16":  # the faces clear of the subtitles' band (the frame's lower third)
                faces = json.loads((out / "faces.json").read_text())
                assert all(f["mouth"][1] <= (FACES_ABOVE + 0.05) * H for f in faces), (sh.id, [f["mouth"] for f in faces])
    assert signs >= 5 and wides >= 10, (signs, wides)


@pytest.mark.parametrize("words,parts", [
    ("straw cloak", {"cloak"}), ("linen tunic", {"tunic"}), ("flowing blue robe", {"long"}), ("red dress", {"long"}),
    ("long black coat", {"coat"}), ("white scale armour", {"armour"}), ("white apron and cap", {"apron", "cap"}),
    ("hospital scrubs", {"uniform"}), ("top hat and tailcoat", {"tophat", "coat"}), ("hooded cloak", {"hood", "cloak"}),
    ("pointed hat and dark cloak", {"pointed", "cloak"}), ("space suit", {"spacesuit"}),
    ("黑色斗篷", {"cloak"}), ("白色围裙", {"apron"}), ("银色盔甲", {"armour"}), ("红色长袍", {"long"}), ("兜帽", {"hood"}),
    ("une cape de laine", {"cloak"}), ("un tablier blanc", {"apron"}), ("une armure", {"armour"}), ("un manteau", {"coat"}),
    ("une robe rouge", {"long"}), ("un chapeau", {"hat"}), ("un uniforme", {"uniform"}), ("une tunique", {"tunic"}),
])
def test_costume_words_in_three_languages(words, parts):
    assert parts <= costume_parts(words)


def _sheet(tmp_path, name, **kw):
    c = Character("ADA", "protagonist", look={"face": "oval", "skin": "#e0ac83", "hair": "short", "hair_colour": "#4a2f1b",
                                              "eyes": "#3b2a1a", "build": "average", **kw.pop("look", {})},
                  palette=("#1f618d", "#aed6f1"), voice=Voice(), **kw)
    out = tmp_path / name
    out.mkdir()
    ProceduralIllustrator().reference(ReferenceRequest(kind="character", name="ADA", description="", size=(216, 384),
                                                       style="storybook", seed=1, character=c), out)
    return np.asarray(Image.open(out / "characters.png")).astype(int)


def test_costumes_genders_ages_and_builds_are_drawn_differently(tmp_path):
    plain = _sheet(tmp_path, "plain", costume="linen tunic")
    sheets = {k: _sheet(tmp_path, k, costume=v) for k, v in (("apron", "white apron and cap"), ("armour", "black armour"),
                                                               ("cloak", "hooded cloak"), ("coat", "long grey coat"),
                                                               ("robe", "flowing robe"), ("hat", "top hat"))}
    for k, im in sheets.items():
        changed = (np.abs(im - plain).sum(axis=2) > 60).mean()
        assert changed > 0.01, (k, changed)  # at least 1% of the sheet differs from the plain tunic
    ys, xs = np.nonzero(sheets["apron"][..., 3] > 0)
    chest = sheets["apron"][int(ys.min() + (ys.max() - ys.min()) * 0.55), int(xs.mean())]
    assert chest[:3].min() > 230  # the apron is white on the chest
    for look in ({"gender": "f"}, {"gender": "m", "build": "broad"}, {"age": "child", "build": "small"}, {"age": "elder"}):
        other = _sheet(tmp_path, "-".join(f"{k}{v}" for k, v in look.items()), costume="linen tunic", look=look)
        assert (np.abs(other - plain).sum(axis=2) > 60).mean() > 0.01, look
