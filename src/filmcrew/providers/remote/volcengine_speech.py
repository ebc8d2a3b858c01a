"""Volcengine's Doubao speech (豆包语音合成大模型) as a character's voice, over its one-shot HTTP API.

Checked against (December 2026) Volcengine's documentation "大模型语音合成API", HTTP section (volcengine.com/docs/6561/
1257584; read in the copy kept in github.com/MatthewHA233/LingFlow, 文档/大模型语音合成API--豆包语音-火山引擎.md, and
its voice list 文档/音色列表--豆包语音-火山引擎.md, volcengine.com/docs/6561/1257544):
- `POST https://openspeech.bytedance.com/api/v1/tts`, header `Authorization: Bearer;TOKEN` (a semicolon, no space),
  JSON `{app: {appid, token, cluster: "volcano_tts"}, user: {uid}, audio: {voice_type, encoding (mp3 | wav | pcm |
  ogg_opus), speed_ratio [0.8, 2], loudness_ratio [0.5, 2], emotion, enable_emotion, emotion_scale 1..5, rate},
  request: {reqid (unique per call: a UUID), text (at most 1024 bytes of UTF-8), operation: "query"}}`. The
  `app.token` field "has no authenticating role" (any non-empty string): the real token goes only in the header,
  so filmcrew sends a placeholder there. No pitch control ("暂时不支持音高调节"): filmcrew shifts the answer itself.
- Answer `{reqid, code, message, operation, sequence, data: <base64 audio>, addition: {duration (ms, a string)}}`;
  `code` 3000 is success; 3001 invalid request, 3003 concurrency over the limit and 3005 server busy (both backed
  off here), 3006 reqid reused, 3010 text too long, 3011 invalid text (empty, only punctuation, or not the voice's
  language), 3030 timeout, 3031 processing error, 3032/3040 backend network, 3050 no such voice_type. Error answers
  come with an HTTP error status (public reports show 403 with code 3001 "requested resource not granted" for a voice
  the account has not bought); which status goes with which code is not documented, so filmcrew reads `code` in
  any answer that is JSON. Volcengine documents no moderation code for this API: a 3011 is a failed job (the line's
  text must change), not a refusal.
- Emotions (multi-emotion voices only, `*_emo_*`): happy, sad, angry, surprised, fear, hate, excited, coldness,
  neutral, depressed, lovey-dovey, shy, comfort, tension, tender, storytelling, radio, magnetic, advertising, vocal-fry,
  ASMR, news, entertainment, dialect (Chinese voices); English voices: neutral, happy, angry, sad, excited, chat, ASMR,
  warm, affectionate, authoritative. Sent with `enable_emotion: true`; a voice without that emotion may refuse it.
- Price: per 10,000 characters (prices/volcengine-speech.json).
- Cloning (声音复刻, ICL 1.0; `filmcrew voice clone`), from Volcengine's "声音复刻API" (volcengine.com/docs/6561/1305191)
  as Volcengine's official Python demo calls it (`train` and `get_status`, in a copy found in public code) and a
  TypeScript client's table of its codes: `POST {base}/mega_tts/audio/upload` with `Authorization: Bearer;TOKEN` and
  `Resource-Id: volc.megatts.voiceclone`, JSON `{appid, speaker_id, audios: [{audio_bytes: base64, audio_format:
  wav | mp3 | ogg | m4a | aac | pcm}], source: 2, language: 0 zh | 1 en, model_type: 1}` -> `{BaseResp: {StatusCode:
  0, StatusMessage}, speaker_id}`; then `POST {base}/mega_tts/status {appid, speaker_id}` -> `{BaseResp, speaker_id,
  status: 0 not found | 1 training | 2 success | 3 failed | 4 active, create_time, version, demo_audio}`, polled
  until 2 or 4. The speaker id is not chosen: it is a slot (`S_...`) ordered in Volcengine's console, one per voice,
  which is where the clone is paid for (filmcrew prices no clone); `--voice-id S_...` names it. Codes: 1001 bad
  parameters, 1101 upload failed, 1102 ASR failed, 1103 voiceprint check failed, 1104 too like a celebrity (a
  refusal), 1105 audio not readable, 1106 speaker id already used, 1107 speaker id not found (order one), 1108
  transcoding failed, 1109 the words do not match. The sample: at most 10 MB; filmcrew asks for 10 s to 5 min of it
  (Volcengine's own length limits were not in what could be read). A cloned voice speaks through the `volcano_icl`
  cluster (`clone_cluster`), chosen for any voice_type that starts with `S_`.

Settings, `[providers.volcengine-speech]`: base_url (https://openspeech.bytedance.com/api/v1), appid (the console's
APP ID: not secret), cluster (volcano_tts), clone_cluster (volcano_icl), clone_language (zh or en), model (the price row: seed-tts-1.0 or seed-tts-2.0), api_key_env
(VOLCENGINE_SPEECH_TOKEN: the Access Token), max_concurrent, timeout."""

from __future__ import annotations

import base64
import json
import time
import uuid

from ...errors import ConfigError, ProviderError
from .. import http
from . import jobs
from .speech import RemoteSpeaker

BUSY = (3003, 3005)
FAILED = (3010, 3011, 3030, 3031, 3032, 3040)


def _code(ans: http.Answer) -> int | None:
    try:
        return int(json.loads(ans.body.decode("utf-8")).get("code"))
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return None


class VolcengineSpeech(RemoteSpeaker):
    name = "volcengine-speech"
    models = ("seed-tts-1.0", "seed-tts-2.0")
    emotions = {"happy": "happy", "sad": "sad", "angry": "angry", "surprised": "surprised", "fearful": "fear",
                "disgusted": "hate", "excited": "excited", "cold": "coldness", "neutral": "neutral",
                "calm": "neutral", "tender": "tender", "whisper": "ASMR"}
    speed_range = (0.8, 2.0)
    clones = True
    min_sample_s, max_sample_s, max_sample_bytes = 10.0, 300.0, 10 * 1024 * 1024
    sample_formats = ("wav", "mp3", "ogg", "m4a", "aac")

    def __init__(self, env: dict | None = None, base_url: str = "https://openspeech.bytedance.com/api/v1",
                 appid: str = "", cluster: str = "volcano_tts", clone_cluster: str = "volcano_icl",
                 clone_language: str = "zh", model: str = "seed-tts-1.0",
                 api_key_env: str = "VOLCENGINE_SPEECH_TOKEN", max_concurrent: int = 2, poll_every: float = 2.0,
                 job_timeout: float = 300.0, max_failures: int = 5, timeout: float = 120.0):
        super().__init__(env, max_concurrent=max_concurrent, poll_every=poll_every, job_timeout=job_timeout,
                         max_failures=max_failures, timeout=timeout)
        where = f"filmcrew.toml: [providers.{self.name}]"
        if not isinstance(appid, (str, int)) or not str(appid).strip():
            raise ConfigError(f"{where} appid: the APP ID from Volcengine's speech console is needed, e.g. "
                              f"appid = \"1234567890\"")
        self.appid, self.cluster, self.clone_cluster = str(appid).strip(), str(cluster), str(clone_cluster)
        if clone_language not in ("zh", "en"):
            raise ConfigError(f"{where} clone_language: {clone_language!r}; zh or en")
        self.clone_language = clone_language
        self.model = self.check_model(model)
        self.http = http.Endpoint(self.name, base_url, api_key_env, env,
                                  example="https://openspeech.bytedance.com/api/v1")

    def headers(self) -> dict:
        h = self.http.headers()  # the key check, and Content-Type
        if "Authorization" in h:
            h["Authorization"] = "Bearer;" + h["Authorization"].removeprefix("Bearer ")  # Volcengine's own form
        return h

    def body(self, request: dict, reqid: str) -> dict:
        audio = {"voice_type": request["voice"], "encoding": "mp3", "speed_ratio": request["speed"],
                 "loudness_ratio": 1.0, "rate": 24000}
        if request["emotion"]:
            audio.update(emotion=request["emotion"], enable_emotion=True)
        cluster = self.clone_cluster if str(request["voice"]).startswith("S_") else self.cluster  # a cloned voice
        return {"app": {"appid": self.appid, "token": "access_token", "cluster": cluster},
                "user": {"uid": "filmcrew"}, "audio": audio,
                "request": {"reqid": reqid, "text": request["text"], "operation": "query"}}

    def send(self, request: dict) -> http.Answer:
        if len(request["text"].encode("utf-8")) > 1024:
            raise ProviderError(f"{self.name}: a line of {len(request['text'].encode('utf-8'))} bytes is over the API's "
                                f"1024-byte limit; split it in the screenplay")
        retry = http.Retry()
        for attempt in range(retry.attempts + 1):  # a busy answer is asked again under a new reqid (a reqid that
            # failed once is answered 3006 if sent again), so the HTTP layer's own retry is not used here
            body = self.body(request, str(uuid.uuid4()))
            ans = http.request("POST", f"{self.http.base_url}/tts", who=self.name, timeout=self.timeout,
                               headers=self.headers(), body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                               final=lambda a: _code(a) is not None)
            if _code(ans) not in BUSY or attempt == retry.attempts:
                return ans
            retry.wait(attempt, http.retry_after(ans.headers))
        return ans

    def read(self, ans: http.Answer, request: dict) -> jobs.Status:
        code = _code(ans)
        if code is None:
            if ans.status in (401, 403):
                raise ProviderError(f"{self.name}: the token was refused ({ans.status}); check {self.http.api_key_env} "
                                    f"and appid")
            data = ans.json(self.name)  # not JSON: Unsure (a proxy's page)
            raise ProviderError(f"{self.name}: tts answered {ans.status} without a code: {str(data)[:200]}")
        msg = str(json.loads(ans.body.decode("utf-8")).get("message", ""))
        if code == 3000:
            data = ans.json(self.name)
            try:
                raw = base64.b64decode(data.get("data") or "", validate=True)
            except (ValueError, TypeError):
                return jobs.Status(jobs.FAILED, detail="data is not base64")
            if not raw:
                return jobs.Status(jobs.FAILED, detail="the answer has no audio")
            return jobs.Status(jobs.DONE, data=raw, cost=self.cost(request, len(request["text"])))
        if code == 3050:
            raise ProviderError(f"{self.name}: no voice_type {request['voice']!r} (3050: {msg}); check the character's "
                                f"voice in story/bible.yaml against Volcengine's voice list")
        if ans.status in (401, 403) or "grant" in msg or "access denied" in msg:
            raise ProviderError(f"{self.name}: {code}: {msg} ({ans.status}); check {self.http.api_key_env}, appid, and "
                                f"that the account has bought voice {request['voice']!r} in Volcengine's console")
        if code in FAILED:
            return jobs.Status(jobs.FAILED, detail=f"{code}: {msg}")
        if code in BUSY:
            raise ProviderError(f"{self.name}: still busy ({code}: {msg}) after retries; try again later")
        raise ProviderError(f"{self.name}: tts answered {code}: {msg}")

    # ---- cloning (filmcrew voice clone) ------------------------------------------------------------------------

    def check_voice_id(self, voice_id: str) -> None:
        if not (voice_id.startswith("S_") and len(voice_id) > 2 and all(c.isalnum() or c == "_" for c in voice_id)):
            raise ConfigError(f"{self.name}: --voice-id {voice_id!r}: Volcengine clones into a speaker id ordered in its "
                              f"console (声音复刻 -> 下单), of the form S_xxxxxxx; give it with --voice-id")

    def _clone_call(self, path: str, body: dict) -> dict:
        headers = dict(self.headers(), **{"Resource-Id": "volc.megatts.voiceclone"})
        ans = http.request("POST", f"{self.http.base_url}/mega_tts/{path}", who=self.name, timeout=self.timeout,
                           headers=headers, body=json.dumps(body).encode("utf-8"))
        try:
            data = json.loads(ans.body.decode("utf-8"))
            base = data.get("BaseResp") or {}
            code, msg = int(base.get("StatusCode", -1)), str(base.get("StatusMessage", ""))
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
            if ans.status in (401, 403):
                raise ProviderError(f"{self.name}: the token was refused ({ans.status}); check {self.http.api_key_env} "
                                    f"and appid") from None
            raise ProviderError(f"{self.name}: mega_tts/{path} answered {ans.status} without BaseResp") from None
        if code == 0:
            return data
        if code == 1104:
            raise jobs.RefusedError(f"{self.name}: the sample was refused: its voice is too like a well-known "
                                    f"person's (1104: {msg})")
        if code == 1107:
            raise ProviderError(f"{self.name}: speaker id {body.get('speaker_id')!r} not found (1107: {msg}); order a "
                                f"voice slot in Volcengine's console (声音复刻) and pass its S_ id with --voice-id")
        if code == 1106:
            raise ProviderError(f"{self.name}: speaker id {body.get('speaker_id')!r} is already in use (1106: {msg})")
        raise ProviderError(f"{self.name}: mega_tts/{path} answered {code}: {msg}")

    def clone(self, sample: bytes, filename: str, voice_id: str, label: str = "") -> dict:
        """Send a sample (checked before: cli/voices.py) to train the speaker slot `voice_id` (S_...), then wait
        for the training; {"voice_id", "status", "version"}. The upload is sent once (a lost answer is said, never
        resent); the status is asked until it is trained or failed (job_timeout)."""
        fmt = filename.rsplit(".", 1)[-1].lower()
        self._clone_call("audio/upload", {
            "appid": self.appid, "speaker_id": voice_id, "source": 2, "model_type": 1,
            "language": {"zh": 0, "en": 1}[self.clone_language],
            "audios": [{"audio_bytes": base64.b64encode(sample).decode(), "audio_format": fmt}]})
        start = time.monotonic()
        names = {0: "not found", 1: "training", 2: "trained", 3: "failed", 4: "active"}
        while True:
            st = self._clone_call("status", {"appid": self.appid, "speaker_id": voice_id})
            status = st.get("status")
            if status in (2, 4):
                return {"voice_id": voice_id, "status": names[status], "version": st.get("version")}
            if status in (0, 3):
                raise ProviderError(f"{self.name}: the training of {voice_id} {names[status]} (status {status}); "
                                    f"record a cleaner sample and clone again")
            if time.monotonic() - start > self.settings.timeout:
                raise ProviderError(f"{self.name}: {voice_id} is still training after {self.settings.timeout:g} s "
                                    f"(job_timeout); run the clone again later: the upload is made, only the wait")
            time.sleep(self.settings.poll_every)
