"""MiniMax's music model as the composer: one instrumental cue per scene from its mood and the series'
theme. `POST {base_url}/music_generation` with the bearer key (`model`, `prompt`, `is_instrumental: true`,
`output_format: hex`, `audio_setting`), answered synchronously with `{data: {audio: <hex>, status},
extra_info, base_resp}`; errors inside the answer's `base_resp.status_code` (1002 rate limit, backed off;
1026 a sensitive prompt, refused; 1008 balance; 2013 a bad parameter). The model chooses the cue's length:
filmcrew loops it (with a 2 s crossfade) or trims it to the length the composer asks, and the mix fades it
to the scene as it does the offline score. A cue whose answer a kill cut off may have been billed: the
make stops and says which journal file to delete to send it again.

Settings, `[providers.minimax-music]`: base_url (https://api.minimax.io/v1; China https://api.minimaxi.com/v1),
model (music-2.6, music-2.0), api_key_env (MINIMAX_API_KEY), max_concurrent, timeout."""

from __future__ import annotations

import json
import subprocess

import numpy as np

from ... import ledger
from ...errors import ConfigError, ProviderError
from ...media import ffmpeg
from .. import http
from . import jobs, pricing

BUSY, REFUSED = (1002,), (1026, 1027)


def _code(ans: http.Answer) -> int | None:
    try:
        return int((json.loads(ans.body.decode("utf-8")).get("base_resp") or {}).get("status_code"))
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return None


class MiniMaxComposer(jobs.Remote):
    name = "minimax-music"
    version = "1"
    source_type = ledger.TRAINED
    deterministic = False
    remote = True  # the composer crew gives it a job ticket

    def __init__(self, env: dict | None = None, base_url: str = "https://api.minimax.io/v1", model: str = "music-2.6",
                 api_key_env: str = "MINIMAX_API_KEY", max_concurrent: int = 2, poll_every: float = 5.0,
                 job_timeout: float = 900.0, max_failures: int = 5, timeout: float = 300.0):
        super().__init__(env, max_concurrent=max_concurrent, poll_every=poll_every, job_timeout=job_timeout,
                         max_failures=max_failures, timeout=timeout)
        if model not in ("music-2.6", "music-2.0"):
            raise ConfigError(f"filmcrew.toml: [providers.{self.name}] model: {model!r}; use music-2.6 or music-2.0")
        self.http = http.Endpoint(self.name, base_url, api_key_env, env)
        self.model = model

    def prompt(self, req) -> str:
        parts = [f"Instrumental film score cue, {req.mood} mood", f"{req.genre} film" if req.genre else "",
                 "building to a suspenseful unresolved ending" if req.ending == "hook" else "a gentle ending",
                 f"about {req.seconds:g} seconds", f"theme variation {req.theme_seed % 97}", "no vocals"]
        return ", ".join(p for p in parts if p)

    def price(self, request: dict) -> dict:
        return pricing.per_item(self.name, request["model"])

    def estimate(self, req=None) -> dict:
        return pricing.per_item(self.name, self.model)

    def send(self, request: dict) -> http.Answer:
        body = {"model": request["model"], "prompt": request["prompt"], "is_instrumental": True, "output_format": "hex",
                "audio_setting": {"sample_rate": 44100, "bitrate": 256000, "format": "mp3"}}
        return http.request("POST", f"{self.http.base_url}/music_generation", who=self.name, timeout=self.timeout,
                            headers=self.http.headers(), body=json.dumps(body).encode(),
                            busy_check=lambda a: 0 if _code(a) in BUSY else None)

    def read(self, ans: http.Answer, request: dict) -> jobs.Status:
        if ans.status in (401, 403):
            raise ProviderError(f"{self.name}: the key was refused ({ans.status}); check {self.http.api_key_env}")
        data = ans.json(self.name)
        base = data.get("base_resp") or {}
        code = base.get("status_code")
        if code in REFUSED:
            return jobs.Status(jobs.REFUSED, detail=f"{code}: {base.get('status_msg', '')}")
        if code == 1008:
            raise ProviderError(f"{self.name}: the account's balance is too low ({base.get('status_msg', '')})")
        if code != 0:
            raise ProviderError(f"{self.name}: music_generation answered {code}: {base.get('status_msg', '')}")
        audio = (data.get("data") or {}).get("audio") or ""
        try:
            raw = bytes.fromhex(audio)
        except ValueError:
            return jobs.Status(jobs.FAILED, detail="data.audio is not hex")
        return jobs.Status(jobs.DONE, data=raw, cost=self.price(request)["amount"] if raw else None)

    def compose(self, req, job=None) -> tuple[np.ndarray, int]:
        """A cue of at least `req.seconds` (the model's music, looped or trimmed), stereo float32 at 48 kHz."""
        if not isinstance(job, jobs.JobTicket):
            raise ProviderError(f"{self.name}: no job ticket (the crew gives one to every remote task); this is a bug")
        request = {"model": self.model, "prompt": self.prompt(req)}
        out = jobs.run(job, jobs.SyncAdapter(self), request, kind="audio", estimate=self.price(request),
                       settings=self.settings, max_concurrent=self.max_concurrent)
        proc = subprocess.run([ffmpeg.executable(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(out.path),
                               "-ac", "2", "-ar", str(ffmpeg.SAMPLE_RATE), "-f", "f32le", "-"], capture_output=True)
        if proc.returncode != 0 or not proc.stdout:
            raise ProviderError(f"{self.name}: the cue cannot be decoded")
        music = np.frombuffer(proc.stdout, np.float32).reshape(-1, 2).copy()
        return loop_to(music, int(req.seconds * ffmpeg.SAMPLE_RATE), ffmpeg.SAMPLE_RATE), ffmpeg.SAMPLE_RATE


def loop_to(music: np.ndarray, n: int, rate: int, fade_s: float = 2.0) -> np.ndarray:
    """`music` made `n` samples long: trimmed, or repeated with a crossfade of `fade_s` at each join."""
    if len(music) >= n:
        return music[:n]
    f = min(int(fade_s * rate), len(music) // 2)
    out = music.copy()
    ramp = np.linspace(0.0, 1.0, f, dtype=np.float32)[:, None] if f else None
    while len(out) < n:
        if f:
            out[-f:] = out[-f:] * (1 - ramp) + music[:f] * ramp
            out = np.concatenate([out, music[f:]])
        else:
            out = np.concatenate([out, music])
    return out[:n]
