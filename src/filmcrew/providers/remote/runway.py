"""Runway as the animator: `POST {base_url}/v1/image_to_video` with the bearer key and the mandatory
`X-Runway-Version: 2024-11-06` header (`model`, `promptImage` as a data URI; `promptText`; `ratio`, from the
model's own table (gen4_turbo and gen4.5: 720:1280, 1280:720, 960:960); `duration` (gen4_turbo 5 or 10, gen4.5 2 to
10 s); `seed`), answered with `{id}`; then `GET {base_url}/v1/tasks/{id}`: `PENDING`, `THROTTLED` (accepted, waiting on
the account's concurrency: a waiting state, not an error), `RUNNING` (with `progress`), then `SUCCEEDED` with
`output` links (fetched at once, never written down) or `FAILED` with `failure` and `failureCode` (a `SAFETY`
code is a refusal). The task id is known only from the answer, so a submit whose answer a kill cut off stops
the make with the journal file to delete. Prices are not confirmed: see prices/runway.json.

Settings, `[providers.runway]`: base_url (https://api.dev.runwayml.com), model (gen4_turbo, gen4.5; gen3a_turbo,
which has left Runway's API, is refused),
api_key_env (RUNWAYML_API_SECRET), video, max_concurrent, poll_every."""

from __future__ import annotations

import base64
import hashlib

from ...errors import ConfigError
from .. import http
from . import jobs, pricing
from .animate import RemoteAnimator, VideoRequest
from .vendor import VendorAdapter, error_of

VERSION = "2024-11-06"
GEN4_RATIOS = {"9:16": "720:1280", "16:9": "1280:720", "1:1": "960:960"}
# Runway's current SDK (runwayml, image_to_video_create_params): each model has its own ratios and durations
CAPABILITIES = {
    "gen4_turbo": {"modes": ("first-frame",), "durations": (5, 10), "aspects": tuple(GEN4_RATIOS), "max_references": 0,
                   "ratios": GEN4_RATIOS},
    "gen4.5": {"modes": ("first-frame",), "durations": tuple(range(2, 11)), "aspects": tuple(GEN4_RATIOS),
               "max_references": 0, "ratios": GEN4_RATIOS},
}
# gen3a_turbo took only 768:1280 and 1280:768 (one table for every model sent it 720:1280, refused as "Validation of
# body failed"), and it has left Runway's current SDK: refused with the models to use instead
WITHDRAWN = {"gen3a_turbo": "it has left Runway's API (its current SDK no longer lists it)"}


class RunwayAnimator(RemoteAnimator):
    name = "runway"
    CAPABILITIES = CAPABILITIES

    def __init__(self, env: dict | None = None, base_url: str = "https://api.dev.runwayml.com", model: str = "gen4_turbo",
                 api_key_env: str = "RUNWAYML_API_SECRET", **common):
        super().__init__(env, **common)
        if model in WITHDRAWN:
            raise ConfigError(f"filmcrew.toml: [providers.{self.name}] model: {model!r}: {WITHDRAWN[model]}; use "
                              f"{' or '.join(CAPABILITIES)} (first-last: the kling, seedance, hailuo or veo animator)")
        if model not in CAPABILITIES:
            raise ConfigError(f"filmcrew.toml: [providers.{self.name}] model: {model!r}; filmcrew knows "
                              f"{', '.join(CAPABILITIES)}")
        self.http = http.Endpoint(self.name, base_url, api_key_env, env)
        self.model = model

    def headers(self) -> dict:
        return {**self.http.headers(), "X-Runway-Version": VERSION}

    def price(self, seconds: int, preview: bool) -> dict:
        p = pricing.per_item(self.name, self.model)
        return {**p, "amount": round(p["amount"] * seconds, 4)}

    def request(self, req: VideoRequest) -> dict:
        def uri(p):
            return f"data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}"
        image = uri(req.first)  # (first-frame: the only mode Runway's current image_to_video models take)
        seed = (int(hashlib.sha256(req.prompt.encode()).hexdigest()[:8], 16) + req.take) % 2**32  # a shot's take, one seed
        return {"body": {"model": self.model, "promptImage": image, "promptText": req.prompt[:1000],
                         "ratio": CAPABILITIES[self.model]["ratios"][req.aspect], "duration": int(req.seconds), "seed": seed}}

    def adapter(self) -> jobs.Adapter:
        return _Adapter(self)


class _Adapter(VendorAdapter):
    def said(self, ans: http.Answer, what: str) -> None:
        err = error_of(ans)
        if ans.status in (401, 403):
            raise self.refused_key(err.get("error") or err.get("message") or ans.body[:200].decode("utf-8", "replace"))
        raise self.answered(ans, what)

    def submit(self, request: dict, client_id: str) -> jobs.Submitted:
        ans = self.send("POST", "/v1/image_to_video", request["body"])
        return jobs.Submitted(handle={"id": self.handle_of(self.answer(ans, "the submit").get("id"), "id")})

    def poll(self, handle: dict) -> jobs.Status:
        t = self.answer(self.send("GET", f"/v1/tasks/{handle['id']}"), "the poll")
        state = t.get("status")
        if state == "SUCCEEDED":
            out = t.get("output") or []
            return jobs.Status(jobs.DONE, url=out[0]) if out else jobs.Status(jobs.FAILED, detail="SUCCEEDED, no output")
        if state in ("FAILED", "CANCELLED"):
            code = str(t.get("failureCode") or state)
            return jobs.Status(jobs.REFUSED if code.upper().startswith("SAFETY") else jobs.FAILED,
                               detail=f"{code}: {t.get('failure', '')}".strip(": "))
        progress = t.get("progress")
        return jobs.Status(jobs.PENDING, detail=(state or "PENDING").lower(),
                           progress=float(progress) if isinstance(progress, (int, float)) else None)
