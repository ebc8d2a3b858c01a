"""The offline foley: ambience beds and spot effects synthesised from shaped noise and damped
resonances (no samples, no model).

A bed is made in the frequency domain, so it loops seamlessly. Effects (a knock, a door, thunder,
footsteps, a splash) are built from noise bursts, decaying partials and envelopes. Ledger type:
``algorithmicMedia``.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .. import ledger
from .base import AmbienceRequest, EffectRequest, NoSettings

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
    version = "2"
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

    def effect(self, req: EffectRequest) -> tuple[np.ndarray, int]:
        rng = np.random.default_rng(int(hashlib.sha256(f"{req.seed}|{req.kind}".encode()).hexdigest()[:8], 16))
        make = {"knock": _knock, "door": _door, "thunder": _thunder, "footsteps": _footsteps, "splash": _splash}.get(req.kind)
        if make is None:
            raise ValueError(f"no synthesised effect {req.kind!r}")
        x = make(rng, max(0.5, req.seconds))
        pan = float(rng.uniform(-0.35, 0.35))  # a little off centre, stable per effect
        st = np.stack([x * (1 - pan), x * (1 + pan)], axis=1)
        return (st * (0.8 / (np.abs(st).max() or 1.0))).astype(np.float32), RATE


def _decay(n: int, seconds: float) -> np.ndarray:
    return np.exp(-np.arange(n) / (seconds * RATE)).astype(np.float32)


def _band(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    from scipy.signal import butter, sosfilt
    return sosfilt(butter(2, [lo, hi], btype="band", fs=RATE, output="sos"), x).astype(np.float32)


def _hit(rng, partials: tuple[float, ...], decay: float, noise: float, seconds: float = 0.25) -> np.ndarray:
    """A struck body: decaying partials with a short noise transient on top."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    x = sum(np.sin(2 * np.pi * f * rng.uniform(0.97, 1.03) * t) / (k + 1) for k, f in enumerate(partials))
    x = x * _decay(n, decay)
    burst = rng.standard_normal(n).astype(np.float32) * _decay(n, 0.004) * noise
    return (x + burst).astype(np.float32)


def _knock(rng, seconds: float) -> np.ndarray:
    out = np.zeros(int(min(seconds, 1.2) * RATE), np.float32)
    for k in range(3):  # three knocks on wood
        at = int((0.05 + 0.2 * k + rng.uniform(-0.015, 0.015)) * RATE)
        h = _band(_hit(rng, (190, 410, 870), 0.03, 0.8), 90, 3000) * rng.uniform(0.8, 1.0)
        out[at:at + len(h)] += h[:len(out) - at]
    return out


def _door(rng, seconds: float) -> np.ndarray:
    n = int(min(seconds, 1.6) * RATE)
    out = np.zeros(n, np.float32)
    creak_n = int(0.45 * RATE)  # hinges: a rubbed tone whose pitch wanders, then the slam
    t = np.arange(creak_n) / RATE
    f = 520 + 140 * np.sin(2 * np.pi * 2.3 * t) + rng.uniform(-40, 40)
    creak = np.sign(np.sin(2 * np.pi * np.cumsum(f) / RATE)) * 0.18 * np.hanning(creak_n)
    out[:creak_n] += _band(creak.astype(np.float32), 300, 2500)[:n]
    at = min(n - 1, creak_n)
    slam = _band(_hit(rng, (70, 140, 330), 0.09, 1.2, 0.6), 40, 4000)
    out[at:at + len(slam)] += slam[:n - at]
    return out


def _thunder(rng, seconds: float) -> np.ndarray:
    n = int(min(seconds, 4.5) * RATE)
    crack = rng.standard_normal(n).astype(np.float32) * _decay(n, 0.06)
    rumble = np.cumsum(rng.standard_normal(n)).astype(np.float32)  # brown noise
    rumble = _band(rumble - rumble.mean(), 25, 300)
    rumble /= np.abs(rumble).max() or 1.0
    t = np.arange(n) / RATE
    swell = (1 - np.exp(-t / 0.15)) * np.exp(-t / (0.35 * n / RATE)) * (0.7 + 0.3 * np.sin(2 * np.pi * 1.7 * t + rng.uniform(0, 6)))
    return (0.5 * _band(crack, 400, 9000) + 1.2 * rumble * swell).astype(np.float32)


def _footsteps(rng, seconds: float) -> np.ndarray:
    n = int(seconds * RATE)
    out = np.zeros(n, np.float32)
    at = 0.12
    k = 0
    while at < seconds - 0.2:  # two steps a second, heel then toe, left and right a little different
        h = _band(_hit(rng, (95, 210), 0.02, 0.6, 0.12), 60, 2500) * (0.9 if k % 2 else 1.0)
        toe = _band(rng.standard_normal(int(0.03 * RATE)).astype(np.float32) * _decay(int(0.03 * RATE), 0.006), 800, 5000)
        s = int(at * RATE)
        out[s:s + len(h)] += h[:n - s]
        s2 = s + int(0.06 * RATE)
        out[s2:s2 + len(toe)] += 0.5 * toe[:max(0, n - s2)]
        at += 0.5 + rng.uniform(-0.04, 0.04)
        k += 1
    return out


def _splash(rng, seconds: float) -> np.ndarray:
    n = int(min(seconds, 1.8) * RATE)
    t = np.arange(n) / RATE
    body = _band(rng.standard_normal(n).astype(np.float32), 300, 7000) * ((1 - np.exp(-t / 0.01)) * np.exp(-t / 0.25))
    out = body.astype(np.float32)
    for _ in range(14):  # drops falling back: short rising tones
        s = int(rng.uniform(0.1, 0.9 * n / RATE) * RATE)
        ln = int(RATE * rng.uniform(0.015, 0.04))
        tt = np.arange(ln) / RATE
        f0 = rng.uniform(700, 1600)
        drop = np.sin(2 * np.pi * (f0 * tt + 9000 * tt ** 2)) * np.hanning(ln) * rng.uniform(0.1, 0.3)
        out[s:s + ln] += drop[:n - s].astype(np.float32)
    return out
