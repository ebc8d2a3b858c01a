"""What the festival's tests share (a helper module, not a test file: the festival tests import it instead of
importing test_festival): a festival made for a test, an entrant signed in, a film sent in pieces, a plain video."""

from __future__ import annotations

import io
from pathlib import Path

from filmcrew.festival.core import Festival
from filmcrew.media import ffmpeg

PASSWORD = "correct horse battery"


def synth(path: Path, seconds: float = 30, size=(540, 960)) -> Path:
    """A plain video: no labels, no credentials, no provenance (what most entrants' exports look like)."""
    w, h = size
    ffmpeg.run(["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=30:d={seconds}", "-f", "lavfi", "-i",
                f"sine=frequency=440:sample_rate=48000:duration={seconds}", "-c:v", "libx264", "-profile:v", "high",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-ar", "48000", "-ac", "2", "-movflags", "+faststart", str(path)],
               "test film")
    return path


def make_festival(folder: Path, database: str | None = None, **kw) -> Festival:
    fest, _ = Festival.init(folder, "iqiyi-2025", database=database, organiser="org@example.org", password=PASSWORD, **kw)
    return fest


def entrant(fest: Festival, email: str = "ann@example.org") -> dict:
    fest.register(email, email.split("@")[0].title(), PASSWORD, "France")
    token, _ = fest.login(email, PASSWORD)
    return fest.session(token)


def send(fest: Festival, user: dict, film: Path, title: str = "Plain", pieces: int = 3, **kw) -> int:
    data = film.read_bytes()
    cid = fest.contest()["id"]
    up = fest.start_upload(user, cid, len(data))
    step = len(data) // pieces + 1
    for at in range(0, len(data), step):
        fest.put_piece(user, up, at, io.BytesIO(data[at:at + step]), len(data[at:at + step]))
    return fest.submit(user, cid, up, title, **kw)
