"""A local server that follows Runway's published API (the vendor cannot be reached from the tests): the
bearer key and the mandatory `X-Runway-Version: 2024-11-06` header (400 without it), `POST /v1/image_to_video`
(`model`, `promptImage` as a data URI or `[{uri, position}]`, `promptText`, `ratio`, `duration` 5 or 10,
`seed`) -> `{id}`; `GET /v1/tasks/{id}` -> `PENDING`, `THROTTLED`, `RUNNING` (with `progress`), then
`SUCCEEDED` with `output: [url]` or `FAILED` with `failure` and `failureCode`. `script`: "safety"."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid

from fake_kling import clip
from fake_openai_images import Quiet, Serving

KEY = "key_fake_runway_0001"
GEN4 = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
# per model, as Runway's current SDK lists them (gen3a_turbo, since withdrawn, took only 768:1280 and 1280:768)
MODELS = {"gen4_turbo": (GEN4, (5, 10)), "gen4.5": (GEN4, tuple(range(2, 11))),
          "gen3a_turbo": (("1280:768", "768:1280"), (5, 10))}


class Handler(Quiet):
    def _gate(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            self._send(401, {"error": "Unauthorized"})
            return False
        if self.headers.get("X-Runway-Version") != "2024-11-06":
            self._send(400, {"error": "You must provide a X-Runway-Version header with a valid version."})
            return False
        return True

    def do_GET(self):  # noqa: N802
        srv = self.server
        if self.path.startswith("/outputs/"):
            t = srv.tasks.get(self.path.split("/")[2].split(".")[0])
            return self._send(200, clip(t["body"]["duration"], "9:16"), ctype="video/mp4") if t else \
                self._send(404, b"", ctype="text/plain")
        if not self._gate():
            return
        t = srv.tasks.get(self.path.removeprefix("/v1/tasks/"))
        if t is None:
            return self._send(404, {"error": "Task not found"})
        age = time.time() - t["at"]
        with srv.lock:
            srv.states.append("THROTTLED" if age < srv.work / 3 else "RUNNING" if age < srv.work else t["end"])
        state = srv.states[-1]
        out = {"id": t["id"], "createdAt": "2026-12-02T15:00:00.000Z", "status": state}
        if state == "RUNNING":
            out["progress"] = round(age / srv.work, 2)
        if state == "SUCCEEDED":
            out["output"] = [f"http://127.0.0.1:{srv.server_port}/outputs/{t['id']}.mp4?sig=abc"]
        if state == "FAILED":
            out.update(failure="Input image flagged by content moderation", failureCode="SAFETY.INPUT.IMAGE")
        self._send(200, out)

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._gate():
            return
        if self.path != "/v1/image_to_video":
            return self._send(404, {"error": "Not found"})
        body = json.loads(raw)
        img = body.get("promptImage")
        images = [img] if isinstance(img, str) else [(i["position"], i["uri"]) for i in img or []]

        def sha(uri):
            return hashlib.sha256(base64.b64decode(uri.split(",", 1)[1])).hexdigest()
        with srv.lock:
            step = srv.script.pop(0) if srv.script else ""
            srv.submits.append({**{k: v for k, v in body.items() if k != "promptImage"},
                                "images": [sha(i) if isinstance(i, str) else (i[0], sha(i[1])) for i in images]})
        ratios, durations = MODELS.get(body.get("model"), ((), ()))
        issues = [{"path": [k], "message": m} for k, ok, m in (
            ("model", body.get("model") in MODELS, f"Invalid enum value. Expected {' | '.join(MODELS)}"),
            ("ratio", body.get("ratio") in ratios, f"Invalid enum value. Expected {' | '.join(ratios)}"),
            ("duration", body.get("duration") in durations, "Invalid duration"),
            ("promptImage", bool(images), "Required")) if not ok]
        if issues:
            return self._send(400, {"error": "Validation of body failed", "issues": issues})
        tid = str(uuid.uuid4())
        with srv.lock:
            srv.tasks[tid] = {"id": tid, "body": body, "at": time.time(), "end": "FAILED" if step == "safety" else "SUCCEEDED"}
        self._send(200, {"id": tid})


class FakeRunway(Serving):
    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.tasks: dict[str, dict] = {}
        self.submits: list[dict] = []
        self.states: list[str] = []
        self.script: list[str] = []
        self.work = 0.45
