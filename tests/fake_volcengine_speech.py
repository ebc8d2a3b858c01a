"""A local server that follows Volcengine's published Doubao speech HTTP API (大模型语音合成API, HTTP; the vendor
cannot be reached from the tests): `POST /api/v1/tts` with `Authorization: Bearer;TOKEN` (a semicolon), JSON
`{app: {appid, token, cluster}, user: {uid}, audio: {voice_type, encoding, speed_ratio 0.8..2, loudness_ratio,
emotion, enable_emotion, rate}, request: {reqid (unique), text (<= 1024 bytes), operation: "query"}}`, answered
`{reqid, code: 3000, operation, message: "Success", sequence: -1, data: <base64 mp3>, addition: {duration}}`.
Errors (the HTTP statuses the documentation does not give are this fake's choice, marked): a wrong token 403
with code 3001 "requested grant not found"; 3001 invalid request (400, chosen); 3003 concurrency (429, chosen);
3006 a reqid used before (400, chosen); 3010 text too long and 3011 invalid text (400, chosen); 3050 an unknown
voice_type (400, chosen). Scripted answers (`script`, one per request): "3003", "3011", "slow".

Voice cloning (声音复刻 ICL 1.0, see providers/remote/volcengine_speech.py for what it follows): `POST
/api/v1/mega_tts/audio/upload` (`Resource-Id: volc.megatts.voiceclone`; `{appid, speaker_id, audios: [{audio_bytes,
audio_format}], source: 2, language, model_type}`) -> `{BaseResp: {StatusCode, StatusMessage}, speaker_id}`, codes
1001 (bad parameters), 1106 (the slot is already trained), 1107 (a speaker id not among `slots`, those ordered in
the console); `POST /api/v1/mega_tts/status {appid, speaker_id}` -> `status` 1 (training) for `train_polls` asks,
then 2 (trained). A trained S_ id speaks through the `volcano_icl` cluster."""

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
        if self.path.startswith("/api/v1/mega_tts/"):
            return self._clone(raw, auth)
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
        cloned = audio.get("voice_type") in srv.trained
        if app.get("cluster") != ("volcano_icl" if cloned else "volcano_tts") or req.get("operation") != "query" or \
                not reqid or \
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
        if audio.get("voice_type") not in VOICES and not cloned:
            return self._answer(400, reqid, 3050, "voice_type not found")
        mp3, secs = speech_mp3(text, 24000, 200.0 + 15 * VOICES.index(audio["voice_type"]))
        with srv.lock:
            srv.spoken += 1
        self._answer(200, reqid, 3000, "Success", sequence=-1, data=base64.b64encode(mp3).decode(),
                     addition={"duration": str(int(secs * 1000))})


    def _base(self, code, msg, **extra):
        self._send(200 if code == 0 else 400, {"BaseResp": {"StatusCode": code, "StatusMessage": msg}, **extra})

    def _clone(self, raw, auth):
        srv = self.server
        if auth != f"Bearer;{TOKEN}" or self.headers.get("Resource-Id") != "volc.megatts.voiceclone":
            return self._send(403, {"BaseResp": {"StatusCode": 1001, "StatusMessage": "grant not found"}})
        try:
            body = json.loads(raw)
        except ValueError:
            return self._base(1001, "invalid json")
        sid = str(body.get("speaker_id", ""))
        if body.get("appid") != APPID:
            return self._base(1001, "appid")
        if self.path == "/api/v1/mega_tts/status":
            with srv.lock:
                srv.status_asks += 1
                left = srv.training.get(sid)
                if left is not None:
                    srv.training[sid] = left - 1
                    if left <= 0:
                        srv.trained.add(sid)
            if sid not in srv.slots:
                return self._base(1107, "speaker id not found")
            status = 2 if sid in srv.trained else 1 if sid in srv.training else 0
            return self._base(0, "", speaker_id=sid, status=status, create_time=int(time.time() * 1000), version="V1")
        if self.path != "/api/v1/mega_tts/audio/upload":
            return self._send(404, b"404 page not found", ctype="text/plain")
        audios = body.get("audios") or []
        ok = (body.get("source") == 2 and body.get("model_type") in (1, 2, 3, 4) and body.get("language") in (0, 1, 2, 3, 4, 5)
              and len(audios) == 1 and audios[0].get("audio_format") in ("wav", "mp3", "ogg", "m4a", "aac", "pcm"))
        try:
            data = base64.b64decode(audios[0]["audio_bytes"], validate=True) if ok else b""
        except (ValueError, KeyError):
            ok = False
        with srv.lock:
            srv.uploads.append({k: v for k, v in body.items() if k != "audios"} | {"audio": data if ok else None})
        if not ok or not data or len(data) > 10 * 1024 * 1024:
            return self._base(1001, "invalid parameters: audios, source, model_type, language")
        if sid not in srv.slots:
            return self._base(1107, "speaker id not found")
        if sid in srv.trained or sid in srv.training:
            return self._base(1106, "speaker id already used")
        with srv.lock:
            srv.training[sid] = srv.train_polls
        self._base(0, "", speaker_id=sid)


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
        self.slots = {"S_fake001", "S_fake002"}  # the speaker ids ordered in the console
        self.training: dict[str, int] = {}  # speaker id -> status asks left before it is trained
        self.trained: set[str] = set()
        self.train_polls = 2
        self.uploads: list[dict] = []
        self.status_asks = 0
