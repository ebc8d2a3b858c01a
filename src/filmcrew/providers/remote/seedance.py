"""Seedance (ByteDance) through Volcengine Ark as the animator: `POST {base_url}/contents/generations/tasks`
with a `content` list (the motion prompt as text; images as base64 data URIs with a role: `first_frame`,
`last_frame`, or `reference_image` in the order the prompt names them), `ratio`, `resolution`, `duration`
(whole seconds), `seed`, `watermark`, `generate_audio` (false unless `sound = "effects"`: filmcrew keeps its own sound); the answer is
`{id}`. Then `GET .../tasks/{id}`: `queued -> running -> succeeded | failed | cancelled`, the clip at
`content.video_url` (fetched at once, never written down: it expires in 24 h), billed on
`usage.completion_tokens`. Errors are Ark's (`{"error": {"code", "message"}}`): a `...SensitiveContent...`
code is a refusal; 429 backs off. Seedance 2.0 refuses first/last frames mixed with references, so a shot
is one or the other. Ark cannot be asked for a task by filmcrew's id here, so a submit whose answer a kill
cut off stops the make with the journal file to delete.

Settings, `[providers.seedance]`: base_url, model, resolution (480p, 720p, 1080p; `--preview` asks for
480p), api_key_env (ARK_API_KEY), video (the project's shot mode), max_concurrent, poll_every, job_timeout."""

from __future__ import annotations

import base64

from ...errors import ConfigError
from .. import http
from . import jobs, pricing
from .animate import RemoteAnimator, VideoRequest
from .vendor import VendorAdapter, error_of

RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
CAPS = {"modes": ("first-frame", "first-last", "reference"), "durations": tuple(range(4, 16)), "aspects": RATIOS,
        "max_references": 9, "audio": True}
CAPABILITIES = {m: CAPS for m in ("doubao-seedance-2-0-260128", "doubao-seedance-2-0-fast-260128",
                                  "doubao-seedance-2-0-mini-260615", "doubao-seedance-1-5-pro-251215")}
CAPABILITIES["doubao-seedance-2-5-260628"] = {**CAPS, "durations": tuple(range(4, 31))}
PIXELS = {"480p": 480, "720p": 720, "1080p": 1080}  # the short side


class SeedanceAnimator(RemoteAnimator):
    name = "seedance"
    CAPABILITIES = CAPABILITIES

    def __init__(self, env: dict | None = None, base_url: str = "https://ark.cn-beijing.volces.com/api/v3",
                 model: str = "doubao-seedance-2-0-260128", resolution: str = "720p", api_key_env: str = "ARK_API_KEY",
                 **common):
        super().__init__(env, **common)
        where = f"filmcrew.toml: [providers.{self.name}]"
        if model not in CAPABILITIES and not str(model).startswith("ep-"):
            raise ConfigError(f"{where} model: {model!r}; filmcrew knows {', '.join(CAPABILITIES)} (or an endpoint id ep-...)")
        if resolution not in PIXELS:
            raise ConfigError(f"{where} resolution: {resolution!r}; use 480p, 720p or 1080p")
        self.http = http.Endpoint(self.name, base_url, api_key_env, env)
        self.model, self.resolution = str(model), resolution

    @property
    def caps(self) -> dict:
        return CAPABILITIES.get(self.model, CAPS)

    def price(self, seconds: int, preview: bool) -> dict:
        p = pricing.per_item(self.name, self.model, "sound" if self.keeps_sound else "any")
        short = PIXELS["480p" if preview else self.resolution]
        tokens = short * (short * 16 // 9) * 24 * seconds / 1024
        return {**p, "amount": round(p["amount"] * tokens / 1e6, 4)}

    def request(self, req: VideoRequest) -> dict:
        def image(path, role):
            return {"type": "image_url", "role": role,
                    "image_url": {"url": f"data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}"}}
        content = [{"type": "text", "text": req.prompt}]
        if req.mode == "reference":
            content += [image(p, "reference_image") for _, p in req.references]
        else:
            content.append(image(req.first, "first_frame"))
            if req.mode == "first-last":
                content.append(image(req.last, "last_frame"))
        body = {"model": self.model, "content": content, "ratio": req.aspect, "duration": int(req.seconds),
                "resolution": "480p" if req.preview else self.resolution, "watermark": False, "generate_audio": bool(req.sound)}
        return {"body": body, "seconds": req.seconds, "preview": req.preview}

    def adapter(self) -> jobs.Adapter:
        return _Adapter(self)


class _Adapter(VendorAdapter):
    def said(self, ans: http.Answer, what: str) -> None:
        e = error_of(ans, "error")
        code = str(e.get("code", ans.status))
        if "SensitiveContent" in code:
            raise jobs.RefusedError(f"{code}: {e.get('message', '')}")
        if ans.status in (401, 403):
            raise self.refused_key(code)
        raise self.answered(ans, what, code)

    def submit(self, request: dict, client_id: str) -> jobs.Submitted:
        ans = self.send("POST", "/contents/generations/tasks", request["body"])
        try:
            data = self.answer(ans, "the submit")
        except jobs.RefusedError as err:
            return self.refused_at_submit(err)
        return jobs.Submitted(handle={"id": self.handle_of(data.get("id"), "id")})

    def poll(self, handle: dict) -> jobs.Status:
        ans = self.send("GET", f"/contents/generations/tasks/{handle['id']}")
        try:
            data = self.answer(ans, "the poll")
        except jobs.RefusedError as err:
            return jobs.Status(jobs.REFUSED, detail=str(err))
        state = data.get("status")
        if state == "succeeded":
            url = (data.get("content") or {}).get("video_url")
            if not url:
                return jobs.Status(jobs.FAILED, detail="succeeded, but content.video_url is missing")
            tokens = (data.get("usage") or {}).get("completion_tokens")
            rate = pricing.per_item(self.name, self.p.model)["amount"]
            return jobs.Status(jobs.DONE, url=url, cost=round(rate * tokens / 1e6, 6) if tokens else None)
        if state in ("failed", "cancelled"):
            e = data.get("error") or {}
            code = str(e.get("code", state))
            return jobs.Status(jobs.REFUSED if "SensitiveContent" in code else jobs.FAILED,
                               detail=f"{code}: {e.get('message', '')}".strip(": "))
        return jobs.Status(jobs.PENDING, detail=state or "queued")
