"""MiniMax's speech models (T2A v2) as a character's voice, and MiniMax's quick voice cloning.

Checked against (December 2026):
- MiniMax's API reference, "Text to Speech (T2A) HTTP" (platform.minimax.io/docs/api-reference/speech-t2a-http, its
  OpenAPI file speech/t2a/api/openapi.json; the CN copy platform.minimaxi.com/document/t2a_http): `POST {base}/t2a_v2`,
  `Authorization: Bearer KEY`, JSON `model` (speech-2.8-hd / -turbo, speech-2.6-*, speech-02-*), `text`, `stream:
  false`, `voice_setting {voice_id, speed 0.5..2, vol (0,10], pitch -12..12 (an integer), emotion}`, `audio_setting
  {sample_rate, bitrate, format mp3|pcm|flac|wav, channel}`, `language_boost`, `output_format hex|url` (hex, the
  default, is used: nothing to download). Answer `{data: {audio: <hex>, status: 2}, extra_info: {audio_length (ms),
  audio_sample_rate, audio_size, usage_characters, word_count, ...}, trace_id, base_resp: {status_code, status_msg}}`.
- MiniMax's error codes page (platform.minimax.io/docs/api-reference/errorcode): errors come inside HTTP 200 answers
  in `base_resp.status_code`: 1000 unknown, 1001 timeout, 1002 rate limit (backed off here), 1004 auth (the key),
  1008 balance, 1026/1027 sensitive input/output (refused: not sent again), 1039 token limit, 1042 invisible
  characters, 2013 invalid parameters, 20132 invalid voice_id (a voice that does not exist or a clone not yet
  usable), 2037 sample too short or too long (cloning), 2038 real-name verification.
- The emotions, from the official MiniMax MCP server (github.com/MiniMax-AI/MiniMax-MCP, minimax_mcp/server.py,
  `text_to_audio`: "happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral") and LiveKit's MiniMax
  plugin (the same seven, and "fluent" on speech-2.6 only: not used here).
- Cloning, from the same MCP server (`voice_clone`) and MiniMax's guide (platform.minimax.io/docs/guides/speech-
  voice-clone): upload the sample with `POST {base}/files/upload` (multipart: `purpose=voice_clone`, `file`) ->
  `{file: {file_id, ...}, base_resp}`, then `POST {base}/voice_clone {file_id, voice_id}` (the voice id is chosen
  by the client: 8 to 256 characters, a letter first [the length rule is unconfirmed]); the sample: mp3, m4a or
  wav, **10 s to 5 min**, at most 20 MB; a clone unused for 7 days is deleted by MiniMax, and its fee is charged at
  its first use in T2A.
- Prices: see prices/minimax-speech.json (per 1,000 characters, with their source and date).

Settings, `[providers.minimax-speech]`: base_url (https://api.minimax.io/v1; China https://api.minimaxi.com/v1, a
separate key), model (speech-2.8-hd), api_key_env (MINIMAX_API_KEY), language_boost ("auto"), max_concurrent,
timeout. In the bible: `voice: {provider: minimax-speech, voice: male-qn-qingse, speed: 1.0, pitch: 0, emotion:
angry}` (a line's parenthetical overrides the emotion)."""

from __future__ import annotations

import json

from ...errors import ConfigError, ProviderError
from .. import http
from . import jobs
from .speech import RemoteSpeaker

BUSY, REFUSED = (1002, 1039), (1026, 1027)
MIN_SAMPLE_S, MAX_SAMPLE_S, MAX_SAMPLE_BYTES = 10.0, 300.0, 20 * 1024 * 1024
LANGUAGE_BOOST = {"zh": "Chinese", "en": "English", "fr": "French"}


def _code(ans: http.Answer) -> int | None:
    try:
        return int((json.loads(ans.body.decode("utf-8")).get("base_resp") or {}).get("status_code"))
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return None


class MiniMaxSpeech(RemoteSpeaker):
    name = "minimax-speech"
    models = ("speech-2.8-hd", "speech-2.8-turbo", "speech-2.6-hd", "speech-2.6-turbo", "speech-02-hd",
              "speech-02-turbo")
    emotions = {e: e for e in ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")}
    emotions["calm"] = "neutral"
    pitch_by_vendor = True
    clones = True

    def __init__(self, env: dict | None = None, base_url: str = "https://api.minimax.io/v1", model: str = "speech-2.8-hd",
                 api_key_env: str = "MINIMAX_API_KEY", language_boost: str = "auto", max_concurrent: int = 3,
                 poll_every: float = 2.0, job_timeout: float = 300.0, max_failures: int = 5, timeout: float = 120.0):
        super().__init__(env, max_concurrent=max_concurrent, poll_every=poll_every, job_timeout=job_timeout,
                         max_failures=max_failures, timeout=timeout)
        self.model = self.check_model(model)
        self.http = http.Endpoint(self.name, base_url, api_key_env, env, example="https://api.minimax.io/v1")
        self.language_boost = language_boost

    def body(self, request: dict) -> dict:
        voice = {"voice_id": request["voice"], "speed": request["speed"], "vol": 1.0,
                 "pitch": int(round(max(-12.0, min(12.0, request["pitch"]))))}
        if request["emotion"]:
            voice["emotion"] = request["emotion"]
        boost = self.language_boost if self.language_boost != "auto" else LANGUAGE_BOOST.get(request["language"], "auto")
        return {"model": request["model"], "text": request["text"], "stream": False, "voice_setting": voice,
                "audio_setting": {"sample_rate": 32000, "bitrate": 128000, "format": "mp3", "channel": 1},
                "language_boost": boost, "output_format": "hex"}

    def send(self, request: dict) -> http.Answer:
        return http.request("POST", f"{self.http.base_url}/t2a_v2", who=self.name, timeout=self.timeout,
                            headers=self.http.headers(), body=json.dumps(self.body(request), ensure_ascii=False).encode(),
                            busy_check=lambda a: 0 if _code(a) in BUSY else None)

    def read(self, ans: http.Answer, request: dict) -> jobs.Status:
        data = self._ok(ans, "t2a_v2", request)
        if isinstance(data, jobs.Status):
            return data
        try:
            raw = bytes.fromhex((data.get("data") or {}).get("audio") or "")
        except ValueError:
            return jobs.Status(jobs.FAILED, detail="data.audio is not hex")
        if not raw:
            return jobs.Status(jobs.FAILED, detail="the answer has no audio")
        billed = (data.get("extra_info") or {}).get("usage_characters")
        return jobs.Status(jobs.DONE, data=raw, cost=self.cost(request, billed))

    def _ok(self, ans: http.Answer, what: str, request: dict | None = None):
        if ans.status in (401, 403):
            raise ProviderError(f"{self.name}: the key was refused ({ans.status}); check {self.http.api_key_env}")
        data = ans.json(self.name)
        base = data.get("base_resp") or {}
        code, msg = base.get("status_code"), base.get("status_msg", "")
        if code in REFUSED:
            return jobs.Status(jobs.REFUSED, detail=f"{code}: {msg}")
        if code == 1004:
            raise ProviderError(f"{self.name}: {what}: the key was refused (1004: {msg}); check {self.http.api_key_env} "
                                f"and base_url (keys of api.minimax.io and api.minimaxi.com differ)")
        if code == 1008:
            raise ProviderError(f"{self.name}: the account's balance is too low ({msg})")
        if code == 20132 and request is not None:
            raise ProviderError(f"{self.name}: no voice {request['voice']!r} (20132: {msg}); check the character's "
                                f"voice in story/bible.yaml (a clone is deleted by MiniMax after 7 days unused)")
        if code != 0:
            raise ProviderError(f"{self.name}: {what} answered {code}: {msg}")
        return data

    # ---- cloning (filmcrew voice clone) ------------------------------------------------------------------------

    min_sample_s, max_sample_s, max_sample_bytes = MIN_SAMPLE_S, MAX_SAMPLE_S, MAX_SAMPLE_BYTES
    sample_formats = ("mp3", "m4a", "wav")

    def clone(self, sample: bytes, filename: str, voice_id: str, label: str = "") -> dict:
        """Send a sample (checked before: see cli/voices.py) and make a voice of it under `voice_id`; the vendor's
        answer {"voice_id", "file_id"}. Each request is sent once (a lost answer is said, never resent)."""
        fields = [("purpose", "voice_clone"), ("file", (filename, sample, "audio/wav" if filename.endswith(".wav")
                                                        else "audio/mpeg"))]
        body, ctype = http.multipart(fields)
        headers = dict(self.http.headers(), **{"Content-Type": ctype})
        up = http.request("POST", f"{self.http.base_url}/files/upload", who=self.name, timeout=self.timeout,
                          headers=headers, body=body, busy_check=lambda a: 0 if _code(a) in BUSY else None)
        data = self._ok(up, "files/upload")
        if isinstance(data, jobs.Status):
            raise jobs.RefusedError(f"{self.name}: the sample was refused: {data.detail}")
        file_id = (data.get("file") or {}).get("file_id")
        if not file_id:
            raise ProviderError(f"{self.name}: files/upload gave no file_id")
        ans = http.request("POST", f"{self.http.base_url}/voice_clone", who=self.name, timeout=self.timeout,
                           headers=self.http.headers(), body=json.dumps({"file_id": file_id, "voice_id": voice_id}).encode(),
                           busy_check=lambda a: 0 if _code(a) in BUSY else None)
        data = self._ok(ans, "voice_clone")
        if isinstance(data, jobs.Status):
            raise jobs.RefusedError(f"{self.name}: the clone was refused: {data.detail}")
        return {"voice_id": voice_id, "file_id": str(file_id)}

    def check_voice_id(self, voice_id: str) -> None:
        if not (8 <= len(voice_id) <= 256 and voice_id[:1].isalpha() and all(c.isalnum() or c in "-_" for c in voice_id)):
            raise ConfigError(f"{self.name}: voice id {voice_id!r}: 8 to 256 letters, digits, - or _, a letter first")
