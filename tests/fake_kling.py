"""A local server that follows Kling's published video API (the vendor cannot be reached from the tests):
JWT bearer auth (HS256; `iss` the access key, `exp`, `nbf`; checked with the secret key), `POST
/v1/videos/image2video` and `/v1/videos/multi-image2video` (images as raw base64; `duration` "5" or "10";
`external_task_id`), `{code: 0, message, request_id, data: {task_id, task_status}}` answers, `GET
/v1/videos/{kind}/{task_id}` (on the path of the kind it was submitted as) going `submitted -> processing ->
succeed | failed` with `task_result.videos[{id, url, duration}]`, and Kling's codes: 1000 (auth), 1201 (a bad
field), 1301 (content safety, sent as HTTP 500), 1302 (too fast, HTTP 429). Scripted submits (`script`, one a
submit): "1301", "1302", "risk" and "fail" (the task ends so), "drop" (the task is taken, then the connection
is closed before any answer). The result link serves an MP4 of
the asked duration at 24 fps, with a sound track (a 440 Hz tone) when the body says `sound: "on"` (v2.6 and
later; anything but "on" or "off" is a 1201); `expire_next` makes a link answer 404 once.

Lip sync (Kling's `POST /v1/videos/lip-sync`, as documented: see providers/remote/kling_lipsync.py): `{input:
{video_id | video_url, mode: text2video | audio2video, audio_type: file | url, audio_file (base64, no data:
prefix, <= 5 MB, mp3/wav/m4a/aac), audio_url, text (<= 120 characters), voice_id, voice_language, voice_speed}}`;
`video_id` must be a video this server made (its `task_result.videos[0].id`) of 5 or 10 s; polled on `GET
/v1/videos/lip-sync/{task_id}` like the other kinds. The result is the original video (a fake does not move
lips). Scripted: "noface" (the task fails with "there is no human in the video")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from fake_openai_images import Quiet, Serving

AK, SK = "ak-fake-kling", "sk-fake-kling-secret"
_clips: dict[tuple, bytes] = {}


def clip(seconds: int, aspect: str, sound: bool = False) -> bytes:
    """A real MP4 of `seconds` at 24 fps (small: it is a test), made once per duration and shape; with `sound`,
    an AAC track of a 440 Hz tone (what the tests listen for in the effects stem)."""
    key = (seconds, aspect, sound)
    if key not in _clips:
        import imageio_ffmpeg
        w, h = {"9:16": (360, 640), "16:9": (640, 360)}.get(aspect, (480, 480))
        audio = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"] if sound else []
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "clip.mp4"
            subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                            f"testsrc2=s={w}x{h}:r=24:d={seconds}", *audio, "-c:v", "libx264", "-preset", "ultrafast",
                            "-pix_fmt", "yuv420p", *(["-c:a", "aac", "-shortest"] if sound else []),
                            "-movflags", "+faststart", str(out)], capture_output=True, check=True)
            _clips[key] = out.read_bytes()
    return _clips[key]


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Handler(Quiet):
    def _code(self, status, code, message):
        self._send(status, {"code": code, "message": message, "request_id": uuid.uuid4().hex})

    def _authorised(self) -> bool:
        auth = self.headers.get("Authorization", "")
        try:
            head, body, sig = auth.removeprefix("Bearer ").split(".")
            want = hmac.new(SK.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
            claims = json.loads(_unb64(body))
            ok = (hmac.compare_digest(_unb64(sig), want) and json.loads(_unb64(head)) == {"alg": "HS256", "typ": "JWT"}
                  and claims["iss"] == AK and claims["nbf"] <= time.time() < claims["exp"])
        except (ValueError, KeyError):
            ok = False
        if ok:
            with self.server.lock:
                self.server.tokens.add(auth)
        return ok

    def do_GET(self):  # noqa: N802
        srv = self.server
        if self.path.startswith("/results/"):
            task = srv.tasks.get(self.path.split("/")[2].split(".")[0])
            with srv.lock:
                srv.fetches += 1
                expired = srv.expire_next > 0
                srv.expire_next -= expired
            if task is None or expired:
                return self._send(404, b"<Error><Code>NoSuchKey</Code></Error>", ctype="application/xml")
            video = srv.video(task) if srv.video else clip(int(task["body"]["duration"]), task["aspect"],
                                                           task["body"].get("sound") == "on")
            return self._send(200, video, ctype="video/mp4")
        if not self._authorised():
            return self._code(401, 1000, "Authorization failed")
        parts = self.path.split("/")  # /v1/videos/{kind}/{task_id}
        if len(parts) != 5:
            return self._code(404, 1203, "no such route")
        kind, tid = parts[3], parts[4]
        with srv.lock:
            task = srv.tasks.get(tid)
            srv.polls += 1
        if task is None or task["kind"] != kind:
            return self._code(404, 1203, f"task {tid} not found for {kind}")
        age = time.time() - task["at"]
        state = "submitted" if age < srv.work / 4 else "processing" if age < srv.work else task["end"]
        data = {"task_id": tid, "task_status": state, "task_status_msg": task["msg"] if state == "failed" else "",
                "created_at": int(task["at"] * 1000), "updated_at": int(time.time() * 1000)}
        if state == "succeed":
            data["task_result"] = {"videos": [{"id": task.get("video_id", tid), "url": f"http://127.0.0.1:{srv.server_port}/results/{tid}.mp4",
                                               "duration": task["body"]["duration"]}]}
        self._send(200, {"code": 0, "message": "SUCCEED", "request_id": uuid.uuid4().hex, "data": data})

    def _lip_sync(self, body):
        srv = self.server
        inp = body.get("input") if isinstance(body, dict) else None
        with srv.lock:
            step = srv.script.pop(0) if srv.script else ""
            srv.lipsyncs.append({k: v for k, v in (inp or {}).items() if k != "audio_file"}
                                | ({"audio": base64.b64decode(inp["audio_file"])} if isinstance(inp, dict)
                                   and inp.get("audio_type") == "file" and inp.get("audio_file") else {}))
            why = _lip_sync_refusal(srv, inp)
        if step == "1302":
            return self._code(429, 1302, "requests too fast, please slow down")
        if step == "1301":
            return self._code(500, 1301, "CM_EXT: the audio failed the content safety check")
        if why:
            return self._code(400, 1201, why)
        made = next(t for t in srv.tasks.values() if t.get("video_id") == inp.get("video_id"))
        tid = uuid.uuid4().hex[:18]
        end, msg = ("failed", "there is no human in the video") if step == "noface" else ("succeed", "")
        with srv.lock:
            srv.tasks[tid] = {"kind": "lip-sync", "body": {"duration": made["body"]["duration"]}, "at": time.time(),
                              "end": end, "msg": msg, "aspect": made["aspect"], "video_id": "v" + tid}
        if step == "drop":
            self.close_connection = True
            return
        self._send(200, {"code": 0, "message": "SUCCEED", "request_id": uuid.uuid4().hex,
                         "data": {"task_id": tid, "task_status": "submitted", "created_at": int(time.time() * 1000),
                                  "updated_at": int(time.time() * 1000)}})

    def do_POST(self):  # noqa: N802
        srv = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._authorised():
            return self._code(401, 1000, "Authorization failed")
        kind = self.path.removeprefix("/v1/videos/")
        if kind == "lip-sync":
            return self._lip_sync(json.loads(raw))
        if kind not in ("image2video", "multi-image2video"):
            return self._code(404, 1203, f"no such route {self.path}")
        body = json.loads(raw)
        with srv.lock:
            step = srv.script.pop(0) if srv.script else ""
            srv.submits.append({"kind": kind, "body": {k: v for k, v in body.items()
                                                       if k not in ("image", "image_tail", "image_list")},
                                "images": {k: hashlib.sha256(base64.b64decode(body[k])).hexdigest()
                                           for k in ("image", "image_tail") if k in body},
                                "image_list": [hashlib.sha256(base64.b64decode(i["image"])).hexdigest()
                                               for i in body.get("image_list", [])]})
        if step == "1302":
            return self._code(429, 1302, "requests too fast, please slow down")
        if step == "1301":
            return self._code(500, 1301, "CM_EXT: the prompt failed the content safety check")
        for k in ("image", "image_tail"):
            if k in body and str(body[k]).startswith("data:"):
                return self._code(400, 1201, f"{k}: raw base64 or a URL, without a data: prefix")
        if body.get("duration") not in ("5", "10") or not body.get("model_name") or not body.get("prompt"):
            return self._code(400, 1201, "model_name, prompt and a duration of \"5\" or \"10\" are required")
        if body.get("sound", "off") not in ("on", "off") or ("sound" in body and body["model_name"] == "kling-v2-5-turbo"):
            return self._code(400, 1201, "sound: \"on\" or \"off\", on kling-v2-6 and later")
        if kind == "image2video" and not body.get("image"):
            return self._code(400, 1201, "image is required")
        if kind == "multi-image2video" and not 1 <= len(body.get("image_list", [])) <= 4:
            return self._code(400, 1201, "image_list takes 1 to 4 images")
        tid = uuid.uuid4().hex[:18]
        end, msg = ("failed", "Failure to pass the risk control system") if step == "risk" else \
            ("failed", "internal error, please retry") if step == "fail" else ("succeed", "")
        aspect = body.get("aspect_ratio") or srv.aspect
        with srv.lock:
            srv.tasks[tid] = {"kind": kind, "body": body, "at": time.time(), "end": end, "msg": msg, "aspect": aspect,
                              "video_id": "v" + tid}
        if step == "drop":  # the task is taken (and would be billed), then the connection drops before the answer
            self.close_connection = True
            return
        self._send(200, {"code": 0, "message": "SUCCEED", "request_id": uuid.uuid4().hex,
                         "data": {"task_id": tid, "task_status": "submitted", "created_at": int(time.time() * 1000),
                                  "updated_at": int(time.time() * 1000)}})


def _lip_sync_refusal(srv, inp) -> str:
    """Why Kling would refuse a lip-sync `input` (a 1201's message), or ""."""
    if not isinstance(inp, dict):
        return "input is required"
    if bool(inp.get("video_id")) == bool(inp.get("video_url")):
        return "input: give one of video_id and video_url"
    if inp.get("video_id"):
        made = [t for t in srv.tasks.values() if t.get("video_id") == inp["video_id"] and t["kind"] != "lip-sync"]
        if not made or made[0]["end"] != "succeed":
            return f"video_id {inp['video_id']}: no video of this account made in the last 30 days"
        if made[0]["body"].get("duration") not in ("5", "10"):
            return "video_id: only 5 s and 10 s videos can be lip-synced"
    mode = inp.get("mode")
    if mode == "text2video":
        if not inp.get("text") or len(inp["text"]) > 120 or not inp.get("voice_id"):
            return "text2video needs text (at most 120 characters) and voice_id"
        return ""
    if mode != "audio2video":
        return "mode: text2video or audio2video"
    if inp.get("audio_type") == "url":
        return "" if inp.get("audio_url") else "audio_url is required when audio_type is url"
    if inp.get("audio_type") != "file":
        return "audio_type: file or url, required in audio2video"
    data = str(inp.get("audio_file") or "")
    if not data or data.startswith("data:"):
        return "audio_file: base64 of the file, without a data: prefix"
    try:
        audio = base64.b64decode(data, validate=True)
    except ValueError:
        return "audio_file is not base64"
    if len(audio) > 5 * 1024 * 1024:
        return "audio_file: at most 5MB"
    if not (audio[:4] == b"RIFF" or audio[:3] == b"ID3" or audio[:2] == b"\xff\xfb" or audio[4:8] == b"ftyp"):
        return "audio_file: .mp3/.wav/.m4a/.aac"
    return ""


class FakeKling(Serving):
    def __init__(self):
        super().__init__(Handler)
        self.lock = threading.Lock()
        self.tasks: dict[str, dict] = {}
        self.submits: list[dict] = []
        self.lipsyncs: list[dict] = []  # each lip-sync submit's input (audio_file decoded, as "audio")
        self.tokens: set[str] = set()
        self.script: list[str] = []
        self.polls = self.fetches = 0
        self.work = 0.3  # seconds a task takes
        self.expire_next = 0
        self.aspect = "9:16"  # the shape of image2video results (Kling follows the image)
        self.video = None  # (the task: its "body" as sent) -> MP4 bytes: a test's own clip
