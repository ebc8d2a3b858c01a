"""The mastering maths on synthetic signals whose answers are known, and checked against ffmpeg's ebur128."""
import numpy as np
import pytest

from filmcrew.media import ffmpeg, mastering

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


def _speech_with_clicks(seconds: float, clicks: int, seed: int) -> np.ndarray:
    """Stereo: a 220 Hz tone switched on and off 1.5 times a second, `clicks` full-scale clicks on the left."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    speechlike = _tone(220, seconds, 0.05) * (1 + np.sign(np.sin(np.arange(n) / RATE * 2 * np.pi * 1.5)))
    c = np.zeros_like(speechlike)
    c[rng.integers(0, len(c), clicks)] = 0.99
    return np.stack([speechlike + c, speechlike], axis=1)


def test_master_reaches_the_loudness_target_under_the_ceiling(tmp_path):
    x = _speech_with_clicks(6.0, 20, seed=2)
    y, info = mastering.master(x, RATE, -14.0, -2.0)
    assert mastering.integrated_lufs(y, RATE) == pytest.approx(-14.0, abs=0.25)
    assert mastering.true_peak_db(y) <= -2.0 + 1e-3
    assert info["gain_reduction_db"] > 0
    # an independent meter agrees
    ffmpeg.write_wav(tmp_path / "m.wav", y)
    m = ffmpeg.loudness(tmp_path / "m.wav")
    assert m["integrated_lufs"] == pytest.approx(-14.0, abs=0.3)
    assert m["true_peak_dbtp"] <= -1.9


def test_silence_is_left_as_it_is():
    y, info = mastering.master(np.zeros((RATE, 2), np.float32), RATE, -14.0, -1.5)
    assert not y.any() and info["input_lufs"] is None


def _program(seconds: float, seed: int) -> np.ndarray:
    """Something like a film's mix: tones that come and go, noise bursts, and quiet passages."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    x = 0.2 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 0.3 * t) > -0.3)
    for at in rng.integers(0, n - RATE // 5, 12):
        x[at:at + RATE // 5] += rng.standard_normal(RATE // 5) * 0.6
    return np.stack([x, 0.7 * x + 0.05 * np.sin(2 * np.pi * 440 * t)], axis=1).astype(np.float32)


def test_streamed_loudness_is_pyloudnorms_own_figure(tmp_path):
    x = _program(17.3, 3)
    pcm = mastering.Pcm.of(x, tmp_path / "x.f32")
    assert mastering.integrated_lufs_pcm(pcm, RATE) == pytest.approx(mastering.integrated_lufs(x, RATE), abs=0.005)
    assert mastering.integrated_lufs_pcm(pcm, RATE, gain=0.5) == pytest.approx(
        mastering.integrated_lufs(x * 0.5, RATE), abs=0.005)
    short = mastering.Pcm.of(x[: RATE // 5], tmp_path / "short.f32")  # under one 400 ms block
    assert mastering.integrated_lufs_pcm(short, RATE) == pytest.approx(
        mastering.integrated_lufs(x[: RATE // 5], RATE), abs=0.005)


def test_the_limiter_gives_the_same_samples_whatever_the_block_size(tmp_path, monkeypatch):
    """Block edges are invisible: limiting in 0.3 s blocks gives what one block over the whole signal gives."""
    x = _program(7.0, 4) * 2.5  # peaks far over the ceiling, some across block edges
    src = mastering.Pcm.of(x, tmp_path / "x.f32")
    outs = []
    for block in (10 ** 9, int(0.3 * RATE)):
        monkeypatch.setattr(mastering, "BLOCK", block)
        out = mastering.Pcm(tmp_path / f"y{block}.f32")
        reduction, tp, lufs = mastering.limit_pcm(src, out, RATE, -1.5)
        outs.append((out.array(), reduction))
        assert mastering.true_peak_db_pcm(out) <= -1.5 + 1e-3
        # the output's peak and loudness, measured in the limiting pass, are what a separate pass measures
        assert tp == pytest.approx(mastering.true_peak_db_pcm(out), abs=1e-4)
        assert lufs == pytest.approx(mastering.integrated_lufs(out.array(), RATE), abs=0.005)
    np.testing.assert_allclose(outs[0][0], outs[1][0], atol=2e-6)
    assert outs[0][1] == pytest.approx(outs[1][1], abs=1e-4)


def test_master_given_the_input_loudness_writes_the_same_samples(tmp_path):
    # finisher.master_to_aac measures its input once and passes the figure to every mastering pass
    x = _speech_with_clicks(3.0, 10, seed=3)
    src = mastering.Pcm.of(x, tmp_path / "src.f32")
    a, b = mastering.Pcm(tmp_path / "a.f32"), mastering.Pcm(tmp_path / "b.f32")
    info_a = mastering.master_pcm(src, a, RATE, -14.0, -1.6)
    info_b = mastering.master_pcm(src, b, RATE, -14.0, -1.6, mastering.integrated_lufs_pcm(src, RATE))
    assert info_a == info_b and info_a["gain_reduction_db"] > 0  # the limiter did work
    assert a.path.read_bytes() == b.path.read_bytes()
