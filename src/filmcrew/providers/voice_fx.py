"""Voice shaping shared by speech providers: pitch shift that keeps duration, and gain."""

from __future__ import annotations

import subprocess

import numpy as np

from ..errors import MediaError


def deliver(audio: np.ndarray, sr: int, semitones: float, gain: float = 1.0) -> np.ndarray:
    if abs(semitones) > 0.01:
        import imageio_ffmpeg
        f = 2 ** (semitones / 12.0)
        tempo = 1.0 / f
        chain = []
        while tempo < 0.5:
            chain.append("atempo=0.5")
            tempo /= 0.5
        while tempo > 2.0:
            chain.append("atempo=2.0")
            tempo /= 2.0
        chain.append(f"atempo={tempo:.6f}")
        af = f"asetrate={sr * f:.3f},aresample={sr}," + ",".join(chain)
        proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-f", "f32le", "-ar", str(sr),
                               "-ac", "1", "-i", "pipe:0", "-af", af, "-f", "f32le", "pipe:1"],
                              input=np.ascontiguousarray(audio, np.float32).tobytes(), capture_output=True)
        if proc.returncode != 0:
            raise MediaError("ffmpeg failed while shifting voice pitch: " + proc.stderr.decode()[-300:])
        audio = np.frombuffer(proc.stdout, np.float32).copy()
    return np.clip(audio * gain, -1.0, 1.0)
