"""The speech-model voices (MiniMax speech, Volcengine/Doubao speech, ElevenLabs) against local servers that follow
each vendor's published protocol (tests/fake_minimax_speech.py, fake_volcengine_speech.py, fake_elevenlabs.py): one
journaled job per line, busy answers backed off, refusals final, emotions from the parenthetical, prices per
character; and whole films: a Chinese episode voiced by MiniMax and one by Doubao, an English one by ElevenLabs,
a make killed while its lines are out and resumed without a second submit, and no key in any file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import yaml
from fake_elevenlabs import KEY as EL_KEY
from fake_elevenlabs import FakeElevenLabs
from fake_minimax_speech import KEY as MM_KEY
from fake_minimax_speech import FakeMiniMaxSpeech
from fake_volcengine_speech import APPID, TOKEN, FakeVolcengineSpeech

from filmcrew.cli import main
from filmcrew.errors import ConfigError, ProviderError
from filmcrew.model import Voice
from filmcrew.providers.base import SpeakRequest
from filmcrew.providers.remote import jobs
from filmcrew.providers.remote.elevenlabs_speech import ElevenLabsSpeech
from filmcrew.providers.remote.minimax_speech import MiniMaxSpeech
from filmcrew.providers.remote.speech import EMOTIONS, emotion_of
from filmcrew.providers.remote.volcengine_speech import VolcengineSpeech


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr("filmcrew.providers.http.Retry.base", 0.01)


def mm(srv, **kw):
    return MiniMaxSpeech(env={"MM_KEY": MM_KEY}, base_url=srv.url, api_key_env="MM_KEY", **kw)


def volc(srv, **kw):
    return VolcengineSpeech(env={"VOLC_TOKEN": TOKEN}, base_url=srv.url, appid=APPID, api_key_env="VOLC_TOKEN", **kw)


def el(srv, **kw):
    return ElevenLabsSpeech(env={"EL_KEY": EL_KEY}, base_url=srv.url, api_key_env="EL_KEY", **kw)


def line(text, voice, paren="", language="zh", **v):
    return SpeakRequest(text=text, voice=Voice(provider="x", voice=voice, **v), language=language, parenthetical=paren)


def ticket(tmp_path, n=1):
    return jobs.JobTicket(tmp_path / "jobs", f"{n:02d}" * 32, f"ep01-s01-l{n:02d}.voice")


def test_emotion_words_in_three_languages():
    assert emotion_of("angry") == ("angry", "")
    assert emotion_of("（哭腔）") == ("sad", "")
    assert emotion_of("冷冷地说") == ("cold", "")
    assert emotion_of("en colère") == ("angry", "")
    assert emotion_of("softly, to herself") == ("tender", "")
    assert emotion_of("V.O.") == ("", "v.o.")
    assert emotion_of("") == ("", "")
    from filmcrew.project import VOICE_EMOTIONS
    assert set(VOICE_EMOTIONS) - {""} == set(EMOTIONS)


def test_minimax_one_line_one_job_after_a_rate_limit(tmp_path):
    with FakeMiniMaxSpeech() as srv:
        srv.script = ["1002"]
        audio, rate = mm(srv).speak(line("你好。我们走吧！", "male-qn-qingse", "（哭腔）", speed=1.2, pitch=2),
                                    job=ticket(tmp_path))
        assert rate == 48000 and audio.dtype == np.float32 and len(audio) > 48000
        assert len(srv.requests) == 2  # the 1002 answer, then the line once
        body = srv.requests[-1]
        assert body["voice_setting"] == {"voice_id": "male-qn-qingse", "speed": 1.2, "vol": 1.0, "pitch": 2,
                                         "emotion": "sad"}
        assert body["model"] == "speech-2.8-hd" and body["language_boost"] == "Chinese" and body["stream"] is False
        assert set(srv.auth_headers) == {f"Bearer {MM_KEY}"}
        rec = json.loads((tmp_path / "jobs" / f"{'01' * 32}.json").read_text())
        assert rec["state"] == "fetched" and rec["estimate"]["currency"] == "USD"
        assert rec["actual"] == pytest.approx(0.1 * 8 / 1000)  # the characters MiniMax says it billed
        # asked again (a re-make): the journal answers, nothing is sent
        mm(srv).speak(line("你好。我们走吧！", "male-qn-qingse", "（哭腔）", speed=1.2, pitch=2), job=ticket(tmp_path))
        assert len(srv.requests) == 2


def test_minimax_refusal_is_final_and_an_unknown_voice_is_named(tmp_path):
    with FakeMiniMaxSpeech() as srv:
        srv.script = ["1026"]
        with pytest.raises(jobs.RefusedError, match="1026: input new_sensitive"):
            mm(srv).speak(line("……", "male-qn-qingse"), job=ticket(tmp_path, 2))
        with pytest.raises(jobs.RefusedError, match="not sent again"):
            mm(srv).speak(line("……", "male-qn-qingse"), job=ticket(tmp_path, 2))
        assert len(srv.requests) == 1
        with pytest.raises(ProviderError, match="no voice 'nobody-here'.*bible"):
            mm(srv).speak(line("你好", "nobody-here"), job=ticket(tmp_path, 3))
        with pytest.raises(ConfigError, match="model: 'speech-9'"):
            mm(srv, model="speech-9")


def test_doubao_bearer_semicolon_emotion_and_busy(tmp_path):
    with FakeVolcengineSpeech() as srv:
        srv.script = ["3003"]
        p = volc(srv)
        audio, _ = p.speak(line("你怎么敢！", "zh_female_roumeinvyou_emo_v2_mars_bigtts", "生气", speed=0.6),
                           job=ticket(tmp_path))
        assert len(audio) > 0 and len(srv.requests) == 2
        body = srv.requests[-1]
        assert body["audio"]["emotion"] == "angry" and body["audio"]["enable_emotion"] is True
        assert body["audio"]["speed_ratio"] == 0.8  # clamped to Volcengine's range
        assert body["app"] == {"appid": APPID, "token": "access_token", "cluster": "volcano_tts"}  # no token in the body
        assert len({r["request"]["reqid"] for r in srv.requests}) == 2  # a fresh reqid each time
        assert set(srv.auth_headers) == {f"Bearer;{TOKEN}"}
        assert p.price({"model": "seed-tts-1.0", "text": "你" * 1000})["amount"] == pytest.approx(0.3)
        srv.script = ["3011"]
        with pytest.raises(ProviderError, match="3011: illegal input text"):
            p.speak(line("好。", "zh_female_cancan_mars_bigtts"), job=ticket(tmp_path, 2))
        with pytest.raises(ProviderError, match="no voice_type 'zh_nobody'"):
            p.speak(line("好", "zh_nobody"), job=ticket(tmp_path, 3))
        with pytest.raises(ProviderError, match="check VOLC_TOKEN"):
            VolcengineSpeech(env={"VOLC_TOKEN": "wrong"}, base_url=srv.url, appid=APPID,
                             api_key_env="VOLC_TOKEN").speak(line("好", "zh_female_cancan_mars_bigtts"),
                                                             job=ticket(tmp_path, 4))
        with pytest.raises(ConfigError, match="appid"):
            VolcengineSpeech(env={}, base_url=srv.url)


def test_elevenlabs_key_header_429_and_bad_prompt(tmp_path):
    with FakeElevenLabs() as srv:
        srv.script = ["429", "busy"]
        p = el(srv)
        audio, _ = p.speak(line("Get out. Now!", "21m00Tcm4TlvDq8ikWAM", "angry", language="en", speed=1.5),
                           job=ticket(tmp_path))
        assert len(audio) > 0 and len(srv.requests) == 3
        sent = srv.requests[-1]
        assert sent["output_format"] == "mp3_44100_128" and sent["model_id"] == "eleven_multilingual_v2"
        assert sent["text"] == "Get out. Now!" and "language_code" not in sent  # multilingual_v2 takes none
        assert sent["voice_settings"]["speed"] == 1.2
        assert set(srv.auth_headers) == {f"{EL_KEY}|"}  # the key in xi-api-key, never a bearer
        # eleven_v3 says the emotion as an audio tag
        el(srv, model="eleven_v3").speak(line("Leave me.", "21m00Tcm4TlvDq8ikWAM", "whispering", language="en"),
                                         job=ticket(tmp_path, 2))
        assert srv.requests[-1]["text"] == "[whispers] Leave me." and srv.requests[-1]["language_code"] == "en"
        srv.script = ["bad_prompt"]
        with pytest.raises(jobs.RefusedError, match="bad_prompt"):
            p.speak(line("...", "21m00Tcm4TlvDq8ikWAM", language="en"), job=ticket(tmp_path, 3))
        n = len(srv.requests)
        with pytest.raises(jobs.RefusedError):
            p.speak(line("...", "21m00Tcm4TlvDq8ikWAM", language="en"), job=ticket(tmp_path, 3))
        assert len(srv.requests) == n
        with pytest.raises(ProviderError, match="the key was refused"):
            ElevenLabsSpeech(env={"EL_KEY": "nope"}, base_url=srv.url, api_key_env="EL_KEY").speak(
                line("Hi.", "21m00Tcm4TlvDq8ikWAM", language="en"), job=ticket(tmp_path, 4))


def test_emotions_a_vendor_lacks_are_said_not_sent():
    req = line("Go.", "v", "en colère", language="fr")
    assert ElevenLabsSpeech(env={"K": "k"}, api_key_env="K").emotion(req) == (
        "", "(en colère) is 'angry', which elevenlabs has no emotion for")
    assert MiniMaxSpeech(env={"K": "k"}, api_key_env="K").emotion(line("走", "v", "chuckling")) == (
        "", "(chuckling) is no emotion filmcrew knows")
    # the character's own emotion when the line has none
    assert MiniMaxSpeech(env={"K": "k"}, api_key_env="K").emotion(line("走", "v", emotion="angry"))[0] == "angry"


def test_sentence_spans_find_the_pause():
    from filmcrew.crew.voice import sentence_spans
    rate = 1000
    a = np.concatenate([np.ones(700), np.zeros(300), np.ones(1000)]).astype(np.float32)
    (s0, e0), (s1, e1) = sentence_spans(a, rate, [10, 10])
    assert s0 == 0 and e1 == len(a) and 700 <= e0 <= 1000 and e0 == s1


def test_the_bible_reads_and_checks_a_voice_emotion(tmp_path):
    from filmcrew.project import bible_from_dict, bible_to_dict
    d = {"title": "T", "logline": "L", "characters": [
        {"name": "LIN", "voice": {"provider": "minimax-speech", "voice": "female-shaonv", "emotion": "sad"}}]}
    b = bible_from_dict(d)
    assert b.characters[0].voice.emotion == "sad"
    assert bible_to_dict(b)["characters"][0]["voice"]["emotion"] == "sad"
    d["characters"][0]["voice"]["emotion"] = "grumpy"
    with pytest.raises(ConfigError, match="voice.emotion: 'grumpy'"):
        bible_from_dict(d)
    del d["characters"][0]["voice"]["emotion"]
    assert "emotion" not in bible_to_dict(bible_from_dict(d))["characters"][0]["voice"]  # unchanged when unset


# ---- whole films -----------------------------------------------------------------------------------------

def film(tmp_path, name, url, provider, settings, voices, lang):
    from model_project import model_project
    root = model_project(tmp_path / name, url, {}, "", new_args=("--seed", "7", "--lang", lang),
                         premise="一个面包师必须夺回被偷走的秘方" if lang == "zh" else "A baker must win back her stolen recipe")
    text = (root / "filmcrew.toml").read_text() + f'\n[providers.{provider}]\nbase_url = "{url}"\n{settings}\n'
    (root / "filmcrew.toml").write_text(text)
    bible_path = root / "story" / "bible.yaml"
    bible = yaml.safe_load(bible_path.read_text(encoding="utf-8"))
    for i, ch in enumerate(bible["characters"]):
        ch["voice"] = {"provider": provider, "voice": voices[i % len(voices)], "speed": 1.0, "pitch": 0}
    bible_path.write_text(yaml.safe_dump(bible, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ep = root / "story" / "ep01.fountain"
    return root, bible, ep


def no_key_anywhere(root, key):
    for p in root.rglob("*"):
        if p.is_file():
            assert key.encode() not in p.read_bytes(), f"{p} holds the key"


def voice_jobs(root):
    return [r for r in jobs.Journal(root / ".filmcrew" / "jobs").records() if r["label"].endswith(".voice")]


@pytest.mark.slow
def test_a_chinese_episode_voiced_by_minimax(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MM_KEY", MM_KEY)
    with FakeMiniMaxSpeech() as srv:
        root, bible, ep = film(tmp_path, "mm", srv.url, "minimax-speech", 'api_key_env = "MM_KEY"',
                               ["male-qn-qingse", "female-shaonv", "female-yujie"], "zh")
        text = ep.read_text(encoding="utf-8").splitlines()
        names = {c["name"].upper() for c in bible["characters"]}
        cues = [i for i, t in enumerate(text) if t.strip() in names]
        assert len(cues) >= 2
        text.insert(cues[1] + 1, "(chuckling)")  # no emotion: said in plan's notes
        text.insert(cues[0] + 1, "（哭腔）")  # a full-width parenthetical: MiniMax's "sad"
        ep.write_text("\n".join(text) + "\n", encoding="utf-8")
        capsys.readouterr()
        assert main(["plan", str(root), "--preview", "--cost"]) == 0 and srv.requests == []
        assert "(chuckling) is no emotion filmcrew knows; it is spoken without it" in capsys.readouterr().err
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
        voices = [a for a in prov["artifacts"] if a["role"] == "voice"]
        assert voices and len(srv.requests) == len(voices) == len(voice_jobs(root))  # every line one job
        assert all(a["ledger"]["digital_source_type"] == "trainedAlgorithmicMedia" for a in voices)
        assert {r["voice_setting"]["voice_id"] for r in srv.requests} <= {"male-qn-qingse", "female-shaonv", "female-yujie"}
        assert [r["voice_setting"].get("emotion") for r in srv.requests].count("sad") == 1
        assert prov["spend"]["USD"] == pytest.approx(sum(len(r["text"]) for r in srv.requests) * 0.1 / 1000)
        assert main(["make", str(root), "--preview", "--quiet"]) == 0 and len(srv.requests) == len(voices)
        no_key_anywhere(root, MM_KEY)


@pytest.mark.slow
def test_a_chinese_episode_voiced_by_doubao(tmp_path, monkeypatch):
    monkeypatch.setenv("VOLC_TOKEN", TOKEN)
    with FakeVolcengineSpeech() as srv:
        root, bible, ep = film(tmp_path, "volc", srv.url, "volcengine-speech",
                               f'api_key_env = "VOLC_TOKEN"\nappid = "{APPID}"',
                               ["zh_female_roumeinvyou_emo_v2_mars_bigtts", "zh_male_yangguangqingnian_emo_v2_mars_bigtts",
                                "zh_female_cancan_mars_bigtts"], "zh")
        toml = root / "filmcrew.toml"
        toml.write_text(toml.read_text() + '\n[budget]\nmax = 50\ncurrency = "CNY"\n')
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
        voices = [a for a in prov["artifacts"] if a["role"] == "voice"]
        assert voices and len(srv.requests) == len(voices) == len(voice_jobs(root))
        assert prov["spend"]["CNY"] > 0
        no_key_anywhere(root, TOKEN)


@pytest.mark.slow
def test_an_english_episode_voiced_by_elevenlabs_killed_and_resumed(tmp_path, monkeypatch):
    from killer import kill_at_random
    monkeypatch.setenv("EL_KEY", EL_KEY)
    with FakeElevenLabs() as srv:
        root, bible, ep = film(tmp_path, "el", srv.url, "elevenlabs", 'api_key_env = "EL_KEY"\nmax_concurrent = 1',
                               ["21m00Tcm4TlvDq8ikWAM", "AZnzlk1XvdvUeBnXmlld", "EXAVITQu4vr4xnEQBXRZ"], "en")
        srv.delay = 0.4
        srv.script = ["slow"] * 200
        env = {**os.environ, "EL_KEY": EL_KEY}
        cmd = [sys.executable, "-m", "filmcrew", "make", str(root), "--preview", "--quiet"]
        journal = jobs.Journal(root / ".filmcrew" / "jobs")
        allowed = []

        def allow_lost() -> None:  # what a person does when make says a submit may have been billed
            for rec in journal.records():
                if rec.get("state") == "submitting":
                    journal.forget(rec["key"])
                    allowed.append(rec["label"])
        kills = kill_at_random(cmd, lambda: len(srv.requests), seed=5, rounds=4, window=0.6, env=env, after=allow_lost)
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            assert "may have been billed" in r.stderr, r.stderr
            allow_lost()
            r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert kills >= 1
        records = voice_jobs(root)
        assert records and all(rec["state"] == "fetched" for rec in records)
        # one request per line, and one more only where a person allowed a lost one to be sent again (a lost one
        # may have been cut off mid-body by the kill: it reached the server, which could not read it)
        assert len(srv.requests) + srv.cut == len(records) + len(allowed)
        texts = [q["text"] for q in srv.requests]
        assert len(set(texts)) >= len(records) - 1
        no_key_anywhere(root, EL_KEY)
