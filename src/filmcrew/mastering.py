"""Loudness and true-peak control for the final mix (pure numpy/scipy; no I/O).

- Integrated loudness is ITU-R BS.1770-4 / EBU R128, measured with `pyloudnorm`.
- True peak is the peak of the signal oversampled 4x (BS.1770-4 annex 2), measured here in chunks so a
  five-minute stereo mix stays within a few tens of MB.
- `limit` is a look-ahead true-peak limiter whose gain never rises above what every oversampled peak in
  its window needs: the output's true peak is at or under the ceiling by construction (checked after,
  and corrected by a final trim if the interpolation of the gain curve lets a fraction of a dB through).

The final check that matters is done on the encoded AAC track by ffmpeg's `ebur128` filter, because the
AAC encoder itself overshoots PCM peaks by a few tenths of a dB (see `crew/finisher.py`).
"""
from __future__ import annotations

import numpy as np

OVERSAMPLE = 4
_CHUNK = 1 << 18
_PAD = 64


def integrated_lufs(x: np.ndarray, rate: int) -> float:
    import pyloudnorm

    a = np.asarray(x, dtype=np.float64)
    if len(a) < int(0.4 * rate):  # BS.1770 needs at least one 400 ms block
        a = np.pad(a, ((0, int(0.4 * rate) - len(a)),) + ((0, 0),) * (a.ndim - 1))
    return float(pyloudnorm.Meter(rate).integrated_loudness(a))


def peak_envelope(x: np.ndarray) -> np.ndarray:
    """Per input sample, the largest absolute value among it and its 4x-oversampled neighbours, over all channels."""
    from scipy.signal import resample_poly

    a = np.asarray(x, dtype=np.float32)
    if a.ndim == 1:
        a = a[:, None]
    n = len(a)
    out = np.empty(n, np.float32)
    for s in range(0, n, _CHUNK):
        e = min(n, s + _CHUNK)
        lo, hi = max(0, s - _PAD), min(n, e + _PAD)
        up = resample_poly(a[lo:hi], OVERSAMPLE, 1, axis=0).astype(np.float32)
        up = np.abs(up[(s - lo) * OVERSAMPLE:(s - lo + e - s) * OVERSAMPLE]).reshape(e - s, OVERSAMPLE, -1)
        out[s:e] = np.maximum(up.max(axis=(1, 2)), np.abs(a[s:e]).max(axis=1))
    return out


def true_peak_db(x: np.ndarray) -> float:
    p = float(peak_envelope(x).max()) if len(x) else 0.0
    return 20 * np.log10(p) if p > 0 else float("-inf")


def _min_filter(g: np.ndarray, w: int) -> np.ndarray:
    """Centred running minimum over 2w+1 samples (van Herk / Gil-Werman, O(n))."""
    size = 2 * w + 1
    n = len(g)
    blocks = -(-(n + 2 * w) // size)
    pad = np.ones(blocks * size, g.dtype)
    pad[w:w + n] = g
    b = pad.reshape(blocks, size)
    prefix = np.minimum.accumulate(b, axis=1).ravel()
    suffix = np.minimum.accumulate(b[:, ::-1], axis=1)[:, ::-1].ravel()
    i = np.arange(n)
    return np.minimum(suffix[i], prefix[i + size - 1])


def _box(g: np.ndarray, w: int) -> np.ndarray:
    """Centred moving average over 2w+1 samples, edges padded with the edge value."""
    size = 2 * w + 1
    p = np.concatenate([np.full(w, g[0]), g, np.full(w, g[-1])]).astype(np.float64)
    c = np.concatenate([[0.0], np.cumsum(p)])
    return ((c[size:] - c[:-size]) / size).astype(np.float32)


def limit(x: np.ndarray, rate: int, ceiling_db: float, lookahead_s: float = 0.005) -> tuple[np.ndarray, float]:
    """True-peak limit `x` to `ceiling_db`. Returns the limited signal and the largest gain reduction in dB."""
    a = np.asarray(x, dtype=np.float32)
    ceiling = 10 ** (ceiling_db / 20)
    env = peak_envelope(a)
    need = np.minimum(1.0, ceiling / np.maximum(env, 1e-9)).astype(np.float32)
    if need.min() >= 1.0:
        return a, 0.0
    w = max(1, int(lookahead_s * rate))
    # the min over 2w+1 then a mean over 2v+1 (v <= w) is <= need at every sample: every value averaged
    # is a minimum over a window that contains that sample
    gain = _box(_min_filter(need, w), w)
    gain = np.minimum(gain, 1.0)
    y = a * (gain[:, None] if a.ndim == 2 else gain)
    over = true_peak_db(y) - ceiling_db
    if over > 0:  # oversampled peaks between gain steps; a final trim keeps the promise
        y *= 10 ** (-over / 20)
    return y, float(-20 * np.log10(max(float(gain.min()), 1e-9)))


def master(x: np.ndarray, rate: int, lufs: float, ceiling_db: float) -> tuple[np.ndarray, dict]:
    """Gain to `lufs` integrated, then true-peak limit to `ceiling_db`; a second pass makes up the
    loudness the limiter took away (limiting again), so both targets hold to about 0.2 LU."""
    y = np.asarray(x, dtype=np.float32)
    measured = integrated_lufs(y, rate)
    if not np.isfinite(measured):
        return y, {"input_lufs": None, "gain_reduction_db": 0.0}
    reduction = 0.0
    now = measured
    for i in range(3):
        if i:  # the first pass starts from the input's own measurement
            now = integrated_lufs(y, rate)
        if abs(now - lufs) <= 0.2 and true_peak_db(y) <= ceiling_db + 1e-3:
            break
        y = y * np.float32(10 ** ((lufs - now) / 20))
        y, reduction = limit(y, rate, ceiling_db)
    return y, {"input_lufs": round(measured, 2), "gain_reduction_db": round(reduction, 2)}
