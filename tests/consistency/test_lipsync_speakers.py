"""Two speakers in one shot of real faces (consistency/lipsync.py by_position): each face dlib finds is given to the
character whose face the consistency check found nearest in x, and each speaker's mouth is measured against only
their own lines. dlib is replaced by made-up landmarks here (a frame's faces and lip gaps given in order): no real
clip of two people talking is among the test material, so this tests the assignment and the per-speaker measure,
not the landmark model (tests/consistency/test_lipsync_measure.py measures dlib on a real photograph)."""

from __future__ import annotations

import subprocess

import numpy as np

from filmcrew.consistency import lipsync
from filmcrew.media import ffmpeg

FRAMES = 120
LINES = [{"line": "a", "speaker": "ANA", "item": 0, "start": 5, "frames": 50, "from": 0},
         {"line": "b", "speaker": "BO", "item": 0, "start": 62, "frames": 50, "from": 0}]
TIMELINE = {"items": [{"item": 0, "kind": "shot", "shot": "s1", "start": 0, "frames": FRAMES}], "lines": LINES}


def _speech(path, seed):
    """A voice whose loudness turns on and off like syllables (0.1-0.2 s each), 48 kHz mono."""
    rng, rate = np.random.default_rng(seed), 48000
    parts = []
    while sum(map(len, parts)) < 50 * rate // 30:
        n = int(rate * rng.uniform(0.1, 0.2))
        parts.append(np.sin(2 * np.pi * 160 * np.arange(n) / rate) * (0.5 if len(parts) % 2 == 0 else 0.02))
    ffmpeg.write_wav(path, np.concatenate(parts)[: 50 * rate // 30], rate)
    return path


class MadeUpFaces:
    """Stands for dlib: on the k-th frame it is asked about, two faces at x 0.25 and 0.75 of the width, each
    with the lip gap given for that frame."""

    def __init__(self, left, right):
        self.left, self.right, self.k = left, right, 0

    def mouths(self, frame):
        k, self.k = self.k, self.k + 1
        return [(0.25, float(self.left[k])), (0.75, float(self.right[k]))]


def test_each_speaker_s_face_is_told_apart_by_position_and_measured_alone(tmp_path):
    film = tmp_path / "film.mp4"
    subprocess.run([ffmpeg.executable(), "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=320x240:r=30",
                    "-frames:v", str(FRAMES), "-pix_fmt", "yuv420p", str(film)], check=True)
    wavs = {"a": _speech(tmp_path / "a.wav", 1), "b": _speech(tmp_path / "b.wav", 2)}
    env = {n: lipsync.voice_envelope([ln for ln in LINES if ln["speaker"] == n], wavs, 0, FRAMES) for n in ("ANA", "BO")}
    # ANA's lips move with her voice; BO's 4 frames after his
    ana, bo = env["ANA"] / env["ANA"].max() * 0.3, np.roll(env["BO"] / env["BO"].max() * 0.3, 4)

    def run(places):
        return lipsync.measure(film, TIMELINE, wavs, {"a", "b"}, MadeUpFaces(ana, bo), faces={}, places={"s1": places})[0]
    r = run({"ANA": 0.3, "BO": 0.7, "GUARD": 0.95})  # (where the check found each face; a third who does not speak)
    assert r["method"] == "landmarks, each speaker's face by position"
    assert r["speakers"]["ANA"]["verdict"] == "in sync" and r["speakers"]["ANA"]["lines"] == ["a"]
    assert r["speakers"]["BO"]["lag"] == 4 and r["speakers"]["BO"]["verdict"] == "off by +4 frames"
    assert r["verdict"] == "off by +4 frames"  # the shot's worst speaker
    # the same faces with the characters' places swapped: each mouth is measured against the other's voice
    swapped = run({"ANA": 0.7, "BO": 0.3})
    assert all(e["verdict"] == "not measurable" for e in swapped["speakers"].values()), swapped
    assert run({"ANA": 0.45, "BO": 0.5})["reason"] == "the speakers' faces are too close to tell apart"
    assert "did not find BO's face" in run({"ANA": 0.3})["reason"]
    # without where the check found them: not measurable, and why
    blind = lipsync.measure(film, TIMELINE, wavs, {"a", "b"}, MadeUpFaces(ana, bo))[0]
    assert blind["verdict"] == "not measurable" and "which mouth is whose is not told apart" in blind["reason"]


def test_real_faces_are_measured_as_the_frames_come_never_holding_the_film(tmp_path):
    """The landmark method reads a frame and lets it go: when dlib is asked about a frame, at most the frame it is
    asked about is still alive (the measure once kept every talking frame of a film until it had read them all:
    6.7 GB for a 5-episode series' consistency report). One speaker (the largest face) and two (by position)."""
    import weakref
    film = tmp_path / "film.mp4"
    subprocess.run([ffmpeg.executable(), "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=320x240:r=30",
                    "-frames:v", str(FRAMES), "-pix_fmt", "yuv420p", str(film)], check=True)
    wavs = {"a": _speech(tmp_path / "a.wav", 1), "b": _speech(tmp_path / "b.wav", 2)}
    env = lipsync.voice_envelope([LINES[0]], wavs, 0, FRAMES)

    class Watching:
        def __init__(self):
            self.seen, self.most, self.k = [], 0, 0

        def _look(self, frame):  # (a frame let go is freed at once: arrays hold no cycles, no gc.collect needed)
            self.most = max(self.most, sum(r() is not None for r in self.seen) + 1)
            self.seen.append(weakref.ref(frame))
            self.k += 1
            return float(env[self.k - 1] / env.max() * 0.3)

        def opening(self, frame):
            return self._look(frame)

        def mouths(self, frame):
            gap = self._look(frame)
            return [(0.25, gap), (0.75, 0.1)]
    one = Watching()
    (r,) = lipsync.measure(film, {**TIMELINE, "lines": [LINES[0]]}, wavs, {"a"}, one)
    assert r["method"] == "landmarks" and r["verdict"] == "in sync" and one.k == FRAMES
    assert one.most <= 2, one.most
    two = Watching()
    (r,) = lipsync.measure(film, TIMELINE, wavs, {"a", "b"}, two, faces={}, places={"s1": {"ANA": 0.3, "BO": 0.7}})
    assert r["method"] == "landmarks, each speaker's face by position" and two.k == FRAMES
    assert r["speakers"]["ANA"]["verdict"] == "in sync" and two.most <= 2, (r, two.most)
