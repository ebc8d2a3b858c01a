"""A local server that follows Volcengine's published Doubao speech HTTP API (大模型语音合成API, HTTP; the vendor
cannot be reached from the tests): `POST /api/v1/tts` with `Authorization: Bearer;TOKEN` (a semicolon), JSON
`{app: {appid, token, cluster}, user: {uid}, audio: {voice_type, encoding, speed_ratio 0.8..2, loudness_ratio,
emotion, enable_emotion, rate}, request: {reqid (unique), text (<= 1024 bytes), operation: "query"}}`, answered
`{reqid, code: 3000, operation, message: "Success", sequence: -1, data: <base64 mp3>, addition: {duration}}`.
Errors (the HTTP statuses the documentation does not give are this fake's choice, marked): a wrong token 403
with code 3001 "requested grant not found"; 3001 invalid request (400, chosen); 3003 concurrency (429, chosen);
3006 a reqid used before (400, chosen); 3010 text too long and 3011 invalid text (400, chosen); 3050 an unknown
voice_type (400, chosen). Scripted answers (`script`, one per request): "3003", "3011", "slow"."""

from __future__ import annotations

import base64
import json
import threading
import time

from fake_minimax_speech import speech_mp3
from fake_openai_images import Quiet, Serving

TOKEN, APPID = "volc-fake-access-token-0001", "7310001"
VOICES = ("zh_female_roumeinvyou_emo_v2_mars_bigtts", "zh_male_yangguangqingnian_emo_v2_mars_bigtts",
          "zh_female_cancan_mars_bigtts", "zh_male_wennuanahu_moon_bigtts", "BV700_V2_streaming")
EMOTIONS = ("happy", "sad", "angry", "surprised", "fear", "hate", "excited", "coldness", "neutral", "tender", "ASMR")


class Handler(Quiet):
    def _answer(self, status, reqid, code, message, **extra):
        self._send(status, {"reqid": reqid, "code": code, "operation": "query", "message": message, **extra})

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        auth = self.headers.get("Authorization", "")
        with srv.lock:
            srv.auth_headers.append(auth)
        if self.path != "/api/v1/tts":
            return self._send(404, b"404 page not found", ctype="text/plain")
        try:
            body = json.loads(raw)
            req, audio, app = body["request"], body["audio"], body["app"]
        except (ValueError, KeyError, TypeError):
            return self._answer(400, "", 3001, "invalid request: app, user, audio and request are required")
        reqid = str(req.get("reqid", ""))
        if auth != f"Bearer;{TOKEN}" or app.get("appid") != APPID or not app.get("token"):
            return self._answer(403, reqid, 3001, "authenticate request: load grant: requested grant not found")
        with srv.lock:
            srv.requests.append(body)
            step = srv.script.pop(0) if srv.script else ""
            seen = reqid in srv.reqids
            srv.reqids.add(reqid)
        if step == "3003":
            return self._answer(429, reqid, 3003, "quota exceeded for types: concurrency")
        if step == "3011":
            return self._answer(400, reqid, 3011, "illegal input text!")
        if step == "slow":
            time.sleep(srv.delay)
        if seen:
            return self._answer(400, reqid, 3006, "the request with this reqid is already finished")
        if app.get("cluster") != "volcano_tts" or req.get("operation") != "query" or not reqid or \
                not (body.get("user") or {}).get("uid"):
            return self._answer(400, reqid, 3001, "invalid request: cluster, operation, reqid or uid")
        if not 0.8 <= float(audio.get("speed_ratio", 1.0)) <= 2.0 or audio.get("encoding", "pcm") != "mp3":
            return self._answer(400, reqid, 3001, "invalid request: speed_ratio or encoding (this fake answers mp3)")
        if "emotion" in audio and (not audio.get("enable_emotion") or audio["emotion"] not in EMOTIONS):
            return self._answer(400, reqid, 3001, "invalid request: emotion")
        text = str(req.get("text", ""))
        if len(text.encode("utf-8")) > 1024:
            return self._answer(400, reqid, 3010, "text too long")
        if not text.strip("。！？，、 .,!?"):
            return self._answer(400, reqid, 3011, "illegal input text!")
        if audio.get("voice_type") not in VOICES:
            return self._answer(400, reqid, 3050, "voice_type not found")
        mp3, secs = speech_mp3(text, 24000, 200.0 + 15 * VOICES.index(audio["voice_type"]))
        with srv.lock:
            srv.spoken += 1
        self._answer(200, reqid, 3000, "Success", sequence=-1, data=base64.b64encode(mp3).decode(),
                     addition={"duration": str(int(secs * 1000))})


class FakeVolcengineSpeech(Serving):
    prefix = "/api/v1"

    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.auth_headers: list[str] = []
        self.reqids: set[str] = set()
        self.script: list[str] = []
        self.delay = 1.0
        self.spoken = 0
