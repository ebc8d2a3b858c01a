"""Seedream (ByteDance) through Volcengine Ark as the illustrator: `POST {base_url}/images/generations` with
the references as `image` (base64 data URIs, in the order the prompt numbers them), `size` as WxH, one image
(`sequential_image_generation: disabled`), `response_format: b64_json` (a result link would be a signed URL,
which filmcrew never writes down; the image comes in the answer). Synchronous, like OpenAI Images.

Settings, `[providers.seedream]`: base_url (China: https://ark.cn-beijing.volces.com/api/v3; BytePlus uses
another host and other model ids), model, api_key_env (default ARK_API_KEY), watermark, max_concurrent,
timeout. Prices are per image, in CNY (prices/seedream.json)."""

from __future__ import annotations

import base64
import json

from .. import http
from . import jobs, pricing
from .illustrate import RemoteIllustrator, b64_image
from .vendor import error_of, said_no

SIZES = {(1024, 1536): "1440x2560", (1536, 1024): "2560x1440", (1024, 1024): "2048x2048"}  # within 4.x's pixel range


class SeedreamIllustrator(RemoteIllustrator):
    name = "seedream"

    def __init__(self, env: dict | None = None, base_url: str = "https://ark.cn-beijing.volces.com/api/v3",
                 model: str = "doubao-seedream-4-5-251128", api_key_env: str = "ARK_API_KEY", watermark: bool = False,
                 **common):
        super().__init__(env, **common)
        self.http = http.Endpoint(self.name, base_url, api_key_env, env)
        self.model = str(model)
        self.watermark = bool(watermark)

    def ask(self, prompt, refs, size, preview, take=0) -> dict:  # (no seed: each request draws anew)
        return {"model": self.model, "prompt": prompt, "size": SIZES[tuple(size)], "refs": refs}

    def price(self, request: dict) -> dict:
        return pricing.per_item(self.name, request["model"])

    def adapter(self) -> jobs.Adapter:
        return jobs.SyncAdapter(self)

    def send(self, request: dict) -> http.Answer:
        body = {"model": request["model"], "prompt": request["prompt"], "size": request["size"],
                "sequential_image_generation": "disabled", "response_format": "b64_json", "stream": False,
                "watermark": self.watermark}
        if request["refs"]:
            uris = [f"data:image/png;base64,{base64.b64encode(data).decode()}" for _, data in request["refs"]]
            body["image"] = uris if len(uris) > 1 else uris[0]
        headers = self.http.headers()
        return http.request("POST", f"{self.http.base_url}/images/generations", who=self.name, timeout=self.timeout,
                            body=json.dumps(body, ensure_ascii=False).encode("utf-8"), headers=headers)

    def read(self, ans: http.Answer, request: dict) -> jobs.Status:
        if ans.status != 200:
            err = error_of(ans, "error")
            code = str(err.get("code", ans.status))
            # Ark's moderation: Input/Output Text/Image SensitiveContentDetected
            return said_no(self.name, ans, code, err.get("message", ""), "SensitiveContent" in code,
                           self.http.api_key_env, self.http.base_url)
        body = ans.json(self.name)
        st = b64_image(body.get("data") or [], "data[0].b64_json")
        if st.state == jobs.DONE:
            st.cost = self.price(request)["amount"] * int((body.get("usage") or {}).get("generated_images", 1) or 1)
        return st
