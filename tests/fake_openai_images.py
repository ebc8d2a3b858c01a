"""A local server that follows OpenAI's published Images protocol (the vendor cannot be reached from the
tests): `POST /v1/images/generations` (JSON) and `POST /v1/images/edits` (multipart/form-data with `image[]`),
bearer auth, `{created, data: [{b64_json}], usage}` answers, and OpenAI's error objects
(`{"error": {"message", "type", "code"}}`): 401 for a wrong key, 400 for a bad field or a moderation block
(`code: moderation_blocked`), 429 with `Retry-After` and `code: rate_limit_exceeded`.

Scripted failures (`script`, consumed one per request) test the client: "429", "500", "hang" (says
nothing), "badjson", "empty" (no image), "moderation", "video" (an MP4 where a PNG belongs), "drop" (the image
is made and billed, then the connection is closed before any answer), "cut" (the answer stops halfway)."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
QUALITIES = ("low", "medium", "high", "auto")
# image output tokens by quality and size (OpenAI's published table; see shared/VENDORS.md 2.2)
OUT_TOKENS = {"low": {"1024x1024": 272, "1024x1536": 408, "1536x1024": 400},
              "medium": {"1024x1024": 1056, "1024x1536": 1584, "1536x1024": 1568},
              "high": {"1024x1024": 4160, "1024x1536": 6240, "1536x1024": 6208}}


def png(prompt: str, size: str, refs: int) -> bytes:
    """A picture that says which request made it: a colour from the prompt, one band per reference image."""
    w, h = (1024, 1024) if size == "auto" else map(int, size.split("x"))
    digest = hashlib.sha256(prompt.encode()).digest()
    im = Image.new("RGB", (w, h), (digest[0], digest[1], digest[2]))
    d = ImageDraw.Draw(im)
    for k in range(refs):
        d.rectangle([0, h * k // max(1, refs) // 4, w, h * k // max(1, refs) // 4 + 24], fill=(255, 255, 255))
    d.ellipse([w * 0.3, h * 0.3, w * 0.7, h * 0.7], fill=(digest[3], digest[4], 255 - digest[5]))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


class Quiet(BaseHTTPRequestHandler):
    """What every fake vendor's handler shares: HTTP/1.1, no request log, a client that gives up (a timeout, a
    killed make) is no error, and `_send` for a JSON object or bytes."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def parse_request(self) -> bool:
        """Before the vendor's own handler: a fault the test scripted for this request (`server.faults`, each
        (method, path prefix, fault), used once): ("busy", status, headers, body) answers so, ("hang", seconds)
        answers nothing for that long and closes, ("empty", content type) answers 200 with no bytes. The request's
        body is read first, so the client sees the answer, as it would from a vendor's gateway."""
        if not super().parse_request():
            return False
        faults = getattr(self.server, "faults", None)
        fault = None
        if faults:
            with self.server.fault_lock:
                for i, (method, prefix, what) in enumerate(faults):
                    if method == self.command and self.path.startswith(prefix):
                        fault = faults.pop(i)[2]
                        self.server.faulted.append((self.command, self.path, what[0]))
                        break
        if fault is None:
            return True
        self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        self.close_connection = True
        if fault[0] == "busy":
            _, status, headers, body = fault
            self._send(status, body, headers, ctype="application/json" if isinstance(body, dict) else "text/html")
        elif fault[0] == "hang":
            time.sleep(fault[1])
        elif fault[0] == "empty":
            self._send(200, b"", ctype=fault[1])
        return False

    def _send(self, code: int, body, headers: dict | None = None, ctype: str = "application/json",
              slow: float = 0.0) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if slow:  # the answer comes in two halves: a kill can land while it is being read
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            time.sleep(slow)
            self.wfile.write(data[len(data) // 2:])
        else:
            self.wfile.write(data)


class Handler(Quiet):
    server: "FakeImages"

    def _error(self, code: int, message: str, kind: str, err_code: str | None = None, headers=None) -> None:
        self._send(code, {"error": {"message": message, "type": kind, "param": None, "code": err_code}}, headers)

    def do_POST(self):  # noqa: N802 (http.server's naming)
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != f"Bearer {srv.key}":
            return self._error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        if self.path == "/v1/images/generations":
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self._error(400, "Expected a JSON body.", "invalid_request_error")
            fields = json.loads(raw)
            refs: list[tuple[str, bytes]] = []
        elif self.path == "/v1/images/edits":
            msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(
                f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw)
            if not msg.is_multipart():
                return self._error(400, "Expected multipart/form-data.", "invalid_request_error")
            fields, refs = {}, []
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name in ("image[]", "image"):
                    refs.append((part.get_filename(), part.get_payload(decode=True)))
                else:
                    fields[name] = part.get_content().strip()
            if not refs:
                return self._error(400, "image is required for edits.", "invalid_request_error", "missing_required_parameter")
        else:
            return self._error(404, f"Invalid URL (POST {self.path})", "invalid_request_error")
        with srv.lock:
            srv.requests.append({"path": self.path, "fields": fields, "refs": [(n, hashlib.sha256(b).hexdigest())
                                                                               for n, b in refs]})
            step = srv.script.pop(0) if srv.script else ""
        for k in ("model", "prompt"):
            if not fields.get(k):
                return self._error(400, f"Missing required parameter: '{k}'.", "invalid_request_error",
                                   "missing_required_parameter")
        if fields.get("size", "auto") not in SIZES:
            return self._error(400, f"Invalid value: '{fields['size']}'. Supported values are: {SIZES}.",
                               "invalid_request_error", "invalid_value")
        if fields.get("quality", "auto") not in QUALITIES:
            return self._error(400, f"Invalid value: '{fields['quality']}'.", "invalid_request_error", "invalid_value")
        if srv.delay:
            time.sleep(srv.delay)
        if step == "429":
            return self._error(429, "Rate limit reached for images per min.", "requests", "rate_limit_exceeded",
                               {"Retry-After": "0"})
        if step == "500":
            return self._error(500, "The server had an error processing your request.", "server_error")
        if step == "hang":
            time.sleep(srv.hang)
            return self._error(500, "late", "server_error")
        if step == "moderation":
            return self._error(400, "Your request was rejected as a result of our safety system.",
                               "image_generation_user_error", "moderation_blocked")
        if step == "badjson":
            data = b"<html>502 Bad Gateway</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        image = b"" if step == "empty" else (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64 if step == "video"
                                             else srv.picture(fields, refs) if srv.picture else
                                             png(fields["prompt"], fields.get("size", "auto"), len(refs)))
        out = OUT_TOKENS.get(fields.get("quality", "auto"), OUT_TOKENS["medium"]).get(fields.get("size"), 1056)
        text_in, image_in = len(fields["prompt"].split()) * 2, 323 * len(refs)
        usage = {"total_tokens": text_in + image_in + out, "input_tokens": text_in + image_in, "output_tokens": out,
                 "input_tokens_details": {"text_tokens": text_in, "image_tokens": image_in}}
        with srv.lock:
            srv.answered += 1
        if step == "drop":
            self.close_connection = True
            return
        answer = {"created": int(time.time()), "data": [{"b64_json": base64.b64encode(image).decode()}], "usage": usage}
        if step == "cut":  # the headers promise the whole answer; half of it comes, then the connection closes
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self._send(200, answer, slow=srv.slow)


class Serving(ThreadingHTTPServer):
    """A fake vendor on a free local port, served from a thread for the length of a `with` block."""
    daemon_threads = True
    prefix = ""  # the path the vendor's base URL ends with

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.faults: list = []  # (method, path prefix, fault): see Quiet.parse_request
        self.faulted: list = []  # (method, path, kind) of each fault served
        self.fault_lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}{self.prefix}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class FakeImages(Serving):
    prefix = "/v1"

    def __init__(self, key: str = "sk-fake-images-0001"):
        super().__init__(Handler)
        self.key = key
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.script: list[str] = []
        self.answered = 0
        self.delay = 0.0  # seconds before each answer
        self.slow = 0.0  # seconds between the two halves of each image answer
        self.hang = 5.0
        self.picture = None  # (fields, [(filename, bytes) of the references]) -> PNG bytes: a test's own picture

