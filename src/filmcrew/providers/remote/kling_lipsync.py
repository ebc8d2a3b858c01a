"""Kling's lip sync (api.klingai.com) as the `lipsync` role: a shot Kling animated gets its mouths driven by the
shot's on-screen lines, as a paid job on the one job layer (journaled, priced, budgeted, never paid twice).

What this follows (read 2026-12-07; the vendor cannot be reached from here):
- Kling's lip-sync request as documented by Kling and mirrored in Comfy's docs of `kling/videos-lip-sync`
  (docs.comfy.org/development/comfy-router/models/kling/videos-lip-sync/code: "generated from the same openapi.json
  the request is validated against"), ComfyUI's own request models (comfyanonymous/ComfyUI
  `comfy_api_nodes/apis`: `KlingLipSyncInputObject {mode, audio_file, audio_type, audio_url, text, video_id,
  video_url, voice_id, voice_language, voice_speed}`, `KlingLipSyncRequest {input, callback_url}`), and a
  Chinese copy of Kling's page (timerring/dmx-docs-test `docs/zh/models/kling/api/video-sync-lip.md`).
- Submit: `POST /v1/videos/lip-sync`, body `{"input": {"video_id" | "video_url", "mode": "audio2video",
  "audio_type": "file", "audio_file": BASE64}}`. `video_id` is a video Kling made in the last 30 days, 5 or 10 s
  long; `video_url` a public mp4/mov (2-10 s, 720p/1080p, <= 100 MB), which filmcrew does not have for a local
  clip, so only shots Kling animated can be lip-synced. Audio: mp3/wav/m4a/aac, <= 5 MB, base64 without a data:
  prefix. There is no `external_task_id` in the lip-sync request (so a lost submit cannot be looked up).
- Answer `{code: 0, message, request_id, data: {task_id, task_status}}`; poll `GET /v1/videos/lip-sync/{task_id}`:
  `submitted -> processing -> succeed | failed` (`task_status_msg` says why, e.g. "there is no human in the
  video"), `task_result.videos[{id, url, duration}]`. Same JWT and the same error codes as the other Kling calls
  (kling.py: 1301 content safety, 1302/1303 rate limits).
- The video id: asked of the animator's own Kling task (`GET /v1/videos/{image2video|multi-image2video}/{task_id}`,
  its `task_result.videos[0].id`): a free query, journaled nowhere (it is not a secret, but it is not needed).

Price: **not in shared/VENDORS.md**, and Kling's own price page was not among what could be read here. The
figure in `prices/kling-lipsync.json` is Runware's published price for Kling lip sync ($0.0462 for up to 5 s,
$0.0924 up to 10 s: runware.ai/docs/models/klingai-lip-sync), an estimate in USD, marked unverified; put your
contract's figure in `$FILMCREW_HOME/prices/kling-lipsync.json` (in the same currency as your budget: filmcrew
converts no currencies, and Kling's video prices are in CNY).

Settings, `[providers.kling-lipsync]`: base_url, access_key_env, secret_key_env (the same keys as `kling`),
max_concurrent, poll_every, job_timeout, max_failures, timeout."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from pathlib import Path

from ... import ledger
from ...engine import atomic
from ...errors import ProviderError
from .. import http
from . import jobs, pricing
from .kling import KlingAnimator
from .kling import _Adapter as _KlingAdapter

LONGEST_AUDIO = 5 * 1024 * 1024  # bytes, as base64's source (Kling: "maximum file size 5MB")
VIDEO_SECONDS = (5, 10)  # the lengths of a Kling video that lip sync takes by id
ANIMATORS = ("kling",)  # the animators whose videos Kling lip-syncs by id


@dataclass(frozen=True)
class LipSyncRequest:
    shot_id: str
    audio: Path  # the shot's on-screen voices, laid out from the clip's first frame (a WAV)
    animator_task: dict  # the handle of the animator's Kling task ({"kind", "task_id"})
    video_seconds: int  # how long that video is (5 or 10)
    job: object = None  # jobs.JobTicket
    video: Path | None = None  # the model's clip itself (a lip-sync model that takes the file: comfyui.ComfyUILipSync)


class KlingLipSync(jobs.Remote):
    name = "kling-lipsync"
    model = "kling-lip-sync"
    version = "1"
    source_type = ledger.TRAINED
    deterministic = False
    remote = True

    def __init__(self, env: dict | None = None, base_url: str = "https://api.klingai.com",
                 access_key_env: str = "KLING_ACCESS_KEY", secret_key_env: str = "KLING_SECRET_KEY", clock=time.time,
                 max_concurrent: int = 3, poll_every: float = 5.0, job_timeout: float = 1800.0, max_failures: int = 5,
                 timeout: float = 120.0):
        super().__init__(env, max_concurrent=max_concurrent, poll_every=poll_every, job_timeout=job_timeout,
                         max_failures=max_failures, timeout=timeout)
        self.base_url = self.url(base_url, "https://api.klingai.com")
        self.access_key_env, self.secret_key_env = access_key_env, secret_key_env
        self._keys = (self.env.get(access_key_env, ""), self.env.get(secret_key_env, ""))
        self._token: tuple[str, float] | None = None
        self.clock = clock

    # -- what the crew asks -----------------------------------------------------------------------------
    def refuse(self, animator) -> str | None:
        """Why a shot animated by `animator` cannot be lip-synced here (None when it can), before anything is paid."""
        name = getattr(animator, "name", "")
        if name not in ANIMATORS:
            return (f"{self.name} drives the mouths of a video Kling made (by its id); this shot is animated by "
                    f"{name or 'filmcrew'}: animate it with kling (animator: kling) or take lipsync out of its note")
        durations = tuple(d for d in animator.caps.get("durations", ()) if d in VIDEO_SECONDS)
        if not durations:
            return f"{self.name} takes 5 or 10 s videos, and {animator.model} makes none of those"
        return None

    def price(self, seconds: float) -> dict:
        """The estimate for lip-syncing `seconds` of audio (Kling bills in 5-second blocks)."""
        tier = "5s" if seconds <= 5 else "10s"
        return pricing.per_item(self.name, self.model, tier)

    def lipsync(self, req: LipSyncRequest, out_dir: Path) -> Path:
        """The lip-synced video as `model.mp4` in `out_dir` (what the animator's fit reads), verified, and its
        record as `generation.json`."""
        if not isinstance(req.job, jobs.JobTicket):
            raise ProviderError(f"{self.name}: no job ticket (the crew gives one to every remote task); this is a bug")
        audio = Path(req.audio).read_bytes()
        if len(audio) > LONGEST_AUDIO:
            raise ProviderError(f"{self.name}: shot {req.shot_id}: its voices are {len(audio)} bytes, over Kling's 5 MB")
        if req.video_seconds not in VIDEO_SECONDS:
            raise ProviderError(f"{self.name}: shot {req.shot_id}: Kling lip-syncs its own 5 or 10 s videos, and this "
                                f"one is {req.video_seconds} s")
        adapter = _Adapter(self)
        rec = jobs.Journal(req.job.journal).read(req.job.key)
        # the video's id is asked of the animator's task first (a free query, outside the paid request, so that a
        # query that fails leaves nothing spent); a job already sent needs none
        vid = "" if rec and rec.get("state") in jobs.SPENT else adapter.video_id(req.animator_task)
        request = {"video_id": vid, "audio": base64.b64encode(audio).decode()}
        seconds = _wav_seconds(req.audio)
        out = jobs.run(req.job, adapter, request, kind="video", estimate=self.price(seconds), settings=self.settings,
                       max_concurrent=self.max_concurrent)
        atomic.copy_file(out.path, Path(out_dir) / "model.mp4")
        rec = out.record
        info = {"provider": self.name, "model": self.model, "seconds": req.video_seconds,
                "audio_seconds": round(seconds, 3), "estimate": rec.get("estimate"), "actual": rec.get("actual"),
                "job": {k: rec.get(k) for k in ("label", "client_id", "handle", "submitted_at", "fetched_at")}}
        atomic.write_text(Path(out_dir) / "generation.json", json.dumps(ledger.scrub(info), indent=1, ensure_ascii=False))
        return Path(out_dir) / "model.mp4"

    # -- what the Kling adapter reads ------------------------------------------------------------------------
    token = KlingAnimator.token  # the animator's keys and JWT, re-signed before it expires (kling.py)


def _wav_seconds(path: Path) -> float:
    import wave
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


class _Adapter(_KlingAdapter):
    """Kling's calls (kling.py: auth, codes, polling `task_result.videos`), with lip sync's submit."""

    def video_id(self, animator_task: dict) -> str:
        kind, task = animator_task.get("kind"), animator_task.get("task_id")
        if not kind or not task:
            raise ProviderError(f"{self.name}: the animator's job names no Kling task; make the shot with kling again")
        data = self._call("GET", f"/v1/videos/{kind}/{task}").get("data") or {}
        videos = (data.get("task_result") or {}).get("videos") or []
        if data.get("task_status") != "succeed" or not videos or not videos[0].get("id"):
            raise ProviderError(f"{self.name}: Kling's task {task} has no finished video ({data.get('task_status')}); "
                                f"Kling lip-syncs videos made in the last 30 days")
        return str(videos[0]["id"])

    def submit(self, request: dict, client_id: str) -> jobs.Submitted:
        vid = request["video_id"]
        body = {"input": {"video_id": vid, "mode": "audio2video", "audio_type": "file", "audio_file": request["audio"]}}
        try:
            data = self._call("POST", "/v1/videos/lip-sync", body)
        except jobs.RefusedError as err:
            return jobs.Submitted(handle={"kind": "lip-sync"}, status=jobs.Status(jobs.REFUSED, detail=str(err)))
        task = (data.get("data") or {}).get("task_id")
        if not task:
            raise http.Unsure(f"{self.name}: the answer to the submit has no data.task_id", "the answer names no task")
        return jobs.Submitted(handle={"kind": "lip-sync", "task_id": task, "video_id": vid})
