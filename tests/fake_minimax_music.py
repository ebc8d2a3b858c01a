"""A local server that follows MiniMax's published music API (the vendor cannot be reached from the tests):
bearer auth, `POST /v1/music_generation` (`model`, `prompt`, `lyrics` or `is_instrumental`, `output_format`
hex or url, `audio_setting`), answered synchronously with `{data: {audio: <hex>, status: 2}, extra_info:
{music_duration, ...}, base_resp: {status_code, status_msg}}`; errors inside HTTP 200 answers (1002 rate
limit, 1004 auth, 1026 sensitive prompt, 2013 bad parameter). The music is a real MP3 of `seconds`."""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
from pathlib import Path

from fake_openai_images import Quiet, Serving

KEY = "minimax-music-fake-0001"
_mp3: dict[int, bytes] = {}


def mp3(seconds: int) -> bytes:
    if seconds not in _mp3:
        import imageio_ffmpeg
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "m.mp3"
            subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                            f"sine=frequency=330:sample_rate=44100:duration={seconds}", "-ac", "2", "-c:a", "libmp3lame",
                            "-b:a", "128k", str(out)], check=True, capture_output=True)
            _mp3[seconds] = out.read_bytes()
    return _mp3[seconds]


class Handler(Quiet):
    def _ok(self, body, code=0, msg="success"):
        self._send(200, {**body, "base_resp": {"status_code": code, "status_msg": msg}})

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            return self._ok({}, 1004, "authentication failed")
        if self.path != "/v1/music_generation":
            return self._send(404, b"", ctype="text/plain")
        body = json.loads(raw)
        with srv.lock:
            srv.requests.append(body)
            step = srv.script.pop(0) if srv.script else ""
        if step == "1002":
            return self._ok({}, 1002, "rate limit exceeded")
        if step == "1026":
            return self._ok({}, 1026, "input new_sensitive")
        if body.get("model") not in ("music-2.6", "music-2.0") or not body.get("prompt"):
            return self._ok({}, 2013, "invalid params")
        if not body.get("is_instrumental") and not body.get("lyrics"):
            return self._ok({}, 2013, "lyrics is required unless is_instrumental")
        audio = mp3(srv.seconds)
        self._ok({"data": {"audio": audio.hex(), "status": 2},
                  "extra_info": {"music_duration": srv.seconds * 1000, "music_sample_rate": 44100, "music_channel": 2,
                                 "bitrate": 128000, "music_size": len(audio)}})


class FakeMusic(Serving):
    prefix = "/v1"

    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.script: list[str] = []
        self.seconds = 12
