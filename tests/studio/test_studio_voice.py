"""A character's voice in the studio (issues 32 and 35): a person's recording, their name and their consent uploaded
on the character's page, checked before anything is sent, cloned by the vendor (a local server that follows
MiniMax's cloning protocol: tests/fake_minimax_speech.py), bound to the character and recorded as `filmcrew voice
clone` records it (the same code: handoff/clone.py); then heard on the page."""

from __future__ import annotations

import hashlib
import re
import wave

import numpy as np
import pytest
import yaml
from fake_minimax_speech import KEY as MM_KEY
from fake_minimax_speech import FakeMiniMaxSpeech
from model_project import model_project

pytestmark = pytest.mark.slow
CONSENT = "I, Lin Mei, agree that my voice speaks for this character in this film and its trailers."


def speech(path, seconds, rate=16000):
    """Syllables: a tone that comes and goes four times a second (it stands in for a recorded voice)."""
    t = np.arange(int(seconds * rate)) / rate
    a = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(a, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def test_a_persons_voice_is_cloned_with_their_consent_on_the_characters_page(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from filmcrew.studio.app import Studio
    monkeypatch.setenv("MM_KEY", MM_KEY)
    with FakeMiniMaxSpeech() as srv:
        root = model_project(tmp_path / "film", srv.url, {}, "")
        (root / "filmcrew.toml").write_text((root / "filmcrew.toml").read_text() +
                                            f'\n[providers.minimax-speech]\nbase_url = "{srv.url}"\napi_key_env = "MM_KEY"\n')
        bible_p = root / "story" / "bible.yaml"
        bible = yaml.safe_load(bible_p.read_text())
        name = bible["characters"][0]["name"].upper()
        bible["characters"][0]["voice"] = {"provider": "minimax-speech", "voice": "female-shaonv", "speed": 1.0,
                                           "pitch": 0}
        bible_p.write_text(yaml.safe_dump(bible, allow_unicode=True, sort_keys=False))
        studio = Studio(root, port=0)
        c = TestClient(studio.app, base_url="http://127.0.0.1", raise_server_exceptions=False)
        page = c.get(f"/character?name={name}").text
        assert 'id="clone-form"' in page and 'enctype="multipart/form-data"' in page and "minimax-speech" in page
        good = speech(tmp_path / "lin-mei.wav", 12)
        form = {"csrf": studio.csrf, "name": name, "person": "Lin Mei", "consent": CONSENT, "agree": "1",
                "provider": "minimax-speech"}

        def clone(path, **changes):
            with open(path, "rb") as fh:
                return c.post("/character/clone", data={**form, **changes},
                              files={"sample": (path.name, fh, "audio/wav")}, follow_redirects=False)
        # refused before anything is sent: no consent ticked, a consent too short, no person, a sample too short
        for changes, said in (({"agree": ""}, "agreed to this use"), ({"consent": "yes"}, "their consent: the consent"),
                              ({"person": " "}, "who gave the recording"), ({"provider": "piper"}, "does not clone")):
            r = clone(good, **changes)
            assert r.status_code == 400 and said in r.text, (changes, r.text[-800:])
        r = clone(speech(tmp_path / "short.wav", 4))
        assert r.status_code == 400 and "short.wav: 4.0 s" in r.text and "at least 10 s" in r.text, r.text[-800:]
        assert "uploads" not in r.text  # the person's file named, never the studio's temporary one
        assert srv.uploads == {} and srv.auth_headers == [] and not (root / "story" / "cloned-voices.json").exists()
        # cloned: bound to the character, recorded with who and their consent, said on the page
        r = clone(good)
        assert r.status_code == 303, r.text[-800:]
        sha = hashlib.sha256(good.read_bytes()).hexdigest()
        from filmcrew.provenance import cloned_voices
        rec = cloned_voices.records(root)[-1]
        assert rec["person"] == "Lin Mei" and rec["consent"] == CONSENT and rec["sample"]["sha256"] == sha
        assert rec["voice_id"] in srv.clones and rec["character"] == name
        voice = next(ch for ch in yaml.safe_load(bible_p.read_text())["characters"] if ch["name"].upper() == name)["voice"]
        assert voice["voice"] == rec["voice_id"]
        page = c.get(f"/character?name={name}").text
        assert re.search(r"speaks with Lin Mei&#39;s cloned voice", page) and "agree that my voice" in page
        # heard: a vendor's voice speaks in a make (each line a paid job), so the sample is a line once made
        wav = c.get(f"/character/sample?name={name}")
        assert wav.status_code == 409 and "once the preview is made with this voice" in wav.text
        from filmcrew.cli import main
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
        assert any(r["voice_setting"]["voice_id"] == rec["voice_id"] for r in srv.requests)
        wav = c.get(f"/character/sample?name={name}")
        assert wav.status_code == 200 and wav.content[:4] == b"RIFF", wav.text[-600:]
        for p in root.rglob("*"):  # the key is in no file of the project
            assert not p.is_file() or MM_KEY.encode() not in p.read_bytes()
        studio.close()
