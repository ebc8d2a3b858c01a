"""Character consistency (issue 14): dlib's face check on real photographs, the drawn-style check on the
procedural characters, and a film whose image model gives one character the wrong face on one shot: the
check catches it, the retake fixes it, the ledger and the report show both takes; pins, rejections and the
budget hold."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from face_photos import PHOTOS, folder, pairs
from fake_openai_images import FakeImages, png
from PIL import Image, ImageOps

from filmcrew import pipeline, project
from filmcrew.cli import main
from filmcrew.consistency import drawn
from filmcrew.consistency.faces import FaceModel
from filmcrew.consistency.settings import Consistency
from filmcrew.errors import ConfigError
from filmcrew.model import Bible, Character, Scene, Shot, Voice
from filmcrew.providers.base import DrawRequest, ReferenceRequest
from filmcrew.providers.procedural_art import ProceduralIllustrator
from filmcrew.engine.layout import Layout

KEY = "sk-fake-images-0001"


@pytest.fixture(scope="module")
def photos() -> Path:
    d = folder()
    missing = [n for n in PHOTOS if not (d / n).exists()]
    assert not missing, f"{d} lacks {missing}: run `make setup-test` (tests/face_photos.py puts them there)"
    return d


@pytest.fixture(scope="module")
def model() -> FaceModel:
    return FaceModel()


def test_dlib_tells_the_same_person_from_another_on_real_photographs(photos, model):
    t0 = time.perf_counter()
    emb = {}
    for n in PHOTOS:
        faces = model.faces(photos / n)
        assert len(faces) == 1, f"{n}: {len(faces)} faces"
        emb[n] = np.asarray(faces[0].embedding)
    per_photo = (time.perf_counter() - t0) / len(PHOTOS)
    same, different = pairs()
    ds = {p: float(np.linalg.norm(emb[p[0]] - emb[p[1]])) for p in same + different}
    for p, d in sorted(ds.items(), key=lambda kv: kv[1]):
        print(f"{'same' if p in same else 'diff'}  {d:.3f}  {p[0]} / {p[1]}")
    worst_same, best_diff = max(ds[p] for p in same), min(ds[p] for p in different)
    print(f"{len(same)} same-person pairs, largest distance {worst_same:.3f}; {len(different)} different-person pairs, "
          f"smallest {best_diff:.3f}; threshold {Consistency().threshold}; {per_photo:.2f} s a photo")
    assert len(same) == 10 and len(different) == 5
    assert worst_same < Consistency().threshold < best_diff


def figure_of(c: Character, tmp: Path, shot_of: tuple[Character, ...] | None = None) -> dict:
    """The procedural illustrator's sheet of `c` (or, with `shot_of`, a medium shot of those characters)."""
    prov = ProceduralIllustrator()
    out = tmp / (c.name if shot_of is None else "shot-" + "-".join(x.name for x in shot_of))
    out.mkdir()
    if shot_of is None:
        prov.reference(ReferenceRequest(kind="character", name=c.name, description="", size=(768, 1152), style="storybook",
                                        seed=1, character=c), out)
    else:
        shot = Shot(id="ep01-s01-sh01", action="They talk.", camera="medium", characters=tuple(x.name for x in shot_of))
        scene = Scene(id="ep01-s01", heading="EXT. OLD DOCK - DAY", interior=False, location="OLD DOCK",
                      time_of_day="DAY", shots=(shot,))
        prov.draw(DrawRequest(shot=shot, scene=scene, characters=shot_of, size=(1210, 2150), style="storybook", seed=3), out)
    return drawn.figures(out)


def test_the_drawn_check_tells_procedural_characters_apart_and_knows_each_in_a_shot(tmp_path):
    ana = Character(name="ANA", look={"skin": "#ffdbb4", "hair": "long", "hair_colour": "#4a2f1b"},
                    palette=("#b03a2e", "#f5cba7"))
    ben = Character(name="BEN", look={"skin": "#8d5524", "hair": "short", "hair_colour": "#1b1b1b", "build": "broad"},
                    palette=("#1f618d", "#d6eaf8"))
    refs = {"ANA": figure_of(ana, tmp_path)["ANA"], "BEN": figure_of(ben, tmp_path)["BEN"]}
    shot = figure_of(ana, tmp_path, (ana, ben))
    s = Consistency()
    own = {n: drawn.compare(shot[n], refs[n]) for n in refs}
    swapped = {n: drawn.compare(shot[n], refs[m]) for n, m in (("ANA", "BEN"), ("BEN", "ANA"))}
    print("own sheet:", own, "the other's sheet:", swapped)
    assert all(v["palette"] >= s.palette and v["silhouette"] >= s.silhouette for v in own.values())
    assert all(v["palette"] < s.palette for v in swapped.values())


# ---- a film whose image model is given references of two real people -------------------------------------

SCRIPT = """Title: Two Faces
Credit: written by a test

EXT. OLD GATE - DAY

Ana waits by the old gate. [[shot: medium; 2s]]

ANA
He is late.

Ben walks up the road. [[shot: medium; 2s]]

BEN
I came anyway.

INT. KITCHEN - NIGHT

Ana sits alone at the table. [[shot: close-up; 2s]]

ANA
Then stay.
"""
WRONG = "Ana sits alone at the table"  # the shot the model first draws with Ben's face


def people_project(root: Path, url: str, photos: Path, extra: str = "") -> Path:
    assert main(["new", str(root), "--premise", "Two old friends meet again", "--minutes", "0.25", "--seed", "5"]) == 0
    voice = Voice(provider="espeak-ng", voice="en")
    bible = Bible(title="Two Faces", logline="Two old friends meet again", world="a village", visual_style="photographic",
                  characters=(Character(name="ANA", role="protagonist", description="a woman in her forties", voice=voice),
                              Character(name="BEN", role="ally", description="a man in his seventies", voice=voice)))
    project.save_bible(root, bible)
    (root / "story" / "ep01.fountain").write_text(SCRIPT)
    (root / "takes").mkdir(exist_ok=True)
    Image.open(photos / "obama.jpg").save(root / "takes" / "ana.png")  # the characters' references: people's photos
    Image.open(photos / "biden.jpg").save(root / "takes" / "ben.png")
    toml = root / "filmcrew.toml"
    toml.write_text(toml.read_text().replace('illustrator = "procedural"', 'illustrator = "openai-images"')
                    + f'\n[providers.openai-images]\nbase_url = "{url}"\napi_key_env = "FAKE_IMAGES_KEY"\n{extra}\n')
    return root


class Photographer:
    """The fake model's pictures: the people its prompt names, each from another photo of them than their
    reference, side by side; the first request of the WRONG shot gets Ben's face in Ana's place."""

    def __init__(self, photos: Path, wrong: str | None = WRONG):
        self.photos, self.wrong = photos, wrong
        self.asked: dict[str, int] = {}
        self.faces = {"ANA": ["obama2.jpg", "obama3.jpg", "obama_partial_face.jpg"], "BEN": ["biden.jpg"]}

    def __call__(self, fields, refs) -> bytes:
        m = re.search(r"Characters: (.*?)\. Keep each", fields["prompt"])
        if not m:
            return png(fields["prompt"], fields.get("size", "auto"), len(refs))
        names = re.findall(r"(\b[A-Z]+) \(reference image \d+\)", m.group(1))
        k = self.asked[fields["prompt"]] = self.asked.get(fields["prompt"], -1) + 1
        canvas = Image.new("RGB", (1024, 1536), (120, 120, 110))
        for i, name in enumerate(names):
            if name == "ANA" and self.wrong and self.wrong in fields["prompt"] and k == 0:
                photo = Image.open(self.photos / "biden.jpg")
            else:
                photo = Image.open(self.photos / self.faces[name][k % len(self.faces[name])])
            if name == "BEN":
                photo = ImageOps.mirror(photo)  # not the reference's very pixels
            w = 1024 // len(names)
            canvas.paste(ImageOps.fit(photo.convert("RGB"), (w, 1100), centering=(0.5, 0.1)), (i * w, 218))  # faces are high
        buf = io.BytesIO()
        canvas.save(buf, "PNG")
        return buf.getvalue()


@pytest.fixture
def film(tmp_path, photos, monkeypatch):
    monkeypatch.setenv("FAKE_IMAGES_KEY", KEY)
    with FakeImages(KEY) as srv:
        srv.picture = Photographer(photos)
        yield people_project(tmp_path / "p", srv.url, photos), srv


def pick_of(root: Path, shot: str, kind: str = "keyframe") -> dict:
    st = Layout.of(root).store()
    key = json.loads((st.index / f"{shot}.{kind}.pick.json").read_text())["key"]
    return st.record(key)["ledger"] | {"_pick": json.loads((st.path(key) / "pick.json").read_text())}


def test_a_wrong_face_is_caught_retaken_and_both_takes_are_in_the_ledger_and_the_report(film, capsys):
    root, fake = film
    assert main(["plan", str(root), "--preview", "--cost"]) == 0
    cost = capsys.readouterr().out
    assert re.search(r"retakes\s+about \d\.\d expected", cost), cost
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    shots = pipeline.contexts(root, {}, preview=True)[1][0].episode.shots()
    wrong = next(s.id for s in shots if WRONG in s.action)
    rec = pick_of(root, wrong)
    takes = rec["takes"]
    print(json.dumps(takes, indent=1))
    assert [t["verdict"] for t in takes] == ["fail", "pass"]
    first = takes[0]["characters"]["ANA"]
    assert first["status"] == "mismatch" and first["distance"] > 0.6 and first["looks_like"] == "BEN"
    assert takes[1]["characters"]["ANA"]["distance"] < 0.6
    assert rec["chosen"] == 1 and rec["why"] == "it passed the check" and rec["picked_by"].startswith("algorithm")
    assert rec["cost"]["currency"] == "USD" and rec["cost"]["estimate"] > 0  # the retake's price, in the spend
    for s in shots:
        if s.id != wrong:
            assert [t["verdict"] for t in pick_of(root, s.id)["takes"]] == ["pass"], s.id
    # the retake is its own artifact and job: 3 shots and 1 retake sent to the model (the references are photos)
    edits = [r for r in fake.requests if r["path"].endswith("/edits")]
    assert len(edits) == 4
    # the film is made from the picked take: the ledger of the film names it
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    arts = {a["artifact"]: a for a in prov["artifacts"]}
    assert arts[f"{wrong}.keyframe.pick"]["ledger"]["chosen"] == 1
    assert arts[f"{wrong}.keyframe.pick"]["inputs"]["take"] == arts[f"{wrong}.keyframe"]["key"]
    # the report
    capsys.readouterr()
    assert main(["consistency", str(root), "--preview"]) == 0
    out = capsys.readouterr().out
    assert "takes: 4 made, 1 retakes, 1 failed; 0 failing in the film" in out, out
    rep = json.loads((root / "out" / "consistency.json").read_text())
    ana = rep["characters"]["ANA"]
    assert ana["failed"] == [f"{wrong} take 0"] and ana["failed_in_film"] == []
    assert ana["to_reference"]["max_distance"] < 0.6 and ana["across_shots"]["pairs"] == 1
    page = (root / "out" / "consistency.html").read_text()
    assert page.count("class='card mismatch unused'") == 1 and "looks like BEN" in page
    assert page.count("data:image/png;base64,") >= 2 + 4  # two references, a crop per scored face
    # nothing to do the second time; a pinned failing take is used without a new job, and reported failing
    n = len(fake.requests)
    assert main(["take", str(root), wrong, "--use", "0", "--preview"]) == 0
    assert "use = 0" in (root / "takes" / "picks.toml").read_text()
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    assert len(fake.requests) == n
    rec = pick_of(root, wrong)
    assert rec["chosen"] == 0 and rec["picked_by"] == "human" and "pinned" in rec["why"]
    assert main(["consistency", str(root), "--preview"]) == 1  # a failing take is in the film: says so
    assert f"FAILS in {wrong}" in capsys.readouterr().out
    # rejecting take 1 (and un-pinning) makes take 2; the listing shows all three
    assert main(["take", str(root), wrong, "--clear"]) == 0
    assert main(["take", str(root), wrong, "--reject", "1", "--preview"]) == 0
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    assert len(fake.requests) == n + 1
    rec = pick_of(root, wrong)
    assert [t["take"] for t in rec["takes"]] == [0, 1, 2] and rec["chosen"] == 2
    capsys.readouterr()
    assert main(["take", str(root), wrong, "--preview"]) == 0
    listing = capsys.readouterr().out
    assert "take 1: pass" in listing and "(rejected)" in listing and "* take 2" in listing


def test_retakes_stay_within_the_budget_and_a_take_that_cannot_be_paid_for_is_not_asked_for(film, capsys):
    root, fake = film
    # the first takes cost 3 x the price of one edit; the budget allows exactly those
    assert main(["plan", str(root), "--preview", "--cost", "--json"]) == 0
    c = json.loads(capsys.readouterr().out)
    firsts = [j for j in c["jobs"] if j["artifact"].endswith(".keyframe")]
    assert len(firsts) == 3 and c["retakes"]["USD"] > 0
    budget = sum(j["amount"] for j in firsts) + 1e-6
    assert main(["make", str(root), "--preview", "--quiet", "--budget", f"{budget:.6f}"]) == 0
    shots = pipeline.contexts(root, {}, preview=True)[1][0].episode.shots()
    wrong = next(s.id for s in shots if WRONG in s.action)
    rec = pick_of(root, wrong)
    assert [t["verdict"] for t in rec["takes"]] == ["fail"] and rec["chosen"] == 0
    assert "budget" in rec["stopped"] and "best of 1 take" in rec["why"]
    assert len([r for r in fake.requests if r["path"].endswith("/edits")]) == 3


def test_max_retakes_bounds_the_takes_and_the_best_is_used(film, tmp_path):
    root, fake = film
    fake.picture.faces["ANA"] = ["biden.jpg"]  # the model never gets Ana right
    (root / "filmcrew.toml").write_text((root / "filmcrew.toml").read_text() + "\n[consistency]\nmax_retakes = 1\n")
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    shots = pipeline.contexts(root, {}, preview=True)[1][0].episode.shots()
    ana = next(s.id for s in shots if s.characters == ("ANA",))
    rec = pick_of(root, ana)
    assert [t["verdict"] for t in rec["takes"]] == ["fail", "fail"]
    assert rec["stopped"] == "max_retakes (1) reached" and rec["chosen"] in (0, 1)


def test_the_procedural_demo_characters_measure_consistent(tmp_path, capsys):
    root = tmp_path / "demo"
    assert main(["new", str(root), "--premise", "A baker must win back her stolen recipe", "--minutes", "0.4",
                 "--seed", "3"]) == 0
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["consistency", str(root), "--preview"]) == 0
    out = capsys.readouterr().out
    rep = json.loads((root / "out" / "consistency.json").read_text())
    assert rep["characters"] and rep["takes"]["failed"] == 0
    for name, c in rep["characters"].items():
        methods = {s["method"] for s in c["shots"]}
        assert methods <= {"drawn"}, (name, methods)  # dlib finds no face on the sheets: the drawn check, named
        assert c["to_reference"]["matched"] >= 1 and c["to_reference"]["least_palette"] >= 0.9, (name, c)
    assert "0 failing in the film" in out


def test_the_check_is_off_without_the_extra_and_says_how_to_turn_it_on(tmp_path, monkeypatch, capsys):
    from filmcrew.consistency import faces
    root = tmp_path / "p"
    assert main(["new", str(root), "--premise", "A baker must win back her stolen recipe", "--minutes", "0.25"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    monkeypatch.setattr(faces, "available", lambda: False)
    capsys.readouterr()
    assert main(["plan", str(root), "--preview"]) == 0
    assert "consistency" not in capsys.readouterr().out
    (root / "filmcrew.toml").write_text((root / "filmcrew.toml").read_text() + '\n[consistency]\ncheck = "on"\n')
    assert main(["plan", str(root)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'filmcrew[faces]'" in err and 'check = "on"' in err


@pytest.mark.parametrize("table, field", [("threshold = 3", "threshold"), ("max_retakes = -1", "max_retakes"),
                                          ('check = "sometimes"', "check"), ("frames = 0", "frames"),
                                          ("colour = 1", "colour")])
def test_bad_consistency_settings_name_the_field(tmp_path, table, field):
    root = tmp_path / "p"
    assert main(["new", str(root), "--premise", "x", "--minutes", "0.25"]) == 0
    (root / "filmcrew.toml").write_text((root / "filmcrew.toml").read_text() + f"\n[consistency]\n{table}\n")
    with pytest.raises(ConfigError, match=rf"\[consistency\] {field}"):
        project.load_config(root)


def test_a_bad_picks_file_names_the_shot_and_the_fix(tmp_path):
    from filmcrew.crew import takes
    (tmp_path / "takes").mkdir()
    (tmp_path / "takes" / "picks.toml").write_text('[ep01-s01-sh01]\nuse = "two"\n')
    with pytest.raises(ConfigError, match=r"picks.toml: \[ep01-s01-sh01\] use = 'two': a take number"):
        takes.load_pins(tmp_path)
    (tmp_path / "takes" / "picks.toml").write_text('[ep01-s01-sh01]\nuse = 1\nreject = [1]\n')
    with pytest.raises(ConfigError, match="both used and rejected"):
        takes.load_pins(tmp_path)


# ---- a clip that drifts: the video model's first clip of one shot shows Ben's face in its middle second ----

class Cameraman:
    """The fake Kling's clips: 5 s from the keyframe it was sent; the first clip of the WRONG shot cuts to
    Ben's face for its middle second (a face that drifts mid-clip, which only the middle frame shows)."""

    def __init__(self, photos: Path):
        self.photos, self.asked = photos, {}

    def __call__(self, task) -> bytes:
        import base64
        import subprocess
        import tempfile

        import imageio_ffmpeg
        body = task["body"]
        k = self.asked[body["prompt"]] = self.asked.get(body["prompt"], -1) + 1
        with tempfile.TemporaryDirectory() as d:
            first = Path(d) / "first.png"
            Image.open(io.BytesIO(base64.b64decode(body["image"]))).convert("RGB").resize((540, 960)).save(first)
            middle = first
            if WRONG in body["prompt"] and k == 0:
                middle = Path(d) / "ben.png"
                ImageOps.fit(Image.open(self.photos / "biden.jpg").convert("RGB"), (540, 960),
                             centering=(0.5, 0.1)).save(middle)
            out = Path(d) / "clip.mp4"
            parts = [(first, 2), (middle, 1), (first, 2)]
            args = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error"]
            for img, secs in parts:
                args += ["-loop", "1", "-t", str(secs), "-framerate", "24", "-i", str(img)]
            args += ["-filter_complex", "".join(f"[{i}:v]" for i in range(len(parts))) + f"concat=n={len(parts)}:v=1",
                     "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)]
            subprocess.run(args, check=True, capture_output=True)
            return out.read_bytes()


def test_a_clip_whose_face_drifts_mid_shot_is_caught_by_its_middle_frame_and_retaken(tmp_path, photos, monkeypatch):
    from fake_kling import AK, SK, FakeKling
    monkeypatch.setenv("FAKE_IMAGES_KEY", KEY)
    monkeypatch.setenv("KLING_ACCESS_KEY", AK)
    monkeypatch.setenv("KLING_SECRET_KEY", SK)
    with FakeImages(KEY) as images, FakeKling() as kling:
        images.picture = Photographer(photos, wrong=None)  # every still right
        kling.video = Cameraman(photos)
        kling.work = 0.05
        root = people_project(tmp_path / "p", images.url, photos)
        toml = root / "filmcrew.toml"
        toml.write_text(toml.read_text().replace('animator = "camera-moves"', 'animator = "kling"')
                        + f'\n[providers.kling]\nbase_url = "{kling.url}"\npoll_every = 0.05\n')
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        shots = pipeline.contexts(root, {}, preview=True)[1][0].episode.shots()
        wrong = next(s.id for s in shots if WRONG in s.action)
        rec = pick_of(root, wrong, "video")
        takes = rec["takes"]
        print(json.dumps(takes, indent=1))
        assert [t["verdict"] for t in takes] == ["fail", "pass"] and rec["chosen"] == 1
        bad = takes[0]["characters"]["ANA"]
        assert bad["frame"] == 1 and bad["looks_like"] == "BEN"  # the middle of three frames
        assert takes[0]["frames"] == [1, 1, 1]
        assert len(kling.submits) == len(shots) + 1
        for s in shots:
            assert [t["verdict"] for t in pick_of(root, s.id)["takes"]] == ["pass"]  # the stills were right
            if s.id != wrong:
                assert [t["verdict"] for t in pick_of(root, s.id, "video")["takes"]] == ["pass"]
        # the clip in the film is the retake's: its fit reads the pick, whose video is take 1's
        st = Layout.of(root).store()
        g = pipeline.episode_graph(pipeline.contexts(root, {}, preview=True)[1][0])
        fit_input = g.task(f"{wrong}.clip").inputs["video"]
        assert fit_input.artifact == f"{wrong}.video.pick"
        assert (st.path(fit_input.key) / "model.mp4").read_bytes() == \
            (st.path(json.loads((st.index / f"{wrong}.video.take1.json").read_text())["key"]) / "model.mp4").read_bytes()


def test_a_refused_retake_leaves_the_shot_its_best_take(film):
    root, fake = film
    fake.script = ["", "", "", "moderation"]  # the fourth request, the retake, is refused by the vendor
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    shots = pipeline.contexts(root, {}, preview=True)[1][0].episode.shots()
    wrong = next(s.id for s in shots if WRONG in s.action)
    rec = pick_of(root, wrong)
    assert [t["verdict"] for t in rec["takes"]] == ["fail"] and rec["chosen"] == 0
    assert rec["stopped"].startswith("take 1 failed") and "refus" in rec["stopped"].lower(), rec["stopped"]
