"""Writers record the changes their stories make (issue 37): the offline writer's scenes (the gift carried, an arm
bandaged, a window broken) and the model writer's structured answer go into the bible's `changes:`, so later scenes
and episodes are drawn in the new state; a person's own changes are never overwritten."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml

from filmcrew import pipeline, project
from filmcrew.model import Change, Episode, Scene, Shot
from filmcrew.providers import openai_chat as oc
from filmcrew.providers.base import DrawRequest, WriteRequest
from filmcrew.story import changes
from filmcrew.writer import changes as rules
from filmcrew.writer.scenes import SCENES

NAMES = {"Mara": "MARA", "Tom": "TOM", "Lin": "LIN", "Iris": "IRIS"}
AID = {"en": "a brass whistle", "zh": "一只铜哨", "fr": "un sifflet de cuivre"}


class _Slots(dict):
    def __missing__(self, key):
        return "the old dock" if key in ("place", "Place") else "x"


def _hits(lang: str) -> Counter:
    """(beat, template index) -> how many changes the rules find in that template, slots filled."""
    slots = _Slots(H="Mara", F="Tom", V="Lin", X="Iris", aid=AID[lang], the_aid=AID[lang], place="the old dock", e="",
                   fe="e", ve="")
    out = Counter()
    for beat, variants in SCENES[lang].items():
        for k, template in enumerate(variants):
            shots = tuple(Shot(id=f"ep01-s01-sh{i:02d}", action=raw.partition("|")[2].strip().format_map(slots))
                          for i, raw in enumerate(template.strip().splitlines(), start=1) if raw.startswith("A "))
            ep = Episode(number=1, title="t", scenes=(Scene(id="ep01-s01", heading="EXT. OLD DOCK - DAY", interior=False,
                                                             location="OLD DOCK", shots=shots),))
            n = len(rules.find([ep], NAMES, AID[lang], lang))
            if n:
                out[(beat, k)] = n
    return out


def test_the_rules_find_the_same_events_in_every_language():
    """The three languages' templates are one another's translations: a rule missing in one would show here."""
    en = _hits("en")
    # the gift handed over (plan, micro_open), an arm and hands bandaged, a broken window (cost), a wreck (crisis)
    assert set(en) == {("plan", 0), ("plan", 1), ("plan", 2), ("micro_open", 0), ("micro_open", 1), ("micro_open", 2),
                       ("cost", 0), ("cost", 5), ("cost", 6), ("crisis", 2)}
    per_beat = {lang: Counter(b for b, _k in _hits(lang).elements()) for lang in ("en", "zh", "fr")}
    assert per_beat["zh"] == per_beat["en"] == per_beat["fr"]  # (a template's place in its list may differ)


def test_every_english_template_that_bandages_breaks_or_hands_over_the_gift_has_a_rule():
    said = re.compile(r"bandag|is broken|everything broken|pockets it|\{aid\} into|takes \{aid\}|hands \{H\} \{aid\}|"
                      r"ties \{aid\}")
    en = _hits("en")
    for beat, variants in SCENES["en"].items():
        for k, t in enumerate(variants):
            actions = "\n".join(raw for raw in t.splitlines() if raw.strip().startswith("A "))
            if said.search(actions):
                assert (beat, k) in en, (beat, k, t)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("wc") / "p"
    project.create(root, project.Config(premise="A courier must deliver a letter across a flooded city", format="series",
                                        episodes=3, minutes=1.5, seed=3))
    pipeline.write_story(root, project.load_config(root), dict(os.environ))
    return root


def _episodes(root: Path, bible):
    return [pipeline.load_episode(root, n, bible, "en") for n in (1, 2, 3)]


def test_a_gift_handed_again_in_a_later_episode_is_one_change_not_one_per_episode():
    """The offline writer's plan beat can hand the ally's gift over in every episode; the one who carries it
    already carries it: one change, from the first time (the bible listed the same change once per episode)."""
    def ep(n: int) -> Episode:
        shots = (Shot(id=f"ep{n:02d}-s02-sh01", action=f"Tom presses {AID['en']} into Mara's hand."),)
        return Episode(number=n, title="t", scenes=(Scene(id=f"ep{n:02d}-s02", heading="EXT. OLD DOCK - DAY",
                                                          interior=False, location="OLD DOCK", shots=shots),))
    found = rules.find([ep(1), ep(2), ep(3)], NAMES, AID["en"], "en")
    assert [(who, ch.episode, ch.scene, ch.props) for who, ch in found] == [("MARA", 1, 3, (AID["en"],))]
    # another character handed it is a change of their own
    two = Shot(id="ep02-s02-sh02", action=f"Mara hands Lin {AID['en']}.")
    e2 = ep(2)
    e2 = Episode(number=2, title="t", scenes=(Scene(id="ep02-s02", heading="EXT. OLD DOCK - DAY", interior=False,
                                                    location="OLD DOCK", shots=(*e2.scenes[0].shots, two)),))
    assert [(who, ch.episode) for who, ch in rules.find([ep(1), e2], NAMES, AID["en"], "en")] == [("MARA", 1), ("LIN", 2)]


def test_the_offline_writer_records_what_its_scenes_change(written):
    bible = project.load_bible(written)
    eps = _episodes(written, bible)
    found = [(c.name, ch) for c in bible.characters for ch in c.changes] + [(p.name, ch) for p in bible.places
                                                                              for ch in p.changes]
    assert {(s, ch.since, ch.note, ch.props) for s, ch in found} == {
        ("CASPER", "ep01-s04", None, ("a pocket torch",)), ("HUGO", "ep02-s05", "both hands bandaged", None),
        ("FISHERMAN'S HUT", "ep02-s02", "a broken window", None)}
    # each is in the screenplay where it says: the gift handed over in the scene before, the window broken in it
    scene = {sc.id: " ".join(sh.action for sh in sc.shots) for ep in eps for sc in ep.scenes}
    assert "presses a pocket torch into Casper's hand" in scene["ep01-s03"] and "bandages them" in scene["ep02-s04"]
    assert "is broken" in scene["ep02-s02"] and next(sc for ep in eps for sc in ep.scenes
                                                     if sc.id == "ep02-s02").location == "FISHERMAN'S HUT"
    # what it leaves for later: episode 3 sees HUGO bandaged and CASPER with the torch, never before the change
    hugo = bible.character("HUGO")
    assert hugo.at(2, 4).state == "" and hugo.at(3).state == "both hands bandaged" and hugo.at(3).state_id == "HUGO@ep02-s05"
    assert bible.character("CASPER").at(3).props == ("a pocket torch",)
    rec = json.loads((written / ".filmcrew" / "writer.json").read_text())
    assert rec["changes"] == changes.recorded(bible)  # all the writer's own


def _bandage_share(character, size=(270, 480)) -> float:
    """The share of the figure's pixels in the procedural illustrator's bandage colour, drawn for real."""
    import tempfile
    from PIL import Image
    from filmcrew.providers.procedural_art import BANDAGE, ProceduralIllustrator
    shot = Shot(id="ep03-s01-sh01", action="HUGO waits.", camera="medium", characters=(character.name,))
    scene = Scene(id="ep03-s01", heading="INT. HUT - DAY", interior=True, location="HUT", shots=(shot,))
    with tempfile.TemporaryDirectory() as d:
        layers = ProceduralIllustrator().draw(DrawRequest(shot=shot, scene=scene, characters=(character,), size=size,
                                                          style="storybook", seed=1), Path(d))
        px = np.asarray(Image.open(next(p for p in layers if p.name == "characters.png")).convert("RGBA")).astype(int)
    body = px[..., :3][px[..., 3] > 128]
    return float((np.abs(body - np.array(BANDAGE)).sum(axis=1) < 40).mean())


def test_a_later_episode_is_drawn_in_the_state_the_writer_recorded(written):
    """Measured on the drawn figure, not read from the bible: HUGO's hands are bandaged in episode 3 only."""
    hugo = project.load_bible(written).character("HUGO")
    before, after = _bandage_share(hugo.at(1)), _bandage_share(hugo.at(3))
    assert before < 0.005 < after, (before, after)


def test_a_persons_changes_are_never_overwritten(written, tmp_path):
    import shutil
    root = tmp_path / "p"
    shutil.copytree(written, root)
    cfg = project.load_config(root)
    doc = yaml.safe_load((root / "story" / "bible.yaml").read_text())
    hugo = next(c for c in doc["characters"] if c["name"] == "HUGO")
    hugo["changes"] = [{"episode": 2, "scene": 5, "note": "left arm in a sling"}]  # edits the writer's change
    doc.pop("places")  # and takes out the writer's broken window (of episode 2)
    casper = next(c for c in doc["characters"] if c["name"] == "CASPER")
    casper["changes"].append({"episode": 3, "costume": "borrowed raincoat"})  # adds one of their own
    (root / "story" / "bible.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    # episode 2 written again (its file deleted): the writer's changes of episode 2 come back (the window), except
    # where the person wrote one at the same episode and scene (HUGO's hands)
    (root / "story" / "ep02.fountain").unlink()
    written_now = pipeline.write_story(root, cfg, dict(os.environ))
    b = project.load_bible(root)
    assert [str(p.relative_to(root)) for p in written_now] == ["story/bible.yaml", "story/ep02.fountain"]
    assert [(ch.since, ch.note) for ch in b.character("HUGO").changes] == [("ep02-s05", "left arm in a sling")]
    assert [(ch.since, ch.costume) for ch in b.character("CASPER").changes] == [("ep01-s04", None),
                                                                                ("ep03", "borrowed raincoat")]
    assert b.place("FISHERMAN'S HUT").changes[0].note == "a broken window"
    # --force rewrites the story, and still keeps what the person wrote
    pipeline.write_story(root, cfg, dict(os.environ), force=True)
    b = project.load_bible(root)
    assert [(ch.since, ch.note) for ch in b.character("HUGO").changes] == [("ep02-s05", "left arm in a sling")]
    assert ("ep03", "borrowed raincoat") in [(ch.since, ch.costume) for ch in b.character("CASPER").changes]
    rec = json.loads((root / ".filmcrew" / "writer.json").read_text())
    assert "HUGO" not in rec["changes"] and {"episode": 3, "scene": 0, "costume": "borrowed raincoat"} \
        not in rec["changes"]["CASPER"]


def test_merge_keeps_a_persons_change_of_a_place_and_of_a_character_the_draft_lacks():
    from filmcrew.model import Bible, Character, Place
    draft = Bible(title="T", logline="L", characters=(Character(name="A"),),
                  places=(Place(name="DOCK", changes=(Change(episode=1, scene=2, note="flooded"),)),))
    disk = Bible(title="T", logline="L", characters=(Character(name="A"), Character(name="B", changes=(
        Change(episode=2, note="hurt"),))), places=(Place(name="DOCK", changes=(Change(episode=1, scene=2, note="burnt"),)),))
    out, notes = changes.merge(disk, draft, {}, {1}, bible_rewritten=True)
    assert out.place("DOCK").changes[0].note == "burnt"  # the person's, at the same place and scene
    assert notes == ["B's change at ep02 is not in the new bible: B is not in it"]
    kept, _ = changes.merge(disk, draft, {}, {1}, bible_rewritten=False)
    assert kept.character("B").changes[0].note == "hurt" and kept.place("DOCK").changes[0].note == "burnt"


# ---- the model writer: asked in its schema, read from its answer ---------------------------------------------

def _character(name, want=True):
    c = {"name": name, "description": "a fisher", "costume": "oilskin coat",
         "look": {"face": "round", "hair": "braid", "hair_colour": "#1b1b1b", "skin": "#e0ac83", "eyes": "#3b2a1a",
                  "build": "slim", "age": "adult"}, "palette": ["#223344", "#ddccaa", "#aa3322"], "voice": "light"}
    return {**c, "want": "save the village", "flaw": "pride"} if want else c


BIBLE = {"title": "Flood Song", "logline": "A fisher defies a god.", "world": "A delta.", "visual_style": "ink",
         "protagonist": _character("MAYA"), "antagonist": _character("KORO"),
         "others": [{**_character("OLD TAM", want=False), "role": "ally"}],
         "episodes": [{"title": "High Water", "summary": "Maya dares Koro.", "hook": "the dam cracks"},
                      {"title": "Low Tide", "summary": "Maya wins.", "hook": ""}]}
REQ = WriteRequest(premise="MAYA, a fisher, challenges KORO, the god of floods", format="series", episodes=2,
                   minutes=0.3, language="en", seed=7)


def _episode(changes_=(), first=()):
    shot = {"camera": "medium", "action": "Rain on the pier.", "seconds": 4,
            "lines": [{"speaker": "MAYA", "parenthetical": "", "text": "The water rises tonight."}]}
    scene = {"interior": False, "location": "the drowned pier", "time_of_day": "night", "mood": "tense",
             "shots": [shot, shot], "changes": list(first)}
    return {"title": "High Water", "scenes": [scene, {**scene, "changes": list(changes_)}]}


def test_the_model_writer_asks_for_changes_and_records_them(monkeypatch):
    bible = oc.bible_from_json(BIBLE, REQ)
    asked = _episode([{"who": "MAYA", "kind": "state", "what": "a cut on her cheek"},
                      {"who": "MAYA", "kind": "carries", "what": "the god's pearl"}],
                     first=[{"who": "PLACE", "kind": "state", "what": "half under water"}])
    prompt, schema = oc.episode_prompt(REQ, BIBLE, bible, 1)
    assert oc.validate(asked, schema) == [] and "`changes`" in prompt
    assert oc.validate(_episode([{"who": "NOBODY", "kind": "state", "what": "x"}]), schema) == [
        "$.scenes[1].changes[0].who: 'NOBODY' is not one of ['MAYA', 'KORO', 'OLD TAM', 'PLACE']"]
    # the whole write: episode 1's changes are in the bible, and episode 2's prompt says them
    prompts = []

    def ask(self, what, system, prompt, schema, check, seed):
        prompts.append(prompt)
        return BIBLE if what == "bible" else asked if what == "episode 1" else _episode()
    monkeypatch.setattr(oc.OpenAIChatWriter, "ask", ask)
    w = oc.OpenAIChatWriter(env={"K": "x"}, base_url="http://127.0.0.1:9/v1", model="m", api_key_env="K")
    draft = w.write(REQ)
    maya = draft.bible.character("MAYA")
    # they happen in scene 2, so they hold from scene 3 (here: episode 2)
    assert [(ch.since, ch.note, ch.props) for ch in maya.changes] == [("ep01-s03", "a cut on her cheek",
                                                                       ("the god's pearl",))]
    assert maya.at(2).state == "a cut on her cheek" and maya.at(1, 2).state == ""
    pier = draft.bible.place("THE DROWNED PIER")  # changed in scene 1: from scene 2
    assert pier.at(1, 1).state == "" and pier.at(1, 2).state == "half under water"
    assert "In force from earlier episodes, to show as it is: MAYA: wears oilskin coat; a cut on her cheek; carries " \
           "the god's pearl; THE DROWNED PIER: half under water." in prompts[2]
    assert "In force from earlier" not in prompts[1]
    # a short film is asked as before (no `changes` in its schema or prompt)
    short = {**BIBLE, "episodes": BIBLE["episodes"][:1]}
    prompt, schema = oc.episode_prompt(REQ, short, oc.bible_from_json(short, REQ), 1)
    assert "changes" not in json.dumps(schema) and "`changes`" not in prompt
