"""The studio's HTTP server, and what keeps it safe.

- It listens on 127.0.0.1 unless told otherwise (`--host`); then every request must carry the random access
  token it prints (once given in the address, it is kept in a cookie). On 127.0.0.1 the Host header must
  name 127.0.0.1 or localhost, so a web page elsewhere cannot reach it through a DNS name it controls.
- Every change is a POST carrying the server's form token (in the form, or the X-CSRF header for the
  page's own fetches), and a POST whose Origin is another site is refused: another tab cannot act here.
- Files are served only from inside the project (out/, story/, takes/; no `..`, no absolute path, no symbolic
  link leading out) and from the cache by a task's key (64 hex digits).
- Uploads are limited in size (refused from their Content-Length before they are read) and checked by their
  content (an audio take is decoded by ffmpeg and checked as `filmcrew dub` checks it).
- A save carries the version (SHA-256) of the text it started from; when the file changed since, the save
  is refused and both versions are shown: nothing is merged silently.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import os
import re
import secrets
import tempfile
import threading
import urllib.parse
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .. import pipeline, project
from ..engine import atomic
from ..engine.lock import holder
from ..errors import FilmcrewError
from ..web.http import origin_ok, send_file
from . import pages, runs
from . import project as proj

MAX_TEXT = 2 * 1024 * 1024  # a screenplay or bible save
MAX_UPLOAD = 50 * 1024 * 1024  # an audio take, or a clip that replaces a shot
MAX_PICTURE = 20 * 1024 * 1024  # a picture that replaces a shot's keyframe
PICTURES = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}  # what a picture take may be, by its content
SERVED = ("out", "story", "takes")  # the project folders /file serves from
KEY = re.compile(r"^[0-9a-f]{64}$")
SHOT = re.compile(r"^ep(\d{2})-s\d{2}-sh\d{2}$")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Refused(Exception):
    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status, self.why = status, why


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


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Studio:
    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8765):
        self.root = Path(root).resolve()
        if (self.root / project.CONFIG_NAME).exists():
            project.load_config(self.root)  # a clear error now for a broken project
        elif self.root.exists() and not self.root.is_dir():
            raise FilmcrewError(f"{self.root}: not a folder; give the project's folder (or a new one)")
        self.host, self.port = host, port
        self.token = None if host in LOOPBACK else secrets.token_urlsafe(24)
        self.csrf = secrets.token_urlsafe(24)
        self.runs = runs.Runs(self.root)
        self.server: ThreadingHTTPServer | None = None
        self._save_lock = threading.Lock()

    @property
    def is_project(self) -> bool:
        return (self.root / project.CONFIG_NAME).exists()

    def url(self) -> str:
        """The address to open (on every address: this machine's name, which other machines can reach)."""
        import socket
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        port = self.server.server_address[1] if self.server else self.port
        return f"http://{host}:{port}/" + (f"?token={self.token}" if self.token else "")

    def start(self) -> ThreadingHTTPServer:
        studio = self

        class Bound(Handler):
            pass
        Bound.studio = studio
        self.server = ThreadingHTTPServer((self.host, self.port), Bound)
        self.server.daemon_threads = True
        return self.server

    def close(self) -> None:
        self.runs.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class Handler(BaseHTTPRequestHandler):
    studio: Studio
    server_version = "filmcrew-studio"

    def log_message(self, fmt, *args):  # quiet: the terminal shows the studio's address and nothing else
        pass

    # ---- answers ----------------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _page(self, title: str, body: str, tab: str, status: int = 200, message: tuple | None = None):
        html = pages.page(title, body, tab=tab, project=self.studio.root.name, csrf=self.studio.csrf, message=message)
        self._send(status, html.encode("utf-8"))

    def _redirect(self, to: str):
        self._send(303, b"", headers={"Location": to})

    def _file(self, path: Path, ctype: str):
        """A file, with byte ranges (a browser seeks a video with them)."""
        send_file(self, path, ctype)

    # ---- the checks every request passes ----------------------------------------------------------------
    def _guard(self) -> dict:
        """The query; Refused when the request may not be answered."""
        st = self.studio
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        if st.token is None and host not in LOOPBACK:
            raise Refused(403, f"Host {host!r}: the studio answers on 127.0.0.1 and localhost only")
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        if st.token is not None:
            cookie = SimpleCookie(self.headers.get("Cookie", ""))
            given = query.get("token") or (cookie["filmcrew_token"].value if "filmcrew_token" in cookie else "")
            if not secrets.compare_digest(given, st.token):
                raise Refused(401, "this studio needs its access token: open the address `filmcrew studio` printed")
        return query

    def _check_post(self, fields: dict):
        if not origin_ok(self.headers):
            raise Refused(403, f"a change from {self.headers.get('Origin')} is refused: only the studio's own pages may "
                               f"change the project")
        given = fields.get("csrf") or self.headers.get("X-CSRF") or ""
        if not secrets.compare_digest(str(given), self.studio.csrf):
            raise Refused(403, "this form is not the studio's (or the studio was restarted): reload the page")

    def _read(self, limit: int) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        if n > limit:
            raise Refused(413, f"too large: {n / 2**20:.1f} MiB; the studio takes at most {limit // 2**20} MiB here")
        return self.rfile.read(n)

    def _fields(self, limit: int) -> tuple[dict, dict]:
        """(text fields, uploaded files as (filename, bytes)) of a form or a JSON body."""
        ctype = self.headers.get("Content-Type", "")
        raw = self._read(limit)
        if ctype.startswith("application/json"):
            try:
                return json.loads(raw or b"{}"), {}
            except ValueError:
                raise Refused(400, "not JSON") from None
        if ctype.startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
            fields, files = {}, {}
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name is None:
                    continue
                data = part.get_payload(decode=True) or b""
                if part.get_filename() is not None:
                    files[name] = (part.get_filename(), data)
                else:
                    fields[name] = data.decode("utf-8", "replace")
            return fields, files
        return {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}, {}

    # ---- routes -----------------------------------------------------------------------------------------
    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def do_GET(self):  # noqa: N802
        try:
            q = self._guard()
            if self.studio.token and "token" in q:  # keep the token in a cookie and take it out of the address
                self.send_response(303)
                self.send_header("Set-Cookie", f"filmcrew_token={self.studio.token}; HttpOnly; SameSite=Strict; Path=/")
                self.send_header("Location", urllib.parse.urlsplit(self.path).path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            route = urllib.parse.urlsplit(self.path).path
            if not self.studio.is_project and route not in ("/", "/new"):
                return self._redirect("/")
            getattr(self, "get_" + route.strip("/").replace("/", "_").replace("-", "_") if route != "/" else "get_index",
                    self.not_found)(q)
        except Refused as r:
            self._page("refused", f"<h1>Refused</h1><p>{pages.e(r.why)}</p>", tab="", status=r.status)
        except FilmcrewError as err:
            self._page("problem", f"<h1>Problem</h1><p class=bad>{pages.e(err)}</p>", tab="", status=409)
        except (ValueError, KeyError) as err:  # a hand-typed address: ?ep=abc
            self._page("refused", f"<h1>Refused</h1><p>a value in the address is not one the studio reads ({pages.e(err)})"
                                  f"</p>", tab="", status=400)

    def do_POST(self):  # noqa: N802
        try:
            self._guard()
            route = urllib.parse.urlsplit(self.path).path
            fields, files = self._fields({"/dub": MAX_UPLOAD, "/clip": MAX_UPLOAD, "/picture": MAX_PICTURE}.get(route, MAX_TEXT))
            self._check_post(fields)
            if not self.studio.is_project and route != "/new":
                raise Refused(409, "make the film first: fill in the new film's form")
            getattr(self, "post_" + route.strip("/").replace("/", "_"), self.not_found)(fields, files)
        except Refused as r:
            if self.headers.get("Content-Type", "").startswith("application/json"):
                self._send(r.status, pages.json_body({"error": r.why}), "application/json")
            else:
                self._page("refused", f"<h1>Refused</h1><p>{pages.e(r.why)}</p>", tab="", status=r.status)
        except FilmcrewError as err:
            self._page("problem", f"<h1>Problem</h1><p class=bad>{pages.e(err)}</p>", tab="", status=409)
        except (ValueError, KeyError) as err:
            self._page("refused", f"<h1>Refused</h1><p>a field the studio reads is missing or wrong ({pages.e(err)})"
                                  f"</p>", tab="", status=400)

    def not_found(self, *_):
        raise Refused(404, f"{urllib.parse.urlsplit(self.path).path}: no such page")

    # pages
    def get_index(self, q):
        root = self.studio.root
        if not self.studio.is_project:
            return self._page("new film", pages.new_film(root, self.studio.csrf), tab="/", message=_flash(q))
        cfg = project.load_config(root)
        self._page("overview", pages.overview(root.name, cfg, proj.episodes(root), proj.films(root), self.studio.csrf),
                   tab="/", message=_flash(q))

    def get_script(self, q, theirs: str | None = None, mine: str | None = None, status: int = 200):
        n = int(q.get("ep", 1))
        path = project.episode_path(self.studio.root, n)
        disk = path.read_text(encoding="utf-8") if path.exists() else ""
        text = mine if mine is not None else disk
        cfg = project.load_config(self.studio.root)
        report = (pipeline.script_report(text, str(path.relative_to(self.studio.root)), cfg.language,
                                         pipeline.known_characters(self.studio.root)) if text else None)
        if report is not None and not report["errors"]:
            report["story"] = pipeline.story_report(self.studio.root, {n: text})
        self._page(f"episode {n}", pages.editor("script", str(path.relative_to(self.studio.root)), text, sha(disk),
                                                self.studio.csrf, n, report, theirs=theirs),
                   tab="/script", status=status, message=_flash(q) or (("error", "Someone saved this file after you "
                   "opened it: your text is kept below; compare it with theirs and save again.") if theirs is not None
                                                                    else None))

    def get_bible(self, q, theirs: str | None = None, mine: str | None = None, status: int = 200):
        path = self.studio.root / "story" / "bible.yaml"
        disk = path.read_text(encoding="utf-8") if path.exists() else ""
        self._page("bible", pages.editor("bible", "story/bible.yaml", mine if mine is not None else disk, sha(disk),
                                         self.studio.csrf, None, None, theirs=theirs), tab="/bible", status=status,
                   message=_flash(q) or (("error", "Someone saved this file after you opened it: your text is kept; "
                                                   "compare and save again.") if theirs is not None else None))

    def get_board(self, q):
        n, preview = int(q.get("ep", 1)), q.get("preview", "1") == "1"  # the preview first, as a person works
        cards, notes = proj.board(self.studio.root, n, preview)
        cfg = project.load_config(self.studio.root)
        run, message = self.studio.runs.state(), _flash(q)
        if run.get("name") and not run["running"] and run.get("returncode") not in (0, None) and not run["cancelled"]:
            said = next((ln for ln in reversed(run["log"]) if "error" in ln.lower()), run["log"][-1] if run["log"] else "")
            message = message or ("error", f"the last {run['command']} failed: {said}")
            for c in cards:  # the shot the error names failed
                if c.id in said or any(i in said for i, _, _ in c.lines):
                    c.state, c.why = "failed", [said, *c.why]
        self._page(f"episode {n} storyboard", pages.board(n, cards, notes, self.studio.csrf, cfg.aspect == "16:9", preview),
                   tab="/board", message=message)

    def _card(self, sid: str, preview: bool = True) -> tuple:
        """(the card of shot `sid`, its episode's number), or Refused."""
        m = SHOT.match(sid)
        if not m:
            raise Refused(404, f"{sid!r}: not a shot id (such as ep01-s02-sh03)")
        cards, _ = proj.board(self.studio.root, int(m.group(1)), preview)
        card = next((c for c in cards if c.id == sid), None)
        if card is None:
            raise Refused(404, f"{sid}: no such shot")
        return card, int(m.group(1))

    def get_shot(self, q):
        preview = q.get("preview", "1") == "1"
        card, n = self._card(q.get("id", ""), preview)
        sid = card.id
        from ..handoff import dub
        rows = [r for r in dub.listing(self.studio.root, n) if r["line"] in {i for i, _, _ in card.lines}]
        for r in rows:
            r["voice"] = f"a person's take ({r['take']})" if r["take"] else "synthetic voice"
        path = project.episode_path(self.studio.root, n)
        from ..providers import registry
        cfg = project.load_config(self.studio.root)
        choices = {role: (cfg.providers[role], registry.for_role(role)) for role in registry.SHOT_ROLES}
        self._page(sid, pages.shot(card, self.studio.csrf, preview, rows, sha(path.read_text(encoding="utf-8")), choices),
                   tab="/board", message=_flash(q))

    def get_make(self, q):
        root = self.studio.root
        rows, costs = [], ""
        preview = q.get("film") != "full"  # the plan of the preview, or of the full-size film
        try:
            _, ctxs = pipeline.contexts(root, proj.env(), None, preview=preview)
            st = pipeline.store(root)
            from ..engine.executor import plan
            items = [i for ctx in ctxs for i in plan(st, pipeline.episode_graph(ctx).targets)]
            rows = [{"role": i.task.role, "artifact": i.task.artifact, "reason": i.reason} for i in items]
            c = pipeline.costs(root, items)
            costs = ("no paid job: every provider of this project is local" if not c.pending and not c.paid else
                     "\n".join([f"to pay: {v:.3f} {k}" for k, v in c.to_pay.items()] +
                               [f"already paid: {v:.3f} {k}" for k, v in c.paid.items()]))
        except FilmcrewError as err:
            costs = f"the plan cannot be made yet: {err}"
        self._page("make", pages.make(rows, costs, self.studio.runs.state(), self.studio.csrf, holder(root), preview),
                   tab="/make", message=_flash(q))

    def get_watch(self, q, checks: dict | None = None):
        from ..provenance import check
        self._page("watch", pages.watch(proj.films(self.studio.root), checks or {}, sorted(check.available_profiles()),
                                        self.studio.csrf), tab="/watch", message=_flash(q))

    def get_api_board(self, q):
        """The cards' states (what the board page polls while a make runs: shots turn fresh as they are made)."""
        cards, _ = proj.board(self.studio.root, int(q.get("ep", 1)), q.get("preview", "1") == "1")
        self._send(200, pages.json_body([{"id": c.id, "state": c.state, "why": c.why[:4], "jobs": pages.job_lines(c.jobs)}
                                         for c in cards]), "application/json")

    def get_api_run(self, q):
        self._send(200, pages.json_body(self.studio.runs.state()), "application/json")

    def get_thumb(self, q):
        key = q.get("key", "")
        if not KEY.match(key):
            raise Refused(404, "not a task key")
        try:
            self._file(proj.thumbnail(self.studio.root, key), "image/jpeg")
        except FileNotFoundError:
            raise Refused(404, f"{key}: no keyframe made under this key") from None

    def get_clip(self, q):
        key = q.get("key", "")
        if not KEY.match(key):
            raise Refused(404, "not a task key")
        p = pipeline.store(self.studio.root).path(key) / "clip.mp4"
        if not p.is_file():
            raise Refused(404, f"{key}: no clip made under this key")
        self._file(p, "video/mp4")

    def get_file(self, q):
        p = safe_path(self.studio.root, q.get("p", ""))
        types = {".mp4": "video/mp4", ".png": "image/png", ".jpg": "image/jpeg", ".wav": "audio/wav",
                 ".srt": "text/plain; charset=utf-8", ".fountain": "text/plain; charset=utf-8",
                 ".json": "application/json", ".html": "text/plain; charset=utf-8"}
        self._file(p, types.get(p.suffix.lower(), "application/octet-stream"))

    def get_vtt(self, q):
        p = safe_path(self.studio.root, q.get("p", ""))
        if p.suffix.lower() != ".srt":
            raise Refused(404, "subtitles are served from .srt files")
        self._send(200, proj.srt_to_vtt(p.read_text(encoding="utf-8")).encode("utf-8"), "text/vtt; charset=utf-8")

    # changes
    def _save(self, path: Path, fields: dict, again):
        text, version = fields.get("text", "").replace("\r\n", "\n"), fields.get("version", "")
        with self.studio._save_lock:
            disk = path.read_text(encoding="utf-8") if path.exists() else ""
            if version != sha(disk):
                return again(theirs=disk, mine=text, status=409)
            atomic.write_text(path, text)
        return None

    def post_script(self, fields, files):
        n = int(fields.get("ep", 1))
        path = project.episode_path(self.studio.root, n)
        q = {"ep": str(n)}
        if self._save(path, fields, lambda **kw: self.get_script(q, **kw)) is None:
            self._redirect(f"/script?ep={n}&saved=1")

    def post_bible(self, fields, files):
        path = self.studio.root / "story" / "bible.yaml"
        if self._save(path, fields, lambda **kw: self.get_bible({}, **kw)) is None:
            self._redirect("/bible?saved=1")

    def post_api_check(self, fields, files):
        n = int(fields.get("ep", 1))
        path = project.episode_path(self.studio.root, n)
        cfg = project.load_config(self.studio.root)
        text = str(fields.get("text", ""))
        rep = pipeline.script_report(text, str(path.relative_to(self.studio.root)), cfg.language,
                                     pipeline.known_characters(self.studio.root))
        if not rep["errors"]:
            rep["story"] = pipeline.story_report(self.studio.root, {n: text})
        self._send(200, pages.json_body({"html": pages.problems(rep), "errors": rep["errors"],
                                         "story": (rep.get("story") or {}).get("problems", [])}), "application/json")

    def post_take(self, fields, files):
        sid = fields.get("shot", "")
        preview = fields.get("preview") == "1"
        use = int(fields["use"]) if fields.get("use", "").isdigit() else None
        _, ctxs = pipeline.contexts(self.studio.root, proj.env(), None, preview=preview)
        graphs = [pipeline.episode_graph(c) for c in ctxs]
        p = pipeline.pin_take(self.studio.root, pipeline.store(self.studio.root), graphs, sid, use=use,
                              retake=fields.get("retake") == "1")
        self._redirect(f"/shot?id={urllib.parse.quote(sid)}{'' if preview else '&preview=0'}&saved={urllib.parse.quote(p.name)}")

    def post_dub(self, fields, files):
        from ..handoff import dub
        from ..media import ffmpeg
        line = fields.get("line", "")
        if "take" not in files or not files["take"][1]:
            raise Refused(400, "no take uploaded: choose an audio file")
        folder = self.studio.root / ".filmcrew" / "studio" / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as d:
            raw = Path(d) / "upload.bin"
            raw.write_bytes(files["take"][1])
            samples = dub.decode(raw)  # by its content: whatever ffmpeg reads as audio (a browser's recording too)
            wav = Path(d) / "take.wav"
            with ffmpeg.wav_writer(wav, channels=1) as put:
                put(samples[:, None])
            dest, info = dub.dub(self.studio.root, line, wav)
        sh, _ = proj.shot(self.studio.root, line)
        back = f"/shot?id={sh.id}" if sh is not None else "/make"
        self._redirect(back + ("&" if "?" in back else "?") + "dubbed=" + urllib.parse.quote(
            f"{line}: {info['seconds']:.1f} s take; {dub.fit_note(info)}"))

    def post_new(self, fields, files):
        """A new film in this folder, as `filmcrew new` makes it; then the overview offers to write its story."""
        try:
            minutes, episodes = float(fields.get("minutes") or 1.5), int(fields.get("episodes") or 1)
        except ValueError:
            raise Refused(400, "minutes and episodes are numbers") from None
        fmt = fields.get("format", "short")
        project.create(self.studio.root, project.Config(
            premise=fields.get("premise", "").strip(), format=fmt, episodes=episodes if fmt == "series" else 1,
            minutes=minutes, aspect=fields.get("aspect", "9:16"), language=fields.get("language", "en")),
            "the new film's form")
        self._redirect("/?saved=" + urllib.parse.quote(project.CONFIG_NAME))

    def _edit_shot(self, fields, again: str, edit) -> tuple:
        """Change a shot's paragraph in its screenplay as a text editor would: `edit(text, shot)` gives the new
        text; refused when the screenplay was saved since the page was read (`again` says what to do). The
        shot, and the screenplay's path."""
        sid = fields.get("shot", "")
        sh, n = proj.shot(self.studio.root, sid)
        if sh is None:
            raise Refused(404, f"{sid!r}: no such shot")
        path = project.episode_path(self.studio.root, n)
        with self.studio._save_lock:
            text = path.read_text(encoding="utf-8")
            if fields.get("version") != sha(text):
                raise Refused(409, f"the screenplay was saved since this page was read: reload it and {again} "
                                   f"(nothing was changed)")
            atomic.write_text(path, edit(text, sh))
        return sh, path

    def post_action(self, fields, files):
        """What happens in a shot (its action paragraph, the prompt the picture is made from)."""
        from ..story.screenplay import replace_action
        sh, path = self._edit_shot(fields, "change the shot again",
                                   lambda text, sh: replace_action(text, sh.source_line, sh.action, fields.get("text", "")))
        self._redirect(f"/shot?id={sh.id}&saved=" + urllib.parse.quote(f"{path.name}: the shot is drawn and animated "
                                                                         f"again at the next make"))

    def post_seed(self, fields, files):
        """Ask the models again for a shot: its `[[shot: ...]]` note gets the next seed (`seed: N`)."""
        from ..story.screenplay import set_shot_seed
        sh, path = self._edit_shot(fields, "ask again", lambda text, sh: set_shot_seed(text, sh.source_line, sh.seed + 1))
        self._redirect(f"/shot?id={sh.id}&saved=" + urllib.parse.quote(
            f"{path.name}: seed {sh.seed + 1} for {sh.id}; the next make asks the models for a new picture and video"))

    def post_provider(self, fields, files):
        """Another provider for one shot: its `[[shot: ...]]` note names it (`illustrator: NAME` or `animator:
        NAME`); an empty name gives the shot back to the project's provider."""
        from ..providers import registry
        from ..story.screenplay import set_shot_note
        role, name = fields.get("role", ""), fields.get("name", "")
        if role not in registry.SHOT_ROLES:
            raise Refused(400, f"{role!r}: a shot chooses its illustrator or its animator")
        if name and name not in registry.for_role(role):
            raise Refused(400, f"{name!r} does not play the {role}; choose one of {', '.join(registry.for_role(role))}")
        sh, path = self._edit_shot(fields, "choose again", lambda text, sh: set_shot_note(text, sh.source_line, role, name))
        said = f"{name} is the {role} of {sh.id}" if name else f"{sh.id} has the project's {role} again"
        self._redirect(f"/shot?id={sh.id}&saved=" + urllib.parse.quote(f"{path.name}: {said}; the next make makes it again"))

    def _take_slot(self, fields, files, field: str, exts, cleared: str, kinds: str):
        """(shot id, takes/, the files a take of it may be, the upload's name and bytes) of a picture or clip form;
        None when the form asked to take the shot's take away (`clear`): done, the page sent back saying `cleared`."""
        sid = fields.get("shot", "")
        if not SHOT.match(sid):
            raise Refused(400, f"{sid!r}: not a shot id")
        takes = self.studio.root / "takes"
        old = [takes / f"{sid}{ext}" for ext in exts]
        if fields.get("clear") == "1":
            for p in old:
                p.unlink(missing_ok=True)
            self._redirect(f"/shot?id={sid}&saved=" + urllib.parse.quote(cleared))
            return None
        if field not in files or not files[field][1]:
            raise Refused(400, f"no {field} uploaded: choose {kinds} file")
        return sid, takes, old, *files[field]

    def post_picture(self, fields, files):
        """A person's picture for a shot: takes/SHOT.png (or .jpg, .webp, by what the file is), which the
        illustrator uses instead of drawing; `clear` takes it away again."""
        from PIL import Image, UnidentifiedImageError

        from ..crew.illustrator import TAKE_EXTS
        slot = self._take_slot(fields, files, "picture", TAKE_EXTS, "drawn again by the illustrator", "a PNG, JPEG or WebP")
        if slot is None:
            return
        sid, takes, old, name, data = slot
        import io
        try:
            with Image.open(io.BytesIO(data)) as im:
                im.verify()
                kind = im.format
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise Refused(415, f"{name!r} is not a picture the studio reads (by its content: PNG, JPEG "
                               f"or WebP)") from None
        if kind not in PICTURES:
            raise Refused(415, f"{name!r} is a {kind} picture; use PNG, JPEG or WebP")
        for p in old:
            p.unlink(missing_ok=True)
        dest = takes / f"{sid}{PICTURES[kind]}"
        atomic.write_bytes(dest, data)
        self._redirect(f"/shot?id={sid}&saved=" + urllib.parse.quote(f"takes/{dest.name}: the next make uses it"))

    def post_clip(self, fields, files):
        """A person's clip for a shot: takes/SHOT.mp4 (or .mov, .webm, .mkv, by what the file is), which the next
        make fits to the shot's length and size instead of animating it (and sends no video job for it); `clear`
        takes it away again."""
        from ..crew.animator import CLIP_TAKE_EXTS
        from ..media import ffmpeg
        slot = self._take_slot(fields, files, "clip", CLIP_TAKE_EXTS, "animated again from its picture",
                               "an MP4, MOV, WebM or MKV")
        if slot is None:
            return
        sid, takes, old, name, data = slot
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
            dest = takes / f"{sid}{ext}"
            os.replace(raw, dest)
        self._redirect(f"/shot?id={sid}&saved=" + urllib.parse.quote(
            f"takes/{dest.name} ({info.frames} frames, {info.duration:.1f} s): the next make fits it to the shot"))

    def post_check(self, fields, files):
        """`filmcrew check` of a made film against a contest's or platform's profile, shown on the Watch page."""
        from ..provenance import check
        p = safe_path(self.studio.root, fields.get("mp4", ""), ("out",))
        profile = check.load_profile(fields.get("profile", "delivery"))
        findings = check.run(p, profile)
        self.get_watch({}, {fields["mp4"]: {"profile": profile["name"], "passed": check.passed(findings),
                                            "findings": findings}})

    def post_run(self, fields, files):
        what = fields.get("what", "")
        if what not in runs.COMMANDS:
            raise Refused(400, f"{what!r}: the studio starts {', '.join(runs.COMMANDS)}")
        who = holder(self.studio.root)
        if who and what.startswith("make"):
            raise Refused(409, f"a make of this project is running (pid {who.get('pid')}); wait for it to finish")
        try:
            self.studio.runs.start(what)
        except RuntimeError as err:
            raise Refused(409, str(err)) from None
        self._redirect("/make")

    def post_cancel(self, fields, files):
        self.studio.runs.cancel()
        self._redirect("/make")


def clip_kind(data: bytes) -> str | None:
    """The extension a clip's bytes say it is: the ISO base media (MP4, MOV) or Matroska (WebM, MKV) signature."""
    if data[4:8] == b"ftyp":
        return ".mov" if data[8:12] == b"qt  " else ".mp4"
    if data[:4] == b"\x1aE\xdf\xa3":
        return ".webm" if b"webm" in data[:64] else ".mkv"
    return None


def _flash(q: dict) -> tuple | None:
    if q.get("saved"):
        return ("done", "saved" if q["saved"] == "1" else f"saved {q['saved']}")
    if q.get("dubbed"):
        return ("done", q["dubbed"])
    return None


__all__ = ["Studio", "safe_path", "Refused"]
