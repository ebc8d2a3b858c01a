"""OpenAI Images (`gpt-image-1` and its kin) as the illustrator: `POST /v1/images/generations` (JSON), or
`POST /v1/images/edits` (multipart, the references as `image[]`, in the order the prompt names them) when a
shot shows characters. Synchronous: the answer carries the image (`b64_json`), so a job is done at once;
the answer to a submit that a kill cut off cannot be asked for again (see `jobs.LostSubmitError`).

Settings, `[providers.openai-images]`: base_url, model, api_key_env, quality (low, medium, high; `--preview`
asks for low), max_concurrent, timeout."""

from __future__ import annotations

from ...errors import ConfigError
from .. import http
from . import jobs, pricing
from .illustrate import RemoteIllustrator, b64_image
from .vendor import error_of, said_no

QUALITIES = ("low", "medium", "high")


class OpenAIImagesIllustrator(RemoteIllustrator):
    name = "openai-images"
    max_references = 16  # image[] on /images/edits

    def __init__(self, env: dict | None = None, base_url: str = "https://api.openai.com/v1", model: str = "gpt-image-1",
                 api_key_env: str = "OPENAI_API_KEY", quality: str = "medium", **common):
        super().__init__(env, **common)
        if quality not in QUALITIES:
            raise ConfigError(f"filmcrew.toml: [providers.{self.name}] quality: {quality!r}; use one of {', '.join(QUALITIES)}")
        self.http = http.Endpoint(self.name, base_url, api_key_env, env)
        self.model = str(model)
        self.quality = quality

    def ask(self, prompt, refs, size, preview, take=0) -> dict:  # (no seed: each request draws anew)
        return {"model": self.model, "prompt": prompt, "size": f"{size[0]}x{size[1]}",
                "quality": "low" if preview else self.quality, "refs": refs}

    def price(self, request: dict) -> dict:
        return pricing.per_item(self.name, request["model"], request["quality"], request["size"])

    def adapter(self) -> jobs.Adapter:
        return jobs.SyncAdapter(self)

    def send(self, request: dict) -> http.Answer:
        ep = self.http
        auth = {k: v for k, v in ep.headers().items() if k == "Authorization"}
        if request["refs"]:  # the references as image[], in the order the prompt numbers them
            fields = [("model", request["model"]), ("prompt", request["prompt"]), ("n", "1"),
                      ("size", request["size"]), ("quality", request["quality"])]
            fields += [("image[]", (f"{name.lower().replace(' ', '-')}.png", data, "image/png"))
                       for name, data in request["refs"]]
            body, ctype = http.multipart(fields)
            path = "/images/edits"
        else:
            body = _json({k: request[k] for k in ("model", "prompt", "size", "quality")} | {"n": 1})
            ctype, path = "application/json", "/images/generations"
        return http.request("POST", f"{ep.base_url}{path}", who=self.name, body=body, timeout=self.timeout,
                            headers={**auth, "Content-Type": ctype})

    def read(self, ans: http.Answer, request: dict) -> jobs.Status:
        if ans.status != 200:
            err = error_of(ans, "error")
            code = str(err.get("code") or ans.status)
            return said_no(self.name, ans, code, err.get("message", ""), code == "moderation_blocked",
                           self.http.api_key_env, self.http.base_url)
        body = ans.json(self.name)
        st = b64_image(body.get("data") or [], "data[0].b64_json")
        st.cost = _actual(body.get("usage"), request["model"])
        return st


def _json(d: dict) -> bytes:
    import json
    return json.dumps(d, ensure_ascii=False).encode("utf-8")


def _actual(usage, model: str) -> float | None:
    """The cost from the answer's token counts and the table's token prices, where both are known."""
    if not isinstance(usage, dict):
        return None
    rates = pricing.table("openai-images").get("tokens", {}).get(model)
    if not rates:
        return None
    details = usage.get("input_tokens_details") or {}
    text_in = details.get("text_tokens", usage.get("input_tokens", 0) or 0)
    image_in = details.get("image_tokens", 0) or 0
    out = usage.get("output_tokens", 0) or 0
    try:
        return round((text_in * rates["text_in"] + image_in * rates["image_in"] + out * rates["image_out"]) / rates["per"], 6)
    except (TypeError, KeyError):
        return None
