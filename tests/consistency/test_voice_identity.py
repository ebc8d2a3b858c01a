"""Voice identity (consistency/voices.py): Resemblyzer's speaker encoder run in NumPy from the weights its wheel
ships. Its limits measured on espeak-ng voices (lines of one voice against each other; a male and a female voice;
two male variants, which it cannot tell apart), a line planted in another voice caught in the report, and the
section of `filmcrew consistency`'s report."""

from __future__ import annotations

import itertools
import shutil
import subprocess

import numpy as np
import pytest

from filmcrew.consistency import voices

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng (Debian) speaks the test lines")

TEXTS = ["The river rose in the night and took the nets.", "I will not leave this village to the flood.",
         "Bring the lantern, we go to the old dock.", "Nobody listens to a fisherman, not even the god of floods."]


@pytest.fixture(scope="module")
def encoder():
    try:
        return voices.VoiceEncoder()
    except voices.Unavailable as err:
        pytest.fail(f"{err} (the Makefile's setup-test installs it)")


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    d = tmp_path_factory.mktemp("espeak")
    out = {}
    for v in ("en+m1", "en+m3", "en+f2"):
        for k, text in enumerate(TEXTS):
            p = d / f"{v.replace('+', '_')}-{k}.wav"
            subprocess.run(["espeak-ng", "-v", v, "-w", str(p), text], check=True)
            out[v, k] = p
    return out


def test_the_weights_load_without_torch_and_an_embedding_is_a_unit_vector(encoder, lines):
    import sys
    assert "torch" not in sys.modules
    e = encoder.embed_file(lines["en+m1", 0])
    assert e.shape == (256,) and abs(np.linalg.norm(e) - 1) < 1e-5 and (e >= 0).all()  # (ReLU, then L2)
    assert np.array_equal(e, encoder.embed_file(lines["en+m1", 0]))  # deterministic
    assert encoder.embed(np.zeros(16000 * 3, np.float32), 16000) is None  # silence: nothing to measure
    assert encoder.embed(np.random.default_rng(0).normal(0, 0.1, 8000).astype(np.float32), 16000) is None  # 0.5 s


def test_its_limits_measured_on_espeak_voices(encoder, lines):
    E = {k: encoder.embed_file(p) for k, p in lines.items()}
    sim = voices.similarity
    same = [sim(E[v, a], E[v, b]) for v in ("en+m1", "en+f2") for a, b in itertools.combinations(range(4), 2)]
    male_female = [sim(E["en+m1", a], E["en+f2", b]) for a in range(4) for b in range(4)]
    two_males = [sim(E["en+m1", a], E["en+m3", b]) for a in range(4) for b in range(4)]
    # one voice's lines agree; a male and a female voice do not: the threshold lies between them
    assert min(same) >= voices.THRESHOLD > max(male_female), (min(same), max(male_female))
    # what it cannot tell: two variants of espeak's male voice (the same formant synthesiser) sound alike to it
    assert np.mean(two_males) > voices.THRESHOLD


def test_a_line_planted_in_another_voice_is_caught(encoder, lines, tmp_path):
    script = [("l1", "JONAH", lines["en+m1", 0]), ("l2", "MEI", lines["en+f2", 0]), ("l3", "JONAH", lines["en+m1", 1]),
              ("l4", "MEI", lines["en+f2", 1]), ("l5", "JONAH", lines["en+f2", 2]),  # planted: Mei's voice
              ("l6", "JONAH", lines["en+m1", 3])]
    rep = voices.measure(script, encoder)
    j = rep["characters"]["JONAH"]
    assert j["reference"] == "l1" and j["unlike"] == ["l5"]
    (row,) = [r for r in j["lines"] if r["line"] == "l5"]
    assert row["status"] == "unlike" and row["sounds_like"] == "MEI"
    assert rep["characters"]["MEI"]["unlike"] == []
    page = voices.render(rep)
    assert "sounds like MEI" in page and "does not tell who speaks" in page


def test_the_voices_section_of_the_consistency_report(small_film, encoder):
    from filmcrew import pipeline, project
    from filmcrew.consistency import report
    from filmcrew.crew import reports
    from filmcrew.engine.layout import Layout
    root = small_film
    _, ctxs = pipeline.contexts(root, {}, None, True)
    rep, _ = reports.consistency_report(root, Layout.of(root).store(), project.load_config(root), ctxs,
                                        [pipeline.episode_graph(c) for c in ctxs])
    speakers = {ln.speaker for ln in ctxs[0].episode.lines()}
    assert set(rep["voices"]["characters"]) == speakers
    for c in rep["voices"]["characters"].values():
        assert all(r["similarity"] is None or -1 <= r["similarity"] <= 1 for r in c["lines"])
    assert "<h2>Voices</h2>" in report.render(rep)


def test_the_reference_is_a_line_long_enough_or_the_one_the_retakes_used(encoder, lines, tmp_path):
    """A first line of about a second embeds less surely: the reference is the character's first line of
    REFERENCE_SECONDS or more; the voice picks' own reference, when the make had them, is the report's too."""
    short = tmp_path / "short.wav"
    subprocess.run(["espeak-ng", "-v", "en+m1", "-w", str(short), "Come here, now."], check=True)
    assert 1.0 <= voices._seconds(short) < voices.REFERENCE_SECONDS, voices._seconds(short)
    script = [("l0", "JONAH", short), ("l1", "JONAH", lines["en+m1", 0]), ("l2", "JONAH", lines["en+m1", 1])]
    assert voices._seconds(lines["en+m1", 0]) >= voices.REFERENCE_SECONDS
    assert voices.measure(script, encoder)["characters"]["JONAH"]["reference"] == "l1"
    assert voices.measure(script, encoder, references={"JONAH": "l2"})["characters"]["JONAH"]["reference"] == "l2"
    only_short = voices.measure(script[:1], encoder)["characters"]["JONAH"]  # none long enough: the first measurable
    assert only_short["reference"] == "l0"
