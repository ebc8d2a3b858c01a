"""Veo (Google) through the Gemini API as the animator: `POST {base_url}/models/{model}:predictLongRunning` with
the key in the `x-goog-api-key` header, `{instances: [{prompt, image, lastFrame, referenceImages}], parameters:
{aspectRatio, durationSeconds, resolution, sampleCount: 1}}` (images as `{bytesBase64Encoded, mimeType}`;
up to three references, which force 8 s); the answer names a long-running operation, polled with `GET
{base_url}/{name}` until `done`; the clip (`response.generateVideoResponse.generatedSamples[0].video.uri`) is
downloaded with the key header at once and never written down. A result withheld by the safety filters
(`raiMediaFilteredCount`, with its reasons) is a refusal; 429 `RESOURCE_EXHAUSTED` waits the `retryDelay`
its `RetryInfo` gives. The operation's name is known only from the answer, so a submit whose answer a kill
cut off stops the make with the journal file to delete.

Settings, `[providers.veo]`: base_url, model, resolution (720p, 1080p; `--preview` asks for 720p),
api_key_env (GEMINI_API_KEY), video, max_concurrent, poll_every (20 s is kind to the quota), job_timeout."""

from __future__ import annotations

import base64
import json
import re

from ...errors import ProviderError
from .. import http
from . import jobs, pricing
from .animate import RemoteAnimator, VideoRequest
from .vendor import VendorAdapter, choice, error_of

CAPS = {"modes": ("first-frame", "first-last", "reference"), "durations": (4, 6, 8), "aspects": ("16:9", "9:16"),
        "max_references": 3, "audio": True}
CAPABILITIES = {"veo-3.1-generate-preview": CAPS, "veo-3.1-fast-generate-preview": CAPS}


def _image(path) -> dict:
    return {"bytesBase64Encoded": base64.b64encode(path.read_bytes()).decode(), "mimeType": "image/png"}


def _retry_delay(ans: http.Answer) -> float | None:
    """The seconds a 429 RESOURCE_EXHAUSTED asks to wait (its RetryInfo.retryDelay, e.g. "30s"); 0 if it says
    none; None when the answer is not one."""
    if ans.status != 429:
        return None
    try:
        err = json.loads(ans.body.decode("utf-8")).get("error") or {}
    except (ValueError, UnicodeDecodeError, AttributeError):
        return 0
    for d in err.get("details") or []:
        m = re.fullmatch(r"(\d+(?:\.\d+)?)s", str(d.get("retryDelay", "")))
        if str(d.get("@type", "")).endswith("google.rpc.RetryInfo") and m:
            return float(m.group(1))
    return 0


class VeoAnimator(RemoteAnimator):
    name = "veo"
    CAPABILITIES = CAPABILITIES

    def __init__(self, env: dict | None = None, base_url: str = "https://generativelanguage.googleapis.com/v1beta",
                 model: str = "veo-3.1-generate-preview", resolution: str = "720p", api_key_env: str = "GEMINI_API_KEY",
                 **common):
        common.setdefault("poll_every", 20.0)
        super().__init__(env, **common)
        base_url = self.url(base_url, "https://generativelanguage.googleapis.com/v1beta")
        choice(self.name, "model", model, tuple(CAPABILITIES))
        choice(self.name, "resolution", resolution, ("720p", "1080p"), "use 720p or 1080p")
        self.base_url, self.model, self.resolution = base_url, model, resolution
        self.api_key_env = api_key_env
        self._key = self.env.get(api_key_env, "")

    def seconds_for(self, mode: str, seconds: int) -> int:
        return 8 if mode == "reference" else seconds  # reference images force 8 s

    def headers(self) -> dict:
        if not self._key:
            raise http.NotSent(f"{self.name}: no API key: set the environment variable {self.api_key_env}")
        return {"x-goog-api-key": self._key, "Content-Type": "application/json"}

    def price(self, seconds: int, preview: bool) -> dict:
        p = pricing.per_item(self.name, self.model, "720p" if preview else self.resolution)
        return {**p, "amount": round(p["amount"] * seconds, 4)}

    def request(self, req: VideoRequest) -> dict:
        inst: dict = {"prompt": req.prompt}
        seconds = self.seconds_for(req.mode, req.seconds)
        if req.mode == "reference":
            inst["referenceImages"] = [{"image": _image(p), "referenceType": "asset"} for _, p in req.references]
        else:
            inst["image"] = _image(req.first)
            if req.mode == "first-last":
                inst["lastFrame"] = _image(req.last)
        params = {"aspectRatio": req.aspect, "durationSeconds": seconds, "sampleCount": 1,
                  "resolution": "720p" if req.preview else self.resolution}
        return {"body": {"instances": [inst], "parameters": params}}

    def adapter(self) -> jobs.Adapter:
        return _Adapter(self)


class _Adapter(VendorAdapter):
    def said(self, ans: http.Answer, what: str) -> None:
        err = error_of(ans, "error")
        if ans.status in (401, 403) or err.get("status") in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
            raise self.refused_key(err.get("message", ans.status))
        raise self.answered(ans, what, err.get("status", ""))

    def submit(self, request: dict, client_id: str) -> jobs.Submitted:
        ans = self.send("POST", f"/models/{self.p.model}:predictLongRunning", request["body"], busy_check=_retry_delay)
        return jobs.Submitted(handle={"operation": self.handle_of(self.answer(ans, "the submit").get("name"), "name")})

    def poll(self, handle: dict) -> jobs.Status:
        op = self.answer(self.send("GET", f"/{handle['operation']}", busy_check=_retry_delay), "the poll")
        if not op.get("done"):
            return jobs.Status(jobs.PENDING, detail="running")
        if op.get("error"):
            e = op["error"]
            return jobs.Status(jobs.FAILED, detail=f"{e.get('status', e.get('code', ''))}: {e.get('message', '')}")
        res = (op.get("response") or {}).get("generateVideoResponse") or {}
        samples = res.get("generatedSamples") or []
        if not samples:
            if res.get("raiMediaFilteredCount"):
                return jobs.Status(jobs.REFUSED, detail="withheld by the safety filters: "
                                                        + "; ".join(res.get("raiMediaFilteredReasons") or []))
            return jobs.Status(jobs.FAILED, detail="done, but no generated sample")
        uri = ((samples[0] or {}).get("video") or {}).get("uri")
        if not uri:
            return jobs.Status(jobs.FAILED, detail="done, but the sample has no video uri")
        return jobs.Status(jobs.DONE, url=uri)

    def fetch(self, status: jobs.Status) -> bytes:
        ans = self.send("GET", status.url)
        if ans.status != 200:
            raise ProviderError(f"{self.name}: the clip's download answered {ans.status}; the next make asks for the "
                                f"operation again and fetches it, without submitting it again")
        return ans.body
