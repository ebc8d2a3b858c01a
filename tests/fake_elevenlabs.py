"""A local server that follows ElevenLabs' published API as its official Python SDK sends it (the vendor cannot
be reached from the tests): the key in `xi-api-key`; `POST /v1/text-to-speech/{voice_id}?output_format=...` with
JSON `text`, `model_id`, `language_code` (refused with 400 by multilingual_v2, as the SDK documents it is not
supported there), `voice_settings {stability, similarity_boost, style, use_speaker_boost, speed}`, `seed`, answered
with the audio itself (audio/mpeg); errors as `{"detail": {"status", "message"}}`: 401 invalid_api_key, 400
voice_not_found / bad_prompt, 429 too_many_concurrent_requests / system_busy (with Retry-After), and 422
validation errors `{"detail": [{"loc", "msg", "type"}]}`. Instant cloning: `POST /v1/voices/add` (multipart
`name`, `files` one part per file, `remove_background_noise`, `description`, `labels`) -> `{voice_id,
requires_verification}`. Scripted answers (`script`, one per TTS request): "429", "busy", "bad_prompt", "slow"."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import uuid

from fake_minimax_speech import multipart, speech_mp3, wav_seconds
from fake_openai_images import Quiet, Serving

KEY = "el-fake-key-0001"
VOICES = ("21m00Tcm4TlvDq8ikWAM", "AZnzlk1XvdvUeBnXmlld", "EXAVITQu4vr4xnEQBXRZ", "ErXwobaYiN019PkySvjV")
MODELS = ("eleven_multilingual_v2", "eleven_v3", "eleven_flash_v2_5", "eleven_turbo_v2_5")
FORMATS = ("mp3_22050_32", "mp3_44100_64", "mp3_44100_128", "mp3_44100_192", "pcm_16000", "pcm_44100")


class Handler(Quiet):
    def _detail(self, status, kind, message, headers=None):
        self._send(status, {"detail": {"status": kind, "message": message}}, headers=headers)

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("xi-api-key", "")
        with srv.lock:
            srv.auth_headers.append(key + "|" + self.headers.get("Authorization", ""))
        if key != KEY:
            return self._detail(401, "invalid_api_key", "Invalid API key")
        url = urllib.parse.urlparse(self.path)
        if url.path == "/v1/voices/add":
            return self._add(raw)
        if not url.path.startswith("/v1/text-to-speech/"):
            return self._send(404, {"detail": "Not Found"})
        voice = urllib.parse.unquote(url.path.removeprefix("/v1/text-to-speech/"))
        fmt = urllib.parse.parse_qs(url.query).get("output_format", ["mp3_44100_128"])[0]
        try:
            body = json.loads(raw)
        except ValueError:  # a body cut off (the make was killed while sending it): arrived, not taken, not billed
            with srv.lock:
                srv.cut += 1
            return self._detail(400, "invalid_json", "Invalid JSON body")
        with srv.lock:
            srv.requests.append({"voice": voice, "output_format": fmt, **body})
            step = srv.script.pop(0) if srv.script else ""
        if step == "429":
            return self._detail(429, "too_many_concurrent_requests", "Too many concurrent requests", {"Retry-After": "0"})
        if step == "busy":
            return self._detail(429, "system_busy", "The system is busy, please retry")
        if step == "bad_prompt":
            return self._detail(400, "bad_prompt", "Your prompt appears to have violated our Terms of Service.")
        if step == "slow":
            time.sleep(srv.delay)
        if not isinstance(body.get("text"), str) or not body["text"].strip():
            return self._send(422, {"detail": [{"loc": ["body", "text"], "msg": "field required", "type": "missing"}]})
        if body.get("model_id", "eleven_multilingual_v2") not in MODELS or fmt not in FORMATS:
            return self._send(422, {"detail": [{"loc": ["body", "model_id"], "msg": "unknown model or format",
                                                "type": "value_error"}]})
        if body.get("model_id") == "eleven_multilingual_v2" and body.get("language_code"):
            return self._detail(400, "unsupported_language_code", "language_code is not supported for this model")
        speed = (body.get("voice_settings") or {}).get("speed", 1.0)
        if not 0.7 <= float(speed) <= 1.2:
            return self._send(422, {"detail": [{"loc": ["body", "voice_settings", "speed"],
                                                "msg": "speed must be between 0.7 and 1.2", "type": "value_error"}]})
        if voice not in VOICES and voice not in srv.clones:
            return self._detail(400, "voice_not_found", f"A voice with the voice_id {voice} was not found.")
        mp3, _ = speech_mp3(body["text"], 44100, 160.0 + 30 * (VOICES.index(voice) if voice in VOICES else 5))
        with srv.lock:
            srv.spoken += 1
        self._send(200, mp3, ctype="audio/mpeg", headers={"request-id": uuid.uuid4().hex})

    def _add(self, raw: bytes):
        srv = self.server
        fields, files = multipart(self.headers, raw)
        if not fields.get("name") or not files.get("files"):
            return self._send(422, {"detail": [{"loc": ["body", "files"], "msg": "field required", "type": "missing"}]})
        secs = [wav_seconds(data) for _, data in files["files"]]
        if any(s is None for s in secs):
            return self._detail(400, "invalid_audio", "a file is not audio")
        vid = uuid.uuid4().hex[:20]
        with srv.lock:
            srv.clones[vid] = {"name": fields["name"], "files": len(files["files"])}
        self._send(200, {"voice_id": vid, "requires_verification": False})


class FakeElevenLabs(Serving):
    prefix = "/v1"

    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.cut = 0  # requests whose body was cut off
        self.auth_headers: list[str] = []
        self.script: list[str] = []
        self.delay = 1.0
        self.spoken = 0
        self.clones: dict[str, dict] = {}
