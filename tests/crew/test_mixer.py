"""The mix in parts (crew/mixer.py): the film's loudness from the parts' stored figures, what a one-line edit
re-mixes, and the limits and reproducibility of the master."""
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from filmcrew import pipeline
from filmcrew.crew import mixer
from filmcrew.engine.executor import execute
from filmcrew.engine.layout import Layout
from filmcrew.media import ffmpeg, mastering

pytestmark = pytest.mark.slow
RATE = ffmpeg.SAMPLE_RATE


def _graph(root):
    _, (ctx,) = pipeline.contexts(root, {}, None, True)
    return ctx, pipeline.episode_graph(ctx)


def _parts(root):
    st = Layout.of(root).store()
    _, g = _graph(root)
    mix = g.task("ep01.mix")
    return st, mix, [st.path(t.key) for _, t in sorted(mix.inputs.items())]


def _joined(folders, path):
    with open(path, "wb") as f:
        for d in folders:
            f.write((d / "mix.f32").read_bytes())
    return mastering.Pcm(path)


def test_the_film_s_loudness_and_true_peak_from_the_parts_figures_are_those_of_its_samples(small_film, tmp_path):
    st, mix, folders = _parts(small_film)
    assert len(folders) >= 2  # a film of several scenes: the figures are joined across a part's edge
    film = mixer.Film(folders)
    energy, peak = film.figures()
    whole = _joined(folders, tmp_path / "raw.f32")
    assert film.frames == whole.frames
    # the whole film's K-weighted loudness measured over its samples (pyloudnorm's filters and gating, one pass)
    assert film.lufs(energy) == pytest.approx(mastering.integrated_lufs_pcm(whole, RATE), abs=1e-4)
    assert 20 * np.log10(peak.max()) == pytest.approx(mastering.true_peak_db_pcm(whole), abs=1e-4)
    # the oversampled envelope the limiter reads, per sample, across the joins too
    np.testing.assert_allclose(film.env(0, film.frames), mastering.peak_envelope(whole.array()), rtol=1e-6, atol=1e-8)
    # each step's figures too, not only the total: the energies of a pass over the joined samples
    y, _ = mastering.k_weight(whole.array(), mastering.k_sos(RATE))
    ref = (y ** 2).reshape(-1, film.step, 2).sum(axis=1)
    np.testing.assert_allclose(energy, ref, rtol=1e-6, atol=1e-9)


def _ctx(task, workdir, inputs, store):
    return SimpleNamespace(task=task, workdir=workdir, inputs=inputs, store=store)


def test_the_parts_joined_are_the_mix_of_the_whole_film_in_one_part(small_film, tmp_path):
    """A part's sounds, ducking and crossings are counted from its own start: played as one part over the
    whole film, the same score gives the same samples, so nothing is lost or doubled at a part's edge."""
    st, mix, folders = _parts(small_film)
    score = mix.inputs["p000"].inputs["score"]
    inputs = {n: st.path(t.key) for n, t in score.inputs.items()}
    (tmp_path / "score").mkdir()
    mixer._score(_ctx(SimpleNamespace(params={"slots": ["whole"]}), tmp_path / "score", inputs, st))
    (tmp_path / "part").mkdir()
    mixer._part("whole.json", _ctx(None, tmp_path / "part", {"score": tmp_path / "score"}, st))
    one = mastering.Pcm(tmp_path / "part" / "mix.f32").array()
    joined = _joined(folders, tmp_path / "raw.f32").array()
    assert one.shape == joined.shape
    np.testing.assert_allclose(joined, one, atol=1e-6)
    whole = mixer.Film([tmp_path / "part"])
    assert mixer.Film(folders).lufs(mixer.Film(folders).figures()[0]) == pytest.approx(
        whole.lufs(whole.figures()[0]), abs=0.05)
    for stem in ("dialogue", "music", "effects"):  # the master's stems: the parts' stems end to end
        assert (tmp_path / "part" / f"{stem}.s16").read_bytes() == b"".join((d / f"{stem}.s16").read_bytes() for d in folders)


def test_the_made_film_is_at_the_loudness_under_the_peak_and_the_master_repeats_itself(small_film, tmp_path):
    st, mix, folders = _parts(small_film)
    out = ffmpeg.loudness(small_film / "out" / "ep01.preview.mp4")
    assert abs(out["integrated_lufs"] + 14) <= 0.5 and out["true_peak_dbtp"] <= -1.0
    rec = json.loads((st.path(mix.key) / "record.json").read_text())["ledger"]
    assert rec["parts"] == len(folders) and rec["true_peak_dbtp"] <= -1.0
    # the master made again from the same parts, in a fresh folder: the same bytes
    again = tmp_path / "master"
    again.mkdir()
    mixer._master(_ctx(mix, again, {n: st.path(t.key) for n, t in mix.inputs.items()}, st))
    for f in ("mix.wav", "mix.m4a", "dialogue.wav", "music.wav", "effects.wav"):
        assert (again / f).read_bytes() == (st.path(mix.key) / f).read_bytes(), f
    # and a part made again
    part = mix.inputs["p001"]
    (tmp_path / "part").mkdir()
    mixer._part(f"{part.artifact.split('.')[0]}.json",
                _ctx(part, tmp_path / "part", {"score": st.path(part.inputs["score"].key)}, st))
    for f in ("mix.f32", "energy.npy", "peak.npy", "head.npy", "state.npy", "music.s16"):
        assert (tmp_path / "part" / f).read_bytes() == (st.path(part.key) / f).read_bytes(), f


def test_a_longer_line_re_mixes_its_scene_s_part_and_the_master_not_the_later_scenes(small_film, tmp_path):
    root = tmp_path / "film"
    shutil.copytree(small_film, root, symlinks=True)
    ctx, g = _graph(root)
    scenes = ctx.episode.scenes
    first = next(ln for sh in scenes[0].shots for ln in sh.lines)
    path = root / "story" / "ep01.fountain"
    path.write_text(path.read_text().replace(first.text, first.text.rstrip(".!?") + ", and then the whole village, "
                                             "every boat and every net, went under the water.", 1))
    ctx2, g2 = _graph(root)
    st = Layout.of(root).store()
    tl_before = json.loads((st.path(g.task("ep01.timeline").key) / "timeline.json").read_text())
    report = execute(st, [g2.final])
    tl_after = json.loads((st.path(g2.task("ep01.timeline").key) / "timeline.json").read_text())
    # the line grew, so every later scene starts later on the timeline...
    assert tl_after["scenes"][1]["start"] > tl_before["scenes"][1]["start"]
    ran = set(report.ran)
    # ...yet only the first scene's part is mixed again (and the score and the master)
    assert {f"{scenes[0].id}.mixpart", "ep01.mixscore", "ep01.mix"} <= ran
    later = {f"{sc.id}.mixpart" for sc in scenes[1:]}
    assert not later & ran and later <= set(report.kept)
    mix = g2.task("ep01.mix")
    for sc, (_, part) in zip(scenes[1:], sorted(mix.inputs.items())[1:]):
        assert part.key == g.task("ep01.mix").inputs[f"p{scenes.index(sc):03d}"].key
    out = ffmpeg.loudness(root / "out" / "ep01.preview.mp4")
    assert abs(out["integrated_lufs"] + 14) <= 0.5 and out["true_peak_dbtp"] <= -1.0


def test_master_to_aac_of_a_whole_signal_keeps_its_length_and_limits(tmp_path):
    """The re-delivery path (handoff/audio_export.py) masters one raw signal of any length the same way."""
    rng = np.random.default_rng(5)
    n = RATE * 3 + 777  # not a whole number of steps
    t = np.arange(n) / RATE
    x = (0.05 * np.sin(2 * np.pi * 220 * t) * (1 + np.sign(np.sin(2 * np.pi * 1.5 * t))))[:, None].repeat(2, axis=1)
    x[rng.integers(0, n, 12)] = 0.99  # clicks for the limiter
    raw = mastering.Pcm.of(x.astype(np.float32), tmp_path / "raw.f32")
    info = mixer.master_to_aac(raw, tmp_path / "m.wav", tmp_path / "m.m4a", -14.0, -1.0)
    y, _ = ffmpeg.read_wav(tmp_path / "m.wav")
    assert len(y) == n and info["gain_reduction_db"] > 0 and info["true_peak_dbtp"] <= -1.0
    assert abs(info["integrated_lufs"] + 14) <= 0.5
    assert not list(tmp_path.glob(".*figures"))


def test_a_score_gives_each_part_its_span_and_only_what_it_hears_counted_from_its_start(tmp_path):
    """Synthetic timeline: three runs of scenes for two slots (a re-cut that returns to a scene): the last slot
    takes the rest of the film; a line 0.2 s before a join is heard by the next part (at -0.2 s), one 1 s
    before is not; a spot effect crossing the join plays in both parts."""
    spf = RATE // 30
    folders = {}
    for name in ("timeline", "v:a", "v:b", "c:s1", "c:s2", "a:s1", "a:s2", "x:sh1"):
        folders[name] = tmp_path / "objects" / f"key-{name.replace(':', '-')}"
        folders[name].mkdir(parents=True)
    tl = {"fps": 30, "frames": 300, "gains": {"dialogue": 0.0, "music": 0.0, "effects": 0.0},
          "scenes": [{"scene": "s1", "start": 0, "end": 100}, {"scene": "s2", "start": 100, "end": 200},
                     {"scene": "s1", "start": 200, "end": 300}],
          "lines": [{"line": "a", "start": 64, "from": 0, "frames": 30, "gain_db": -3.0},   # ends 94: 0.2 s before 100
                    {"line": "b", "start": 40, "from": 0, "frames": 30, "gain_db": 0.0}],  # ends 70: 1 s before
          "effects": [{"shot": "sh1", "start": 90, "from": 0, "frames": 20}]}
    (folders["timeline"] / "timeline.json").write_text(json.dumps(tl))
    (tmp_path / "out").mkdir()
    mixer._score(_ctx(SimpleNamespace(params={"slots": ["p1", "p2"]}), tmp_path / "out", folders, None))
    p1, p2 = (json.loads((tmp_path / "out" / f"{s}.json").read_text()) for s in ("p1", "p2"))
    assert (p1["length"], p2["length"]) == (100 * spf, 200 * spf)  # the third run joins the last slot
    assert [x["ref"]["key"] for x in p1["lines"]] == ["key-v-b", "key-v-a"]
    assert [(x["ref"]["key"], x["at"], x["end"]) for x in p2["lines"]] == [("key-v-a", -36 * spf, -6 * spf)]
    assert p2["lines"][0]["gain"] == pytest.approx(10 ** (-3 / 20))
    assert [(x["at"], x["end"], x["gain"]) for x in p1["spots"]] == [(90 * spf, 110 * spf, mixer.SPOT_LEVEL)]
    assert [(x["at"], x["end"]) for x in p2["spots"]] == [(-10 * spf, 10 * spf)]
    assert [(x["ref"]["key"], x["at"], x["end"]) for x in p2["cues"]] == [("key-c-s2", 0, 100 * spf),
                                                                         ("key-c-s1", 100 * spf, 200 * spf)]
    # the second part's score does not depend on where the film puts it: moved later, the same bytes
    tl2 = json.loads(json.dumps(tl))
    for sc in tl2["scenes"]:
        sc["start"], sc["end"] = sc["start"] + (sc["start"] > 0) * 15, sc["end"] + 15
    tl2["scenes"][0]["start"] = 0
    tl2["frames"] += 15
    for item in tl2["lines"] + tl2["effects"]:
        item["start"] += 15
    (folders["timeline"] / "timeline.json").write_text(json.dumps(tl2))
    (tmp_path / "out2").mkdir()
    mixer._score(_ctx(SimpleNamespace(params={"slots": ["p1", "p2"]}), tmp_path / "out2", folders, None))
    assert (tmp_path / "out2" / "p2.json").read_bytes() == (tmp_path / "out" / "p2.json").read_bytes()
    assert (tmp_path / "out2" / "p1.json").read_bytes() != (tmp_path / "out" / "p1.json").read_bytes()
