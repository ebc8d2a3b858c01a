"""ComfyUI (a local or remote server) as the illustrator, running a workflow the user exported in ComfyUI's
API format ("Save (API)" / "Export (API)": `{node id: {"class_type", "inputs"}}`).

Placeholders filmcrew fills, anywhere in a node's inputs (a whole value becomes a number where a number
belongs): `{{prompt}}`, `{{negative_prompt}}`, `{{seed}}`, `{{width}}`, `{{height}}`, and `{{reference_1}}`,
`{{reference_2}}`, ... in `LoadImage` nodes: the references of the characters the shot shows, in the order
the prompt numbers them, uploaded first (`POST /upload/image`). A shot showing more characters than the
workflow has reference inputs is refused (never drawn from text alone); a slot the shot does not need gets
a plain grey image, and the ledger says which slot held whom.

The job: `POST /prompt` with a `prompt_id` filmcrew chose and journaled before sending, so a make killed
while submitting finds the job again (`/history`, `/queue`) instead of sending it twice; then `/history/ID`
is followed: through ComfyUI's websocket (`/ws?clientId=`, its `progress` and `executing`/`execution_*`
messages; filmcrew's own small client, `websocket.py`), with `/history` asked when the server says the job
ended and every 30 s in case a message was missed; polling `/history` alone when the websocket cannot be
opened or `websocket = false`. The first output image is fetched with `/view`. Node errors are shown with
the node id and type. ComfyUI has no auth and no 429.

Settings, `[providers.comfyui]`: base_url, workflow (a path, relative to the project), negative_prompt,
max_concurrent (1 for one GPU), poll_every, job_timeout (a video job can take an hour), timeout, websocket;
video_workflow (the animator's, below) and lipsync_workflow (the lip-sync slot's, `ComfyUILipSync`)."""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from pathlib import Path

from ... import ledger
from ...engine import atomic
from ...errors import ConfigError, ProviderError
from .. import http
from . import jobs, pricing
from .animate import RemoteAnimator
from .illustrate import RemoteIllustrator

PLACEHOLDER = re.compile(
    r"\{\{(prompt|negative_prompt|seed|width|height|frames|fps|first_frame|last_frame|reference_\d+|video|audio)\}\}")
IMAGES = re.compile(r"\{\{(first_frame|last_frame|reference_\d+|video|audio)\}\}")  # the placeholders filled by an upload
UPLOADS = {"video": (".mp4", "video/mp4"), "audio": (".wav", "audio/wav")}  # an upload's name and type by placeholder
# (the others are pictures: .png)
EXAMPLE = Path(__file__).parent / "workflows" / "still.json"
EXAMPLE_VIDEO = Path(__file__).parent / "workflows" / "video.json"
EXAMPLE_LIPSYNC = Path(__file__).parent / "workflows" / "lipsync.json"
VIDEO_EXTS = (".mp4", ".webm", ".mov", ".mkv")


class ComfyServer:
    """A ComfyUI server and a workflow with placeholders: what the illustrator and the animator share."""
    output_kind = "image"  # what the workflow's output is: "image" or "video"

    def _server(self, base_url: str, workflow: str, project: str, websocket: bool, example: Path,
                needs: tuple = ("prompt",)) -> None:
        where = f"filmcrew.toml: [providers.{self.name}]"
        self.base_url = self.url(base_url, "http://127.0.0.1:8188")
        self.websocket = bool(websocket) and self.base_url.startswith("http://")  # (wss:// is not spoken: https polls)
        path = Path(workflow) if workflow else example
        if not path.is_absolute() and project:
            path = Path(project) / path
        self.graph = load_workflow(path, where, needs)
        import hashlib
        self.model = "workflow:" + hashlib.sha256(json.dumps(self.graph, sort_keys=True).encode()).hexdigest()[:12]
        self.workflow_path = path
        text = json.dumps(self.graph)
        self.slots = sorted({int(m) for m in re.findall(r"\{\{reference_(\d+)\}\}", text)})
        self.image_inputs = set(IMAGES.findall(text))
        self.max_references = len(self.slots)

    def adapter(self) -> jobs.Adapter:
        return _Adapter(self)


def _seed(prompt: str, take: int = 0) -> int:
    import hashlib
    return (int(hashlib.sha256(prompt.encode()).hexdigest()[:8], 16) + take) % 2**32  # the same shot and take, the same seed


class ComfyUIIllustrator(ComfyServer, RemoteIllustrator):
    name = "comfyui"
    references_fix = "add LoadImage nodes with {{reference_N}} to the workflow"
    model = ""  # set from the workflow: "workflow:<sha256 of the file, 12 digits>"

    def __init__(self, env: dict | None = None, base_url: str = "http://127.0.0.1:8188", workflow: str = "",
                 negative_prompt: str = "text, watermark, blurry, deformed hands", project: str = "",
                 websocket: bool = True, **common):
        common.setdefault("max_concurrent", 1)
        RemoteIllustrator.__init__(self, env, **common)
        self._server(base_url, workflow, project, websocket, EXAMPLE)
        self.negative = str(negative_prompt)

    def ask(self, prompt, refs, size, preview, take=0) -> dict:
        w, h = (size[0] // 2, size[1] // 2) if preview else size
        if len(refs) > len(self.slots):
            raise ProviderError(f"{self.name}: the shot shows {len(refs)} characters with references but the workflow "
                                f"{self.workflow_path} has {len(self.slots)} reference input(s) ({{{{reference_N}}}} in "
                                f"LoadImage nodes); add LoadImage nodes for them (a character is never drawn from text "
                                f"alone)")
        refs = list(refs)
        images = {f"reference_{slot}": refs[k][1] if k < len(refs) else None for k, slot in enumerate(self.slots)}
        return {"prompt": prompt, "values": {"prompt": prompt, "negative_prompt": self.negative, "seed": _seed(prompt, take),
                                             "width": w, "height": h}, "images": images}

    def price(self, request: dict) -> dict:
        return pricing.per_item(self.name, "any")


VIDEO_SETTINGS = ("video_workflow", "video", "fps", "seconds", "size")
LIPSYNC_SETTINGS = ("lipsync_workflow",)


def comfyui(env: dict | None = None, role: str = "illustrator", project: str = "", **settings):
    """`comfyui` in [providers]: the still workflow as the illustrator, `video_workflow` as the animator, both
    from one `[providers.comfyui]` table (base_url, max_concurrent and the rest are shared)."""
    if role == "lipsync":
        common = {k: v for k, v in settings.items() if k not in ("workflow", "negative_prompt", *VIDEO_SETTINGS)}
        return ComfyUILipSync(env, project=project, **{("workflow" if k == "lipsync_workflow" else k): v
                                                       for k, v in common.items()})
    settings = {k: v for k, v in settings.items() if k not in LIPSYNC_SETTINGS}
    if role == "animator":
        video = {("workflow" if k == "video_workflow" else k): v for k, v in settings.items() if k != "workflow"}
        return ComfyUIAnimator(env, project=project, **video)
    return ComfyUIIllustrator(env, project=project, **{k: v for k, v in settings.items() if k not in VIDEO_SETTINGS})


comfyui.roles = ("illustrator", "animator", "lipsync")  # (providers/registry.py: what a shot may ask it to play)


class ComfyUIAnimator(ComfyServer, RemoteAnimator):
    """A ComfyUI video workflow (Wan, LTX and the like) as the animator. Beyond the still's placeholders it
    takes `{{first_frame}}` and `{{last_frame}}` (LoadImage: the shot's keyframe and the next one), `{{frames}}`
    (seconds x fps + 1, the 4n+1 lengths Wan wants for whole seconds at 16 fps) and `{{fps}}`; the modes it
    offers follow from the placeholders its workflow has. Its output is the first video file a node saved."""
    name = "comfyui"
    output_kind = "video"
    model = ""

    def __init__(self, env: dict | None = None, base_url: str = "http://127.0.0.1:8188", workflow: str = "",
                 negative_prompt: str = "text, watermark, subtitles, static", project: str = "",
                 websocket: bool = True, fps: int = 16, seconds: list | tuple = (3, 4, 5), size: list | tuple = (480, 832),
                 **common):
        common.setdefault("max_concurrent", 1)
        common.setdefault("job_timeout", 3600.0)
        RemoteAnimator.__init__(self, env, **common)
        self._server(base_url, workflow, project, websocket, EXAMPLE_VIDEO)
        where = f"filmcrew.toml: [providers.{self.name}]"
        if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= 60:
            raise ConfigError(f"{where} fps: {fps!r} must be a whole number of frames a second")
        if not seconds or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in seconds):
            raise ConfigError(f"{where} seconds: {seconds!r} must be a list of whole seconds the workflow can make")
        if len(size) != 2 or not all(isinstance(v, int) and v >= 64 for v in size):
            raise ConfigError(f"{where} size: {size!r} must be [width, height] of the portrait frame the model makes")
        self.fps, self.durations, self.size = fps, tuple(sorted(seconds)), tuple(size)
        self.negative = str(negative_prompt)
        modes = [m for m, need in (("first-frame", {"first_frame"}), ("first-last", {"first_frame", "last_frame"}),
                                   ("reference", {"reference_1"})) if need <= self.image_inputs]
        self.CAPABILITIES = {"any": {"modes": tuple(modes), "durations": self.durations,
                                     "aspects": ("9:16", "16:9", "1:1"), "max_references": len(self.slots)}}

    def price(self, seconds: int, preview: bool) -> dict:
        return pricing.per_item("comfyui", "any")

    def request(self, req) -> dict:
        w, h = self.size
        if req.aspect == "16:9":
            w, h = h, w
        elif req.aspect == "1:1":
            w = h = min(w, h)
        images = {"first_frame": req.first.read_bytes() if req.first else None,
                  "last_frame": req.last.read_bytes() if req.last else None}
        refs = list(req.references)
        images.update({f"reference_{slot}": refs[k][1].read_bytes() if k < len(refs) else None
                       for k, slot in enumerate(self.slots)})
        return {"prompt": req.prompt, "images": {k: v for k, v in images.items() if k in self.image_inputs},
                "values": {"prompt": req.prompt, "negative_prompt": self.negative, "seed": _seed(req.prompt, req.take),
                           "width": w, "height": h, "frames": req.seconds * self.fps + 1, "fps": self.fps}}


class ComfyUILipSync(ComfyServer, jobs.Remote):
    """A lip-sync model on the user's GPU, through ComfyUI: `[[shot: lipsync: comfyui]]`. The workflow (setting
    `lipsync_workflow`, else the example `workflows/lipsync.json`, written for the ComfyUI-LatentSyncWrapper node
    pack) takes `{{video}}` (the shot's clip, uploaded; LoadVideo's `file`) and `{{audio}}` (the shot's on-screen
    voices laid out from its first frame, a WAV, uploaded; LoadAudio's `audio`), and `{{seed}}`; its output is the
    first video file a node saved. Unlike Kling's lip sync, which takes only videos Kling made (by their id), it
    takes the clip itself, so any video model's clip can be sent (the offline animator's lips are drawn by filmcrew
    itself, media/lips.py, and its shots have no model clip to send: crew/lipsync.py refuses them at plan).

    **Untested on a real ComfyUI server**: filmcrew's tests run it against tests/fake_comfyui.py, which follows
    ComfyUI's routes but runs no model (it answers with the uploaded clip). The example workflow was written from
    the node definitions (see its `_meta` titles and workflows/lipsync.json's first node) and was never loaded in
    ComfyUI here. One job per shot, journaled like any job (a local GPU's job costs nothing: prices/comfyui.json,
    0 per job, but it is never sent twice)."""
    name = "comfyui"
    version = "1"
    source_type = ledger.TRAINED
    deterministic = False
    remote = True
    output_kind = "video"
    model = ""  # set from the workflow: "workflow:<sha256 of the file, 12 digits>"

    def __init__(self, env: dict | None = None, base_url: str = "http://127.0.0.1:8188", workflow: str = "",
                 project: str = "", websocket: bool = True, max_concurrent: int = 1, poll_every: float = 2.0,
                 job_timeout: float = 3600.0, max_failures: int = 3, timeout: float = 120.0):
        jobs.Remote.__init__(self, env, max_concurrent=max_concurrent, poll_every=poll_every, job_timeout=job_timeout,
                             max_failures=max_failures, timeout=timeout)
        self._server(base_url, workflow, project, websocket, EXAMPLE_LIPSYNC, needs=("video", "audio"))

    def refuse(self, animator) -> str | None:
        """Any animator's model clip can be lip-synced here (crew/lipsync.py refuses a shot that has none)."""
        return None

    def price(self, seconds: float) -> dict:
        return pricing.per_item("comfyui", "any")

    def lipsync(self, req, out_dir: Path) -> Path:
        """The lip-synced clip as `model.mp4` in `out_dir` (what the fit reads) and its record, `generation.json`."""
        if not isinstance(req.job, jobs.JobTicket):
            raise ProviderError(f"{self.name}: no job ticket (the crew gives one to every remote task); this is a bug")
        if req.video is None or not Path(req.video).is_file():
            raise ProviderError(f"{self.name}: shot {req.shot_id}: no clip to lip-sync ({req.video})")
        request = {"prompt": f"lip sync of {req.shot_id}",
                   "images": {k: v for k, v in (("video", Path(req.video).read_bytes()),
                                                ("audio", Path(req.audio).read_bytes())) if k in self.image_inputs},
                   "values": {"seed": _seed(req.shot_id)}}
        out = jobs.run(req.job, self.adapter(), request, kind="video", estimate=self.price(req.video_seconds),
                       settings=self.settings, max_concurrent=self.max_concurrent)
        atomic.copy_file(out.path, Path(out_dir) / "model.mp4")
        rec = out.record
        info = {"provider": self.name, "model": self.model, "workflow": str(self.workflow_path),
                "seconds": req.video_seconds, "estimate": rec.get("estimate"), "actual": rec.get("actual"),
                "job": {k: rec.get(k) for k in ("label", "client_id", "handle", "submitted_at", "fetched_at")}}
        atomic.write_text(Path(out_dir) / "generation.json", json.dumps(ledger.scrub(info), indent=1, ensure_ascii=False))
        return Path(out_dir) / "model.mp4"


def load_workflow(path: Path, where: str, needs: tuple = ("prompt",)) -> dict:
    try:
        graph = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where} workflow: {path} not found; export one from ComfyUI with \"Save (API)\" (see "
                          f"{EXAMPLE} for an example)") from None
    except (ValueError, OSError) as err:
        raise ConfigError(f"{where} workflow: {path} is not a JSON workflow ({err})") from None
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list) and "links" in graph:
        raise ConfigError(f"{path}: this is a workflow in ComfyUI's UI format (it has \"nodes\" and \"links\"); filmcrew "
                          f"needs the API format: in ComfyUI, Workflow > Export (API) (older versions: enable dev mode "
                          f"options in the settings, then \"Save (API Format)\")")
    if not isinstance(graph, dict) or not graph or not all(
            isinstance(n, dict) and "class_type" in n and isinstance(n.get("inputs"), dict) for n in graph.values()):
        raise ConfigError(f"{path}: not an API-format workflow ({{node id: {{\"class_type\", \"inputs\"}}}})")
    text = json.dumps(graph)
    where_goes = {"prompt": "where the positive prompt goes (a CLIPTextEncode node's \"text\")",
                  "video": "in the node that loads the clip to lip-sync (LoadVideo's \"file\")",
                  "audio": "in the node that loads the voices (LoadAudio's \"audio\")"}
    for name in needs:
        if "{{" + name + "}}" not in text:
            raise ConfigError(f"{path}: no {{{{{name}}}}} placeholder; put it {where_goes[name]}")
    return graph


def fill(graph: dict, values: dict) -> dict:
    """The graph with each placeholder replaced: a whole-string placeholder by the value itself (a number stays
    a number), a placeholder inside a longer string by its text."""
    def sub(v):
        if isinstance(v, str):
            m = PLACEHOLDER.fullmatch(v)
            if m:
                return values[m.group(1)]
            return PLACEHOLDER.sub(lambda mm: str(values[mm.group(1)]), v)
        if isinstance(v, list):
            return [sub(x) for x in v]
        if isinstance(v, dict):
            return {k: sub(x) for k, x in v.items()}
        return v
    return sub(graph)


def _blank() -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (512, 768), (128, 128, 128)).save(buf, "PNG")
    return buf.getvalue()


class _Adapter:
    finds_lost_submits = True  # the prompt_id is chosen (and journaled) by filmcrew

    def __init__(self, prov: ComfyUIIllustrator):
        self.p, self.name = prov, prov.name
        self.ws: dict[str, object] = {}  # prompt id -> its WebSocket, or None where it could not be opened
        self.asked: dict[str, float] = {}  # prompt id -> when /history was last asked

    def _watch(self, pid: str):
        if pid not in self.ws:
            from .websocket import WebSocket
            try:
                host = urllib.parse.urlparse(self.p.base_url).netloc
                self.ws[pid] = WebSocket(f"ws://{host}/ws?clientId={pid}", timeout=self.p.timeout)
            except OSError:
                self.ws[pid] = None  # an old server or a proxy without websockets: /history alone
        return self.ws[pid]

    def _news(self, pid: str) -> tuple[bool, float | None]:
        """(whether the server said the job ended, its progress) from the websocket's messages so far."""
        import time
        ws = self._watch(pid) if self.p.websocket else None
        if ws is None:
            return True, None
        ended, progress = False, None
        try:
            msg = ws.receive(self.p.settings.poll_every)
            while msg is not None:
                data = msg.get("data") or {}
                if data.get("prompt_id") in (pid, None):
                    kind = msg.get("type")
                    if kind == "progress" and data.get("max"):
                        progress = float(data.get("value", 0)) / float(data["max"])
                    elif kind in ("execution_success", "execution_error", "execution_interrupted") or (
                            kind == "executing" and data.get("node") is None and data.get("prompt_id") == pid):
                        ended = True
                msg = ws.receive(0.0)
        except OSError:
            self._close(pid)
            self.ws[pid] = None
            return True, None
        stale = time.monotonic() - self.asked.get(pid, 0.0) > 30.0
        return ended or stale, progress

    def _close(self, pid: str) -> None:
        ws = self.ws.pop(pid, None)
        if ws is not None:
            ws.close()

    def _get(self, path: str) -> http.Answer:
        return http.request("GET", f"{self.p.base_url}{path}", who=self.name, timeout=self.p.timeout)

    def _upload(self, data: bytes, slot: str = "") -> str:
        """Put a file in the server's input folder (`POST /upload/image`, which stores the `image` part whatever its
        type: LoadVideo and LoadAudio read their files from the same folder) and its name as a node reads it."""
        import hashlib
        ext, mime = UPLOADS.get(slot, (".png", "image/png"))
        name = f"filmcrew-{hashlib.sha256(data).hexdigest()[:16]}{ext}"
        body, ctype = http.multipart([("image", (name, data, mime)), ("overwrite", "true"), ("type", "input")])
        ans = http.request("POST", f"{self.p.base_url}/upload/image", who=self.name, body=body, timeout=self.p.timeout,
                           headers={"Content-Type": ctype}, idempotent=True)  # (named by its content, overwritten)
        if ans.status != 200:
            raise ProviderError(f"{self.name}: uploading {'a reference image' if slot not in UPLOADS else 'the ' + slot} "
                                f"failed ({ans.status}: {ans.body[:200]!r})")
        got = ans.json(self.name)
        return f"{got['subfolder']}/{got['name']}" if got.get("subfolder") else got["name"]

    def submit(self, request: dict, client_id: str) -> jobs.Submitted:
        values = dict(request["values"])
        for name, data in request["images"].items():  # a slot the shot does not need gets a plain grey image
            values[name] = self._upload(data if data is not None else _blank(), name)
        body = {"prompt": fill(self.p.graph, values), "client_id": client_id, "prompt_id": client_id}
        ans = http.request("POST", f"{self.p.base_url}/prompt", who=self.name, timeout=self.p.timeout,
                           body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        if ans.status != 200:
            raise ProviderError(f"{self.name}: the workflow {self.p.workflow_path} was refused: {node_errors(ans)}")
        return jobs.Submitted(handle={"prompt_id": ans.json(self.name).get("prompt_id", client_id)})

    def find(self, client_id: str) -> dict | None:
        if self._history(client_id) is not None or self._queued(client_id):
            return {"prompt_id": client_id}
        # it may have left the queue for the history between the two questions: a job found nowhere is sent again
        # (a second payment on a paid server), so the history is asked once more
        return {"prompt_id": client_id} if self._history(client_id) is not None else None

    def _queued(self, prompt_id: str) -> str:
        q = self._get("/queue")
        if q.status != 200:
            return ""
        data = q.json(self.name)
        for state, key in (("running", "queue_running"), ("queued", "queue_pending")):
            if any(len(item) > 1 and item[1] == prompt_id for item in data.get(key, [])):
                return state
        return ""

    def _history(self, pid: str) -> dict | None:
        ans = self._get(f"/history/{pid}")
        return ans.json(self.name).get(pid) if ans.status == 200 else None

    def poll(self, handle: dict) -> jobs.Status:
        import time
        pid = handle["prompt_id"]
        ask, progress = self._news(pid)
        if not ask:
            return jobs.Status(jobs.PENDING, detail=f"running {int(progress * 10) * 10}%" if progress is not None else "running",
                               progress=progress)
        self.asked[pid] = time.monotonic()
        st = self._poll(pid)
        if st.state != jobs.PENDING:
            self._close(pid)
        return st

    def _poll(self, pid: str) -> jobs.Status:
        entry = self._history(pid)
        if not entry:
            state = self._queued(pid)
            if state:
                return jobs.Status(jobs.PENDING, detail=state)
            entry = self._history(pid)  # it may have finished between the two questions
            if not entry:
                return jobs.Status(jobs.FAILED, detail="the server no longer knows the job (was it restarted or the "
                                                       "queue cleared?)")
        status = entry.get("status") or {}
        if status.get("status_str") == "error":
            return jobs.Status(jobs.FAILED, detail=execution_error(status))
        video = self.p.output_kind == "video"
        for node, out in (entry.get("outputs") or {}).items():
            for key in (("gifs", "videos", "images") if video else ("images",)):
                for f in out.get(key, []):
                    if f.get("type", "output") == "output" and f["filename"].lower().endswith(VIDEO_EXTS) == video:
                        return jobs.Status(jobs.DONE, url="/view?" + urllib.parse.urlencode(
                            {"filename": f["filename"], "subfolder": f.get("subfolder", ""), "type": "output"}))
        if status.get("completed"):
            return jobs.Status(jobs.FAILED, detail=f"the workflow finished without an output {self.p.output_kind} (add a "
                                                   f"{'SaveVideo' if video else 'SaveImage'} node)")
        return jobs.Status(jobs.PENDING, detail="running")

    def fetch(self, status: jobs.Status) -> bytes:
        ans = self._get(status.url)
        if ans.status != 200:
            raise ProviderError(f"{self.name}: fetching the output failed ({ans.status})")
        return ans.body


def node_errors(ans: http.Answer) -> str:
    """ComfyUI's 400 answer to /prompt, as a person reads it: the error, then each node's id, type and errors."""
    try:
        body = ans.json()
    except ProviderError:
        return f"{ans.status}: {ans.body[:200]!r}"
    err = body.get("error") or {}
    parts = [f"{err.get('message', '')} {err.get('details', '')}".strip()] if isinstance(err, dict) else [str(err)]
    for nid, ne in (body.get("node_errors") or {}).items():
        msgs = "; ".join(f"{e.get('message', '')}: {e.get('details', '')}".strip(": ") for e in ne.get("errors", []))
        parts.append(f"node {nid} ({ne.get('class_type', '?')}): {msgs}")
    return " | ".join(p for p in parts if p) or f"{ans.status}"


def execution_error(status: dict) -> str:
    for event, data in status.get("messages") or []:
        if event == "execution_error":
            return (f"node {data.get('node_id')} ({data.get('node_type')}) failed: {data.get('exception_type', '')} "
                    f"{data.get('exception_message', '')}".strip())
    return "the workflow failed (history says error)"
