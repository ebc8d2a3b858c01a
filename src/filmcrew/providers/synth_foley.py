"""The offline foley: ambience beds synthesised from shaped noise (no samples, no model).

A bed is made in the frequency domain, so it loops seamlessly. Ledger type:
``algorithmicMedia``.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .. import ledger
from .base import AmbienceRequest, NoSettings

RATE = 48000
KINDS = [("sea", ("sea", "beach", "harbour", "harbor", "shore", "cliff", "lighthouse", "海", "港", "mer", "plage", "phare", "port")),
         ("river", ("river", "flood", "dock", "bank", "河", "码头", "fleuve", "berge", "ponton", "inond")),
         ("rain", ("rain", "storm", "雨", "pluie", "orage")),
         ("forest", ("forest", "wood", "clearing", "pine", "林", "forêt", "clairière", "pins")),
         ("city", ("city", "street", "alley", "rooftop", "platform", "城市", "街", "ville", "rue", "gare")),
         ("wind", ("mountain", "peak", "pass", "snow", "cliff", "山", "montagne", "sommet", "col")),
         ("crowd", ("market", "square", "village", "court", "广场", "集市", "村", "marché", "place"))]


def kind_of(location: str, interior: bool) -> str:
    if interior:
        return "room"
    low = location.lower()
    for kind, words in KINDS:
        if any(w in low for w in words):
            return kind
    return "wind"


def _shaped(n: int, rng: np.random.Generator, lo: float, hi: float, tilt: float) -> np.ndarray:
    spec = rng.normal(size=n // 2 + 1) + 1j * rng.normal(size=n // 2 + 1)
    f = np.fft.rfftfreq(n, 1 / RATE)
    shape = np.where((f >= lo) & (f <= hi), 1.0, 0.0) / np.maximum(f, 1.0) ** tilt
    x = np.fft.irfft(spec * shape, n)
    return (x / (np.abs(x).max() or 1.0)).astype(np.float32)


class SynthFoley(NoSettings):
    name = "synth-foley"
    version = "1"
    model = "noise-v1"
    source_type = ledger.ALGORITHMIC

    def ambience(self, req: AmbienceRequest) -> tuple[np.ndarray, int]:
        n = int(max(4.0, req.seconds) * RATE)
        kind = kind_of(req.location, req.interior)
        rng = np.random.default_rng(int(hashlib.sha256(f"{req.seed}|{req.location}".encode()).hexdigest()[:8], 16))
        t = np.arange(n) / RATE
        period = n / RATE
        chans = []
        for ch in range(2):
            if kind == "sea":  # surf: low noise swelling every few seconds
                base = _shaped(n, rng, 60, 3000, 0.9)
                swell = 0.55 + 0.45 * np.sin(2 * np.pi * t * round(period / 6.0) / period + ch * 0.6) ** 2
                x = base * swell
            elif kind == "river":
                x = _shaped(n, rng, 200, 6000, 0.5) * 0.8
            elif kind == "rain":
                x = _shaped(n, rng, 1000, 12000, 0.2) * 0.7
            elif kind == "forest":
                x = _shaped(n, rng, 100, 2500, 1.0) * 0.4
                for _ in range(int(period / 2)):  # birds: short chirps
                    s = rng.integers(0, n - RATE // 5)
                    ln = int(RATE * rng.uniform(0.05, 0.12))
                    f0 = rng.uniform(2500, 4500)
                    tt = np.arange(ln) / RATE
                    x[s:s + ln] += 0.25 * np.sin(2 * np.pi * (f0 * tt + 4000 * tt ** 2)) * np.hanning(ln)
            elif kind == "city":
                x = _shaped(n, rng, 30, 1500, 1.2) * 0.9
            elif kind == "crowd":
                x = _shaped(n, rng, 150, 3500, 0.6) * (0.7 + 0.3 * np.sin(2 * np.pi * t * 3 / period + ch))
            elif kind == "room":
                x = _shaped(n, rng, 40, 800, 1.0) * 0.35
            else:  # wind
                gust = 0.5 + 0.5 * np.sin(2 * np.pi * t * 2 / period + ch) ** 2
                x = _shaped(n, rng, 80, 1200, 0.8) * gust
            chans.append(x.astype(np.float32))
        bed = np.stack(chans, axis=1)
        return bed * (0.5 / (np.abs(bed).max() or 1.0)), RATE
