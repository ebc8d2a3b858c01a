"""`filmcrew voice clone`: a person's voice cloned for a character, with their consent on record, against local
servers that follow MiniMax's and ElevenLabs' cloning protocols (tests/fake_minimax_speech.py, fake_elevenlabs.py).
A short, silent or clipped sample is refused before anything is sent; an accepted clone is bound to the character,
recorded with who gave it, the consent and the sample's SHA-256, named in each line's ledger and in `disclose`."""

from __future__ import annotations

import hashlib
import json
import wave

import numpy as np
import pytest
import yaml
from fake_elevenlabs import KEY as EL_KEY
from fake_elevenlabs import FakeElevenLabs
from fake_minimax_speech import KEY as MM_KEY
from fake_minimax_speech import FakeMiniMaxSpeech
from model_project import model_project

from filmcrew.cli import main

CONSENT = "I, Lin Mei, agree that my voice speaks for this character in this film and its trailers."


def wav(path, seconds, kind="speech", rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    if kind == "silent":
        a = np.zeros_like(t)
    elif kind == "clipped":
        a = np.sign(np.sin(2 * np.pi * 200 * t))
    else:  # syllables: a tone that comes and goes four times a second, never quite silent in between
        a = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(a, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def project_with(tmp_path, provider, url, settings, voice, lang="zh"):
    root = model_project(tmp_path / "film", url, {}, "", new_args=("--seed", "7", "--lang", lang),
                         premise="一个面包师必须夺回被偷走的秘方" if lang == "zh" else "A baker must win back her recipe")
    (root / "filmcrew.toml").write_text((root / "filmcrew.toml").read_text()
                                        + f'\n[providers.{provider}]\nbase_url = "{url}"\n{settings}\n')
    p = root / "story" / "bible.yaml"
    bible = yaml.safe_load(p.read_text(encoding="utf-8"))
    for ch in bible["characters"]:
        ch["voice"] = {"provider": provider, "voice": voice, "speed": 1.0, "pitch": 0}
    p.write_text(yaml.safe_dump(bible, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root, bible["characters"][0]["name"].upper()


@pytest.fixture
def mm_project(tmp_path, monkeypatch):
    monkeypatch.setenv("MM_KEY", MM_KEY)
    with FakeMiniMaxSpeech() as srv:
        root, name = project_with(tmp_path, "minimax-speech", srv.url, 'api_key_env = "MM_KEY"', "female-shaonv")
        yield srv, root, name


def test_a_short_silent_or_clipped_sample_is_refused_before_anything_is_sent(mm_project, tmp_path, capsys):
    srv, root, name = mm_project
    for kind, secs, said in (("speech", 6, "6.0 s; minimax-speech needs at least 10 s"), ("silent", 12, "silent"),
                             ("clipped", 12, "clipped")):
        sample = wav(tmp_path / f"{kind}.wav", secs, kind)
        assert main(["voice", "clone", str(root), name, str(sample), "--person", "Lin Mei", "--consent", CONSENT]) == 2
        err = capsys.readouterr().err
        assert said in err and "nothing was sent" in err
    assert main(["voice", "clone", str(root), name, str(tmp_path / "speech.wav"), "--person", "Lin Mei",
                 "--consent", "ok"]) == 2
    assert "--consent" in capsys.readouterr().err
    assert srv.uploads == {} and srv.auth_headers == []  # nothing reached the vendor
    assert not (root / "story" / "cloned-voices.json").exists()


@pytest.mark.slow
def test_a_consented_clone_speaks_is_recorded_and_disclosed(mm_project, tmp_path, capsys):
    srv, root, name = mm_project
    sample = wav(tmp_path / "lin.wav", 14)
    sha = hashlib.sha256(sample.read_bytes()).hexdigest()
    assert main(["voice", "clone", str(root), name, str(sample), "--person", "Lin Mei", "--consent", CONSENT]) == 0
    rec = json.loads((root / "story" / "cloned-voices.json").read_text(encoding="utf-8"))["clones"][0]
    assert rec["person"] == "Lin Mei" and rec["consent"] == CONSENT and rec["sample"]["sha256"] == sha
    assert rec["voice_id"] == f"filmcrew{sha[:16]}" and rec["voice_id"] in srv.clones and rec["character"] == name
    bible = yaml.safe_load((root / "story" / "bible.yaml").read_text(encoding="utf-8"))
    voice = next(c["voice"] for c in bible["characters"] if c["name"].upper() == name)
    assert voice["provider"] == "minimax-speech" and voice["voice"] == rec["voice_id"]
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text(encoding="utf-8"))
    cloned = [a for a in prov["artifacts"] if a["role"] == "voice" and "cloned_voice" in a["ledger"]]
    assert cloned and all(a["ledger"]["cloned_voice"]["person"] == "Lin Mei" and
                          a["ledger"]["cloned_voice"]["sample_sha256"] == sha for a in cloned)
    assert any(r["voice_setting"]["voice_id"] == rec["voice_id"] for r in srv.requests)
    capsys.readouterr()
    assert main(["disclose", str(root)]) == 0
    md = (root / "out" / "disclosure.md").read_text(encoding="utf-8")
    assert f"{name} speaks with a voice cloned from Lin Mei's recording" in md and CONSENT in md
    assert json.loads((root / "out" / "disclosure.json").read_text())["cloned_voices"][0]["person"] == "Lin Mei"
    for p in root.rglob("*"):
        assert not p.is_file() or MM_KEY.encode() not in p.read_bytes()


def test_an_elevenlabs_instant_clone(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EL_KEY", EL_KEY)
    with FakeElevenLabs() as srv:
        root, name = project_with(tmp_path, "elevenlabs", srv.url, 'api_key_env = "EL_KEY"', "21m00Tcm4TlvDq8ikWAM", "en")
        short = wav(tmp_path / "short.wav", 20)
        assert main(["voice", "clone", str(root), name, str(short), "--person", "Ann Lee", "--consent", CONSENT]) == 2
        assert "at least 30 s" in capsys.readouterr().err and srv.clones == {}
        sample = wav(tmp_path / "ann.wav", 32)
        assert main(["voice", "clone", str(root), name, str(sample), "--person", "Ann Lee", "--consent", CONSENT]) == 0
        (vid, info), = srv.clones.items()
        assert info == {"name": f"{name} (Ann Lee)", "files": 1}
        rec = json.loads((root / "story" / "cloned-voices.json").read_text(encoding="utf-8"))["clones"][0]
        assert rec["voice_id"] == vid and rec["provider"] == "elevenlabs" and rec["vendor"] == {"requires_verification": False}
        assert set(srv.auth_headers) == {f"{EL_KEY}|"}


def test_a_volcengine_clone_trains_an_ordered_speaker_slot_and_speaks_through_the_icl_cluster(tmp_path, monkeypatch,
                                                                                               capsys):
    from fake_volcengine_speech import APPID, TOKEN, FakeVolcengineSpeech
    monkeypatch.setenv("VC_TOKEN", TOKEN)
    with FakeVolcengineSpeech() as srv:
        root, name = project_with(tmp_path, "volcengine-speech", srv.url,
                                  f'appid = "{APPID}"\napi_key_env = "VC_TOKEN"\npoll_every = 0.05',
                                  "zh_female_cancan_mars_bigtts")
        args = ["voice", "clone", str(root), name, "--person", "Lin Mei", "--consent", CONSENT]
        short = wav(tmp_path / "short.wav", 6)
        assert main([*args[:4], str(short), *args[4:], "--voice-id", "S_fake001"]) == 2  # same checks as MiniMax
        assert "needs at least 10 s" in capsys.readouterr().err
        sample = wav(tmp_path / "lin.wav", 12)
        assert main([*args[:4], str(sample), *args[4:]]) == 2  # no slot named
        assert "--voice-id" in capsys.readouterr().err
        assert main([*args[:4], str(sample), *args[4:], "--voice-id", "my-voice"]) == 2
        assert "S_xxxxxxx" in capsys.readouterr().err
        assert main([*args[:4], str(sample), *args[4:], "--voice-id", "S_notordered"]) == 2  # Volcengine's 1107
        assert "order a voice slot" in capsys.readouterr().err
        assert srv.uploads[-1]["audio"] == sample.read_bytes()  # (that one reached the vendor, and was refused)
        assert not (root / "story" / "cloned-voices.json").exists()
        assert main([*args[:4], str(sample), *args[4:], "--voice-id", "S_fake001"]) == 0
        up = srv.uploads[-1]
        assert up["speaker_id"] == "S_fake001" and up["source"] == 2 and up["model_type"] == 1 and up["language"] == 0
        assert srv.status_asks >= 3 and "S_fake001" in srv.trained  # waited for the training
        rec = json.loads((root / "story" / "cloned-voices.json").read_text(encoding="utf-8"))["clones"][0]
        assert rec["voice_id"] == "S_fake001" and rec["provider"] == "volcengine-speech" and rec["consent"] == CONSENT
        assert rec["sample"]["sha256"] == hashlib.sha256(sample.read_bytes()).hexdigest()
        assert rec["vendor"] == {"status": "trained", "version": "V1"}
        bible = yaml.safe_load((root / "story" / "bible.yaml").read_text(encoding="utf-8"))
        assert next(c["voice"] for c in bible["characters"] if c["name"].upper() == name)["voice"] == "S_fake001"
        # the cloned voice speaks (through the volcano_icl cluster), the others as before
        from filmcrew.providers.remote.volcengine_speech import VolcengineSpeech
        p = VolcengineSpeech(env={"VC_TOKEN": TOKEN}, base_url=srv.url, appid=APPID, api_key_env="VC_TOKEN")
        assert p.body({"voice": "S_fake001", "speed": 1.0, "emotion": "", "text": "你好"}, "r")["app"]["cluster"] == \
            "volcano_icl"
        assert p.body({"voice": "zh_female_cancan_mars_bigtts", "speed": 1.0, "emotion": "", "text": "你好"},
                      "r")["app"]["cluster"] == "volcano_tts"
