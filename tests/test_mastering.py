"""The mastering maths on synthetic signals whose answers are known, and checked against ffmpeg's ebur128."""
import numpy as np
import pytest

from filmcrew import mastering, media

RATE = 48000


def _tone(freq, seconds, amp, phase=0.0):
    t = np.arange(int(seconds * RATE)) / RATE
    return (amp * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def test_true_peak_sees_intersample_peaks():
    # a quarter-rate sine sampled at 45 degrees: every sample is 0.707 of the real peak of 1.0
    x = _tone(RATE / 4, 1.0, 1.0, phase=np.pi / 4)
    assert np.abs(x).max() == pytest.approx(0.7071, abs=1e-3)
    assert mastering.true_peak_db(x) == pytest.approx(0.0, abs=0.3)


def test_limiter_holds_the_ceiling_and_leaves_quiet_parts_alone():
    rng = np.random.default_rng(1)
    quiet = _tone(440, 2.0, 0.1)
    burst = (rng.standard_normal(RATE // 10) * 0.9).astype(np.float32)
    x = np.concatenate([quiet, burst, quiet])
    x = np.stack([x, x * 0.8], axis=1)
    y, reduction = mastering.limit(x, RATE, -3.0)
    assert mastering.true_peak_db(y) <= -3.0 + 1e-3
    assert reduction > 3.0
    # one second away from the burst the gain is back to unity (within 0.01 dB: the final trim)
    np.testing.assert_allclose(y[: RATE], x[: RATE], rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(y[-RATE:], x[-RATE:], rtol=1e-3, atol=1e-6)


def test_master_reaches_the_loudness_target_under_the_ceiling(tmp_path):
    rng = np.random.default_rng(2)
    speechlike = _tone(220, 6.0, 0.05) * (1 + np.sign(np.sin(np.arange(6 * RATE) / RATE * 2 * np.pi * 1.5)))
    clicks = np.zeros_like(speechlike)
    clicks[rng.integers(0, len(clicks), 20)] = 0.99
    x = np.stack([speechlike + clicks, speechlike], axis=1)
    y, info = mastering.master(x, RATE, -14.0, -2.0)
    assert mastering.integrated_lufs(y, RATE) == pytest.approx(-14.0, abs=0.25)
    assert mastering.true_peak_db(y) <= -2.0 + 1e-3
    assert info["gain_reduction_db"] > 0
    # an independent meter agrees
    media.write_wav(tmp_path / "m.wav", y)
    m = media.loudness(tmp_path / "m.wav")
    assert m["integrated_lufs"] == pytest.approx(-14.0, abs=0.3)
    assert m["true_peak_dbtp"] <= -1.9


def test_silence_is_left_as_it_is():
    y, info = mastering.master(np.zeros((RATE, 2), np.float32), RATE, -14.0, -1.5)
    assert not y.any() and info["input_lufs"] is None
