"""A local server that follows ComfyUI's server routes (docs.comfy.org, "comms_routes"): `POST /upload/image`
(multipart `image`, `overwrite`, `subfolder`, `type`), `POST /prompt` (`{prompt: API graph, client_id,
prompt_id?}` -> `{prompt_id, number, node_errors}`; 400 with `error` and `node_errors` for a node that does
not exist or an input that is wrong), `GET /queue`, `GET /history/{id}` (`{}` until the job is done, then
its outputs and status with messages), `GET /view` (404 while `expired`). Jobs run one at a time on a worker thread, taking `work`
seconds each; `fail_next` makes the next job end with an `execution_error`.

A lip-sync workflow (core LoadVideo `file` and LoadAudio `audio`, which read files put in the input folder by
`/upload/image`; ComfyUI-LatentSyncWrapper's VideoLengthAdjuster and LatentSyncNode) is checked as ComfyUI checks
any graph (known node types, files that were uploaded, an INT seed) and answered with the uploaded clip itself:
this server runs no model, so the lips do not move."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import threading
import time
import urllib.parse
import uuid

from fake_openai_images import Quiet, Serving, png

NODES = {"UNETLoader", "DualCLIPLoader", "VAELoader", "CLIPTextEncode", "LoadImage", "FluxKontextImageScale",
         "VAEEncode", "ReferenceLatent", "FluxGuidance", "ConditioningZeroOut", "EmptySD3LatentImage", "KSampler",
         "VAEDecode", "SaveImage", "CheckpointLoaderSimple", "EmptyLatentImage",
         "CLIPLoader", "CLIPVisionLoader", "CLIPVisionEncode", "WanImageToVideo", "WanFirstLastFrameToVideo",
         "CreateVideo", "SaveVideo", "LoadVideo", "GetVideoComponents", "LoadAudio", "VideoLengthAdjuster",
         "LatentSyncNode"}
FILE_INPUTS = {"LoadImage": "image", "LoadVideo": "file", "LoadAudio": "audio"}  # inputs naming a file in input/
INTS = {"EmptySD3LatentImage": ("width", "height"), "EmptyLatentImage": ("width", "height"), "KSampler": ("seed",),
        "WanImageToVideo": ("width", "height", "length"), "WanFirstLastFrameToVideo": ("width", "height", "length"),
        "LatentSyncNode": ("seed", "inference_steps")}


class Handler(Quiet):
    def _websocket(self, client_id: str) -> None:
        """The /ws route: the RFC 6455 handshake, then this connection receives the messages of the jobs sent
        with this client id (the worker writes them) until the client closes it."""
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        srv = self.server
        with srv.lock:
            srv.sockets.setdefault(client_id, []).append(self)
        srv.push(client_id, {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": len(srv.queue)}},
                                                        "sid": client_id}})
        srv.push(client_id, b"\x00\x00\x00\x01preview", binary=True)  # a preview frame, which clients skip
        try:
            while True:  # read the client's frames until it closes
                head = self.rfile.read(2)
                if len(head) < 2:
                    break
                n = head[1] & 0x7F
                n = int.from_bytes(self.rfile.read(2 if n == 126 else 8), "big") if n >= 126 else n
                self.rfile.read(4 + n)
                if head[0] & 0x0F == 8:
                    break
        finally:
            with srv.lock:
                srv.sockets.get(client_id, []).remove(self)
            self.close_connection = True

    def do_GET(self):  # noqa: N802
        srv = self.server
        url = urllib.parse.urlparse(self.path)
        path = url.path.removeprefix("/api")
        if path == "/ws" and srv.websocket:
            return self._websocket(urllib.parse.parse_qs(url.query).get("clientId", [""])[0])
        with srv.lock:
            if path == "/queue":
                return self._send(200, {"queue_running": [j["item"] for j in srv.queue[:1] if j["running"]],
                                        "queue_pending": [j["item"] for j in srv.queue if not j["running"]]})
            if path.startswith("/history/"):
                pid = path.rsplit("/", 1)[1]
                srv.history_asks += 1
                return self._send(200, {pid: srv.history[pid]} if pid in srv.history else {})
            if path == "/view":
                q = urllib.parse.parse_qs(url.query)
                name = q.get("filename", [""])[0]
                if q.get("type", ["output"])[0] != "output" or name not in srv.outputs or srv.expired:
                    return self._send(404, b"not found", ctype="text/plain")
                return self._send(200, srv.outputs[name], ctype="image/png")
        self._send(404, b"not found", ctype="text/plain")

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = self.path.removeprefix("/api")
        if path == "/upload/image":
            msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(
                f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw)
            fields, image = {}, None
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name == "image":
                    image = (part.get_filename(), part.get_payload(decode=True))
                else:
                    fields[name] = part.get_content().strip()
            if image is None:
                return self._send(400, b"", ctype="text/plain")
            with srv.lock:
                srv.uploads[image[0]] = image[1]
            return self._send(200, {"name": image[0], "subfolder": fields.get("subfolder", ""), "type": "input"})
        if path != "/prompt":
            return self._send(404, b"not found", ctype="text/plain")
        body = json.loads(raw)
        graph = body.get("prompt")
        with srv.lock:
            srv.prompts.append(body)
        if not isinstance(graph, dict):
            return self._send(400, {"error": {"type": "invalid_prompt", "message": "Cannot execute because a node is "
                                              "missing the class_type property.", "details": "", "extra_info": {}},
                                    "node_errors": {}})
        for nid, node in graph.items():
            if node.get("class_type") not in NODES:
                return self._send(400, {"error": {"type": "invalid_prompt", "message": f"Cannot execute because node "
                                                  f"{node.get('class_type')} does not exist.", "details": f"Node ID '#{nid}'",
                                                  "extra_info": {}}, "node_errors": {}})
        errors = {}
        for nid, node in graph.items():
            ins = node["inputs"]
            bad = []
            field = FILE_INPUTS.get(node["class_type"])
            if field and ins.get(field) not in srv.uploads:
                bad.append({"type": "value_not_in_list", "message": "Value not in list",
                            "details": f"{field}: '{ins.get(field)}' not in {sorted(srv.uploads)[:3]}", "extra_info": {}})
            for k in INTS.get(node["class_type"], ()):
                if not isinstance(ins.get(k), int):
                    bad.append({"type": "invalid_input_type", "message": "Failed to convert an input value to a INT value",
                                "details": f"{k}, {ins.get(k)}", "extra_info": {}})
            if bad:
                errors[nid] = {"errors": bad, "dependent_outputs": [], "class_type": node["class_type"]}
        if errors:
            return self._send(400, {"error": {"type": "prompt_outputs_failed_validation",
                                              "message": "Prompt outputs failed validation", "details": "", "extra_info": {}},
                                    "node_errors": errors})
        pid = body.get("prompt_id") or str(uuid.uuid4())
        with srv.lock:
            srv.number += 1
            srv.queue.append({"id": pid, "graph": graph, "running": False,
                              "item": [srv.number, pid, graph, {"client_id": body.get("client_id")}, ["22"]]})
            srv.submits[pid] = srv.submits.get(pid, 0) + 1
            srv.wake.set()
        self._send(200, {"prompt_id": pid, "number": srv.number, "node_errors": {}})


class FakeComfy(Serving):
    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.uploads: dict[str, bytes] = {}
        self.prompts: list[dict] = []
        self.submits: dict[str, int] = {}
        self.queue: list[dict] = []
        self.history: dict[str, dict] = {}
        self.outputs: dict[str, bytes] = {}
        self.number = 0
        self.work = 0.05
        self.fail_next = 0
        self.expired = False  # /view answers 404 (an output cleaned away, a link that expired)
        self.websocket = True  # False: /ws is not there (an old server, a proxy)
        self.history_asks = 0
        self.sockets: dict[str, list] = {}  # client id -> its open /ws connections
        self.worker = threading.Thread(target=self._work, daemon=True)
        self.stop = False

    def push(self, client_id: str, msg, binary: bool = False) -> None:
        """Send a message to the websockets of `client_id` (server frames are not masked)."""
        data = msg if binary else json.dumps(msg).encode()
        n = len(data)
        head = bytes([0x82 if binary else 0x81]) + (bytes([n]) if n < 126 else bytes([126]) + n.to_bytes(2, "big"))
        for h in list(self.sockets.get(client_id, [])):
            try:
                h.wfile.write(head + data)
                h.wfile.flush()
            except OSError:
                pass

    def _work(self):
        while not self.stop:
            self.wake.wait(0.05)
            with self.lock:
                job = self.queue[0] if self.queue else None
                if job:
                    job["running"] = True
                self.wake.clear()
            if not job:
                continue
            cid = job["item"][3].get("client_id")
            self.push(cid, {"type": "execution_start", "data": {"prompt_id": job["id"]}})
            for step in range(1, 5):
                time.sleep(self.work / 4)
                self.push(cid, {"type": "progress", "data": {"value": step, "max": 4, "prompt_id": job["id"],
                                                             "node": "20"}})
            g = job["graph"]
            prompt = next((n["inputs"]["text"] for n in g.values() if n["class_type"] == "CLIPTextEncode"), "")
            w = next((n["inputs"]["width"] for n in g.values() if "width" in n["inputs"]), 512)
            h = next((n["inputs"]["height"] for n in g.values() if "height" in n["inputs"]), 512)
            refs = sum(1 for n in g.values() if n["class_type"] == "LoadImage")
            with self.lock:
                self.queue.pop(0)
                if self.fail_next:
                    self.fail_next -= 1
                    self.history[job["id"]] = {"prompt": job["item"], "outputs": {}, "status": {
                        "status_str": "error", "completed": False, "messages": [
                            ["execution_start", {"prompt_id": job["id"]}],
                            ["execution_error", {"prompt_id": job["id"], "node_id": "20", "node_type": "KSampler",
                                                 "exception_message": "Allocation on device", "exception_type":
                                                 "torch.OutOfMemoryError", "traceback": []}]]}}
                    self.push(cid, {"type": "execution_error", "data": {"prompt_id": job["id"], "node_id": "20"}})
                    continue
                video = next((n for n in g.values() if n["class_type"] == "SaveVideo"), None)
                clip_in = next((n["inputs"]["file"] for n in g.values() if n["class_type"] == "LoadVideo"), None)
                if video and clip_in:  # a lip-sync workflow: the clip as it came (no model runs here)
                    name = f"filmcrew_{len(self.outputs) + 1:05d}_.mp4"
                    self.outputs[name] = self.uploads[clip_in]
                elif video:  # a video workflow: a real MP4 of length / fps seconds (the shape from the size asked)
                    from fake_kling import clip
                    length = next(n["inputs"]["length"] for n in g.values() if "length" in n["inputs"])
                    fps = next(n["inputs"]["fps"] for n in g.values() if n["class_type"] == "CreateVideo")
                    name = f"filmcrew_{len(self.outputs) + 1:05d}_.mp4"
                    self.outputs[name] = clip(max(1, round((length - 1) / fps)), "9:16" if h > w else "16:9")
                else:
                    name = f"filmcrew_{len(self.outputs) + 1:05d}_.png"
                    self.outputs[name] = png(prompt, f"{w}x{h}", refs)
                self.history[job["id"]] = {"prompt": job["item"], "outputs": {"22": {"images": [
                    {"filename": name, "subfolder": "", "type": "output"}]}}, "status": {
                    "status_str": "success", "completed": True, "messages": [
                        ["execution_start", {"prompt_id": job["id"]}], ["execution_success", {"prompt_id": job["id"]}]]}}
                self.push(cid, {"type": "executing", "data": {"node": None, "prompt_id": job["id"]}})
                self.push(cid, {"type": "execution_success", "data": {"prompt_id": job["id"]}})

    def __enter__(self):
        self.worker.start()
        return super().__enter__()

    def __exit__(self, *exc):
        self.stop = True
        super().__exit__(*exc)
