"""A local server that follows the Gemini API's Veo protocol (the vendor cannot be reached from the tests):
`POST /v1beta/models/{model}:predictLongRunning` with the key in `x-goog-api-key`, `{instances: [{prompt, image,
lastFrame, referenceImages}], parameters: {aspectRatio, durationSeconds, resolution, sampleCount}}` -> `{name:
"models/{model}/operations/{id}"}`; `GET /v1beta/{name}` -> `{name}` until done, then `{name, done: true,
response: {generateVideoResponse: {generatedSamples: [{video: {uri}}]}}}` (or `raiMediaFilteredCount` and
reasons, or `error`); the uri downloads with the key header. Google's errors: `{"error": {"code", "message",
"status", "details"}}`: 400 INVALID_ARGUMENT, 403 PERMISSION_DENIED, 429 RESOURCE_EXHAUSTED with a RetryInfo
retryDelay. `script`: "429", "filtered"."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid

from fake_kling import clip
from fake_openai_images import Quiet, Serving

KEY = "AIza-fake-veo-0001"
MODELS = ("veo-3.1-generate-preview", "veo-3.1-fast-generate-preview")


class Handler(Quiet):
    def _google(self, code, status, message, details=None):
        self._send(code, {"error": {"code": code, "message": message, "status": status, "details": details or []}})

    def do_GET(self):  # noqa: N802
        srv = self.server
        if self.headers.get("x-goog-api-key") != KEY:
            return self._google(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.")
        if self.path.startswith("/v1beta/files/"):
            op = srv.ops.get(self.path.split("/")[3].split(":")[0])
            if op is None:
                return self._google(404, "NOT_FOUND", "file not found")
            return self._send(200, clip(op["seconds"], op["aspect"]), ctype="video/mp4")
        name = self.path.removeprefix("/v1beta/")
        op = srv.ops.get(name.rsplit("/", 1)[-1])
        if op is None or op["name"] != name:
            return self._google(404, "NOT_FOUND", f"operation {name} not found")
        with srv.lock:
            srv.polls += 1
        if time.time() - op["at"] < srv.work:
            return self._send(200, {"name": name})
        if op["filtered"]:
            return self._send(200, {"name": name, "done": True, "response": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                "generateVideoResponse": {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": [
                    "Your current safety settings for person generation filtered out this video."]}}})
        uri = f"http://127.0.0.1:{srv.server_port}/v1beta/files/{op['id']}:download?alt=media"
        self._send(200, {"name": name, "done": True, "response": {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
            "generateVideoResponse": {"generatedSamples": [{"video": {"uri": uri}}]}}})

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("x-goog-api-key") != KEY:
            return self._google(403, "PERMISSION_DENIED", "API key not valid. Please pass a valid API key.")
        model = self.path.removeprefix("/v1beta/models/").removesuffix(":predictLongRunning")
        if model not in MODELS or not self.path.endswith(":predictLongRunning"):
            return self._google(404, "NOT_FOUND", f"models/{model} is not found for API version v1beta")
        body = json.loads(raw)
        inst, params = body["instances"][0], body.get("parameters", {})

        def sha(img):
            return hashlib.sha256(base64.b64decode(img["bytesBase64Encoded"])).hexdigest()
        with srv.lock:
            step = srv.script.pop(0) if srv.script else ""
            srv.submits.append({"model": model, "prompt": inst.get("prompt"), "parameters": params,
                                "image": sha(inst["image"]) if "image" in inst else None,
                                "lastFrame": sha(inst["lastFrame"]) if "lastFrame" in inst else None,
                                "references": [sha(r["image"]) for r in inst.get("referenceImages", [])]})
        if step == "429":
            return self._google(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0s"}])
        if params.get("durationSeconds") not in (4, 6, 8) or params.get("aspectRatio") not in ("16:9", "9:16"):
            return self._google(400, "INVALID_ARGUMENT", "durationSeconds must be 4, 6 or 8 and aspectRatio 16:9 or 9:16")
        if inst.get("referenceImages") and (len(inst["referenceImages"]) > 3 or params["durationSeconds"] != 8):
            return self._google(400, "INVALID_ARGUMENT", "up to 3 reference images, with durationSeconds 8")
        oid = uuid.uuid4().hex[:12]
        name = f"models/{model}/operations/{oid}"
        with srv.lock:
            srv.ops[oid] = {"id": oid, "name": name, "at": time.time(), "seconds": params["durationSeconds"],
                            "aspect": params["aspectRatio"], "filtered": step == "filtered"}
        self._send(200, {"name": name})


class FakeVeo(Serving):
    prefix = "/v1beta"

    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.ops: dict[str, dict] = {}
        self.submits: list[dict] = []
        self.script: list[str] = []
        self.polls = 0
        self.work = 0.3
