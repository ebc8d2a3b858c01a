"""Kling (api.klingai.com) as the animator.

Auth: a JWT (HS256, `{"iss": access key, "exp": now + 1800, "nbf": now - 5}`) signed with the secret key, both
read from the environment variables named in the settings, re-signed when less than a minute remains.
Submit: `POST /v1/videos/image2video` (first-frame; first-last adds `image_tail`, which only `pro` mode
honours, so `std` refuses first-last at plan) or `POST /v1/videos/multi-image2video` (reference: up to four
images in `image_list`, in the order the prompt names them); images as raw base64; `duration` "5" or "10";
`external_task_id` is filmcrew's job id. The poll path depends on the submit type, so it is journaled with
the task id: `GET /v1/videos/{image2video|multi-image2video}/{task_id}`, `submitted -> processing -> succeed |
failed`. Errors: `code` 1301 is a content-safety refusal (not retried, whatever the HTTP status), 1302/1303
are rate limits (backed off), 1200-1203 bad parameters. The result URL is fetched at once and never written
down. Kling cannot be asked for a task by filmcrew's id here, so a submit whose answer a kill cut off stops
the make with the journal file to delete (see jobs.LostSubmitError).

Settings, `[providers.kling]`: base_url, model, mode (std, pro), access_key_env, secret_key_env, video (the
project's shot mode), max_concurrent, poll_every, job_timeout, timeout."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from ...errors import ProviderError
from .. import http
from . import jobs, pricing
from .animate import RemoteAnimator, VideoRequest
from .vendor import VendorAdapter, choice, vendor_code

ASPECTS = ("16:9", "9:16", "1:1")
CAPABILITIES = {
    "kling-v2-6": {"modes": ("first-frame", "first-last", "reference"), "durations": (5, 10), "aspects": ASPECTS,
                   "max_references": 4, "audio": True},
    "kling-v2-5-turbo": {"modes": ("first-frame", "first-last", "reference"), "durations": (5, 10),
                         "aspects": ASPECTS, "max_references": 4, "audio": False},
    "kling-v3": {"modes": ("first-frame", "first-last", "reference"), "durations": tuple(range(3, 16)),
                 "aspects": ASPECTS, "max_references": 4, "audio": True},
}
BUSY_CODES = (1302, 1303)
REFUSED_CODES = (1301,)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(access_key: str, secret_key: str, now: float) -> tuple[str, float]:
    """A Kling token and when it expires."""
    exp = int(now) + 1800
    head = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64url(json.dumps({"iss": access_key, "exp": exp, "nbf": int(now) - 5}, separators=(",", ":")).encode())
    sig = hmac.new(secret_key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64url(sig)}", float(exp)


class KlingAnimator(RemoteAnimator):
    name = "kling"
    CAPABILITIES = CAPABILITIES

    def __init__(self, env: dict | None = None, base_url: str = "https://api.klingai.com", model: str = "kling-v2-6",
                 mode: str = "std", access_key_env: str = "KLING_ACCESS_KEY", secret_key_env: str = "KLING_SECRET_KEY",
                 clock=time.time, **common):
        super().__init__(env, **common)
        base_url = self.url(base_url, "https://api.klingai.com")
        choice(self.name, "model", model, tuple(CAPABILITIES))
        choice(self.name, "mode", mode, ("std", "pro"), "use std or pro")
        self.base_url, self.model, self.mode = base_url, model, mode
        self.access_key_env, self.secret_key_env = access_key_env, secret_key_env
        self._keys = (self.env.get(access_key_env, ""), self.env.get(secret_key_env, ""))
        self._token: tuple[str, float] | None = None
        self.clock = clock

    @property
    def caps(self) -> dict:
        c = dict(CAPABILITIES[self.model])
        if self.mode == "std":  # image_tail is accepted but ignored in std mode: refuse first-last honestly
            c["modes"] = tuple(m for m in c["modes"] if m != "first-last")
        return c

    def token(self) -> str:
        ak, sk = self._keys
        if not ak or not sk:
            raise http.NotSent(f"{self.name}: no keys: set the environment variables {self.access_key_env} and "
                                f"{self.secret_key_env} (their names come from [providers.{self.name}])")
        now = self.clock()
        if self._token is None or self._token[1] - now < 60:  # re-signed before it expires
            self._token = jwt(ak, sk, now)
        return self._token[0]

    def price(self, seconds: int, preview: bool) -> dict:
        p = pricing.per_item(self.name, self.model, f"{self.mode}+sound" if self.keeps_sound else self.mode)
        return {**p, "amount": round(p["amount"] * seconds, 4)}

    def request(self, req: VideoRequest) -> dict:
        body = {"model_name": self.model, "prompt": req.prompt, "mode": self.mode, "duration": str(req.seconds)}
        if self.caps.get("audio"):  # a model that makes sound is told whether to (silent unless sound = "effects")
            body["sound"] = "on" if req.sound else "off"
        if req.mode == "reference":
            kind = "multi-image2video"
            body["image_list"] = [{"image": base64.b64encode(p.read_bytes()).decode()} for _, p in req.references]
            body["aspect_ratio"] = req.aspect
        else:
            kind = "image2video"
            body["image"] = base64.b64encode(req.first.read_bytes()).decode()
            if req.mode == "first-last":
                body["image_tail"] = base64.b64encode(req.last.read_bytes()).decode()
        return {"kind": kind, "body": body}

    def adapter(self) -> jobs.Adapter:
        return _Adapter(self)


def _code(ans: http.Answer) -> int | None:
    return vendor_code(ans, "code")


class _Adapter(VendorAdapter):
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.p.token()}", "Content-Type": "application/json"}

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        ans = self.send(method, path, body, busy_check=lambda a: 0 if _code(a) in BUSY_CODES else None,
                        final=lambda a: _code(a) in REFUSED_CODES)
        try:
            data = ans.json(self.name)
        except http.Unsure:
            raise
        except ProviderError:
            raise ProviderError(f"{self.name}: {path} answered {ans.status}: {http.vendor_message(ans)}") from None
        code = data.get("code")
        if ans.status == 200 and code == 0:
            return data
        msg = f"{code}: {data.get('message', '')}"
        if code in REFUSED_CODES:
            raise jobs.RefusedError(msg)
        if ans.status in (401, 403) or code in (1000, 1001, 1002, 1003, 1004):
            raise ProviderError(f"{self.name}: the keys were refused ({msg}); check {self.p.access_key_env} and "
                                f"{self.p.secret_key_env}")
        raise ProviderError(f"{self.name}: {path} answered {ans.status}, code {msg}")  # (Kling names the field in it)

    def submit(self, request: dict, client_id: str) -> jobs.Submitted:
        try:
            data = self._call("POST", f"/v1/videos/{request['kind']}", {**request["body"], "external_task_id": client_id})
        except jobs.RefusedError as err:
            return self.refused_at_submit(err, {"kind": request["kind"]})
        task = self.handle_of((data.get("data") or {}).get("task_id"), "data.task_id")
        return jobs.Submitted(handle={"kind": request["kind"], "task_id": task})

    def poll(self, handle: dict) -> jobs.Status:
        try:
            data = (self._call("GET", f"/v1/videos/{handle['kind']}/{handle['task_id']}").get("data") or {})
        except jobs.RefusedError as err:
            return jobs.Status(jobs.REFUSED, detail=str(err))
        state = data.get("task_status")
        if state == "succeed":
            videos = (data.get("task_result") or {}).get("videos") or []
            if not videos or not videos[0].get("url"):
                return jobs.Status(jobs.FAILED, detail="succeed, but task_result.videos holds no url")
            return jobs.Status(jobs.DONE, url=videos[0]["url"])
        if state == "failed":
            msg = data.get("task_status_msg", "")
            risky = any(w in msg.lower() for w in ("risk", "safety", "sensitive"))
            return jobs.Status(jobs.REFUSED if risky else jobs.FAILED, detail=msg or "failed")
        return jobs.Status(jobs.PENDING, detail=state or "submitted")
