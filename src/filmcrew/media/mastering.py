"""Loudness and true-peak control for the final mix (numpy/scipy), streamed a block at a time.

- Integrated loudness is ITU-R BS.1770-4 / EBU R128: the K-weighting filters of `pyloudnorm`, run
  block by block with their state carried over, and its gating over 400 ms blocks in 100 ms steps
  (`integrated_lufs_pcm` gives pyloudnorm's own figure without holding the signal).
- True peak is the peak of the signal oversampled 4x (BS.1770-4 annex 2), measured in chunks.
- `limit_pcm` is a look-ahead true-peak limiter whose gain never rises above what every oversampled peak
  in its window needs: the output's true peak is at or under the ceiling by construction (checked after,
  and corrected by a final trim if the interpolation of the gain curve lets a fraction of a dB through).
- The signal lives in a raw float32 file (`Pcm`) and every pass reads it `BLOCK` samples at a time, so
  the memory mastering needs does not grow with the film's length; `master` and `limit` are the same
  code for an array in memory.

The final check that matters is done on the encoded AAC track by ffmpeg's `ebur128` filter, because the
AAC encoder itself overshoots PCM peaks by a few tenths of a dB (see `crew/finisher.py`).
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

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
        up = np.abs(up[(s - lo) * OVERSAMPLE:(s - lo + e - s) * OVERSAMPLE]).reshape(e - s, -1)
        m = np.abs(a[s:e, 0])
        for k in range(up.shape[1]):  # column by column: several times faster than a max over the small axes
            np.maximum(m, up[:, k], out=m)
        for c in range(1, a.shape[1]):
            np.maximum(m, np.abs(a[s:e, c]), out=m)
        out[s:e] = m
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


BLOCK = 240_000  # samples per pass step: 5 s at 48 kHz, a whole number of 100 ms loudness steps


class Pcm:
    """A float32 signal of `channels` channels in a raw file (interleaved), read a block at a time."""

    def __init__(self, path: Path, channels: int = 2):
        self.path, self.channels = Path(path), channels

    @property
    def frames(self) -> int:
        return os.path.getsize(self.path) // (4 * self.channels)

    def read(self, s: int, e: int) -> np.ndarray:
        """Samples [s, e) as (e - s, channels); zeros outside the signal."""
        n = self.frames
        out = np.zeros((e - s, self.channels), np.float32)
        a, b = max(0, s), min(n, e)
        if b > a:
            with open(self.path, "rb") as f:
                f.seek(a * 4 * self.channels)
                out[a - s:b - s] = np.fromfile(f, np.float32, (b - a) * self.channels).reshape(-1, self.channels)
        return out

    def spans(self, block: int | None = None):
        n, block = self.frames, block or BLOCK
        return ((s, min(n, s + block)) for s in range(0, n, block))

    @contextmanager
    def writer(self):
        with open(self.path, "wb") as f:
            yield lambda block: np.ascontiguousarray(block, np.float32).tofile(f)

    @classmethod
    def of(cls, x: np.ndarray, path: Path) -> "Pcm":
        a = np.asarray(x, np.float32)
        a = a[:, None] if a.ndim == 1 else a
        pcm = cls(path, a.shape[1])
        with pcm.writer() as put:
            put(a)
        return pcm

    def array(self) -> np.ndarray:
        return self.read(0, self.frames)


class LoudnessMeter:
    """BS.1770-4 integrated loudness fed a block at a time, in order: pyloudnorm's K-weighting filters
    with their state carried from block to block, and its gating over 400 ms blocks in 100 ms steps,
    so the figure is pyloudnorm's own for the whole signal."""

    def __init__(self, rate: int, channels: int):
        import pyloudnorm
        meter = pyloudnorm.Meter(rate)
        self.rate, self.channels = rate, channels
        self.stages = list(meter._filters.values())
        self.states = [[np.zeros(max(len(st.a), len(st.b)) - 1) for _ in range(channels)] for st in self.stages]
        self.block = meter.block_size
        self.step = meter.block_size * (1 - meter.overlap)
        self.hop = int(round(rate * self.step))  # 100 ms
        self.per_block = int(round(1 / (1 - meter.overlap)))  # 4 hops a block
        self.sums: list[np.ndarray] = []
        self.tail = np.zeros((0, channels))  # filtered samples short of a whole hop
        self.n = 0

    def add(self, block: np.ndarray) -> None:
        from scipy.signal import lfilter
        x = np.asarray(block, np.float64).reshape(len(block), self.channels).copy()
        self.n += len(x)
        for k, st in enumerate(self.stages):
            for c in range(self.channels):
                y, self.states[k][c] = lfilter(st.b, st.a, x[:, c], zi=self.states[k][c])
                x[:, c] = st.passband_gain * y
        x = np.concatenate([self.tail, x])
        m = len(x) // self.hop
        self.sums.append((x[:m * self.hop] ** 2).reshape(m, self.hop, self.channels).sum(axis=1))
        self.tail = x[m * self.hop:]

    def lufs(self) -> float:
        short = int(self.block * self.rate) - self.n
        if short > 0:  # BS.1770 needs one 400 ms block: silence pads it (through the filters, as pyloudnorm does)
            self.add(np.zeros((short, self.channels)))
        hops = np.concatenate(self.sums + [(self.tail ** 2).sum(axis=0, keepdims=True)])
        return gated_lufs(hops, self.n, self.rate)


def gated_lufs(hops: np.ndarray, n: int, rate: int) -> float:
    """BS.1770-4 integrated loudness from the K-weighted energy (sum of squares per channel) of each 100 ms
    hop of a signal `n` samples long (the last row: what is left after the whole hops, maybe nothing):
    400 ms blocks of four hops, the absolute gate at -70 LUFS and the relative one 10 LU under, as
    pyloudnorm gates. The signal must be at least 400 ms long (`LoudnessMeter.lufs` pads a shorter one)."""
    block, step, per_block = 0.4, 0.1, 4
    channels = hops.shape[1]
    blocks = int(np.round((n / rate - block) / step)) + 1
    hops = np.concatenate([hops, np.zeros((max(0, blocks + per_block - len(hops)), channels))])
    z = np.stack([hops[j:j + blocks] for j in range(per_block)]).sum(axis=0) / (block * rate)
    g = np.array([1.0, 1.0, 1.0, 1.41, 1.41][:channels])
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(z @ g)
        gated = z[loud >= -70.0]
        if not len(gated):
            return float("-inf")
        rel = -0.691 + 10 * np.log10(gated.mean(axis=0) @ g) - 10.0
        kept = z[(loud > rel) & (loud > -70.0)]
        return float(-0.691 + 10 * np.log10(kept.mean(axis=0) @ g)) if len(kept) else float("-inf")


HOP = 4800  # the 100 ms step of BS.1770's gating blocks at 48 kHz


def k_sos(rate: int) -> np.ndarray:
    """pyloudnorm's two K-weighting stages (high shelf, then high pass) as second-order sections."""
    import pyloudnorm
    sos = []
    for st in pyloudnorm.Meter(rate)._filters.values():
        b, a = np.asarray(st.b, float) * st.passband_gain, np.asarray(st.a, float)
        sos.append(np.concatenate([b / a[0], a / a[0]]))
    return np.array(sos)


def k_weight(x: np.ndarray, sos: np.ndarray, zi: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`x` (n, channels) K-weighted in float64, from filter state `zi` (sections, 2, channels; None: at rest);
    the filtered signal and the state after it."""
    from scipy.signal import sosfilt
    if zi is None:
        zi = np.zeros((len(sos), 2, x.shape[1]))
    return sosfilt(sos, x, axis=0, zi=zi)


def integrated_lufs_pcm(pcm: Pcm, rate: int, gain: float = 1.0) -> float:
    """BS.1770-4 integrated loudness of `pcm` times `gain`, as pyloudnorm measures it, block by block."""
    meter = LoudnessMeter(rate, pcm.channels)
    for s, e in pcm.spans():
        meter.add(pcm.read(s, e) * gain)
    return meter.lufs()


def true_peak_db_pcm(pcm: Pcm, gain: float = 1.0) -> float:
    p = 0.0
    for s, e in pcm.spans():
        p = max(p, float(peak_envelope(pcm.read(s - _PAD, e + _PAD) * gain)[_PAD:_PAD + e - s].max()))
    return _db_of(p)


def _db_of(peak: float) -> float:
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def limit_pcm(src: Pcm, dst: Pcm, rate: int, ceiling_db: float, gain: float = 1.0,
              lookahead_s: float = 0.005) -> tuple[float, float, float]:
    """Write `src` times `gain`, true-peak limited to `ceiling_db`, to `dst`. Returns the largest gain
    reduction in dB, and the output's true peak (dBTP) and integrated loudness (LUFS), measured in the
    same pass. Each block is read with 2w + a few samples of its neighbours each side, so the gain at
    every sample (and the output's oversampled peaks) come out as they would over the whole signal."""
    w = max(1, int(lookahead_s * rate))
    least, peak = 1.0, 0.0
    meter = LoudnessMeter(rate, src.channels)
    with dst.writer() as put:
        for s, e in src.spans():
            y, low, top = limited(src, s, e, gain, ceiling_db, w)
            least, peak = min(least, low), max(peak, top)
            put(y)
            meter.add(y)
    out_tp, out_lufs = _db_of(peak), meter.lufs()
    over = out_tp - ceiling_db
    if over > 0:  # oversampled peaks between gain steps; a final trim keeps the promise
        _scale(dst, 10 ** (-over / 20))
        out_tp, out_lufs = out_tp - over, out_lufs - over
    return float(-20 * np.log10(max(least, 1e-9))), out_tp, out_lufs


def limited(src, s: int, e: int, gain: float, ceiling_db: float, w: int, envelope=None,
            peaks: bool = True) -> tuple[np.ndarray, float, float | None]:
    """Samples [s, e) of `src` (anything with `read(s, e)`, zeros outside, and `frames`) times `gain`, true-peak
    limited to `ceiling_db` with a look-ahead of `w` samples: the same samples whatever [s, e) is cut from,
    because [s, e) is read with 2w + a few samples of its neighbours each side. Also the least gain in the
    span and the output's true peak (linear; None unless `peaks`). `envelope(s, e)`, when given, is
    `peak_envelope` of `src` itself (at gain 1) over [s, e), kept from before: it is not computed again."""
    ceiling = 10 ** (ceiling_db / 20)
    n = src.frames
    pad = 2 * w + 2 * _PAD
    x = src.read(s - pad, e + pad) * np.float32(gain)
    if envelope is None:
        env = peak_envelope(x)[_PAD:-_PAD]  # samples [s - 2w - _PAD, e + 2w + _PAD)
    else:
        env = envelope(s - 2 * w - _PAD, e + 2 * w + _PAD) * np.float32(gain)
    need = np.minimum(1.0, ceiling / np.maximum(env, 1e-9)).astype(np.float32)
    pos = np.arange(s - 2 * w - _PAD, e + 2 * w + _PAD)
    need[(pos < 0) | (pos >= n)] = 1.0  # outside the signal nothing needs lowering
    # the min over 2w+1 then a mean over 2w+1 is <= need at every sample: every value averaged
    # is a minimum over a window that contains that sample
    g = np.minimum(_box(_min_filter(need, w)[w:-w], w)[w:-w], 1.0)  # samples [s - _PAD, e + _PAD)
    y = x[2 * w + _PAD:2 * w + _PAD + len(g)] * g[:, None]
    return y[_PAD:-_PAD], float(g[_PAD:-_PAD].min()), float(peak_envelope(y)[_PAD:-_PAD].max()) if peaks else None


def _scale(pcm: Pcm, gain: float) -> None:
    tmp = Pcm(pcm.path.with_suffix(".scaling"), pcm.channels)
    _copy(pcm, tmp, gain)
    os.replace(tmp.path, pcm.path)


def master_pcm(src: Pcm, dst: Pcm, rate: int, lufs: float, ceiling_db: float, measured: float | None = None) -> dict:
    """Gain to `lufs` integrated, then true-peak limit to `ceiling_db`, from `src` into `dst`. The limiter
    takes some loudness away, so the gain is raised to make it up and `src` limited again (never the
    limited output: that would limit twice), a secant step on the loudness each pass gives, until both
    targets hold to 0.2 LU (usually two passes). One pass measures the input; each limiting pass
    measures its own output; `measured`, when given, is `src`'s integrated loudness already measured
    (`integrated_lufs_pcm`), and that pass is not made."""
    measured = integrated_lufs_pcm(src, rate) if measured is None else measured
    if not np.isfinite(measured):
        _copy(src, dst)
        return {"input_lufs": None, "gain_reduction_db": 0.0, "pcm_true_peak_dbtp": None}  # silence
    g = lufs - measured
    tp = true_peak_db_pcm(src) if abs(g) <= 0.2 else None  # already at the loudness: is it under the ceiling?
    if tp is not None and tp <= ceiling_db + 1e-3:
        _copy(src, dst)
        return {"input_lufs": round(measured, 2), "gain_reduction_db": 0.0, "pcm_true_peak_dbtp": round(tp, 3)}
    tried: list[tuple[float, float]] = []
    for _ in range(4):
        reduction, tp, now = limit_pcm(src, dst, rate, ceiling_db, 10 ** (g / 20))
        tried.append((g, now))
        if abs(now - lufs) <= 0.2:
            break
        g = next_gain(tried, lufs)
    return {"input_lufs": round(measured, 2), "gain_reduction_db": round(reduction, 2), "pcm_true_peak_dbtp": round(float(tp), 3),
            "passes": len(tried)}


def next_gain(tried: list[tuple[float, float]], lufs: float) -> float:
    """The next gain (dB) of the search for `lufs` through the limiter, from the (gain, loudness after limiting)
    tried so far: a secant on the last two, its slope kept within 0.2-1 (the limiter takes away more of a louder
    signal)."""
    g, now = tried[-1]
    if len(tried) > 1 and tried[-1][1] != tried[-2][1]:
        (g0, f0), (g1, f1) = tried[-2:]
        slope = min(1.0, max(0.2, (f1 - f0) / (g1 - g0)))
    else:
        slope = 0.75  # a first guess: near the ceiling, a dB more gain gives about 3/4 of a dB more loudness
    return g + (lufs - now) / slope


def _copy(src: Pcm, dst: Pcm, gain: float = 1.0) -> None:
    with dst.writer() as put:
        for s, e in src.spans():
            put(src.read(s, e) * np.float32(gain))


@contextmanager
def _scratch():
    with tempfile.TemporaryDirectory(prefix="filmcrew-master-") as d:
        yield Path(d)


def limit(x: np.ndarray, rate: int, ceiling_db: float, lookahead_s: float = 0.005) -> tuple[np.ndarray, float]:
    """`limit_pcm` for an array: the limited signal and the largest gain reduction in dB."""
    a = np.asarray(x, np.float32)
    with _scratch() as d:
        out = Pcm(d / "out.f32", 1 if a.ndim == 1 else a.shape[1])
        reduction, _tp, _lufs = limit_pcm(Pcm.of(a, d / "in.f32"), out, rate, ceiling_db, 1.0, lookahead_s)
        y = out.array()
    return (y[:, 0] if a.ndim == 1 else y), reduction


def master(x: np.ndarray, rate: int, lufs: float, ceiling_db: float) -> tuple[np.ndarray, dict]:
    """`master_pcm` for an array."""
    a = np.asarray(x, np.float32)
    with _scratch() as d:
        out = Pcm(d / "out.f32", 1 if a.ndim == 1 else a.shape[1])
        info = master_pcm(Pcm.of(a, d / "in.f32"), out, rate, lufs, ceiling_db)
        y = out.array()
    return (y[:, 0] if a.ndim == 1 else y), info
