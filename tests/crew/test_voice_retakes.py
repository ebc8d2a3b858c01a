"""A line whose voice drifts is retaken within the budget, like a keyframe (crew/takes.py voice_picks), against
the fake MiniMax speech server (tests/fake_minimax_speech.py) made to answer one planted request in another voice:
the drifting line is caught by the voice identity measure (consistency/voices.py), voiced again as a journaled job
of its own, the retake used; a second make pays nothing more; a budget too small refuses the retake before it is
sent, the line kept and flagged. An offline voice is never retaken and the report says why."""

from __future__ import annotations

import contextlib
import json

import pytest
import yaml
from fake_minimax_speech import KEY as MM_KEY
from fake_minimax_speech import FakeMiniMaxSpeech

from filmcrew import pipeline
from filmcrew.cli import main
from filmcrew.consistency import voices as vmod
from filmcrew.engine.layout import Layout
from filmcrew.providers.remote import jobs

VOICE_IDS = ["male-qn-qingse", "presenter_male", "female-yujie", "female-shaonv"]
OTHER = "a-voice-nobody-chose"  # a voice the account has (a clone: the fake says it at 300 Hz, the characters'
# system voices at 180-210 Hz; Resemblyzer's similarity between them about 0.55, within one voice 0.99)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr("filmcrew.providers.http.Retry.base", 0.01)


def _written(tmp_path_factory):
    root = tmp_path_factory.mktemp("retake") / "film"
    assert main(["new", str(root), "--premise", "A mortal fisherman challenges the god of floods to save his village",
                 "--minutes", "0.4", "--seed", "7", "--lang", "en"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    return root


def _speech_model(root, url):
    text = (root / "filmcrew.toml").read_text() + f'\n[providers.minimax-speech]\nbase_url = "{url}"\napi_key_env = "MM_KEY"\n'
    (root / "filmcrew.toml").write_text(text)
    p = root / "story" / "bible.yaml"
    bible = yaml.safe_load(p.read_text(encoding="utf-8"))
    for i, ch in enumerate(bible["characters"]):
        ch["voice"] = {"provider": "minimax-speech", "voice": VOICE_IDS[i % len(VOICE_IDS)], "speed": 1.0, "pitch": 0}
    p.write_text(yaml.safe_dump(bible, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _graph(root):
    _, (ctx,) = pipeline.contexts(root, {"MM_KEY": MM_KEY}, 1, preview=True)
    return pipeline.episode_graph(ctx)


def _planted(g):
    """(line id, a text only its request holds) of the first line that has a voice pick (not a reference line)."""
    picks = [t for t in g.all if t.artifact.endswith(".voice.pick")]
    assert picks, "the written episode gives no character two measurable lines"
    texts = {t.artifact[:-len(".voice")]: " ".join(t.params["said"]) for t in g.all if t.artifact.endswith(".voice")}
    for p in picks:
        line = p.artifact[:-len(".voice.pick")]
        if sum(texts[line] in t for t in texts.values()) == 1:
            return line, texts[line]
    pytest.fail("no line's words are its own")


@contextlib.contextmanager
def _drifting(tmp_path_factory, monkeypatch):
    """A written project voiced by the MiniMax test server, one line of which (its words its own) the server says in
    another character's voice: (root, server, that line's id, its text), the server running."""
    monkeypatch.setenv("MM_KEY", MM_KEY)
    root = _written(tmp_path_factory)
    with FakeMiniMaxSpeech() as srv:
        _speech_model(root, srv.url)
        line, text = _planted(_graph(root))
        srv.clones[OTHER] = b""
        srv.plant(text, OTHER)
        yield root, srv, line, text


def _voice_jobs(root):
    return sorted((r for r in jobs.Journal(Layout.of(root).jobs).records() if ".voice" in r["label"]),
                  key=lambda r: r["label"])


def test_a_drifting_line_is_retaken_once_and_the_retake_used(tmp_path_factory, monkeypatch):
    with _drifting(tmp_path_factory, monkeypatch) as (root, srv, line, text):
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        assert srv.planted_answers == [text]  # the plant was said once, in the other voice
        g = _graph(root)
        st = Layout.of(root).store()
        pick = json.loads((st.path(g.task(f"{line}.voice.pick").key) / "pick.json").read_text(encoding="utf-8"))
        first, second = pick["takes"]  # take 0 drifted, take 1 (the retake) is the character's voice
        assert first["verdict"] == "fail" and first["similarity"] < vmod.THRESHOLD, first
        assert "voice drifts" in first["reasons"][0]
        assert second["verdict"] == "pass" and second["similarity"] >= vmod.THRESHOLD, second
        assert pick["chosen"] == 1 and pick["why"] == "it passed the check"
        # the journal: the line's two paid jobs, each under its own key, and one request sent for each
        mine = [r for r in _voice_jobs(root) if r["label"].startswith(f"{line}.voice")]
        assert [r["label"] for r in mine] == [f"{line}.voice", f"{line}.voice.take1"]
        assert all(r["state"] == "fetched" and r["estimate"]["amount"] > 0 for r in mine)
        assert len({r["key"] for r in mine}) == 2
        lines = [t for t in g.all if t.artifact.endswith(".voice")]
        assert len(srv.requests) == len(lines) + 1 == len(_voice_jobs(root))
        # the film plays the retake: the pick passes take 1's voice on to the timeline and the mix
        assert (st.path(g.task(f"{line}.voice.pick").key) / "line.wav").read_bytes() == \
            (st.path(pick["takes"][1]["key"]) / "line.wav").read_bytes()
        prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
        rec = next(a for a in prov["artifacts"] if a["artifact"] == f"{line}.voice.pick")
        assert rec["ledger"]["cost"]["estimate"] > 0 and rec["ledger"]["chosen"] == 1  # the retake's cost, once
        assert prov["spend"]["USD"] == pytest.approx(sum(r["estimate"]["amount"] if r.get("actual") is None
                                                         else r["actual"] for r in _voice_jobs(root)))
        # the consistency report lists the retake and why
        assert main(["consistency", str(root), "--preview"]) == 0
        rep = json.loads((root / "out" / "consistency.json").read_text())
        row = next(r for c in rep["voices"]["characters"].values() for r in c["lines"] if r["line"] == line)
        assert row["status"] == "same voice" and row["chosen"] == 1 and len(row["takes"]) == 2
        assert row["takes"][0]["verdict"] == "fail"
        # a second make pays nothing more
        n = len(srv.requests)
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        assert len(srv.requests) == n and len(_voice_jobs(root)) == n
        # a person pins the drifting take, as for a keyframe (`filmcrew take PROJECT LINE --use 0`): used, not paid again
        assert main(["take", str(root), line, "--preview", "--use", "0"]) == 0
        assert main(["make", str(root), "--preview", "--quiet"]) == 0 and len(srv.requests) == n
        g = _graph(root)
        pick = json.loads((st.path(g.task(f"{line}.voice.pick").key) / "pick.json").read_text(encoding="utf-8"))
        assert pick["chosen"] == 0 and pick["why"].startswith("pinned by a person")


@pytest.mark.slow
def test_a_retake_whose_answer_is_lost_is_not_sent_again_and_is_said(tmp_path_factory, monkeypatch, capsys):
    """The make is killed while the vendor holds the retake's answer (it has the request: it may bill it): the next
    make does not send it again on its own; it makes the film with the take it has, and the line's pick and `filmcrew
    jobs` say the retake may have been billed and how to resend or forget it (the person decides)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    with _drifting(tmp_path_factory, monkeypatch) as (root, srv, line, text):
        srv.hold, srv.delay = text, 60.0
        cmd = [sys.executable, "-m", "filmcrew", "make", str(root), "--preview", "--quiet"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None and srv.held < 2:
            time.sleep(0.1)
        assert srv.held == 2, "the retake was not sent"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        srv.delay = 0.0
        take1 = [r for r in _voice_jobs(root) if r["label"] == f"{line}.voice.take1"]
        assert len(take1) == 1 and take1[0]["state"] != "fetched"  # on record, its answer never came
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-2000:]  # the film is made with the take it has
        assert sum(text in q.get("text", "") for q in srv.requests) == 2  # the retake not sent a third time
        g = _graph(root)
        st = Layout.of(root).store()
        pick = json.loads((st.path(g.task(f"{line}.voice.pick").key) / "pick.json").read_text(encoding="utf-8"))
        assert pick["chosen"] == 0 and [t["take"] for t in pick["takes"]] == [0]  # kept, and flagged
        assert pick["takes"][0]["verdict"] == "fail"
        assert "answer was lost" in pick["stopped"] and "may have been billed" in pick["stopped"]
        assert "--resend" in pick["stopped"] and "--forget" in pick["stopped"]  # the person decides
        capsys.readouterr()
        main(["jobs", str(root)])
        assert f"{line}.voice.take1" in capsys.readouterr().out  # listed where paid work in doubt is listed


def test_in_a_series_the_reference_is_the_character_s_first_line_of_the_series(tmp_path_factory, monkeypatch):
    """Episode 2's lines are compared with the character's first measurable line of episode 1: the first line a
    character says in episode 2, planted in another voice, is caught and retaken (as its own episode's reference it
    could not have been)."""
    from filmcrew.crew import voice
    monkeypatch.setenv("MM_KEY", MM_KEY)
    root = tmp_path_factory.mktemp("series") / "film"
    assert main(["new", str(root), "--premise", "A mortal fisherman challenges the god of floods to save his village",
                 "--format", "series", "--episodes", "2", "--minutes", "0.3", "--seed", "7", "--lang", "en"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    with FakeMiniMaxSpeech() as srv:
        _speech_model(root, srv.url)
        _, ctxs = pipeline.contexts(root, {"MM_KEY": MM_KEY}, None, preview=True)
        g2 = pipeline.episode_graph(ctxs[1])
        firsts = {}
        for ln in ctxs[1].episode.lines():
            if voice.seconds_guess(ln) >= vmod.SHORTEST * 1.5:
                firsts.setdefault(ln.speaker, ln)
        texts = [" ".join(t.params["said"]) for g in map(pipeline.episode_graph, ctxs) for t in g.all
                 if t.artifact.endswith(".voice")]
        ln = next(ln for ln in firsts.values() if f"{ln.id}.voice.pick" in g2.by_artifact
                  and sum(" ".join(g2.task(f"{ln.id}.voice").params["said"]) in t for t in texts) == 1)
        pick_task = g2.task(f"{ln.id}.voice.pick")
        assert pick_task.params["reference"].startswith("ep01-")  # the character's line in episode 1
        srv.clones[OTHER] = b""
        srv.plant(" ".join(g2.task(f"{ln.id}.voice").params["said"]), OTHER)
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        assert len(srv.planted_answers) == 1
        st = Layout.of(root).store()
        pick = json.loads((st.path(pick_task.key) / "pick.json").read_text(encoding="utf-8"))
        assert [t["verdict"] for t in pick["takes"]] == ["fail", "pass"] and pick["chosen"] == 1


def test_a_budget_too_small_refuses_the_retake_before_sending(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("MM_KEY", MM_KEY)
    root = _written(tmp_path_factory)
    with FakeMiniMaxSpeech() as srv:
        _speech_model(root, srv.url)
        g = _graph(root)
        line, text = _planted(g)
        first_takes = sum(t.estimate()["amount"] for t in g.all if t.artifact.endswith(".voice"))
        toml = root / "filmcrew.toml"  # a budget for the first takes and not one retake more
        toml.write_text(toml.read_text() + f'\n[budget]\nmax = {first_takes * 1.0001:.6f}\ncurrency = "USD"\n')
        srv.clones[OTHER] = b""
        srv.plant(text, OTHER)
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        g = _graph(root)
        st = Layout.of(root).store()
        pick = json.loads((st.path(g.task(f"{line}.voice.pick").key) / "pick.json").read_text(encoding="utf-8"))
        assert [t["take"] for t in pick["takes"]] == [0] and pick["chosen"] == 0  # kept
        assert pick["takes"][0]["verdict"] == "fail"  # and flagged
        assert "the budget leaves" in pick["stopped"] and "less than another take" in pick["stopped"]
        assert len(srv.requests) == len([t for t in g.all if t.artifact.endswith(".voice")])  # nothing more sent
        assert not any(r["label"].endswith(".take1") for r in _voice_jobs(root))
        assert main(["consistency", str(root), "--preview"]) == 0
        rep = json.loads((root / "out" / "consistency.json").read_text())
        row = next(r for c in rep["voices"]["characters"].values() for r in c["lines"] if r["line"] == line)
        assert row["status"] == "unlike" and "the budget leaves" in row["retake"]


def test_the_report_says_an_offline_voice_is_never_retaken(small_film):
    """The demo's voices are offline (Piper, espeak-ng): no line gets a voice pick, and the voices section says why
    a line of theirs would not be taken again."""
    _, ctxs = pipeline.contexts(small_film, {}, None, True)
    graphs = [pipeline.episode_graph(c) for c in ctxs]
    assert not [t for g in graphs for t in g.all if t.artifact.endswith(".voice.pick")]
    sec = vmod.section(small_film, Layout.of(small_film).store(), ctxs, graphs)
    rows = [r for c in sec["characters"].values() for r in c["lines"]]
    assert rows and all("says a line the same way every time" in r["retake"] and "no retake made" in r["retake"]
                        for r in rows)


def test_an_elevenlabs_retake_is_sent_another_seed(tmp_path):
    from fake_elevenlabs import KEY as EL_KEY
    from fake_elevenlabs import FakeElevenLabs

    from filmcrew.model import Voice
    from filmcrew.providers.base import SpeakRequest
    from filmcrew.providers.remote.elevenlabs_speech import ElevenLabsSpeech
    req = SpeakRequest(text="Bring the lantern, we go to the old dock.", language="en",
                       voice=Voice(provider="elevenlabs", voice="21m00Tcm4TlvDq8ikWAM"))
    with FakeElevenLabs() as srv:
        p = ElevenLabsSpeech(env={"EL_KEY": EL_KEY}, base_url=srv.url, api_key_env="EL_KEY")
        for n in (0, 1, 2):
            p.speak(req, job=jobs.JobTicket(tmp_path / "jobs", f"{n + 1:02d}" * 32, f"l01.voice.take{n}"), take=n)
        assert ["seed" in r for r in srv.requests] == [False, True, True]  # take 0: the request as before
        assert [r.get("seed") for r in srv.requests[1:]] == [1, 2]
