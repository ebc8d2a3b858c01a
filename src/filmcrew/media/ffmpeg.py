"""ffmpeg (the static binary from the imageio-ffmpeg wheel), WAV I/O and probing."""

from __future__ import annotations

import json
import re
import subprocess
import wave
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MediaError

SAMPLE_RATE = 48000


def executable() -> str:
    import imageio_ffmpeg
    return imageio_ffmpeg.get_ffmpeg_exe()


def run(args: list[str], what: str, input: bytes | None = None) -> str:
    cmd = [executable(), "-hide_banner", "-nostdin", "-y", *args]
    proc = subprocess.run(cmd, input=input, capture_output=True)
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-8:])
        raise MediaError(f"ffmpeg failed while {what} (exit {proc.returncode}):\n{tail}")
    return err


def _pcm16(samples: np.ndarray) -> bytes:
    a = np.asarray(samples, dtype=np.float32)
    return (np.clip(a, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """16-bit PCM WAV; samples float in [-1, 1], shape (n,) or (n, channels)."""
    a = np.asarray(samples, dtype=np.float32)
    if a.ndim == 1:
        a = a[:, None]
    with wav_writer(path, a.shape[1], rate) as put:
        put(a)


@contextmanager
def wav_writer(path: Path, channels: int = 2, rate: int = SAMPLE_RATE):
    """A 16-bit PCM WAV written a block at a time: `put(block)` with float blocks of shape (n, channels)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        yield lambda block: w.writeframes(_pcm16(block))


def wav_blocks(path: Path, block: int = 240_000):
    """The samples of a 16-bit WAV as float32 (n, channels) blocks, read one at a time."""
    with wave.open(str(path), "rb") as w:
        ch, width = w.getnchannels(), w.getsampwidth()
        if width != 2:
            raise MediaError(f"{path}: only 16-bit PCM WAV is read here")
        while True:
            raw = w.readframes(block)
            if not raw:
                return
            yield (np.frombuffer(raw, "<i2").astype(np.float32) / 32767.0).reshape(-1, ch)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Returns float32 (n, channels) and the rate."""
    with wave.open(str(path), "rb") as w:
        n, ch, rate, width = w.getnframes(), w.getnchannels(), w.getframerate(), w.getsampwidth()
        raw = w.readframes(n)
    if width != 2:
        raise MediaError(f"{path}: only 16-bit PCM WAV is read here")
    return (np.frombuffer(raw, "<i2").astype(np.float32) / 32767.0).reshape(-1, ch), rate


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling through ffmpeg's swresample (mono or stereo float32)."""
    a = np.ascontiguousarray(samples, dtype=np.float32)
    if rate == target:
        return a
    ch = 1 if a.ndim == 1 else a.shape[1]
    proc = subprocess.run([executable(), "-hide_banner", "-nostdin", "-f", "f32le", "-ar", str(rate), "-ac", str(ch),
                           "-i", "pipe:0", "-af", "aresample=resampler=swr:filter_size=64", "-ar", str(target),
                           "-f", "f32le", "pipe:1"], input=a.tobytes(), capture_output=True)
    if proc.returncode != 0:
        raise MediaError("ffmpeg failed while resampling audio: " + proc.stderr.decode()[-400:])
    out = np.frombuffer(proc.stdout, np.float32)
    return out if ch == 1 else out.reshape(-1, ch)


@dataclass(frozen=True)
class Probe:
    duration: float
    video_codec: str = ""
    profile: str = ""
    pix_fmt: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    audio_codec: str = ""
    audio_rate: int = 0
    audio_channels: str = ""
    frames: int = 0
    faststart: bool = False
    colorspace: str = ""  # the video's matrix as tagged (bt709, smpte170m, ...); "" when untagged


# Colour: filmcrew's films are BT.709 (primaries, transfer and matrix, limited range), tagged so in the
# stream and the MP4, as HD delivery expects. Its own animator's clips are converted from RGB with the
# BT.601 matrix (OpenCV's, fast) and tagged so (`BT601_PARAMS`); every step that re-encodes a clip converts
# it from its own tagged matrix to BT.709 (`to_bt709`: ffmpeg's colorspace filter; swscale's YUV-to-YUV
# matrix change is 2 to 3 levels off), and RGBA overlays (subtitles, lips, the label) go to BT.709 before
# they are laid on. The tags are set on the frames (setparams): ffmpeg 7 and later take an encoder's colour
# tags from its frames, not from -color_primaries and the like (kept as output options, for older ffmpeg).
# x264's output depends on how many threads it encodes with (its frame threads share the rate control), and
# its default is 1.5 per core: the same task made on a 2-core and a 16-core machine gave other bytes under the
# same content key. Every filmcrew x264 encode names its thread count; 3 is what a 2-core machine chose itself,
# so the clips and films made here keep their bytes.
X264_THREADS = ["-threads", "3"]
BT709_TAGS = ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv"]
BT709_PARAMS = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv"
BT601_PARAMS = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=smpte170m:range=tv"
RGBA_TO_BT709 = "scale=out_color_matrix=bt709:out_range=tv,format=yuva420p"
_BT601 = ("", "smpte170m", "bt470bg")


# frames piped in as BT.601 yuv420p (OpenCV's conversion: see providers/camera_moves.py), brought to BT.709
BT601_TO_BT709 = ("format=yuv420p,colorspace=space=bt709:primaries=bt709:trc=bt709:range=tv:fast=1:"
                  f"ispace=smpte170m:iprimaries=bt709:itrc=bt709:irange=tv,{BT709_PARAMS}")


def raw_input(size: tuple[int, int], source: str = "pipe:0") -> list[str]:
    """The input options of raw BT.601 yuv420p frames of `size` (W, H) at 30 fps, from `source`."""
    return ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}", "-r", "30", "-i", source]


PIPE_BYTES = 1 << 20  # the pipe frames go down (Linux's default limit for a process to ask; 64 KiB otherwise)


def widen(pipe) -> None:
    """Give the pipe `pipe` (a file object) room for PIPE_BYTES (Linux: F_SETPIPE_SZ): a 1080x1920 frame (3 MB)
    then crosses it in three writes, not fifty, with as many fewer wake-ups of the encoder. Measured piping 400
    such frames into ffmpeg: 1.7 -> 0.9 ms of CPU a frame on the writing side and 1.9 -> 1.35 on the reading side
    (issue 36). Where it cannot be done (another system, a lower limit) the pipe stays as it was."""
    try:
        import fcntl
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError, ValueError):
        pass


def pipe_in(args: list[str], frames, what: str, log: Path) -> None:
    """Run ffmpeg with `args` (one of its inputs `pipe:0`), writing each array of `frames` down its standard
    input; its messages go to the file `log` (removed after), so a long run never fills a pipe nobody reads."""
    with open(log, "wb") as err:
        proc = subprocess.Popen([executable(), "-hide_banner", "-nostdin", "-y", *args], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=err)
        widen(proc.stdin)
        try:
            for a in frames:
                proc.stdin.write(memoryview(a))
            proc.stdin.close()
        except BrokenPipeError:
            pass
        finally:
            if proc.poll() is None and not proc.stdin.closed:  # (an error while drawing: ffmpeg is not left waiting)
                proc.kill()
            code = proc.wait()
    text = Path(log).read_text("utf-8", "replace")
    Path(log).unlink(missing_ok=True)
    if code != 0:
        tail = "\n".join(text.strip().splitlines()[-8:])
        raise MediaError(f"ffmpeg failed while {what} (exit {code}):\n{tail}")


def to_bt709(path: Path) -> str:
    """The filters that bring the video of `path` to BT.709 by its own matrix tag. Untagged is taken as
    BT.601 (what filmcrew's own animator wrote before it tagged its clips, and swscale's default); a clip
    from a model that came untagged was tagged BT.709 when it was fitted (providers/remote/animate.py)."""
    space = probe(path).colorspace
    if space == "bt709":
        return f"format=yuv420p,{BT709_PARAMS}"
    given = ("ispace=smpte170m:iprimaries=bt709:itrc=bt709:irange=tv" if space in _BT601 else "")
    return (f"format=yuv420p,colorspace=space=bt709:primaries=bt709:trc=bt709:range=tv:fast=1"
            f"{':' + given if given else ''},{BT709_PARAMS}")


def probe(path: Path, count_frames: bool = False) -> Probe:
    """What ffprobe would say, read from ffmpeg's own stream report (the wheel has no ffprobe)."""
    path = Path(path)
    if not path.exists():
        raise MediaError(f"{path}: no such file")
    args = ["-i", str(path)]
    if count_frames:
        args += ["-map", "0:v:0", "-c", "copy", "-f", "null", "-"]
    proc = subprocess.run([executable(), "-hide_banner", "-nostdin", *args], capture_output=True)
    err = proc.stderr.decode("utf-8", "replace")
    m = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", err)
    if not m:
        raise MediaError(f"{path}: not a media file ffmpeg can read")
    dur = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    kw: dict = {"duration": dur}
    v = re.search(r"Stream #\S+.*?: Video: (\w+)(?: \(([^)]*)\))?.*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+)", err)
    if v:
        kw.update(video_codec=v.group(1), profile=v.group(2) or "", pix_fmt=v.group(3),
                  width=int(v.group(4)), height=int(v.group(5)))
        tags = re.search(r"Video: .*?, \w+\(([^)]*)\)", v.group(0) + err[v.end():].split("\n", 1)[0])
        parts = [x.strip() for x in tags.group(1).split(",")] if tags else []
        kw["colorspace"] = next((x.split("/")[0] for x in parts if x not in ("tv", "pc", "progressive", "top first",
                                 "bottom first") and not x.startswith("unknown")), "")
        f = re.search(r"([\d.]+) fps", err)
        kw["fps"] = float(f.group(1)) if f else 0.0
    a = re.search(r"Stream #\S+.*?: Audio: (\w+).*?, (\d+) Hz, ([\w.]+)", err)
    if a:
        kw.update(audio_codec=a.group(1), audio_rate=int(a.group(2)), audio_channels=a.group(3))
    if count_frames:
        fr = re.findall(r"frame=\s*(\d+)", err)
        kw["frames"] = int(fr[-1]) if fr else 0
    if path.suffix.lower() in (".mp4", ".mov", ".m4a"):
        kw["faststart"] = moov_before_mdat(path)
    return Probe(**kw)


def moov_before_mdat(path: Path) -> bool:
    with open(path, "rb") as fh:
        while True:
            head = fh.read(8)
            if len(head) < 8:
                return False
            size = int.from_bytes(head[:4], "big")
            kind = head[4:8]
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:
                size = int.from_bytes(fh.read(8), "big") - 8
            elif size == 0:
                return False
            fh.seek(size - 8, 1)


def decode(path: Path) -> tuple[int, list[str]]:
    """Decode every stream of `path` to nothing: (video frames decoded, the decoder's error lines)."""
    proc = subprocess.run([executable(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path),
                           "-f", "null", "-progress", "pipe:1", "-"], capture_output=True)
    frames = re.findall(r"^frame=(\d+)", proc.stdout.decode("utf-8", "replace"), re.M)
    errors = [ln.strip() for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    if proc.returncode != 0 and not errors:
        errors = [f"ffmpeg exited with status {proc.returncode}"]
    return (int(frames[-1]) if frames else 0), errors


def loudness(path: Path) -> dict:
    """Integrated loudness (LUFS) and true peak (dBTP) measured by ffmpeg's ebur128 filter."""
    err = run(["-i", str(path), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-"], f"measuring {path}")
    summary = err[err.rfind("Summary:"):]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    tp = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    return {"integrated_lufs": float(i.group(1)) if i else float("nan"),
            "true_peak_dbtp": float(tp.group(1)) if tp else float("nan")}


def frame_at(path: Path, seconds: float, size: tuple[int, int] | None = None) -> np.ndarray:
    """One decoded RGB frame (H, W, 3) at `seconds`; pass the frame `size` (W, H) when it is known already."""
    if size is None:
        p = probe(path)
        size = (p.width, p.height)
    w, h = size
    raw = subprocess.run([executable(), "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", f"{seconds:.3f}",
                          "-i", str(path), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=False).stdout
    if len(raw) != w * h * 3:
        raise MediaError(f"{path}: no frame at {seconds:.2f} s")
    return np.frombuffer(raw, np.uint8).reshape(h, w, 3)


def to_json(p: Probe) -> str:
    from dataclasses import asdict
    return json.dumps(asdict(p))
