"""MiniMax Hailuo as the animator: `POST {base_url}/video_generation` (`model`, `prompt`, `duration` 6 or 10,
`resolution` 768P or 1080P (1080P only at 6 s), `first_frame_image` and, for first-last, `last_frame_image`, as
base64 data URIs; `prompt_optimizer: false` so the prompt stays filmcrew's), then `GET
{base_url}/query/video_generation?task_id=` (`Queueing, Preparing, Processing -> Success | Fail`, a `file_id`),
then `GET {base_url}/files/retrieve?file_id=` for the download link (valid 9 h: fetched at once, never written
down). Errors come inside HTTP 200 answers, in `base_resp.status_code`: 1002 is a rate limit (backed off),
1026/1027 a sensitive prompt or output (refused, not retried), 1008 a balance too low, 2013 a bad parameter.
Reference-to-video is S2V-01's single face only, so filmcrew offers first-frame and first-last.

Settings, `[providers.hailuo]`: base_url (global https://api.minimax.io/v1; China https://api.minimaxi.com/v1,
with its own key), model, resolution, api_key_env (MINIMAX_API_KEY), video, max_concurrent, poll_every."""

from __future__ import annotations

import base64
import urllib.parse

from ...errors import ProviderError
from .. import http
from . import jobs, pricing
from .animate import RemoteAnimator, VideoRequest
from .vendor import VendorAdapter, choice, vendor_code

MODELS = ("MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast")
BUSY, REFUSED = (1002,), (1026, 1027)


def _status(ans: http.Answer) -> int | None:
    return vendor_code(ans, "base_resp", "status_code")


class HailuoAnimator(RemoteAnimator):
    name = "hailuo"

    def __init__(self, env: dict | None = None, base_url: str = "https://api.minimax.io/v1",
                 model: str = "MiniMax-Hailuo-2.3", resolution: str = "768P", api_key_env: str = "MINIMAX_API_KEY",
                 **common):
        common.setdefault("poll_every", 10.0)
        super().__init__(env, **common)
        choice(self.name, "model", model, MODELS)
        choice(self.name, "resolution", resolution, ("768P", "1080P"), "use 768P or 1080P")
        self.http = http.Endpoint(self.name, base_url, api_key_env, env)
        self.model, self.resolution = model, resolution

    @property
    def caps(self) -> dict:
        return {"modes": ("first-frame", "first-last"), "durations": (6,) if self.resolution == "1080P" else (6, 10),
                "aspects": ("9:16", "16:9", "1:1"), "max_references": 0, "audio": False}

    def price(self, seconds: int, preview: bool) -> dict:
        return pricing.per_item(self.name, self.model, "768P" if preview else self.resolution, str(seconds))

    def request(self, req: VideoRequest) -> dict:
        def uri(p):
            return f"data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}"
        body = {"model": self.model, "prompt": req.prompt[:2000], "duration": int(req.seconds),
                "resolution": "768P" if req.preview else self.resolution, "prompt_optimizer": False,
                "first_frame_image": uri(req.first)}
        if req.mode == "first-last":
            body["last_frame_image"] = uri(req.last)
        return {"body": body}

    def adapter(self) -> jobs.Adapter:
        return _Adapter(self)


class _Adapter(VendorAdapter):
    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        ans = self.send(method, path, body, busy_check=lambda a: 0 if _status(a) in BUSY else None)
        if ans.status in (401, 403):
            raise self.refused_key(ans.status)
        data = ans.json(self.name)
        base = data.get("base_resp") or {}
        code = base.get("status_code")
        if code == 0:
            return data
        msg = f"{code}: {base.get('status_msg', '')}"
        if code in REFUSED:
            raise jobs.RefusedError(msg)
        if code == 1008:
            raise ProviderError(f"{self.name}: the account's balance is too low ({msg}); top it up, then run make again")
        raise ProviderError(f"{self.name}: {path} answered {msg}")

    def submit(self, request: dict, client_id: str) -> jobs.Submitted:
        try:
            data = self._call("POST", "/video_generation", request["body"])
        except jobs.RefusedError as err:
            return self.refused_at_submit(err)
        return jobs.Submitted(handle={"task_id": self.handle_of(data.get("task_id"), "task_id")})

    def poll(self, handle: dict) -> jobs.Status:
        try:
            data = self._call("GET", f"/query/video_generation?task_id={urllib.parse.quote(handle['task_id'])}")
        except jobs.RefusedError as err:
            return jobs.Status(jobs.REFUSED, detail=str(err))
        state = data.get("status")
        if state == "Success":
            # (the "url" here is the file id: files/retrieve gives the link only when it is fetched)
            return jobs.Status(jobs.DONE, url=data.get("file_id", "")) if data.get("file_id") else \
                jobs.Status(jobs.FAILED, detail="Success, but no file_id")
        if state == "Fail":
            return jobs.Status(jobs.FAILED, detail=(data.get("base_resp") or {}).get("status_msg") or "Fail")
        return jobs.Status(jobs.PENDING, detail=state or "Queueing")

    def fetch(self, status: jobs.Status) -> bytes:
        data = self._call("GET", f"/files/retrieve?file_id={urllib.parse.quote(str(status.url))}")
        link = (data.get("file") or {}).get("download_url")
        if not link:
            raise ProviderError(f"{self.name}: files/retrieve gave no download_url")
        return jobs.download(link, self.name, self.p.timeout)
