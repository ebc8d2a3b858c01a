"""A voice from any server that speaks OpenAI's `POST /v1/audio/speech` (hosted or self-hosted).

Request (OpenAI's published protocol): JSON `{"model", "input", "voice", "response_format", "speed"}` and,
for models that take it, `"instructions"` (how to say it: here the line's parenthetical); the answer is
the audio file itself. The key comes from the environment variable named by `api_key_env`.

Use it per character in story/bible.yaml::

    voice: {provider: openai-speech, voice: alloy, speed: 1.0, pitch: 0}

with `[providers.openai-speech]` in filmcrew.toml: `base_url`, `model`, `api_key_env`, `timeout`.
Ledger type: trainedAlgorithmicMedia (a trained model made the audio).
"""
from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

from .. import ledger, media
from ..errors import ConfigError, ProviderError
from .base import SpeakRequest
from .voice_fx import deliver


class OpenAISpeechProvider:
    name = "openai-speech"
    version = "1"
    source_type = ledger.TRAINED

    def __init__(self, env: dict | None = None, base_url: str = "https://api.openai.com/v1", model: str = "gpt-4o-mini-tts",
                 api_key_env: str = "OPENAI_API_KEY", timeout: float = 120, response_format: str = "wav"):
        where = f"filmcrew.toml: [providers.{self.name}]"
        parsed = urllib.parse.urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"{where} base_url: {base_url!r} is not an http(s) URL, e.g. \"https://api.openai.com/v1\"")
        if response_format not in ("wav", "mp3", "flac", "aac", "opus", "pcm"):
            raise ConfigError(f"{where} response_format: {response_format!r}; use wav, mp3, flac, aac, opus or pcm")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = float(timeout)
        self.response_format = response_format
        self._key = (env or {}).get(api_key_env, "") if api_key_env else ""
        self._local = parsed.hostname in ("127.0.0.1", "localhost", "::1")

    def speak(self, req: SpeakRequest) -> tuple[np.ndarray, int]:
        if not self._key and not self._local:
            raise ProviderError(f"{self.name}: no API key: set the environment variable {self.api_key_env}")
        body = {"model": self.model, "input": req.text, "voice": req.voice.voice,
                "response_format": self.response_format, "speed": max(0.25, min(4.0, float(req.voice.speed)))}
        if req.parenthetical:
            body["instructions"] = f"Say it {req.parenthetical}."
        headers = {"Content-Type": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        url = f"{self.base_url}/audio/speech"
        request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                audio = resp.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:300]
            hint = f"; check the key in {self.api_key_env}" if err.code in (401, 403) else ""
            raise ProviderError(f"{self.name}: {url} answered {err.code}: {detail}{hint}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            raise ProviderError(f"{self.name}: cannot reach {url} ({getattr(err, 'reason', err)}); check base_url in "
                                f"[providers.{self.name}]") from None
        samples = self._decode(audio, url)
        return deliver(samples, media.SAMPLE_RATE, req.voice.pitch), media.SAMPLE_RATE

    def _decode(self, audio: bytes, url: str) -> np.ndarray:
        if self.response_format == "pcm":  # OpenAI's raw PCM: 24 kHz, 16-bit signed little-endian, mono
            return media.resample(np.frombuffer(audio, "<i2").astype(np.float32) / 32768.0, 24000)
        proc = subprocess.run([media.ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", "pipe:0",
                               "-ac", "1", "-ar", str(media.SAMPLE_RATE), "-f", "f32le", "-"], input=audio, capture_output=True)
        if proc.returncode != 0 or not proc.stdout:
            raise ProviderError(f"{self.name}: {url} answered {len(audio)} bytes that are not {self.response_format} audio")
        return np.frombuffer(proc.stdout, np.float32).copy()
