"""The studio's web app (FastAPI on the shared web kit, web/kit.py), and what keeps it safe.

- It listens on 127.0.0.1 unless told otherwise (`--host`); then every request must carry the random access
  token it prints (once given in the address, it is kept in a cookie). On 127.0.0.1 the Host header must
  name a loopback name, so a web page elsewhere cannot reach it through a DNS name it controls (the kit's
  guard, with the Origin check: `Origin: null` and other sites' pages change nothing).
- Every change is a POST carrying the server's form token (`csrf` in the form, or the X-CSRF header for the
  page's own fetches): another tab cannot act here.
- Every parameter is typed: a wrong type, a number out of range or a missing field is a 400 naming the field
  before a route runs; an unexpected fault is a 500 page with an incident id, never a dropped connection.
- Files are served only from inside the project (out/, story/, takes/; no `..`, no absolute path, no symbolic
  link leading out) and from the cache by a task's key (64 hex digits).
- Uploads are limited in size per route (refused from their Content-Length before they are read) and checked
  by their content (an audio take is decoded by ffmpeg and checked as `filmcrew dub` checks it).
- A save carries the version (SHA-256) of the text it started from; when the file changed since, the save
  is refused and both versions are shown: nothing is merged silently.
- A make's progress is its events (engine/events.py), streamed to the Make and Storyboard pages as
  server-sent events (GET /api/events).
"""

# (no `from __future__ import annotations`: FastAPI reads the routes' annotations, names local to create_app)
import asyncio
import io
import json
import os
import re
import secrets
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Annotated, Literal

from .. import pipeline, project
from ..crew import takes
from ..engine import atomic, events, money
from ..engine.jobs import Journal
from ..engine.layout import Layout
from ..engine.lock import holder
from ..errors import FilmcrewError
from ..web.kit import BIG_INT, Face, Refused, create_app as kit_app, file_response
from ..model import CAMERAS, TRANSITIONS
from . import editing, pages, runs, series
from .editing import sha
from . import project as proj

MAX_TEXT = 2 * 1024 * 1024  # a screenplay or bible save (and every route that names no other limit)
MAX_UPLOAD = 50 * 1024 * 1024  # an audio take, or a clip that replaces a shot
MAX_PICTURE = 20 * 1024 * 1024  # a picture that replaces a shot's keyframe
PICTURES = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}  # what a picture take may be, by its content
SERVED = ("out", "story", "takes")  # the project folders /file serves from
KEY = re.compile(r"^[0-9a-f]{64}$")
SHOT = re.compile(r"^ep(\d{2})-s\d{2}-sh\d{2}$")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
HERE = Path(__file__).parent
STREAM_S = 3600  # the longest an event stream stays open (the page opens another)


def safe_path(root: Path, rel: str, folders=SERVED) -> Path:
    """`rel` inside the project's `folders`, or Refused: no absolute path, no `..`, no link leading out."""
    if not rel or "\x00" in rel or rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
        raise Refused(403, f"{rel!r}: only paths inside the project are served")
    parts = Path(rel).parts
    if ".." in parts or not parts or parts[0] not in folders:
        raise Refused(403, f"{rel!r}: only {', '.join(folders)} inside the project are served")
    root = Path(root).resolve()
    p = (root / rel).resolve()
    try:
        p.relative_to(root)
    except ValueError:
        raise Refused(403, f"{rel!r} leads outside the project") from None
    if not p.is_file():
        raise Refused(404, f"{rel}: no such file")
    return p


def clip_kind(data: bytes) -> str | None:
    """The extension a clip's bytes say it is: the ISO base media (MP4, MOV) or Matroska (WebM, MKV) signature."""
    if data[4:8] == b"ftyp":
        return ".mov" if data[8:12] == b"qt  " else ".mp4"
    if data[:4] == b"\x1aE\xdf\xa3":
        return ".webm" if b"webm" in data[:64] else ".mkv"
    return None


class NoFilmYet(Exception):
    """A page of a film in a folder that holds none yet: the new film's form instead."""


class StudioFace(Face):
    """The studio's face: served over plain HTTP even beyond this machine (a person's own network, the token
    guarding it), so its cookies are not HTTPS-only unless a public https:// address is given."""

    roots: tuple = ()  # the project (as given and resolved): a refusal names its files relative to it

    @property
    def secure(self) -> bool:
        return (self.public or "").startswith("https://")

    def error(self, request, status: int, why: str, **kw):
        for r in self.roots:
            why = str(why).replace(str(r).rstrip("/") + "/", "")
        return super().error(request, status, why, **kw)


class Studio:
    """One project's studio: `start()` serves it on a thread (the tests), `serve()` in the foreground (the
    command line). `token` is the access token beyond this machine; `csrf` the form token of this server."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8765):
        self.root = Path(root).resolve()
        if Layout(self.root).config.exists():
            project.load_config(self.root)  # a clear error now for a broken project
        elif self.root.exists() and not self.root.is_dir():
            raise FilmcrewError(f"{self.root}: not a folder; give the project's folder (or a new one)")
        self.host, self.port = host, port
        self.token = None if host in LOOPBACK else secrets.token_urlsafe(24)
        self.csrf = secrets.token_urlsafe(24)
        self.runs = runs.Runs(self.root)
        self.server = None
        self.save_lock = threading.Lock()
        self._app = None

    @property
    def is_project(self) -> bool:
        return Layout(self.root).config.exists()

    @property
    def app(self):
        if self._app is None:
            self._app = create_app(self)
        return self._app

    def url(self) -> str:
        """The address to open (on every address: this machine's name, which other machines can reach)."""
        import socket
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    def start(self):
        """Serve on a thread of this process; the server (`.port`, `.close()`). OSError when the port is taken."""
        from ..web.serve import Background
        self.server = Background(self.app, self.host, self.port).start()
        self.port = self.server.port
        return self.server

    def serve(self, sock=None) -> None:
        """Serve in the foreground until Ctrl-C (`sock`: a socket already listening on host and port)."""
        from ..web.serve import foreground
        try:
            foreground(self.app, self.host, self.port, sock=sock)
        finally:
            self.close()

    def close(self) -> None:
        self.runs.close()
        if self.server is not None:
            self.server.close()
            self.server = None


def create_app(studio: Studio):
    """The studio's FastAPI app: every page and change of the studio, on the shared kit."""
    from fastapi import Body, Depends, File, Form, Header, Query, Request, UploadFile
    from fastapi.responses import RedirectResponse, Response

    root = studio.root
    face = StudioFace("studio", "filmcrew studio", templates=HERE / "templates", static=HERE / "static",
                      bound=studio.host, access_token=studio.token, form_token=lambda request: studio.csrf,
                      page_context=lambda request: {"project_name": root.name, "tab": ""})
    face.roots = tuple(dict.fromkeys((str(Path(root).resolve()), str(root))))
    app = kit_app(face, limit=MAX_TEXT)
    app.state.studio = studio
    changes = [Depends(face.changes)]

    @app.exception_handler(NoFilmYet)
    async def no_film(request: Request, err: NoFilmYet):
        return RedirectResponse("/", status_code=303)

    def film(request: Request) -> None:
        """A dependency of every page of a film: a folder with none yet shows the new film's form, and a change
        other than the new film is refused."""
        if not studio.is_project:
            if request.method in ("GET", "HEAD"):
                raise NoFilmYet()
            raise Refused(409, "make the film first: fill in the new film's form")

    needs_film = [Depends(film)]
    edits = [Depends(face.changes), Depends(film)]

    Ep = Annotated[int, Query(ge=1, le=BIG_INT, description="an episode's number")]
    Preview = Annotated[str, Query(max_length=8)]
    ShotId = Annotated[str, Form(max_length=64)]
    Version = Annotated[str, Form(max_length=64)]

    def render(request, template: str, status: int = 200, **ctx):
        return face.render(request, template, status=status, **ctx)

    def episode_in_film(n: int) -> int:
        cfg = project.load_config(root)
        if not 1 <= n <= cfg.episodes:
            raise Refused(404, f"episode {n}: the film has {cfg.episodes} episode(s)")
        return n

    # ---- pages ----------------------------------------------------------------------------------------------
    @app.get("/")
    def index(request: Request):
        if not studio.is_project:
            return render(request, "new.html", tab="/", folder=str(root))
        cfg = project.load_config(root)
        films = proj.films(root)
        return render(request, "overview.html", tab="/", cfg=cfg, episodes=proj.episodes(root), films=films,
                      shares={f["mp4"]: pages.share_words(f.get("share")) for f in films})

    @app.get("/new")
    def new_form(request: Request):
        if studio.is_project:
            return RedirectResponse("/", status_code=303)
        return render(request, "new.html", tab="/", folder=str(root))

    def script_page(request, n: int, theirs: str | None = None, mine: str | None = None, status: int = 200):
        path = project.episode_path(root, n)
        disk = path.read_text(encoding="utf-8") if path.exists() else ""
        text = mine if mine is not None else disk
        cfg = project.load_config(root)
        rel = str(path.relative_to(root))
        report = (project.script_report(text, rel, cfg.language, project.known_characters(root)) if text else None)
        if report is not None and not report["errors"]:
            report["story"] = project.story_report(root, {n: text})
        message = (("bad", "Someone saved this file after you opened it: your text is kept below; compare it with "
                           "theirs and save again.") if theirs is not None else None)
        return render(request, "editor.html", status, tab="/script", kind="script", path=rel, text=text,
                      version=sha(disk), ep=n, report=report, theirs=theirs, message=message)

    @app.get("/script", dependencies=needs_film)
    def script(request: Request, ep: Ep = 1):
        return script_page(request, episode_in_film(ep))

    def bible_page(request, theirs: str | None = None, mine: str | None = None, status: int = 200):
        path = Layout(root).bible
        disk = path.read_text(encoding="utf-8") if path.exists() else ""
        message = (("bad", "Someone saved this file after you opened it: your text is kept; compare and save "
                           "again.") if theirs is not None else None)
        return render(request, "editor.html", status, tab="/bible", kind="bible", path="story/bible.yaml",
                      text=mine if mine is not None else disk, version=sha(disk), ep=None, report=None,
                      theirs=theirs, message=message)

    @app.get("/bible", dependencies=needs_film)
    def bible(request: Request):
        return bible_page(request)

    @app.get("/board", dependencies=needs_film)
    def board(request: Request, ep: Ep = 1, preview: Preview = "1"):
        n, preview_on = ep, preview == "1"  # the preview first, as a person works
        cards, notes = proj.board(root, n, preview_on)
        cfg = project.load_config(root)
        run, message = studio.runs.state(), None
        if run.get("name") and not run["running"] and run.get("returncode") not in (0, None) and not run["cancelled"]:
            failed = run.get("failed") or []
            said = (f"{pages.artifact_words(failed[0]['artifact'])}: {failed[0]['error']}" if failed else
                    next((ln for ln in reversed(run["log"]) if "error" in ln.lower()), run["log"][-1] if run["log"]
                         else ""))
            message = ("bad", f"the last {pages.RUN_WORDS.get(run['name'], 'make')} failed: {pages.plain(said, root)}")
            for f in failed:  # the shots its events name as failed
                for c in cards:
                    if c.id == f.get("shot"):
                        c.state, c.why = "failed", [f"failed: {pages.plain(f['error'], root)}", *c.why]
        return render(request, "board.html", tab="/board", n=n, cards=cards, notes=[pages.plain(x, root) for x in notes],
                      wide=cfg.aspect == "16:9", preview=preview_on, message=message, job_lines=pages.job_lines,
                      take_words=pages.take_words, scores=pages.scores, words=pages,
                      version=sha(project.episode_path(root, n).read_text(encoding="utf-8")))

    def card_of(sid: str, preview: bool = True) -> tuple:
        """(the card of shot `sid`, its episode's number), or Refused."""
        m = SHOT.match(sid)
        if not m:
            raise Refused(404, f"{sid!r}: not a shot id (such as ep01-s02-sh03)")
        cards, _ = proj.board(root, int(m.group(1)), preview)
        card = next((c for c in cards if c.id == sid), None)
        if card is None:
            raise Refused(404, f"{sid}: no such shot")
        return card, int(m.group(1))

    @app.get("/shot", dependencies=needs_film)
    def shot(request: Request, id: Annotated[str, Query(max_length=64)], preview: Preview = "1"):
        from ..handoff import dub
        from ..providers import registry
        preview_on = preview == "1"
        card, n = card_of(id, preview_on)
        rows = [r for r in dub.listing(root, n) if r["line"] in {i for i, _, _ in card.lines}]
        for r in rows:
            r["voice"] = "your take" if r["take"] else "synthetic voice"
        path = project.episode_path(root, n)
        cfg = project.load_config(root)
        choices = {role: (cfg.providers[role], registry.for_role(role)) for role in registry.SHOT_ROLES}
        return render(request, "shot.html", tab="/board", card=card, preview=preview_on, voices=rows,
                      version=sha(path.read_text(encoding="utf-8")), choices=choices,
                      scores=pages.scores, take_words=pages.take_words, words=pages, check_note=pages.check_note(root),
                      around=editing.neighbours(root, card.id), cameras=CAMERAS, transitions=TRANSITIONS)

    @app.get("/make", dependencies=needs_film)
    def make(request: Request, film: Annotated[str, Query(max_length=8)] = ""):
        rows, costs = [], ""
        preview = film != "full"  # the plan of the preview, or of the full-size film
        try:
            _, ctxs = pipeline.contexts(root, proj.env(), None, preview=preview)
            st = Layout.of(root).store()
            from ..engine.executor import plan
            items = [i for ctx in ctxs for i in plan(st, pipeline.episode_graph(ctx).targets)]
            rows = [{"role": pages.ROLE_VERBS.get(i.task.role, i.task.role), "artifact": pages.artifact_words(
                i.task.artifact), "reason": pages.REASONS.get(i.reason, i.reason)} for i in items]
            c = money.costs(Journal.of(root), items)
            said = pages.plan_words(items, c, pages.paces(root))
            costs = said["sentence"]
        except FilmcrewError as err:
            costs = f"the plan cannot be made yet: {pages.plain(err, root)}"
        from . import waiting  # what the make waits for from the person (keys, a plan, money to confirm)
        wait = {kind: waiting.waiting(root, proj.env(), kind == "make-preview") for kind in ("make-preview", "make")}
        running = bool(studio.runs.state().get("running"))  # Cancel is offered only while the studio's command runs
        return render(request, "make.html", tab="/make", rows=rows, costs=costs, busy=holder(root), preview=preview,
                      wait=wait, amount_words=waiting.amount_words, running=running)

    def watch_page(request, checks: dict | None = None):
        from ..provenance import check
        films = proj.films(root)
        return render(request, "watch.html", tab="/watch", films=films, checks=checks or {},
                      aim=project.load_config(root).contest,
                      profiles=sorted(check.available_profiles()),
                      shares={f["mp4"]: pages.share_words(f.get("share")) for f in films}, words=pages)

    @app.get("/watch", dependencies=needs_film)
    def watch(request: Request):
        return watch_page(request)

    series.register(app, root, render, needs_film)  # the series page (issue 37: studio/series.py)

    # ---- what the pages' scripts read ------------------------------------------------------------------------
    @app.get("/api/board", dependencies=needs_film)
    def api_board(ep: Ep = 1, preview: Preview = "1"):
        """The cards' states (what the board asks for while a make runs: shots turn fresh as they are made)."""
        cards, _ = proj.board(root, ep, preview == "1")
        return [{"id": c.id, "state": c.state, "words": pages.STATE_WORDS.get(c.state, c.state),
                 "why": [pages.why_words(w) for w in c.why[:4]], "jobs": pages.job_lines(c.jobs)} for c in cards]

    @app.get("/api/run")
    def api_run():
        state = studio.runs.state()  # in words: no command line, no temporary path, no task id
        return {**state, "words": pages.RUN_WORDS.get(state.get("name") or "", ""),
                "command": pages.RUN_WORDS.get(state.get("name") or "", ""),
                "log": [pages.plain(ln, root) for ln in state.get("log") or []]}

    @app.get("/api/events")
    async def api_events(request: Request,
                         run: Annotated[str | None, Query(max_length=80, pattern=events.RUN_NAME.pattern)] = None,
                         live: Annotated[str, Query(max_length=8)] = "",
                         last_event_id: Annotated[str | None, Header(max_length=20)] = None):
        """The events of a make as server-sent events: the run named, else the studio's current one, else the
        project's latest (a make typed in a terminal). `live=1`: nothing when that run has ended. Each event's
        SSE name is its type; the stream ends after `run_ended` (or an `end` event when the make stopped
        without one), and an `idle` event says there is nothing to follow."""
        from sse_starlette.sse import EventSourceResponse
        after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
        return EventSourceResponse(follow(request, run, live == "1", after), ping=15, send_timeout=30)

    def chosen_run(run: str | None) -> tuple[Path | None, runs.Run | None]:
        current = studio.runs.current
        if run is not None:
            own = current if current is not None and current.run == run else None
            return events.events_path(root, run), own
        if current is not None and current.run and (current.running or current.events.exists()):
            latest = events.runs(root)
            if current.running or not latest or latest[-1] == current.events:
                return current.events, current
        latest = events.runs(root)
        return (latest[-1] if latest else None), None

    async def follow(request, run: str | None, live: bool, after: int):
        path, own = chosen_run(run)

        def sse(event: dict) -> dict:
            event = {**event, "words": pages.event_words(event, root)}  # what a person reads of it
            return {"event": event.get("type", "message"), "id": str(event.get("seq", "")),
                    "data": json.dumps(event, ensure_ascii=False)}

        if path is None:
            yield {"event": "idle", "data": json.dumps({"type": "idle"})}
            return
        seen, _ = events.read(path)
        if live and (any(e.get("type") == "run_ended" for e in seen) or (own is None and not seen)
                     or (own is not None and not own.running and not seen)):
            yield {"event": "idle", "data": json.dumps({"type": "idle", "run": path.stem})}
            return
        offset, pid = 0, None
        deadline = time.monotonic() + STREAM_S
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if await request.is_disconnected():
                return
            got, offset = events.read(path, offset)
            for e in got:
                if e.get("type") == "run_started":
                    pid = e.get("pid")
                if int(e.get("seq") or 0) > after:
                    yield sse(e)
                if e.get("type") == "run_ended":
                    return
            if got:
                quiet_since = time.monotonic()
            alive = own.running if own is not None else (pid is not None and _alive(pid))
            if not alive and time.monotonic() - quiet_since > 1.0:
                got, offset = events.read(path, offset)  # the last lines written before it stopped
                for e in got:
                    if int(e.get("seq") or 0) > after:
                        yield sse(e)
                state = own.state() if own is not None else {}
                yield {"event": "end", "data": json.dumps({"type": "end", "run": path.stem,
                                                           "returncode": state.get("returncode")})}
                return
            await asyncio.sleep(0.25)

    @app.get("/thumb", dependencies=needs_film)
    def thumb(request: Request, key: Annotated[str, Query(max_length=64)] = ""):
        if not KEY.match(key):
            raise Refused(404, "not a task key")
        try:
            return file_response(request, proj.thumbnail(root, key), "image/jpeg")
        except FileNotFoundError:
            raise Refused(404, f"{key}: no keyframe made under this key") from None

    @app.get("/clip", dependencies=needs_film)
    def clip(request: Request, key: Annotated[str, Query(max_length=64)] = ""):
        if not KEY.match(key):
            raise Refused(404, "not a task key")
        from ..engine.lock import BusyError
        try:
            p = proj.clip_file(root, key)  # (a shot the film's segment drew: its clip is made on its first play)
        except BusyError:
            raise Refused(409, "a make of this project is running: this clip is made on its first play once it "
                               "has finished") from None
        if p is None:
            raise Refused(404, f"{key}: no clip made under this key")
        return file_response(request, p, "video/mp4")

    @app.get("/file", dependencies=needs_film)
    def file(request: Request, p: Annotated[str, Query(max_length=1024)] = ""):
        path = safe_path(root, p)
        types = {".mp4": "video/mp4", ".png": "image/png", ".jpg": "image/jpeg", ".wav": "audio/wav",
                 ".srt": "text/plain; charset=utf-8", ".fountain": "text/plain; charset=utf-8",
                 ".json": "application/json", ".html": "text/plain; charset=utf-8"}
        return file_response(request, path, types.get(path.suffix.lower(), "application/octet-stream"))

    @app.get("/vtt", dependencies=needs_film)
    def vtt(p: Annotated[str, Query(max_length=1024)] = ""):
        path = safe_path(root, p)
        if path.suffix.lower() != ".srt":
            raise Refused(404, "subtitles are served from .srt files")
        return Response(proj.srt_to_vtt(path.read_text(encoding="utf-8")), media_type="text/vtt; charset=utf-8")

    # ---- changes ---------------------------------------------------------------------------------------------
    def save(path: Path, text: str, version: str, again):
        """Write `text` unless the file changed since the page that sends it was read (`again` answers then)."""
        text = text.replace("\r\n", "\n")
        with studio.save_lock:
            disk = path.read_text(encoding="utf-8") if path.exists() else ""
            if version != sha(disk):
                return again(theirs=disk, mine=text, status=409)
            atomic.write_text(path, text)
        return None

    Text = Annotated[str, Form(max_length=MAX_TEXT)]

    @app.post("/script", dependencies=edits)
    def save_script(request: Request, text: Text, version: Version,
                    ep: Annotated[int, Form(ge=1, le=BIG_INT)] = 1):
        n = episode_in_film(ep)
        path = project.episode_path(root, n)
        refused = save(path, text, version, lambda **kw: script_page(request, n, **kw))
        return refused or face.redirect(request, f"/script?ep={n}", said=f"saved {path.relative_to(root)}")

    @app.post("/bible", dependencies=edits)
    def save_bible(request: Request, text: Text, version: Version):
        refused = save(Layout(root).bible, text, version, lambda **kw: bible_page(request, **kw))
        return refused or face.redirect(request, "/bible", said="saved story/bible.yaml")

    from pydantic import BaseModel, Field

    class Check(BaseModel):
        ep: int = Field(1, ge=1, le=BIG_INT)
        text: str = Field("", max_length=MAX_TEXT)

    @app.post("/api/check", dependencies=edits)
    def api_check(request: Request, body: Annotated[Check, Body()]):
        """The screenplay's check as it is typed (the editor's script sends the text, nothing is written)."""
        n = episode_in_film(body.ep)
        path = project.episode_path(root, n)
        cfg = project.load_config(root)
        rep = project.script_report(body.text, str(path.relative_to(root)), cfg.language,
                                     project.known_characters(root))
        if not rep["errors"]:
            rep["story"] = project.story_report(root, {n: body.text})
        html = face.templates_env.env.get_template("problems.html").render(report=rep)
        return {"html": html, "errors": rep["errors"], "story": (rep.get("story") or {}).get("problems", [])}

    def shot_page_of(sid: str, preview: bool = True) -> str:
        return f"/shot?id={urllib.parse.quote(sid)}{'' if preview else '&preview=0'}"

    @app.post("/take", dependencies=edits)
    def take(request: Request, shot: ShotId, preview: Annotated[str, Form(max_length=8)] = "",
             use: Annotated[int | None, Form(ge=0, le=1000)] = None,
             retake: Annotated[str, Form(max_length=8)] = ""):
        preview_on = preview == "1"
        _, ctxs = pipeline.contexts(root, proj.env(), None, preview=preview_on)
        graphs = [pipeline.episode_graph(c) for c in ctxs]
        p = takes.pin_take(root, Layout.of(root).store(), graphs, shot, use=use, retake=retake == "1")
        return face.redirect(request, shot_page_of(shot, preview_on), said=f"saved {p.name}")

    def upload_bytes(upload: UploadFile | None, what: str, kinds: str) -> tuple[str, bytes]:
        data = upload.file.read() if upload is not None else b""
        if not data:
            raise Refused(400, f"no {what} uploaded: choose {kinds} file")
        return upload.filename or what, data

    @app.post("/dub", dependencies=edits, max_body_size=MAX_UPLOAD)
    def dub_take(request: Request, line: Annotated[str, Form(max_length=64)],
                 take: Annotated[UploadFile | None, File()] = None):
        from ..handoff import dub
        from ..media import ffmpeg
        if take is None or not take.file.read(1):
            raise Refused(400, "no take uploaded: choose an audio file")
        take.file.seek(0)
        folder = Layout(root).studio / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as d:
            raw = Path(d) / "upload.bin"
            with open(raw, "wb") as out:
                while chunk := take.file.read(1 << 20):
                    out.write(chunk)
            samples = dub.decode(raw)  # by its content: whatever ffmpeg reads as audio (a browser's recording too)
            wav = Path(d) / "take.wav"
            with ffmpeg.wav_writer(wav, channels=1) as put:
                put(samples[:, None])
            dest, info = dub.dub(root, line, wav)
        sh, _ = proj.shot(root, line)
        back = shot_page_of(sh.id) if sh is not None else "/make"
        return face.redirect(request, back, said=f"{line}: {info['seconds']:.1f} s take; {dub.fit_note(info)}")

    @app.post("/new", dependencies=changes)
    def new(request: Request, premise: Annotated[str, Form(min_length=1, max_length=4000)],
            format: Annotated[Literal["short", "series"], Form()] = "short",
            episodes: Annotated[int, Form(ge=1, le=100)] = 1,
            minutes: Annotated[float, Form(gt=0, le=600)] = 1.5,
            aspect: Annotated[str, Form(max_length=16)] = "9:16",
            language: Annotated[str, Form(max_length=16)] = "en"):
        """A new film in this folder, as `filmcrew new` makes it; then the overview offers to write its story."""
        if studio.is_project:
            raise Refused(409, f"{root} holds a film already ({project.CONFIG_NAME})")
        project.create(root, project.Config(
            premise=premise.strip(), format=format, episodes=episodes if format == "series" else 1,
            minutes=minutes, aspect=aspect, language=language), "the new film's form")
        return face.redirect(request, "/", said="your film was created: now let the crew write its story")

    def edit_shot(sid: str, version: str, again: str, edit) -> tuple:
        """(the shot, the screenplay's path) after `edit(text, shot)` rewrote its screenplay (editing.py says how)."""
        sh, _, path = editing.rewrite_screenplay(studio, sid, version, again, lambda text, sh, n: edit(text, sh))
        return sh, path

    @app.post("/action", dependencies=edits)
    def action(request: Request, shot: ShotId, version: Version, text: Annotated[str, Form(max_length=20000)]):
        """What happens in a shot (its action paragraph, the prompt the picture is made from)."""
        from ..story.screenplay import replace_action
        sh, path = edit_shot(shot, version, "change the shot again",
                             lambda t, sh: replace_action(t, sh.source_line, sh.action, text))
        return face.redirect(request, shot_page_of(sh.id),
                             said=f"{path.name}: the shot is drawn and animated again at the next make")

    @app.post("/seed", dependencies=edits)
    def seed(request: Request, shot: ShotId, version: Version):
        """Ask the models again for a shot: its `[[shot: ...]]` note gets the next seed (`seed: N`)."""
        from ..story.screenplay import set_shot_seed
        sh, path = edit_shot(shot, version, "ask again", lambda t, sh: set_shot_seed(t, sh.source_line, sh.seed + 1))
        return face.redirect(request, shot_page_of(sh.id), said=f"{path.name}: seed {sh.seed + 1} for {sh.id}; the next "
                                                             f"make asks the models for a new picture and video")

    @app.post("/provider", dependencies=edits)
    def provider(request: Request, shot: ShotId, version: Version, role: Annotated[str, Form(max_length=32)],
                 name: Annotated[str, Form(max_length=64)] = ""):
        """Another provider for one shot: its `[[shot: ...]]` note names it (`illustrator: NAME` or `animator:
        NAME`); an empty name gives the shot back to the project's provider."""
        from ..providers import registry
        from ..story.screenplay import set_shot_note
        if role not in registry.SHOT_ROLES:
            raise Refused(400, f"{role!r}: a shot chooses its illustrator or its animator")
        if name and name not in registry.for_role(role):
            raise Refused(400, f"{name!r} does not play the {role}; choose one of {', '.join(registry.for_role(role))}")
        sh, path = edit_shot(shot, version, "choose again", lambda t, sh: set_shot_note(t, sh.source_line, role, name))
        said = f"{name} is the {role} of {sh.id}" if name else f"{sh.id} has the project's {role} again"
        return face.redirect(request, shot_page_of(sh.id), said=f"{path.name}: {said}; the next make makes it again")

    def take_slot(sid: str, exts) -> tuple[Path, list[Path]]:
        if not SHOT.match(sid):
            raise Refused(400, f"{sid!r}: not a shot id")
        takes = Layout(root).takes
        return takes, [takes / f"{sid}{ext}" for ext in exts]

    @app.post("/picture", dependencies=edits, max_body_size=MAX_PICTURE)
    def picture(request: Request, shot: ShotId, clear: Annotated[str, Form(max_length=8)] = "",
                picture: Annotated[UploadFile | None, File()] = None):
        """A person's picture for a shot: takes/SHOT.png (or .jpg, .webp, by what the file is), which the
        illustrator uses instead of drawing; `clear` takes it away again."""
        from PIL import Image, UnidentifiedImageError

        from ..crew.illustrator import TAKE_EXTS
        takes, old = take_slot(shot, TAKE_EXTS)
        if clear == "1":
            for p in old:
                p.unlink(missing_ok=True)
            return face.redirect(request, shot_page_of(shot), said="drawn again by the illustrator")
        from ..crew.animator import CLIP_TAKE_EXTS
        clip = next((p for p in (takes / f"{shot}{e}" for e in CLIP_TAKE_EXTS) if p.is_file()), None)
        if clip is not None:
            raise Refused(409, f"takes/{clip.name} replaces the whole shot, so a picture of it would not be used: "
                               f"take the clip away first (Animate it again from its picture)")
        name, data = upload_bytes(picture, "picture", "a PNG, JPEG or WebP")
        try:
            with Image.open(io.BytesIO(data)) as im:
                im.verify()
                kind = im.format
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise Refused(415, f"{name!r} is not a picture the studio reads (by its content: PNG, JPEG "
                               f"or WebP)") from None
        if kind not in PICTURES:
            raise Refused(415, f"{name!r} is a {kind} picture; use PNG, JPEG or WebP")
        for p in old:
            p.unlink(missing_ok=True)
        dest = takes / f"{shot}{PICTURES[kind]}"
        atomic.write_bytes(dest, data)
        return face.redirect(request, shot_page_of(shot), said=f"takes/{dest.name}: the next make uses it")

    @app.post("/clip", dependencies=edits, max_body_size=MAX_UPLOAD)
    def clip_take(request: Request, shot: ShotId, clear: Annotated[str, Form(max_length=8)] = "",
                  clip: Annotated[UploadFile | None, File()] = None):
        """A person's clip for a shot: takes/SHOT.mp4 (or .mov, .webm, .mkv, by what the file is), which the next
        make fits to the shot's length and size instead of animating it (and sends no video job for it); `clear`
        takes it away again."""
        from ..crew.animator import CLIP_TAKE_EXTS
        from ..media import ffmpeg
        takes, old = take_slot(shot, CLIP_TAKE_EXTS)
        if clear == "1":
            for p in old:
                p.unlink(missing_ok=True)
            return face.redirect(request, shot_page_of(shot), said="animated again from its picture")
        name, data = upload_bytes(clip, "clip", "an MP4, MOV, WebM or MKV")
        ext = clip_kind(data)
        if ext is None:
            raise Refused(415, f"{name!r} is not a video the studio reads (by its content: MP4, MOV, WebM or MKV)")
        takes.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(dir=takes) as d:
            raw = Path(d) / f"upload{ext}"
            raw.write_bytes(data)
            try:
                info = ffmpeg.probe(raw, count_frames=True)
            except FilmcrewError:
                info = None
            if info is None or not info.video_codec or not info.frames:
                raise Refused(415, f"{name!r} has no picture ffmpeg can decode; export it again as H.264 MP4")
            for p in old:
                p.unlink(missing_ok=True)
            dest = takes / f"{shot}{ext}"
            os.replace(raw, dest)
        from ..crew.illustrator import TAKE_EXTS
        pictures = [p for p in (takes / f"{shot}{e}" for e in TAKE_EXTS) if p.is_file()]
        for p in pictures:  # the clip replaces the whole shot: a picture take of it would never be used
            p.unlink()
        gone = f"; takes/{pictures[0].name} is taken away (the clip replaces the whole shot)" if pictures else ""
        return face.redirect(request, shot_page_of(shot), said=f"takes/{dest.name} ({info.frames} frames, "
                                                               f"{info.duration:.1f} s): the next make fits it to the "
                                                               f"shot{gone}")

    @app.post("/check", dependencies=edits)
    def check(request: Request, mp4: Annotated[str, Form(max_length=1024)],
              profile: Annotated[str, Form(max_length=64)] = "delivery"):
        """`filmcrew check` of a made film against a contest's or platform's profile, shown on the Watch page."""
        from ..provenance import check as checking
        p = safe_path(root, mp4, ("out",))
        chosen = checking.load_profile(profile)
        findings = checking.run(p, chosen)
        return watch_page(request, {mp4: {"profile": chosen["name"], "passed": checking.passed(findings),
                                          "findings": findings}})

    @app.post("/run", dependencies=edits)
    def run(request: Request, what: Annotated[str, Form(max_length=32)],
            pay: Annotated[str, Form(max_length=200)] = ""):
        if what not in runs.COMMANDS:
            raise Refused(400, f"{what!r}: the studio starts {', '.join(runs.COMMANDS)}")
        who = holder(root)
        if who and what.startswith("make"):
            raise Refused(409, f"a make of this project is running (pid {who.get('pid')}); wait for it to finish")
        extra = []
        if what.startswith("make"):  # a key missing, a plan refused, money not confirmed: the person first
            from . import waiting
            extra = waiting.refuse_unless_ready(root, proj.env(), what == "make-preview", pay)
        try:
            studio.runs.start(what, extra)
        except RuntimeError as err:
            raise Refused(409, str(err)) from None
        return face.redirect(request, "/make")

    @app.post("/cancel", dependencies=edits)
    def cancel(request: Request):
        if not studio.runs.cancel():
            return face.redirect(request, "/make", said="nothing the studio started is running: nothing to cancel",
                                 kind="bad")
        return face.redirect(request, "/make", said="cancelled: the next make resumes where this one stopped")

    def conflict_page(request, path: str, theirs: str, mine: str | None, back: str):
        """A save refused because the file changed since the page was read: the file as it is now, with the way
        back to the page (which shows it as it is now)."""
        return render(request, "conflict.html", 409, tab="", path=path, theirs=theirs, back=back,
                      message=("bad", f"{path} was saved elsewhere since this page was read: nothing was changed; "
                                      f"open the page again to see it as it is now"))

    # Settings, characters, a shot's settings, shots added and moved (issue 32)
    editing.add_routes(app, face, studio, render, edits, needs_film, conflict_page)
    return app


def _alive(pid: int) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError, OverflowError):
        return False
    return True


__all__ = ["Studio", "create_app", "safe_path", "Refused", "clip_kind"]
