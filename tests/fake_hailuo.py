"""A local server that follows MiniMax's published Hailuo video API (the vendor cannot be reached from the
tests): bearer auth; `POST /v1/video_generation` -> `{task_id, base_resp}`; `GET
/v1/query/video_generation?task_id=` -> `{task_id, status: Queueing|Preparing|Processing|Success|Fail, file_id,
base_resp}`; `GET /v1/files/retrieve?file_id=` -> `{file: {file_id, bytes, filename, download_url}, base_resp}`.
Errors come inside HTTP 200 answers, in `base_resp.status_code`: 1002 (rate limit), 1004 (auth), 1008
(balance), 1026 (sensitive prompt), 1027 (sensitive output), 2013 (bad parameter). `script`: "1002",
"1026", "1027", "1008"."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import urllib.parse
import uuid

from fake_kling import clip
from fake_openai_images import Quiet, Serving

KEY = "minimax-fake-0001"


class Handler(Quiet):
    def _ok(self, body: dict, code: int = 0, msg: str = "success"):
        self._send(200, {**body, "base_resp": {"status_code": code, "status_msg": msg}})

    def do_GET(self):  # noqa: N802
        srv = self.server
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path.startswith("/download/"):
            t = srv.tasks.get(url.path.rsplit("/", 1)[1].split(".")[0])
            return self._send(200, clip(t["body"]["duration"], t["aspect"]), ctype="video/mp4") if t else \
                self._send(404, b"", ctype="text/plain")
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            return self._ok({}, 1004, "authentication failed")
        if url.path == "/v1/query/video_generation":
            t = srv.tasks.get(q.get("task_id", [""])[0])
            if t is None:
                return self._ok({}, 2013, "task not found")
            age = time.time() - t["at"]
            state = "Queueing" if age < srv.work / 3 else "Processing" if age < srv.work else t["end"]
            if state == "Fail" and t["refused"]:
                return self._ok({"task_id": t["id"], "status": "Fail"}, 1027, "output video sensitive")
            return self._ok({"task_id": t["id"], "status": state, "file_id": t["id"] if state == "Success" else ""})
        if url.path == "/v1/files/retrieve":
            t = srv.tasks.get(q.get("file_id", [""])[0])
            if t is None:
                return self._ok({}, 2013, "file not found")
            return self._ok({"file": {"file_id": t["id"], "bytes": 1, "created_at": int(t["at"]), "filename": "output.mp4",
                                      "purpose": "video_generation",
                                      "download_url": f"http://127.0.0.1:{srv.server_port}/download/{t['id']}.mp4"}})
        self._send(404, b"", ctype="text/plain")

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            return self._ok({}, 1004, "authentication failed")
        if self.path != "/v1/video_generation":
            return self._send(404, b"", ctype="text/plain")
        body = json.loads(raw)

        def sha(uri):
            m = re.match(r"data:image/\w+;base64,(.+)$", uri or "")
            return hashlib.sha256(base64.b64decode(m.group(1))).hexdigest() if m else None
        with srv.lock:
            step = srv.script.pop(0) if srv.script else ""
            srv.submits.append({**{k: v for k, v in body.items() if not k.endswith("_image")},
                                "first": sha(body.get("first_frame_image")), "last": sha(body.get("last_frame_image"))})
        if step == "1002":
            return self._ok({}, 1002, "rate limit exceeded")
        if step == "1026":
            return self._ok({}, 1026, "input new_sensitive")
        if step == "1008":
            return self._ok({}, 1008, "insufficient balance")
        if body.get("duration") not in (6, 10) or (body.get("resolution") == "1080P" and body["duration"] != 6):
            return self._ok({}, 2013, "invalid params: duration")
        tid = uuid.uuid4().hex[:16]
        with srv.lock:
            srv.tasks[tid] = {"id": tid, "body": body, "at": time.time(), "aspect": "9:16",
                              "end": "Fail" if step == "1027" else "Success", "refused": step == "1027"}
        self._ok({"task_id": tid})


class FakeHailuo(Serving):
    prefix = "/v1"

    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.tasks: dict[str, dict] = {}
        self.submits: list[dict] = []
        self.script: list[str] = []
        self.work = 0.3
