"""The OpenAI-compatible speech voice, against a local server that follows OpenAI's published
`POST /v1/audio/speech` protocol (a hosted vendor API cannot be reached from the tests)."""
import io
import json
import socket
import threading
import time
import wave
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
import yaml

from filmcrew.cli import main
from filmcrew.errors import ProviderError
from filmcrew.media import ffmpeg
from filmcrew.model import Voice
from filmcrew.providers.base import SpeakRequest
from filmcrew.providers.openai_speech import OpenAISpeechProvider

KEY = "sk-test-speech-123456"


class SpeechServer(BaseHTTPRequestHandler):
    """OpenAI's /v1/audio/speech: JSON in, the audio file out (here a 24 kHz WAV whose length follows the text)."""
    requests: list = []
    busy = 0  # answer this many requests 429 (OpenAI's rate limit: an error object, and Retry-After)
    hang = 0.0  # seconds to say nothing before answering

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if type(self).hang:
            time.sleep(type(self).hang)
        if type(self).busy:
            type(self).busy -= 1
            return self._error(429, "Rate limit reached for requests", retry_after="0")
        if self.path != "/v1/audio/speech":
            return self._error(404, "not found")
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            return self._error(401, "Incorrect API key provided")
        missing = [k for k in ("model", "input", "voice") if k not in body]
        if missing:
            return self._error(400, f"missing {missing}")
        rate = 24000
        secs = 0.3 + 0.06 * len(body["input"]) / float(body.get("speed", 1.0))
        t = np.arange(int(secs * rate)) / rate
        pcm = (0.3 * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)) * 32767).astype("<i2")
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm.tobytes())
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(buf.getvalue())))
        self.end_headers()
        self.wfile.write(buf.getvalue())

    def _error(self, code, msg, retry_after=None):
        kind = "rate_limit_exceeded" if code == 429 else "invalid_request_error"
        data = json.dumps({"error": {"message": msg, "type": kind}}).encode()
        self.send_response(code)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    SpeechServer.requests, SpeechServer.busy, SpeechServer.hang = [], 0, 0.0
    httpd = HTTPServer(("127.0.0.1", 0), SpeechServer)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_speak_follows_the_protocol(server):
    p = OpenAISpeechProvider(env={"SPEECH_KEY": KEY}, base_url=server, model="gpt-4o-mini-tts", api_key_env="SPEECH_KEY")
    audio, rate = p.speak(SpeakRequest(text="The river is rising.", voice=Voice(provider="openai-speech", voice="alloy",
                                                                                speed=1.25), language="en",
                                       parenthetical="whispering"))
    assert rate == 48000 and audio.dtype == np.float32 and 0.5 < len(audio) / rate < 2.0 and np.abs(audio).max() > 0.1
    (req,) = SpeechServer.requests
    assert req["auth"] == f"Bearer {KEY}"
    assert req["body"] == {"model": "gpt-4o-mini-tts", "input": "The river is rising.", "voice": "alloy",
                           "response_format": "wav", "speed": 1.25, "instructions": "Say it whispering."}


def test_a_wrong_key_is_named(server):
    p = OpenAISpeechProvider(env={"SPEECH_KEY": "nope"}, base_url=server, api_key_env="SPEECH_KEY")
    with pytest.raises(ProviderError, match="401.*Incorrect API key.*check the key in the environment variable SPEECH_KEY"):
        p.speak(SpeakRequest(text="Hi.", voice=Voice(provider="openai-speech", voice="alloy"), language="en"))


@pytest.mark.slow
def test_a_character_voiced_by_the_api_in_a_real_film(server, tmp_path, monkeypatch):
    root = tmp_path / "film"
    assert main(["new", str(root), "--premise", "A lighthouse keeper outwits a storm spirit", "--minutes", "0.25",
                 "--seed", "4"]) == 0
    assert main(["write", str(root), "--quiet"]) == 0
    bible = yaml.safe_load((root / "story" / "bible.yaml").read_text())
    hero = bible["characters"][0]
    hero["voice"] = {"provider": "openai-speech", "voice": "verse", "speed": 1.0, "pitch": 0.0, "timbre": "warm"}
    (root / "story" / "bible.yaml").write_text(yaml.safe_dump(bible, allow_unicode=True, sort_keys=False))
    with open(root / "filmcrew.toml", "a") as f:
        f.write(f'\n[providers.openai-speech]\nbase_url = "{server}"\nmodel = "gpt-4o-mini-tts"\n'
                f'api_key_env = "FILMCREW_TEST_SPEECH_KEY"\n')
    monkeypatch.setenv("FILMCREW_TEST_SPEECH_KEY", KEY)
    assert main(["make", str(root), "--preview", "--quiet"]) == 0
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    voices = [a for a in prov["artifacts"] if a["role"] == "voice"]
    api = [a for a in voices if a["provider"]["name"] == "openai-speech"]
    # one request per sentence, each the sentence as it is said
    assert api and sum(a["ledger"]["sentences"] for a in api) == len(SpeechServer.requests)
    asked = sorted(" ".join(r["body"]["input"] for r in SpeechServer.requests).split())  # lines may run side by side
    assert asked == sorted(" ".join(a["ledger"].get("spoken", a["ledger"]["prompt"]) for a in api).split())
    assert all(a["ledger"]["digital_source_type"] == "trainedAlgorithmicMedia" and a["provider"]["model"] == "gpt-4o-mini-tts"
               for a in api)
    assert {r["body"]["voice"] for r in SpeechServer.requests} == {"verse"}
    assert any(a["provider"]["name"] == "piper" for a in voices)  # the others keep their own voices
    for p in root.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".toml", ".yaml", ".otio", ".srt", ".fountain"):
            assert KEY not in p.read_text(errors="replace"), p
    assert ffmpeg.probe(root / "out" / "ep01.preview.mp4").audio_codec == "aac"


def _hi(p):
    return p.speak(SpeakRequest(text="Hi.", voice=Voice(provider="openai-speech", voice="alloy"), language="en"))


def test_busy_answers_are_asked_again_after_retry_after(server):
    SpeechServer.busy = 2
    audio, rate = _hi(OpenAISpeechProvider(env={"SPEECH_KEY": KEY}, base_url=server, api_key_env="SPEECH_KEY"))
    assert len(SpeechServer.requests) == 3 and len(audio) > 0


def test_a_server_that_stays_busy_gives_up_after_three_retries(server):
    SpeechServer.busy = 99
    with pytest.raises(ProviderError, match="still answered 429 .*Rate limit reached.* after 3 retries"):
        _hi(OpenAISpeechProvider(env={"SPEECH_KEY": KEY}, base_url=server, api_key_env="SPEECH_KEY"))
    assert len(SpeechServer.requests) == 4


def test_a_server_that_hangs_is_not_called_unreachable(server):
    SpeechServer.hang = 1.5
    p = OpenAISpeechProvider(env={"SPEECH_KEY": KEY}, base_url=server, api_key_env="SPEECH_KEY", timeout=0.3)
    with pytest.raises(ProviderError, match="did not answer within 0.3 s") as err:
        _hi(p)
    assert "cannot reach" not in str(err.value) and "raise timeout in [providers.openai-speech]" in str(err.value)


def test_a_server_that_is_not_there_cannot_be_reached():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = OpenAISpeechProvider(env={}, base_url=f"http://127.0.0.1:{port}/v1", api_key_env="SPEECH_KEY")
    with pytest.raises(ProviderError, match="cannot reach .*is the server running"):
        _hi(p)
