"""Issue 35's done-when at small scale: bench/voiced_series.py's whole path (a Chinese series voiced by MiniMax
speech, one voice per character, one of them cloned from a stand-in's sample with consent, talking shots lip-synced
by Kling, then `filmcrew consistency` and `disclose`) against the test servers of tests/ (fake_minimax_speech.py
saying each voice id with espeak-ng, fake_kling.py), 2 episodes of 0.35 minutes, preview. What the figures mean on
test servers is said in the bench's docstring; here the report's shape and the money are checked."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "voiced_series.py"


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("voiced_series", BENCH)
    vs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vs)
    work = tmp_path_factory.mktemp("voiced")
    res = vs.run(work, episodes=2, minutes=0.35, preview=True, talking_per_episode=1, distinct=False,
                 log=lambda *_: None)
    return vs, work / "series", res


def test_every_character_s_voice_is_measured(series):
    vs, root, res = series
    bible_voices = res["voices"]
    assert len({v["voice_id"] for v in bible_voices.values()}) == len(bible_voices)  # one distinct voice each
    rep = json.loads((root / "out" / "consistency.json").read_text(encoding="utf-8"))
    from filmcrew import pipeline
    _, ctxs = pipeline.contexts(root, {}, None, True)
    speakers = {ln.speaker for c in ctxs for ln in c.episode.lines()}
    assert set(rep["voices"]["characters"]) == speakers  # every character who speaks has a voice section
    for name in speakers:
        fig = res["voice_identity"][name]
        assert fig["lines"] == sum(ln.speaker == name for c in ctxs for ln in c.episode.lines())
        assert fig["measured"] >= 1 and fig["reference"] != "none"  # each character measured, not skipped
        if fig["measured"] >= 2:
            assert fig["min"] is not None and 0 < fig["min"] <= fig["median"] <= 1
    assert res["consistency_cli"]["rc"] in (0, 1) and any(o.startswith("voice ") for o in res["consistency_cli"]["output"])


def test_the_cloned_voice_is_on_record_with_consent_and_sha256(series):
    vs, root, res = series
    clone = res["cloned_voice"]
    (rec,) = clone["record"]
    assert rec["character"] == res["clone"]["character"] and rec["consent"] == vs.CONSENT and rec["person"] == vs.PERSON
    assert rec["sample"]["sha256"] == res["clone"]["sample_sha256"]
    assert res["voices"][rec["character"]]["voice_id"] == rec["voice_id"]
    # every line in the cloned voice names it in its ledger entry (the character has lines: the bench picks one who speaks)
    assert res["voice_identity"][rec["character"]]["lines"] == clone["lines_in_provenance_naming_it"] > 0
    assert clone["ledger_entry"]["sample_sha256"] == rec["sample"]["sha256"]
    assert any(rec["character"] in s and rec["sample"]["sha256"] in s for s in clone["disclose_says"])


def test_lip_sync_is_sent_only_for_the_marked_shots_on_screen_lines(series):
    vs, root, res = series
    marked = [m["shot"] for m in res["talking_shots_marked"]]
    assert len(marked) == 2 and res["journal"]["lipsync_jobs"] == sorted(marked)
    assert res["first_make"]["lipsync_requests"] == 2 and all(m["on_screen"] for m in res["talking_shots_marked"])
    vo = res["voice_over_in_a_lip_synced_shot"]
    assert vo["shot"] in marked and vo["received_by_test_server"]
    said = [x["rms"] for x in vo["lines"].values() if not x["voice_over"]]
    (quiet,) = [x["rms"] for x in vo["lines"].values() if x["voice_over"]]
    assert said and min(said) > 0.01 and quiet < 1e-4  # the voice-over is silent in what Kling was sent
    shots = {s["shot"]: s for s in res["lip_sync"]}
    assert set(marked) <= set(shots)  # every talking shot, the lip-synced ones too, has its sync measured
    assert all(s["verdict"] in ("in sync", "not measurable") or s["verdict"].startswith("off by") for s in shots.values())


def test_a_second_make_pays_nothing(series):
    vs, root, res = series
    again, first = res["second_make"], res["journal"]
    assert (again["speech_requests_sent"], again["video_requests_sent"], again["lipsync_requests_sent"]) == (0, 0, 0)
    assert again["journal_spent_after"] == first["spent"] == sum(first["by_kind"].values())
    # one speech request a voice job (a line said alike in two episodes is one job), each line made
    assert first["by_kind"]["voice"] == res["first_make"]["speech_requests"] <= sum(v["lines"] for v in res["voice_identity"].values())
    assert first["by_kind"]["video"] == res["first_make"]["video_requests"] and first["by_kind"]["lipsync"] == 2
    assert first["money"]["USD"] > 0 and first["money"]["CNY"] > 0  # speech and lip sync in USD, Kling's videos in CNY
    assert all(res["spend_in_provenance"][c] >= first["money"][c] - 1e-9 for c in first["money"])
