"""A local server that follows Volcengine Ark's published Seedream protocol (the vendor cannot be reached
from the tests): `POST /api/v3/images/generations`, bearer auth, JSON in (`model`, `prompt`, `image` as a URL
or data URI or a list of them, `size` as "2K"/"4K"/"WxH", `sequential_image_generation`, `response_format`,
`watermark`), `{model, created, data: [{b64_json | url, size}], usage: {generated_images, output_tokens,
total_tokens}}` out, and Ark's error objects (`{"error": {"code", "message", "param", "type"}}`):
AuthenticationError (401), InvalidParameter (400), OutputImageSensitiveContentDetected (400),
RateLimitExceeded (429). `script` (one step per request): "429", "moderation", "500".

Seedance on the same host: `POST /api/v3/contents/generations/tasks` (`model`, `content` [text, image_url with
a role], `ratio`, `resolution`, `duration`, ...) -> `{id}`; `GET .../tasks/{id}` going `queued -> running ->
succeeded` (or `failed` with `error`), the clip at `content.video_url`, `usage.completion_tokens`."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import uuid
from fake_openai_images import Quiet, Serving, png


class Handler(Quiet):
    def _error(self, status, code, message, kind, param="", headers=None):
        self._send(status, {"error": {"code": code, "message": message, "param": param, "type": kind}}, headers)

    def do_GET(self):  # noqa: N802
        srv = self.server
        if self.path.startswith("/results/"):
            task = srv.tasks.get(self.path.split("/")[2].split(".")[0])
            if task is None:
                return self._error(404, "NotFound", "no such result", "NotFound")
            from fake_kling import clip
            return self._send(200, clip(task["body"]["duration"], task["body"].get("ratio", "9:16")), ctype="video/mp4")
        if self.headers.get("Authorization") != f"Bearer {srv.key}":
            return self._error(401, "AuthenticationError", "The API key is missing or invalid.", "Unauthorized")
        tid = self.path.removeprefix("/api/v3/contents/generations/tasks/")
        task = srv.tasks.get(tid)
        if task is None:
            return self._error(404, "ResourceNotFound", f"task {tid} not found", "NotFound")
        age = time.time() - task["at"]
        state = "queued" if age < srv.work / 3 else "running" if age < srv.work else task["end"]
        out = {"id": tid, "model": task["body"]["model"], "status": state, "created_at": int(task["at"]),
               "updated_at": int(time.time()), "duration": task["body"]["duration"], "ratio": task["body"].get("ratio"),
               "resolution": task["body"].get("resolution")}
        if state == "succeeded":
            out["content"] = {"video_url": f"http://127.0.0.1:{srv.server_port}/results/{tid}.mp4"}
            out["usage"] = {"completion_tokens": 108000, "total_tokens": 108000}
        if state == "failed":
            out["error"] = {"code": "OutputVideoSensitiveContentDetected", "message": "The output video may contain "
                            "sensitive information."}
        self._send(200, out)

    def _task(self, raw: bytes):
        srv = self.server
        body = json.loads(raw)
        roles = [c.get("role") for c in body.get("content", []) if c.get("type") == "image_url"]
        with srv.lock:
            srv.video_requests.append({"body": {k: v for k, v in body.items() if k != "content"},
                                       "text": [c["text"] for c in body.get("content", []) if c.get("type") == "text"],
                                       "images": [(c["role"], hashlib.sha256(base64.b64decode(
                                           c["image_url"]["url"].split(",", 1)[1])).hexdigest())
                                           for c in body.get("content", []) if c.get("type") == "image_url"]})
            step = srv.script.pop(0) if srv.script else ""
        if {"first_frame", "last_frame"} & set(roles) and "reference_image" in roles:
            return self._error(400, "InvalidParameter", "first/last frames cannot be mixed with reference media",
                               "BadRequest", "content")
        if not isinstance(body.get("duration"), int) or not 4 <= body["duration"] <= 15:
            return self._error(400, "InvalidParameter", "duration must be a whole number of seconds from 4 to 15",
                               "BadRequest", "duration")
        if "service_tier" in body:
            return self._error(400, "InvalidParameter", "service_tier is not supported by 2.x models", "BadRequest")
        tid = f"cgt-{uuid.uuid4().hex[:16]}"
        with srv.lock:
            srv.tasks[tid] = {"body": body, "at": time.time(), "end": "failed" if step == "unsafe" else "succeeded"}
        self._send(200, {"id": tid})

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != f"Bearer {srv.key}":
            return self._error(401, "AuthenticationError", "The API key or AK/SK in the request is missing or invalid.",
                               "Unauthorized")
        if self.path == "/api/v3/contents/generations/tasks":
            return self._task(raw)
        if self.path != "/api/v3/images/generations":
            return self._error(404, "NotFound", f"no route {self.path}", "NotFound")
        body = json.loads(raw)
        images = body.get("image")
        images = [] if images is None else ([images] if isinstance(images, str) else images)
        refs = []
        for uri in images:
            m = re.match(r"data:image/(png|jpeg|webp);base64,(.+)$", uri)
            if not m:
                return self._error(400, "InvalidParameter", "image must be a URL or a base64 data URI", "BadRequest",
                                   "image")
            refs.append(hashlib.sha256(base64.b64decode(m.group(2))).hexdigest())
        with srv.lock:
            srv.requests.append({"body": {k: v for k, v in body.items() if k != "image"}, "refs": refs})
            step = srv.script.pop(0) if srv.script else ""
        if not body.get("model") or not body.get("prompt"):
            return self._error(400, "MissingParameter", "model and prompt are required", "BadRequest")
        size = body.get("size", "2048x2048")
        m = re.fullmatch(r"(\d+)x(\d+)", size)
        if size not in ("2K", "4K") and not (m and 1280 * 720 <= int(m[1]) * int(m[2]) <= 4096 * 4096):
            return self._error(400, "InvalidParameter", f"size {size} is out of range", "BadRequest", "size")
        if step == "429":
            return self._error(429, "RateLimitExceeded.EndpointRPMExceeded", "Too many requests", "TooManyRequests",
                               headers={"Retry-After": "0"})
        if step == "500":
            return self._error(500, "InternalServiceError", "The service encountered an unexpected internal error.",
                               "InternalServerError")
        if step == "moderation":
            return self._error(400, "OutputImageSensitiveContentDetected",
                               "The request failed because the output image may contain sensitive information.",
                               "BadRequest")
        w, h = (2048, 2048) if not m else (int(m[1]) // 4, int(m[2]) // 4)  # (a small picture: it is a test)
        image = png(body["prompt"], f"{w}x{h}", len(refs))
        item = {"b64_json": base64.b64encode(image).decode()} if body.get("response_format") == "b64_json" else \
            {"url": f"http://127.0.0.1:{srv.server_port}/results/{len(srv.requests)}.png"}
        self._send(200, {"model": body["model"], "created": int(time.time()), "data": [{**item, "size": size}],
                         "usage": {"generated_images": 1, "output_tokens": 16384, "total_tokens": 16384}})


class FakeArk(Serving):
    prefix = "/api/v3"

    def __init__(self, key="ark-fake-0001"):
        super().__init__(Handler)
        self.key, self.lock, self.requests, self.script = key, threading.Lock(), [], []
        self.tasks: dict[str, dict] = {}
        self.video_requests: list[dict] = []
        self.work = 0.3
