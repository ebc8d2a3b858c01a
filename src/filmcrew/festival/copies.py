"""Copies caught: the same film sent by two entrants, byte for byte or re-encoded and re-cut.

- **identical**: two entries of different entrants whose films have the same SHA-256.
- **similar**: a perceptual fingerprint of each film, computed during its check: one frame a second (ffmpeg's
  `fps=1`, the frame nearest each whole second) shrunk to 9x8 grey and hashed as a 64-bit difference hash (dHash:
  each bit says whether a pixel is brighter than its right-hand neighbour). A re-encode at another bitrate or
  size changes a few bits at most; a film trimmed at its start or end, or cut into another, shifts the seconds.
  Two films share a run when, at one offset between their times, RUN_S or more consecutive seconds have hashes
  within MAX_BITS bits of each other. Seconds with almost nothing in the picture (a black or flat frame: its
  brightness varies by less than FLAT) carry no hash and never match, so two films that both fade to black are
  not called copies.

Neither flag disqualifies a film: the organiser looks at the matched times side by side and decides (audited).
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import numpy as np

from ..errors import MediaError
from ..media import ffmpeg

RUN_S = 10  # a shared run this long (seconds) flags two films
MAX_BITS = 10  # of 64: two seconds' pictures are the same picture within this many differing bits
FLAT = 4.0  # a frame whose grey levels (0-255) vary less than this has no hash ("-")
BLANK = "-"


def fingerprint(path: Path) -> str:
    """The film's fingerprint: one 16-hex-digit dHash a second, joined by spaces ('-' for a flat second)."""
    proc = subprocess.run([ffmpeg.executable(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path), "-an",
                           "-vf", "fps=1,scale=9:8:flags=area,format=gray", "-f", "rawvideo", "-"],
                          capture_output=True)
    if proc.returncode != 0:
        raise MediaError(f"{path}: no fingerprint: {proc.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    frames = np.frombuffer(proc.stdout, np.uint8)
    frames = frames[: len(frames) // 72 * 72].reshape(-1, 8, 9).astype(np.int16)
    out = []
    for f in frames:
        if f.std() < FLAT:
            out.append(BLANK)
            continue
        bits = (f[:, 1:] > f[:, :-1]).flatten()
        out.append(f"{int(''.join('1' if b else '0' for b in bits), 2):016x}")
    return " ".join(out)


@functools.lru_cache(maxsize=4096)
def _hashes(fp: str) -> tuple[np.ndarray, np.ndarray]:
    """(the hashes as uint64, which seconds have one). Kept for the next checks (each new film is compared with
    every other entrant's: the same fingerprints are read again and again); the arrays are read-only."""
    words = (fp or "").split()
    have = np.array([w != BLANK for w in words], bool)
    values = np.array([int(w, 16) if w != BLANK else 0 for w in words], np.uint64)
    have.flags.writeable = values.flags.writeable = False
    return values, have


def shared_runs(fp_a: str, fp_b: str, run_s: int = RUN_S, max_bits: int = MAX_BITS) -> list[list[int]]:
    """The runs of `run_s` or more seconds the two films share: [[a's start s, b's start s, seconds], ...], the
    longest first (at most 5)."""
    a, ha = _hashes(fp_a)
    b, hb = _hashes(fp_b)
    if len(a) < run_s or len(b) < run_s:
        return []
    dist = np.bitwise_count(a[:, None] ^ b[None, :])  # (len a) x (len b): bits apart
    close = (dist <= max_bits) & ha[:, None] & hb[None, :]  # the same picture
    if np.count_nonzero(close) < run_s:  # (most pairs of a contest: no run can be there; the diagonals are not read)
        return []
    runs = []
    n, m = close.shape
    for offset in range(-(n - 1), m):  # each diagonal: b's second = a's second + offset
        diag = np.diagonal(close, offset).astype(np.int8)
        if diag.sum() < run_s:
            continue
        edges = np.diff(np.concatenate(([0], diag, [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        for s, e in zip(starts, ends):
            if e - s >= run_s:
                i = int(s) + max(0, -offset)  # a's second
                apart = float(np.diagonal(dist, offset)[s:e].mean())
                runs.append([i, i + offset, int(e - s), apart])
    runs.sort(key=lambda r: (-r[2], r[3], r[0]))  # the longest; of equal ones, the closest pictures
    kept: list[list[int]] = []
    for r in runs:  # (a still picture matches at many offsets: the longest run of each stretch of a's is kept)
        if not any(r[0] < k[0] + k[2] and k[0] < r[0] + r[2] for k in kept):
            kept.append(r[:3])
    return kept[:5]


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"
