"""A local server that follows MiniMax's published speech API (the vendor cannot be reached from the tests):
bearer auth; `POST /v1/t2a_v2` (`model`, `text`, `stream`, `voice_setting {voice_id, speed 0.5..2, vol, pitch
-12..12 integer, emotion}`, `audio_setting {sample_rate, bitrate, format, channel}`, `language_boost`,
`output_format` hex|url) answered synchronously in HTTP 200 with `{data: {audio: <hex>, status: 2}, extra_info:
{audio_length, audio_sample_rate, audio_size, bitrate, word_count, usage_characters, audio_format, audio_channel},
trace_id, base_resp: {status_code, status_msg}}`; errors inside HTTP 200 answers: 1002 rate limit, 1004 auth,
1026 sensitive input, 2013 invalid parameters, 20132 unknown voice_id, 2037 sample duration. Cloning: `POST
/v1/files/upload` (multipart `purpose=voice_clone`, `file`) -> `{file: {file_id, bytes, created_at, filename,
purpose}, base_resp}`, then `POST /v1/voice_clone {file_id, voice_id}` -> `{base_resp}` (a sample under 10 s or
over 5 min: 2037), after which the voice id speaks.

The speech is a real MP3: a tone per sentence (its length from the sentence's characters), a pause between
sentences; or, with `speech = "espeak"`, the text said aloud by espeak-ng with one espeak voice per voice id
(ESPEAK; a clone speaks with a voice of CLONE_VOICES picked from its id: this server does not copy the sample's
timbre), `speed` and `pitch` applied, the emotion not heard (MiniMax's is not imitated), so that a voice identity
measure has real speech, distinct per voice id, to measure (bench/voiced_series.py). Scripted answers (`script`, one per T2A request): "1002", "1026", "slow" (the answer waits
`delay` s: a kill lands while the request is out). A planted request (`plant(text, voice_id)`): the first
T2A request whose text holds `text`, for a voice that exists, is answered in the voice `voice_id` instead (a line
whose voice drifts, as a sampled model's can; the answer otherwise as asked), and later ones as asked."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import re
import subprocess
import threading
import time
import uuid

import numpy as np
from fake_openai_images import Quiet, Serving

KEY = "mm-speech-fake-key-0001"
SYSTEM_VOICES = ("male-qn-qingse", "female-shaonv", "female-yujie", "presenter_male", "Chinese (Mandarin)_Lyrical_Voice",
                 "lovely_girl")
EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")
MODELS = ("speech-2.8-hd", "speech-2.8-turbo", "speech-2.6-hd", "speech-2.6-turbo", "speech-02-hd", "speech-02-turbo")


def speech_mp3(text: str, rate: int = 32000, pitch_hz: float = 220.0) -> tuple[bytes, float]:
    """A real MP3 that stands for `text` said aloud: per sentence a tone of 0.12 s a Chinese character or 0.05 s
    another character, 0.35 s of silence between sentences; and its length in seconds."""
    import imageio_ffmpeg
    parts = [p for p in re.split(r"(?<=[。！？!?.])\s*", text) if p.strip()] or [text]
    chunks = []
    for k, p in enumerate(parts):
        secs = sum(0.12 if "\u3400" <= ch <= "\u9fff" else 0.05 for ch in p)
        t = np.arange(int(max(0.2, secs) * rate)) / rate
        tone = 0.4 * np.sin(2 * np.pi * (pitch_hz + 20 * k) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
        chunks.append(tone.astype(np.float32))
        if k + 1 < len(parts):
            chunks.append(np.zeros(int(0.35 * rate), np.float32))
    pcm = np.concatenate(chunks)
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "f32le", "-ar", str(rate), "-ac", "1",
                           "-i", "-", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", "-"], input=pcm.tobytes(),
                          capture_output=True, check=True)
    return proc.stdout, len(pcm) / rate


# How this server says each voice id when `speech = "espeak"`: (espeak-ng voice+variant, pitch 0-99, words a minute).
# Chosen so that Resemblyzer's encoder tells them apart (measured here on four Chinese sentences: the median
# similarity between two of these voices 0.56-0.82, within one voice 0.93-0.97; the voice identity
# measure's threshold is 0.75).
ESPEAK = {"male-qn-qingse": ("cmn+m3", 40, 160), "female-shaonv": ("cmn+f2", 70, 170),
          "female-yujie": ("cmn+f4", 35, 150), "presenter_male": ("cmn+m1", 20, 150),
          "Chinese (Mandarin)_Lyrical_Voice": ("cmn+Annie", 60, 170), "lovely_girl": ("cmn+f5", 90, 185)}
CLONE_VOICES = (("cmn+Alicia", 60, 165), ("cmn+m7", 35, 155))  # (measured: Alicia 0.52-0.68 to the voices above,
# m7 0.56-0.67 to all but male-qn-qingse's m3, 0.84)


def espeak_mp3(text: str, voice_id: str, rate: int = 32000, speed: float = 1.0, pitch: int = 0,
               language: str = "") -> tuple[bytes, float]:
    """`text` said by espeak-ng in the voice ESPEAK gives `voice_id` (a clone: one of CLONE_VOICES by its id), in
    the language asked (language_boost) or Mandarin when the text has Chinese characters; a real MP3 and its
    length in seconds."""
    import imageio_ffmpeg
    variant, base, wpm = ESPEAK.get(voice_id) or CLONE_VOICES[int(hashlib.sha256(voice_id.encode()).hexdigest(), 16)
                                                               % len(CLONE_VOICES)]
    lang = {"Chinese": "cmn", "English": "en", "French": "fr"}.get(language) or \
        ("cmn" if any("\u3400" <= ch <= "\u9fff" for ch in text) else "en")
    wav = subprocess.run(["espeak-ng", "-v", lang + variant[variant.index("+"):], "-p", str(max(0, min(99, base + 3 * pitch))),
                          "-s", str(int(wpm * speed)), "--stdout", text], capture_output=True, check=True).stdout
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", "-", "-ar", str(rate), "-ac", "1",
                           "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", "-"], input=wav, capture_output=True,
                          check=True)
    return proc.stdout, wav_seconds(proc.stdout) or 0.0


def wav_seconds(data: bytes) -> float | None:
    """The length of a WAV or MP3 sample (ffprobe through imageio's ffmpeg), None when it is not audio."""
    import imageio_ffmpeg
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", "-", "-f", "f32le", "-ac", "1", "-ar",
                           "8000", "-"], input=data, capture_output=True)
    return len(proc.stdout) / 4 / 8000 if proc.returncode == 0 and proc.stdout else None


def multipart(headers, raw: bytes) -> tuple[dict, dict]:
    msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(
        f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + raw)
    fields, files = {}, {}
    for part in msg.iter_parts() if msg.is_multipart() else []:
        name = part.get_param("name", header="content-disposition")
        if part.get_filename():
            files.setdefault(name, []).append((part.get_filename(), part.get_payload(decode=True)))
        else:
            fields[name] = part.get_content().strip()
    return fields, files


class Handler(Quiet):
    def _ok(self, body, code=0, msg="success"):
        self._send(200, {**body, "trace_id": uuid.uuid4().hex, "base_resp": {"status_code": code, "status_msg": msg}})

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        auth = self.headers.get("Authorization", "")
        with srv.lock:
            srv.auth_headers.append(auth)
        if auth != f"Bearer {KEY}":
            return self._ok({}, 1004, "authentication failed")
        if self.path == "/v1/files/upload":
            return self._upload(raw)
        if self.path == "/v1/voice_clone":
            return self._clone(json.loads(raw))
        if self.path != "/v1/t2a_v2":
            return self._send(404, b"404 page not found", ctype="text/plain")
        body = json.loads(raw)
        with srv.lock:
            srv.requests.append(body)
            step = srv.script.pop(0) if srv.script else ""
            if srv.hold and srv.hold in body.get("text", ""):
                srv.held += 1
                step = "slow" if srv.held > 1 else step
        if step == "1002":
            return self._ok({}, 1002, "rate limit exceeded(RPM)")
        if step == "1026":
            return self._ok({}, 1026, "input new_sensitive")
        if step == "slow":
            time.sleep(srv.delay)
        vs = body.get("voice_setting") or {}
        with srv.lock:  # a planted request: said once in another voice (see the module's docstring)
            hit = next((t for t in srv.planted if t in body.get("text", "")), None) \
                if vs.get("voice_id") in SYSTEM_VOICES or vs.get("voice_id") in srv.clones else None
            if hit is not None:
                vs = dict(vs, voice_id=srv.planted.pop(hit))
                srv.planted_answers.append(body.get("text", ""))
        if body.get("model") not in MODELS or not body.get("text") or body.get("stream") not in (False, None):
            return self._ok({}, 2013, "invalid params, model, text or stream")
        if not 0.5 <= float(vs.get("speed", 1)) <= 2 or not isinstance(vs.get("pitch", 0), int) or \
                not -12 <= vs.get("pitch", 0) <= 12 or ("emotion" in vs and vs["emotion"] not in EMOTIONS):
            return self._ok({}, 2013, "invalid params, voice_setting")
        if vs.get("voice_id") not in SYSTEM_VOICES and vs.get("voice_id") not in srv.clones:
            return self._ok({}, 20132, "invalid samples or voice_id")
        if (body.get("audio_setting") or {}).get("format", "mp3") != "mp3" or body.get("output_format", "hex") != "hex":
            return self._ok({}, 2013, "this fake answers mp3 in hex only")
        if srv.speech == "espeak":
            audio, secs = espeak_mp3(body["text"], vs["voice_id"], (body.get("audio_setting") or {}).get("sample_rate", 32000),
                                     float(vs.get("speed", 1)), int(vs.get("pitch", 0)), str(body.get("language_boost", "")))
        else:
            audio, secs = speech_mp3(body["text"], (body.get("audio_setting") or {}).get("sample_rate", 32000),
                                     180.0 + 10 * SYSTEM_VOICES.index(vs["voice_id"]) if vs["voice_id"] in SYSTEM_VOICES else 300.0)
        with srv.lock:
            srv.spoken += 1
        self._ok({"data": {"audio": audio.hex(), "status": 2},
                  "extra_info": {"audio_length": int(secs * 1000), "audio_sample_rate": 32000, "audio_size": len(audio),
                                 "bitrate": 128000, "word_count": len(body["text"]), "invisible_character_ratio": 0,
                                 "usage_characters": len(body["text"]), "audio_format": "mp3", "audio_channel": 1}})

    def _upload(self, raw: bytes):
        srv = self.server
        fields, files = multipart(self.headers, raw)
        if fields.get("purpose") != "voice_clone" or "file" not in files:
            return self._ok({}, 2013, "invalid params, purpose and file")
        name, data = files["file"][0]
        file_id = int(hashlib.sha256(data).hexdigest()[:12], 16)
        with srv.lock:
            srv.uploads[file_id] = data
        self._ok({"file": {"file_id": file_id, "bytes": len(data), "created_at": int(time.time()), "filename": name,
                           "purpose": "voice_clone"}})

    def _clone(self, body: dict):
        srv = self.server
        data = srv.uploads.get(body.get("file_id"))
        vid = str(body.get("voice_id", ""))
        if data is None or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{7,255}", vid):
            return self._ok({}, 2013, "invalid params, file_id or voice_id")
        secs = wav_seconds(data)
        if secs is None or not 10 <= secs <= 300:
            return self._ok({}, 2037, "voice duration too short" if (secs or 0) < 10 else "voice duration too long")
        with srv.lock:
            srv.clones[vid] = data
        self._ok({"input_sensitive": False, "input_sensitive_type": 0})


class FakeMiniMaxSpeech(Serving):
    prefix = "/v1"

    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.planted: dict[str, str] = {}  # text in a request -> the voice id it is said in, once (plant)
        self.planted_answers: list[str] = []  # the texts said in a planted voice
        self.auth_headers: list[str] = []
        self.script: list[str] = []
        self.delay = 1.0
        self.spoken = 0
        self.uploads: dict[int, bytes] = {}
        self.clones: dict[str, bytes] = {}
        self.speech = "tone"  # or "espeak": each voice id said by espeak-ng in its own voice (ESPEAK)
        self.hold = ""  # a text whose second request (a retake) is answered after `delay` s: a kill lands meanwhile
        self.held = 0

    def plant(self, text: str, voice_id: str) -> None:
        """The next request whose text holds `text` is said in `voice_id`'s voice (once)."""
        with self.lock:
            self.planted[text] = voice_id
