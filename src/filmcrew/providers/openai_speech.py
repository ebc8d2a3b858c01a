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

import subprocess

import numpy as np

from .. import ledger
from ..errors import ConfigError, ProviderError
from ..media import ffmpeg
from .base import SpeakRequest
from . import http
from .voice_fx import deliver


class OpenAISpeechProvider:
    name = "openai-speech"
    version = "1"
    source_type = ledger.TRAINED
    deterministic = False  # a remote model samples: see providers/base.py

    def __init__(self, env: dict | None = None, base_url: str = "https://api.openai.com/v1", model: str = "gpt-4o-mini-tts",
                 api_key_env: str = "OPENAI_API_KEY", timeout: float = 120, response_format: str = "wav"):
        where = f"filmcrew.toml: [providers.{self.name}]"
        self.http = http.Endpoint(self.name, base_url, api_key_env, env)
        if response_format not in ("wav", "mp3", "flac", "aac", "opus", "pcm"):
            raise ConfigError(f"{where} response_format: {response_format!r}; use wav, mp3, flac, aac, opus or pcm")
        self.base_url = self.http.base_url
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = float(timeout)
        self.response_format = response_format

    def speak(self, req: SpeakRequest) -> tuple[np.ndarray, int]:
        body = {"model": self.model, "input": req.text, "voice": req.voice.voice,
                "response_format": self.response_format, "speed": max(0.25, min(4.0, float(req.voice.speed)))}
        if req.parenthetical:
            body["instructions"] = f"Say it {req.parenthetical}."
        url = f"{self.base_url}/audio/speech"
        audio = http.post_json(self.http, "/audio/speech", body, self.timeout)  # busy answers are retried (http.post_json)
        samples = self._decode(audio, url)
        return deliver(samples, ffmpeg.SAMPLE_RATE, req.voice.pitch), ffmpeg.SAMPLE_RATE

    def _decode(self, audio: bytes, url: str) -> np.ndarray:
        if self.response_format == "pcm":  # OpenAI's raw PCM: 24 kHz, 16-bit signed little-endian, mono
            return ffmpeg.resample(np.frombuffer(audio, "<i2").astype(np.float32) / 32768.0, 24000)
        proc = subprocess.run([ffmpeg.executable(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", "pipe:0",
                               "-ac", "1", "-ar", str(ffmpeg.SAMPLE_RATE), "-f", "f32le", "-"], input=audio, capture_output=True)
        if proc.returncode != 0 or not proc.stdout:
            raise ProviderError(f"{self.name}: {url} answered {len(audio)} bytes that are not {self.response_format} audio")
        return np.frombuffer(proc.stdout, np.float32).copy()
