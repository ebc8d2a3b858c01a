"""What every video model (the `animator` role) shares: its capability table, the duration it is asked for, the
request for one shot (first frame, first and last frames, or references bound to names), the job through
`jobs.run`, and fitting the model's clip to the shot.

A model returns clips of fixed lengths (often 5 or 10 s) at its own size and rate; a shot's length comes
from its dialogue. The crew asks for the shortest duration that covers the shot (`duration_for`), then
`fit` trims the rest (the model's clip stays in the cache, whole, as handles for an editor), slows a clip
that is a little short (to 80% speed at most) and holds its last frame for what remains, and conforms size
and rate (scaled to cover the frame and cropped to its centre: recomposed, never stretched). A model clip
has no mouth track: its shot is left as the model made it, and `plan` and the ledger say so.

A model's own sound (`sound = "effects"` in its `[providers.NAME]` table, for a model that makes sound) is
asked for, fitted with the picture (trimmed, slowed, silence under a held frame) into `sound.wav`, and mixed
as that shot's effects: in place of filmcrew's ambience and spot effects while the shot is on screen,
ducked under the dialogue like them. The default, `sound = "drop"`, asks for a silent clip where the model
can make one and drops what comes: filmcrew's voices stay the dialogue and the score one cue per scene.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ... import ledger
from ...engine import atomic
from ...errors import ConfigError, MediaError, ProviderError
from ...model import VIDEO_MODES
from . import jobs

SLOWEST = 0.8  # a short clip is slowed down to 80% of its speed at most
SOUNDS = ("drop", "effects")  # what becomes of a model's own sound
LONGEST_HOLD = 1.0  # and its last frame held for at most this many seconds


@dataclass(frozen=True)
class VideoRequest:
    shot_id: str
    prompt: str
    mode: str  # first-frame, first-last, reference
    seconds: int  # the duration asked of the model (one of its durations)
    aspect: str  # "9:16", "16:9", "1:1"
    first: Path | None = None  # the first frame (the shot's keyframe)
    last: Path | None = None  # the last frame (first-last)
    references: tuple = ()  # ((name, Path), ...) in the order the prompt numbers them
    preview: bool = False
    job: object = None  # jobs.JobTicket
    take: int = 0  # a retake (crew/takes.py): a model that takes a seed is given another one
    sound: bool = False  # ask for the model's own sound (sound = "effects")


class RemoteAnimator(jobs.Remote):
    source_type = ledger.TRAINED
    deterministic = False
    remote = True  # the animator crew gives it a duration task, a video job and a fitting task per shot
    version = "1"
    # per model: {"modes": (...), "durations": (...), "aspects": (...), "max_references": n, "audio": bool}
    CAPABILITIES: dict = {}

    def __init__(self, env: dict | None = None, *, video: str = "first-frame", sound: str = "drop",
                 max_concurrent: int = 3, poll_every: float = 5.0, job_timeout: float = 3600.0, max_failures: int = 5,
                 timeout: float = 120.0):
        if video not in VIDEO_MODES:
            raise ConfigError(f"filmcrew.toml: [providers.{self.name}] video: {video!r}; use one of "
                              f"{', '.join(VIDEO_MODES)}")
        if sound not in SOUNDS:
            raise ConfigError(f"filmcrew.toml: [providers.{self.name}] sound: {sound!r}; use \"drop\" (filmcrew's own "
                              f"ambience and effects) or \"effects\" (the model's sound, as the shot's effects)")
        super().__init__(env, max_concurrent=max_concurrent, poll_every=poll_every, job_timeout=job_timeout,
                         max_failures=max_failures, timeout=timeout)
        self.video, self.sound = video, sound

    def check_sound(self) -> None:
        """A model that makes no sound cannot give it (called once the model is known)."""
        if self.sound == "effects" and not self.caps.get("audio"):
            raise ConfigError(f"filmcrew.toml: [providers.{self.name}] sound = \"effects\": {self.model} makes silent "
                              f"clips; use a model that makes sound, or sound = \"drop\"")

    @property
    def keeps_sound(self) -> bool:
        return self.sound == "effects"

    # -- what a vendor module writes ------------------------------------------------------------------
    def adapter(self) -> jobs.Adapter: ...
    def price(self, seconds: int, preview: bool) -> dict: ...

    @property
    def caps(self) -> dict:
        return self.CAPABILITIES.get(self.model) or self.CAPABILITIES.get("any") or {}

    # -- what the crew asks -----------------------------------------------------------------------------
    def refuse(self, mode: str, aspect: str, characters: int) -> str | None:
        """Why a shot cannot be made by this model in `mode` (None when it can), before anything is paid."""
        c = self.caps
        if mode not in c.get("modes", ()):
            return (f"{self.name} {self.model} cannot animate a shot as {mode} (it does: {', '.join(c.get('modes', ()))}); "
                    f"set video: {c['modes'][0] if c.get('modes') else 'first-frame'} in the shot's note or another model")
        if aspect not in c.get("aspects", (aspect,)):
            return f"{self.name} {self.model} makes {', '.join(c['aspects'])} clips, not {aspect}"
        if mode == "reference" and characters > c.get("max_references", 0):
            return (f"{self.name} {self.model} takes {c.get('max_references', 0)} reference images, and the shot shows "
                    f"{characters} characters; use first-frame for it")
        return None

    def duration_for(self, seconds: float) -> int:
        """The shortest of the model's durations that covers `seconds`, or the longest when slowing it down and
        holding its last frame covers it; ConfigError when no duration can."""
        durations = sorted(self.caps.get("durations", ()))
        for d in durations:
            if d >= seconds:
                return d
        longest = durations[-1] if durations else 0
        if longest and longest / SLOWEST + LONGEST_HOLD >= seconds:
            return longest
        raise ConfigError(f"the shot lasts {seconds:.1f} s and {self.name} {self.model} makes clips of at most {longest} s "
                          f"(about {longest / SLOWEST + LONGEST_HOLD:.1f} s once slowed and held): split the shot in two "
                          f"action paragraphs or shorten its lines")

    def seconds_for(self, mode: str, seconds: int) -> int:
        """The clip's length the model will make when asked for `seconds` in `mode` (a model may force one)."""
        return seconds

    def estimate(self, seconds: int, preview: bool, mode: str = "first-frame") -> dict:
        return self.price(self.seconds_for(mode, seconds), preview)

    def animate(self, req: VideoRequest, out_dir: Path) -> Path:
        """The model's clip for `req`, verified, as `model.mp4` in `out_dir`; its record as `generation.json`."""
        if not isinstance(req.job, jobs.JobTicket):
            raise ProviderError(f"{self.name}: no job ticket (the crew gives one to every remote task); this is a bug")
        why = self.refuse(req.mode, req.aspect, len(req.references))
        if not why and req.seconds not in self.caps.get("durations", (req.seconds,)):
            why = f"{req.seconds} s asked, and {self.model} makes {', '.join(map(str, self.caps['durations']))} s clips"
        if why:
            raise ProviderError(f"{self.name}: shot {req.shot_id}: {why}")
        out = jobs.run(req.job, self.adapter(), self.request(req), kind="video",
                       estimate=self.estimate(req.seconds, req.preview, req.mode),
                       settings=self.settings, max_concurrent=self.max_concurrent)
        atomic.copy_file(out.path, Path(out_dir) / "model.mp4")
        rec = out.record
        info = {"provider": self.name, "model": self.model, "prompt": req.prompt, "mode": req.mode,
                "seconds": self.seconds_for(req.mode, req.seconds), "references": [[n, _sha(p)] for n, p in req.references],
                "estimate": rec.get("estimate"), "actual": rec.get("actual"),
                "job": {k: rec.get(k) for k in ("label", "client_id", "handle", "submitted_at", "fetched_at")}}
        atomic.write_text(Path(out_dir) / "generation.json", json.dumps(ledger.scrub(info), indent=1, ensure_ascii=False))
        return Path(out_dir) / "model.mp4"

    def request(self, req: VideoRequest) -> dict:
        """The vendor's request for one shot (a vendor module writes it)."""
        raise NotImplementedError

    @staticmethod
    def prompt(shot, scene, characters, names: bool) -> str:
        """The motion prompt: what happens (the action), how it is filmed (the camera field) and how it feels;
        with `names`, each character is named with the number of their reference image."""
        who = "; ".join(f"{c.name} is reference image {k}" for k, c in enumerate(characters, 1)) if names else ""
        parts = [shot.action, f"{shot.camera} shot, slow natural camera movement", f"mood: {shot.mood or scene.mood}"
                 if (shot.mood or scene.mood) else "", who, "no text, no subtitles, no watermark"]
        return ". ".join(p.rstrip(".") for p in parts if p) + "."


def _sha(p: Path) -> str:
    import hashlib
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def fit(src: Path, dst: Path, frames: int, size: tuple[int, int], ffmpeg_exe: str, sound: Path | None = None) -> dict:
    """`src` (a model's clip) as exactly `frames` frames at 30 fps and `size`, silent: trimmed, or slowed (to
    SLOWEST at most) and its last frame held; scaled to cover and centre-cropped. With `sound`, the clip's own
    sound is fitted the same way into that WAV (48 kHz stereo, exactly as long; silence under the held frame,
    and all silence when the model sent none). What was done, for the ledger and `plan`."""
    import subprocess

    from ...media import ffmpeg
    p = ffmpeg.probe(src, count_frames=True)
    if not p.duration or not p.frames:
        raise MediaError(f"{src}: the clip has no frames")
    need = frames / 30.0
    have = p.duration
    speed = 1.0
    if have < need:
        speed = max(SLOWEST, have / need)
    hold = max(0.0, need - have / speed)
    W, H = size
    vf = [f"setpts=PTS/{speed:.6f}" if speed != 1.0 else "", "fps=30",
          f"tpad=stop_mode=clone:stop_duration={hold + 0.1:.3f}" if hold > 0 else "",
          f"scale={W}:{H}:force_original_aspect_ratio=increase", f"crop={W}:{H}", "setsar=1", "format=yuv420p",
          # an untagged model clip is taken as BT.709, the convention for HD video (its matrix is not converted)
          "" if p.colorspace else ffmpeg.BT709_PARAMS]
    cmd = [ffmpeg_exe, "-hide_banner", "-nostdin", "-y", "-i", str(src), "-vf", ",".join(v for v in vf if v),
           "-frames:v", str(frames), "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-g", "30",
           *ffmpeg.X264_THREADS, str(dst)]  # (x264's bytes follow its thread count: named, like every encode)
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        raise MediaError(f"fitting {src.name} failed: {proc.stderr.decode('utf-8', 'replace')[-300:]}")
    how = ("trimmed" if have >= need else "slowed" if hold == 0 else "slowed and held")
    extra = {}
    if sound is not None:
        rate = ffmpeg.SAMPLE_RATE
        n = int(round(need * rate))
        if p.audio_codec:
            af = [f"atempo={speed:.6f}" if speed != 1.0 else "", f"aresample={rate}", f"apad=whole_len={n}",
                  f"atrim=end_sample={n}"]
            cmd = [ffmpeg_exe, "-hide_banner", "-nostdin", "-y", "-i", str(src), "-vn", "-af", ",".join(a for a in af if a),
                   "-ac", "2", "-ar", str(rate), "-c:a", "pcm_s16le", str(sound)]
            proc = subprocess.run(cmd, capture_output=True)
            if proc.returncode != 0:
                raise MediaError(f"fitting the sound of {src.name} failed: {proc.stderr.decode('utf-8', 'replace')[-300:]}")
            extra["sound"] = "the model's sound, fitted with the picture: the shot's effects"
        else:
            with ffmpeg.wav_writer(sound) as put:
                import numpy as np
                put(np.zeros((n, 2), np.float32))
            extra["sound"] = "none: the model sent a silent clip though its sound was asked for"
    return {**extra, "fit": how, "model_seconds": round(have, 3), "shot_seconds": round(need, 3), "speed": round(speed, 3),
            "held_seconds": round(hold, 3), "handles_seconds": round(max(0.0, have - need), 3),
            "model_size": [p.width, p.height], "model_fps": p.fps}
