"""A series that remembers (issue 37): a character's state carried from episode to episode (the bible's
`changes:`), drawn in every shot and reference that follows the change, a reference made once per state."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import yaml

from filmcrew import pipeline, project
from filmcrew.crew import reports
from filmcrew.cli import main
from filmcrew.engine.executor import plan
from filmcrew.errors import ConfigError
from filmcrew.engine.layout import Layout

COAT = "#d35400"  # the hero's coat (palette[0]) before it is lost
SHIRT = "#7f8c8d"  # what he wears after
BANDAGE = (246, 244, 236)  # the procedural illustrator's bandage (an injury in the state's note)
CHANGES = [{"episode": 1, "scene": 2, "costume": "plain shirt", "palette": [SHIRT, "#1c2833"],
            "note": "lost his coat in the flood"},
           {"episode": 2, "note": "injured left arm", "props": ["the letter"]}]


def _series(root: Path) -> Path:
    """A 3-episode series (0.3 minutes each): CASPER loses his coat in episode 1 (scene 2) and is hurt in 2."""
    assert main(["new", str(root), "--premise", "A courier must deliver a letter across a flooded city", "--format",
                 "series", "--episodes", "3", "--minutes", "0.3", "--seed", "3"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    bible = root / "story" / "bible.yaml"
    doc = yaml.safe_load(bible.read_text())
    hero = next(c for c in doc["characters"] if c["name"] == "CASPER")
    assert hero["palette"][0] == COAT and "coat" in hero["costume"]
    hero["changes"] = CHANGES
    bible.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return root


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The series made episode by episode (preview), with what `plan` said before episode 3."""
    root = _series(tmp_path_factory.mktemp("series") / "courier")
    assert main(["make", str(root), "--preview", "--quiet", "--episode", "1"]) == 0
    assert main(["make", str(root), "--preview", "--quiet", "--episode", "2"]) == 0
    _cfg, ctxs = pipeline.contexts(root, dict(os.environ), 3, preview=True)
    before3 = [i.task for i in plan(Layout.of(root).store(), pipeline.episode_graph(ctxs[0]).targets)]
    assert main(["make", str(root), "--preview", "--quiet", "--episode", "3"]) == 0
    return root, before3


def graphs(root: Path):
    _cfg, ctxs = pipeline.contexts(root, dict(os.environ), None, preview=True)
    return ctxs, [pipeline.episode_graph(c) for c in ctxs]


def figure_colours(folder: Path, name: str) -> dict:
    """The share of the character's drawn pixels (its box on the characters layer) near the coat, the shirt and
    the bandage colours: measured on the keyframe, not read from a prompt."""
    from PIL import Image
    box = next(f["body"] for f in json.loads((folder / "faces.json").read_text()) if f["name"] == name)
    rgba = np.asarray(Image.open(folder / "characters.png").convert("RGBA")).astype(int)
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    crop = rgba[max(0, y0):y1, max(0, x0):x1]
    px = crop[..., :3][crop[..., 3] > 128]

    def near(rgb) -> float:
        return float((np.abs(px - np.array(rgb)).sum(axis=1) < 40).mean()) if len(px) else 0.0
    from PIL import ImageColor
    return {"coat": near(ImageColor.getrgb(COAT)), "shirt": near(ImageColor.getrgb(SHIRT)), "bandage": near(BANDAGE)}


# ---- the bible ---------------------------------------------------------------------------------------------

def test_changes_are_read_folded_and_written_back():
    d = {"title": "T", "logline": "L", "characters": [{"name": "Casper", "costume": "coat", "palette": [COAT],
                                                        "changes": CHANGES}],
         "places": [{"name": "old dock", "description": "a wooden pier", "changes": [{"episode": 3, "note": "burnt"}]}]}
    b = project.bible_from_dict(d)
    c = b.character("CASPER")
    assert c.at(1).costume == "coat" and c.at(1).since == "" and c.at(1).state_id == "CASPER"
    assert c.at(1, 2).costume == "plain shirt" and c.at(1, 2).palette[0] == SHIRT and c.at(1, 2).since == "ep01-s02"
    assert c.at(3).state == "injured left arm" and c.at(3).costume == "plain shirt" and c.at(3).props == ("the letter",)
    assert c.at(3).state_id == "CASPER@ep02" and c.at(3).changes == ()
    assert b.place("OLD DOCK").at(2).state == "" and b.place("OLD DOCK").at(3).state == "burnt"
    assert project.bible_from_dict(project.bible_to_dict(b)) == b
    plain = project.bible_to_dict(project.bible_from_dict({"title": "T", "logline": "L", "characters": [{"name": "A"}]}))
    assert "changes" not in plain["characters"][0] and "places" not in plain  # old bibles are written as before


@pytest.mark.parametrize("change, said", [
    ({"episode": 2, "costum": "x"}, "changes[0]: unknown key 'costum'; did you mean 'costume'?"),
    ({"episode": 0, "note": "x"}, "changes[0].episode: 0 must be a whole number from 1"),
    ({"episode": 2}, "changes[0]: says when but not what changes"),
    ({"episode": 2, "palette": ["nope"]}, "changes[0].palette[0]: 'nope' is not a colour"),
    ({"episode": 2, "scene": "two", "note": "x"}, "changes[0].scene: 'two' must be a whole number"),
    ({"episode": 2, "props": "lamp"}, "changes[0].props: 'lamp' must be a list"),
])
def test_a_bad_change_is_refused_naming_the_field(change, said):
    with pytest.raises(ConfigError) as err:
        project.bible_from_dict({"title": "T", "logline": "L", "characters": [{"name": "A", "changes": [change]}]})
    assert said in str(err.value) and "characters[0]" in str(err.value)


def test_a_place_change_names_its_field():
    with pytest.raises(ConfigError, match=r"places\[0\]\.changes\[0\]: unknown key 'costume'"):
        project.bible_from_dict({"title": "T", "logline": "L",
                                 "places": [{"name": "DOCK", "changes": [{"episode": 2, "costume": "x"}]}]})


# ---- the made series ---------------------------------------------------------------------------------------

def test_keyframes_follow_the_state_in_force(made):
    root, _ = made
    ctxs, gs = graphs(root)
    st = Layout.of(root).store()
    seen = {}
    for ctx, g in zip(ctxs, gs):
        for sc in ctx.episode.scenes:
            for sh in sc.shots:
                if "CASPER" in sh.characters:
                    seen[sh.id] = (ctx.episode.number, sc.order, figure_colours(st.path(g.task(f"{sh.id}.keyframe").key),
                                                                              "CASPER"))
    assert {e for e, _, _ in seen.values()} == {1, 2, 3}
    for sid, (ep, scene, c) in seen.items():
        if (ep, scene) < (1, 2):  # the coat, no bandage
            assert c["coat"] > 0.05 and c["shirt"] < 0.01 and c["bandage"] < 0.012, (sid, c)
        else:  # the coat lost: the shirt's colour, never the coat's
            assert c["coat"] < 0.01 and c["shirt"] > 0.05, (sid, c)
            if ep >= 2:  # hurt in episode 2: the bandage in every shot after
                assert c["bandage"] > 0.018, (sid, c)
            else:
                assert c["bandage"] < 0.012, (sid, c)


def test_a_reference_per_state_made_once_and_reused(made):
    root, before3 = made
    ctxs, gs = graphs(root)
    st = Layout.of(root).store()
    casper = {}
    for ctx, g in zip(ctxs, gs):
        for t in g.all:
            if t.role == "reference" and t.params.get("name") == "CASPER":
                casper.setdefault(t.artifact, set()).add(t.key)
    if not casper:
        pytest.skip("no references without the consistency check (pip install 'filmcrew[faces]')")
    # one reference per state, each one key wherever it is used
    assert sorted(casper) == ["casper.ep01-s02.reference", "casper.ep02.reference", "casper.reference"]
    assert all(len(keys) == 1 for keys in casper.values())
    made_refs = [json.loads(p.read_text()) for p in st.index.glob("*.reference.json")] if st.index.is_dir() else []
    assert all(st.has(next(iter(k))) for k in casper.values())
    # episode 3 is in the state episode 2 made: its plan held no reference of CASPER (nothing paid twice)
    assert not [t.artifact for t in before3 if t.role == "reference" and t.params.get("name") == "CASPER"]
    assert casper["casper.ep02.reference"] <= {t.key for g in gs[1:2] for t in g.all}
    del made_refs


def test_a_project_without_changes_keeps_its_keys(tmp_path):
    """The same bible without `changes:` gives the same keys as the state before any change."""
    root = _series(tmp_path / "p")
    ctxs, gs = graphs(root)
    def keys(gs) -> dict:  # the pictures of the scene before the change, their references and checks
        return {t.artifact: t.key for t in gs[0].all if t.role in ("illustrator", "reference", "consistency")
                and (t.artifact.startswith("ep01-s01") or t.role == "reference" and "." not in t.artifact[:-10])}
    first = keys(gs)
    assert any(a.endswith(".keyframe") for a in first)
    doc = yaml.safe_load((root / "story" / "bible.yaml").read_text())
    for c in doc["characters"]:
        c.pop("changes", None)
    (root / "story" / "bible.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    ctxs, gs = graphs(root)
    assert first == keys(gs)


# ---- the continuity check (filmcrew continuity) -------------------------------------------------------------

def test_continuity_reports_the_states_and_no_break(made, capsys):
    root, _ = made
    assert main(["continuity", str(root), "--preview"]) == 0
    said = capsys.readouterr().out
    assert "CASPER: at the start: patched fishing coat -> from ep01-s02: plain shirt" in said and "0 break(s)" in said
    rep = json.loads((root / "out" / "continuity.json").read_text())
    casper = rep["characters"]["CASPER"]
    assert [s["id"] for s in casper["states"]] == ["CASPER", "CASPER@ep01-s02", "CASPER@ep02"]
    by_shot = {s["shot"]: s for s in casper["shots"]}
    assert by_shot["ep03-s01-sh02"]["state"] == "CASPER@ep02"
    assert by_shot["ep03-s01-sh02"]["colours"]["CASPER"] < 0.01 < by_shot["ep03-s01-sh02"]["colours"]["CASPER@ep01-s02"]
    assert rep["breaks"] == [] and "<h1>Continuity: " in (root / "out" / "continuity.html").read_text()


def test_continuity_catches_a_shot_back_in_the_old_costume(made, capsys):
    """A planted break: episode 3's close-up replaced by a picture of CASPER still in his coat (a person's
    take; a model that ignored the state would do the same)."""
    from PIL import Image
    root, _ = made
    ctxs, gs = graphs(root)
    st = Layout.of(root).store()
    old = st.path(gs[0].task("ep01-s01-sh02.keyframe").key)
    im = None
    for n in ("background", "midground", "characters", "foreground"):
        if (old / f"{n}.png").exists():
            layer = Image.open(old / f"{n}.png").convert("RGBA")
            im = layer if im is None else Image.alpha_composite(im, layer)
    (root / "takes").mkdir(exist_ok=True)
    im.convert("RGB").save(root / "takes" / "ep03-s01-sh02.png")
    assert main(["make", str(root), "--preview", "--quiet", "--episode", "3"]) == 0
    capsys.readouterr()
    assert main(["continuity", str(root), "--preview"]) == 1
    said = capsys.readouterr().out
    rep = json.loads((root / "out" / "continuity.json").read_text())
    assert [(b["shot"], b["character"], b["kind"]) for b in rep["breaks"]] == [("ep03-s01-sh02", "CASPER", "old costume")]
    line = next(sh.source_line for sh in ctxs[2].episode.shots() if sh.id == "ep03-s01-sh02")
    assert f"story/ep03.fountain:{line}: shot ep03-s01-sh02: CASPER: old costume" in said
    assert "ep03-s01-sh02" in (root / "out" / "continuity.html").read_text()


def test_a_prop_the_character_no_longer_carries_is_a_break():
    from filmcrew.consistency.continuity import judge
    states = [{"id": "A", "label": "at the start", "costume": "", "costume_colour": "", "props": ["lantern"]},
              {"id": "A@ep02", "label": "from ep02", "costume": "", "costume_colour": "", "props": []}]
    shot = {"state": "A@ep02", "colours": {}, "measured": "", "text": "She raises the lantern to the water."}
    assert [b["kind"] for b in judge(shot, states)] == ["prop gone"]
    assert judge({**shot, "state": "A"}, states) == []


# ---- time of day, and the continuity inside the consistency report ------------------------------------------

def test_time_of_day_against_the_keyframes_light_and_a_planted_night_at_dawn(made, capsys):
    """Every heading that states a time is measured on its shots' keyframes (mean luma); the procedural pictures
    agree with their headings; a person's dark picture in a scene set at dawn is a break, with shot and line."""
    from PIL import Image
    from filmcrew.consistency.continuity import DARK, LIT
    root, _ = made
    assert main(["continuity", str(root), "--preview", "--json"]) in (0, 1)
    rep = json.loads(capsys.readouterr().out)
    times = rep["times"]
    assert times and {t["time"] for t in times} >= {"dawn"} and not [t for t in times if t["break"]]
    night = [t["luma"] for t in times if t["time"] == "night"]
    lit = [t["luma"] for t in times if t["time"] != "night"]
    assert all(y < LIT for y in night) and all(y >= DARK for y in lit), times
    ctxs, _gs = graphs(root)
    dawn = next(sh for sc in ctxs[1].episode.scenes if sc.time_of_day == "dawn" for sh in sc.shots)
    w, h = ctxs[1].size
    im = Image.new("RGB", (w, h), (10, 14, 40))  # a night picture: dark blue, a moon
    from PIL import ImageDraw
    ImageDraw.Draw(im).ellipse((w * 0.6, h * 0.1, w * 0.75, h * 0.1 + w * 0.15), fill=(235, 235, 210))
    (root / "takes").mkdir(exist_ok=True)
    im.save(root / "takes" / f"{dawn.id}.png")
    assert main(["make", str(root), "--preview", "--quiet", "--episode", "2"]) == 0
    capsys.readouterr()
    assert main(["continuity", str(root), "--preview"]) == 1
    said = capsys.readouterr().out
    assert f"story/ep02.fountain:{dawn.source_line}: shot {dawn.id}: night in a dawn scene: the heading says DAWN" in said
    rep = json.loads((root / "out" / "continuity.json").read_text())
    assert [b["shot"] for b in rep["breaks"] if b["kind"].startswith("night in")] == [dawn.id]


def test_the_consistency_report_holds_the_continuity(made):
    from filmcrew.engine.layout import Layout
    root, _ = made
    cfg, ctxs = pipeline.contexts(root, dict(os.environ), None, preview=True)
    gs = [pipeline.episode_graph(c) for c in ctxs]
    rep, _unmade = reports.consistency_report(root, Layout.of(root).store(), cfg, ctxs, gs)
    cont = rep["continuity"]
    assert [s["id"] for s in cont["characters"]["CASPER"]["states"]] == ["CASPER", "CASPER@ep01-s02", "CASPER@ep02"]
    assert json.loads((root / "out" / "continuity.json").read_text())["breaks"] == cont["breaks"] and cont["breaks"]
    j, h = reports.write_consistency(root, rep)
    page = h.read_text()
    assert "<h2>Continuity across the series</h2>" in page and page.index("Continuity across") < page.index("</body>")
    assert all(b["shot"] in page for b in cont["breaks"]) and json.loads(j.read_text())["continuity"] == cont
