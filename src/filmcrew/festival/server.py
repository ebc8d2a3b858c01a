"""The festival's HTTP server, and what keeps it safe.

- Sessions: a random token in an HttpOnly, SameSite=Lax cookie (Secure when the festival is served beyond this
  machine, where it must sit behind HTTPS); the database keeps only the token's SHA-256.
- Every change (POST, PUT) carries the session's form token (a form field, or the X-CSRF header of the page's own
  script), and one whose Origin is another site is refused, signed in or not (a login from elsewhere too).
- Roles are enforced by the functions the pages call (core.py): an entrant asking for another's entry gets the
  same "no such entry" as for one that does not exist.
- No path comes from a request: films are found by an entry's id, through the database, to a file named by its
  SHA-256. Uploads are limited by the contest (refused from the size announced, and again from what arrives),
  checked to be MP4 by their bytes, and counted by the rate limits, as are sign-ins.
- A strict Content-Security-Policy: scripts only from this server (one file), no frames.
- On 127.0.0.1 the Host header must name 127.0.0.1 or localhost (a DNS name another site controls cannot reach it).
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..errors import FilmcrewError
from ..web.http import origin_ok, send_file
from . import pages
from .accounts import Refusal, require_role
from .jury import Jury

LOOPBACK = ("127.0.0.1", "localhost", "::1")
COOKIE = "festival_session"
MAX_FORM = 4 * 1024 * 1024  # a form (the provenance file travels in one, up to 2 MB)
MAX_PIECE = 16 * 1024 * 1024  # one piece of a film
CSP = ("default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; media-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def _said(query: dict) -> tuple | None:
    """A short confirmation carried in the address after a change (shown as text, never as markup)."""
    return ("good", query["said"][:200]) if query.get("said") else None


class Quiet(ThreadingHTTPServer):
    """A browser that goes away mid-answer (a closed tab, a lost upload piece) is not an error worth a traceback.
    Connections wait in a deep queue (the standard library's 5 drops them when 20 people load pages at once,
    and each dropped one costs its browser a second before it tries again)."""
    request_queue_size = 128

    def handle_error(self, request, client_address):
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, TimeoutError)):
            super().handle_error(request, client_address)


class Server:
    def __init__(self, fest, host: str = "127.0.0.1", port: int = 8780):
        self.fest, self.host, self.port = fest, host, port
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def secure_cookies(self) -> bool:
        return self.host not in LOOPBACK

    def start(self) -> ThreadingHTTPServer:
        class Bound(Handler):
            pass
        Bound.srv = self
        self.httpd = Quiet((self.host, self.port), Bound)
        self.httpd.daemon_threads = True
        return self.httpd

    def url(self) -> str:
        port = self.httpd.server_address[1] if self.httpd else self.port
        return f"http://{self.host}:{port}/"

    def close(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


class Handler(BaseHTTPRequestHandler):
    srv: Server
    server_version = "filmcrew-festival"

    def log_message(self, fmt, *args):
        pass

    # ---- answers ----------------------------------------------------------------------------------------
    def _headers(self) -> dict:
        return {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": CSP, "Referrer-Policy": "same-origin",
                "Cache-Control": "no-store"}

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in {**self._headers(), **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _page(self, title: str, body: str, status: int = 200, message: tuple | None = None, headers: dict | None = None):
        html = pages.page(title, body, self.user, self.contest, message)
        self._send(status, html.encode("utf-8"), headers=headers)

    def _json(self, status: int, data: dict, headers: dict | None = None):
        self._send(status, json.dumps(data).encode("utf-8"), "application/json", headers)

    def _redirect(self, to: str, headers: dict | None = None):
        self._send(303, b"", headers={"Location": to, **(headers or {})})

    def _cookie(self, token: str, max_age: int) -> dict:
        secure = "; Secure" if self.srv.secure_cookies else ""
        return {"Set-Cookie": f"{COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}"}

    # ---- every request -----------------------------------------------------------------------------------
    def _begin(self) -> dict:
        self.route = urllib.parse.urlsplit(self.path).path
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        if self.srv.host in LOOPBACK and host not in LOOPBACK:
            raise Refusal(403, f"Host {host!r}: this festival answers on 127.0.0.1 and localhost only")
        url = urllib.parse.urlsplit(self.path)
        self.query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        self.token = cookie[COOKIE].value if COOKIE in cookie else None
        self.user = self.srv.fest.session(self.token)
        self.contest = self.srv.fest.contest()
        return self.query

    def _changes(self, fields: dict | None = None) -> None:
        """A change: from this site's own pages, carrying the session's form token when signed in."""
        if not origin_ok(self.headers):
            raise Refusal(403, f"a request from {self.headers.get('Origin')} is refused: only this festival's own "
                               f"pages may change anything here")
        if self.user is not None:
            import secrets
            given = (fields or {}).get("csrf") or self.headers.get("X-CSRF") or ""
            if not secrets.compare_digest(str(given), self.user["csrf"]):
                raise Refusal(403, "this form is not from your session here: reload the page and try again")

    def _change_form(self, limit: int = 64 * 1024) -> dict:
        """A signed-in person's change: its form, read and checked (origin, form token)."""
        fields = self._form(limit)
        self._changes(fields)
        return fields

    def _form(self, limit: int = MAX_FORM) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        if n > limit:
            raise Refusal(413, f"too large: {n / 2**20:.1f} MB; at most {limit / 2**20:.0f} MB here")
        raw = self.rfile.read(n)
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                raise Refusal(400, "not JSON") from None
            return data if isinstance(data, dict) else {}
        return {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}

    def _ip(self) -> str:
        return self.client_address[0]

    def _wants_json(self) -> bool:
        return "application/json" in (self.headers.get("Accept", "") + self.headers.get("Content-Type", "")) or \
            self.route == "/upload"

    def _dispatch(self, prefix: str):
        self._begin()
        name = prefix + (re.sub(r"[^a-z0-9]", "_", self.route.strip("/").lower()) or "index")
        return getattr(self, name, None)

    def _handle(self, prefix: str):
        try:
            fn = self._dispatch(prefix)
            if fn is None:
                raise Refusal(404, f"{self.route}: no such page")
            fn()
        except Refusal as r:
            headers = {"Retry-After": str(r.retry_after)} if r.retry_after else None
            if self._wants_json():
                self._json(r.status, {"error": r.why, **({"received": r.received} if hasattr(r, "received") else {})},
                           headers)
            else:
                self._safe_page("Refused", f"<h1>Refused</h1><p class='msg bad'>{pages.e(r.why)}</p>", r.status, headers)
        except FilmcrewError as err:
            self._safe_page("Problem", f"<h1>Problem</h1><p class='msg bad'>{pages.e(err)}</p>", 409)
        except (ValueError, KeyError) as err:
            self._safe_page("Refused", f"<h1>Refused</h1><p>a value this page reads is missing or wrong "
                                       f"({pages.e(err)})</p>", 400)

    def _safe_page(self, title, body, status, headers=None):
        if not hasattr(self, "contest"):  # refused before the request was read (the Host)
            self._send(status, f"<!doctype html><title>{title}</title>{body}".encode("utf-8"), headers=headers)
            return
        self._page(title, body, status, headers=headers)

    def do_GET(self):  # noqa: N802
        self._handle("get_")

    def do_HEAD(self):  # noqa: N802
        self._handle("get_")

    def do_POST(self):  # noqa: N802
        self._handle("post_")

    def do_PUT(self):  # noqa: N802
        self._handle("put_")

    # ---- pages ---------------------------------------------------------------------------------------------
    def get_index(self):
        fest = self.srv.fest
        self._page("Contest", pages.home(self.contest, fest.awards(self.contest["id"]), self.user))

    def get_static_upload_js(self):
        self._send(200, (pages.STATIC / "upload.js").read_bytes(), "text/javascript; charset=utf-8")

    def get_login(self):
        self._page("Sign in", pages.login())

    def post_login(self):
        fields = self._form(64 * 1024)
        self._changes(None)  # (not signed in yet: its origin is what protects it)
        try:
            token, user = self.srv.fest.login(fields.get("email", ""), fields.get("password", ""), self._ip())
        except Refusal as r:
            if r.status == 401:
                self.user = None
                return self._page("Sign in", pages.login(), 401, ("bad", r.why))
            raise
        if self.token:
            self.srv.fest.logout(self.token)  # a new session at each sign-in (no session fixation)
        home = {"entrant": "/me", "organiser": "/entries", "juror": "/judge"}[user["role"]]
        self._redirect(home, self._cookie(token, 14 * 24 * 3600))

    def post_logout(self):
        self._change_form()
        if self.token:
            self.srv.fest.logout(self.token)
        self._redirect("/", self._cookie("", 0))

    def get_password(self):
        require_role(self.user, *("organiser", "entrant", "juror"))
        self._page("Password", pages.password(self.user["csrf"]), message=_said(self.query))

    def post_password(self):
        fields = self._change_form()
        require_role(self.user, "organiser", "entrant", "juror")
        self.srv.fest.change_password(self.user, fields.get("current", ""), fields.get("new", ""), self.token)
        self._redirect("/password?said=" + urllib.parse.quote("password changed; your other sign-ins ended"))

    def get_register(self):
        self._page("Create an account", pages.register())

    def post_register(self):
        fields = self._form(64 * 1024)
        self._changes(fields if self.user else None)
        fest = self.srv.fest
        try:
            fest.register(fields.get("email", ""), fields.get("name", ""), fields.get("password", ""),
                          fields.get("country", ""), self._ip())
        except Refusal as r:
            if r.status in (400, 409):
                return self._page("Create an account", pages.register(), r.status, ("bad", r.why))
            raise
        token, _ = fest.login(fields["email"], fields["password"], self._ip())
        self._redirect("/me", self._cookie(token, 14 * 24 * 3600))

    def get_me(self):
        require_role(self.user, "entrant")
        fest, con = self.srv.fest, self.contest
        rows = fest.my_entries(self.user, con["id"])
        form = (pages.submit_form(con, self.user["csrf"]) if con["deadline"] > time.time()
                else "<p class=note>The deadline has passed.</p>")
        self._page("My films", f"<h1>My films</h1>{pages.entries_table(rows, False)}<h2>Enter a film</h2>{form}")

    def get_entry(self):
        ent = self.srv.fest.entry(self.user, int(self.query.get("id", "0")))
        pending = (ent.get("check") or {}).get("state") in ("queued", "running", None)
        body = pages.entry(ent, self.user, self.contest, self.user["csrf"])
        if self.user["role"] == "juror":
            jury = Jury(self.srv.fest)
            body += pages.score_forms(ent, self.srv.fest.awards(self.contest["id"]), jury.my_scores(self.user, ent["id"]),
                                      jury.others_scores(self.user, ent["id"]), self.user["csrf"])
        self._page(ent["title"], body, headers={"Refresh": "3"} if pending else None, message=_said(self.query))

    def get_film(self):
        ent = self.srv.fest.entry(self.user, int(self.query.get("id", "0")))
        path = self.srv.fest.film_path(ent["film_sha"])
        send_file(self, path, "video/mp4", {"Cache-Control": "private, max-age=3600", "Content-Security-Policy": CSP})

    def get_entries(self):
        rows = self.srv.fest.all_entries(self.user, self.contest["id"])
        done = sum(1 for r in rows if r["state"] == "done")
        ok = sum(1 for r in rows if r["passed"])
        per, page = 200, max(1, int(self.query.get("page", "1")))
        last = max(1, -(-len(rows) // per))
        nav = " ".join(f"<a href='/entries?page={k}'>{k}</a>" if k != page else f"<b>{k}</b>" for k in range(1, last + 1))
        self._page("Entries", f"<h1>Entries</h1><p>{len(rows)} entries; {done} checked, {ok} eligible.</p>"
                              + (f"<p>Page {nav}</p>" if last > 1 else "")
                              + pages.entries_table(rows[(page - 1) * per:page * per], True))

    # ---- the organiser -----------------------------------------------------------------------------------
    def get_jury(self):
        jurors = Jury(self.srv.fest).jurors(self.user)
        link = ""
        if self.query.get("invited"):  # the invitation's token travels once, in this redirect, to this organiser
            scheme = "https" if self.srv.secure_cookies else "http"  # (beyond this machine it is behind HTTPS)
            link = f"{scheme}://{self.headers.get('Host')}/invite?token={urllib.parse.quote(self.query['invited'])}"
        self._page("Jury", pages.jury(jurors, self.user["csrf"], self.contest, link)
                   + pages.contest_form(self.contest, self.user["csrf"]), message=_said(self.query))

    def post_contest_edit(self):
        import calendar
        fields = self._change_form()
        try:
            deadline = float(calendar.timegm(time.strptime(fields.get("deadline", "").strip(), "%Y-%m-%d %H:%M")))
            max_mb = int(fields.get("max_mb", ""))
        except ValueError:
            raise Refusal(400, "deadline: YYYY-MM-DD HH:MM (UTC); largest film: a whole number of MB") from None
        self.srv.fest.edit_contest(self.user, self.contest["id"], fields.get("title", ""), deadline, max_mb)
        self._redirect("/jury?said=" + urllib.parse.quote("the contest is saved"))

    def post_jury_invite(self):
        fields = self._change_form()
        token = Jury(self.srv.fest).invite(self.user, fields.get("email", ""), fields.get("name", ""))
        self._redirect("/jury?invited=" + urllib.parse.quote(token))

    def post_jury_assign(self):
        fields = self._change_form()
        got = Jury(self.srv.fest).assign(self.user, self.contest["id"], int(fields.get("per_entry") or 3))
        said = f"{got['assigned']} new assignment(s)" + (
            f"; {len(got['short'])} film(s) could not get enough jurors (invite more)" if got["short"] else "")
        self._redirect("/jury?said=" + urllib.parse.quote(said))

    def post_contest_switch(self):
        fields = self._change_form()
        name = fields.get("name", "")
        Jury(self.srv.fest).set_contest(self.user, self.contest["id"], **{name: fields.get("value") == "1"})
        self._redirect(("/awards" if name == "published" else "/jury") + "?said=" + urllib.parse.quote("saved"))

    def get_awards(self):
        jury = Jury(self.srv.fest)
        cid = self.contest["id"]
        ranks = [(aw, jury.ranking(self.user, aw["id"])) for aw in self.srv.fest.awards(cid)]
        self._page("Awards", pages.awards_page(ranks, jury.decisions(cid), self.user["csrf"], self.contest,
                                               None if self.query.get("all") else 50), message=_said(self.query))

    def post_awards_decide(self):
        fields = self._change_form()
        Jury(self.srv.fest).decide(self.user, int(fields["award"]), int(fields["entry"]))
        self._redirect("/awards?said=" + urllib.parse.quote("winner chosen"))

    # ---- jurors ------------------------------------------------------------------------------------------
    def get_invite(self):
        self._page("Join the jury", pages.invite(self.query.get("token", "")))

    def post_invite(self):
        fields = self._form(64 * 1024)
        self._changes(fields if self.user else None)
        email = Jury(self.srv.fest).accept(fields.get("token", ""), fields.get("password", ""))
        token, _ = self.srv.fest.login(email, fields["password"], self._ip())
        self._redirect("/judge", self._cookie(token, 14 * 24 * 3600))

    def get_judge(self):
        require_role(self.user, "juror")
        films = Jury(self.srv.fest).assigned(self.user, self.contest["id"])
        self._page("Judging", pages.judge(films, self.srv.fest.awards(self.contest["id"])), message=_said(self.query))

    def post_judge_score(self):
        fields = self._change_form()
        try:
            marks = {k[4:]: float(v) for k, v in fields.items() if k.startswith("cat:")}
        except ValueError:
            raise Refusal(400, "a mark from 1 to 10 for each category") from None
        Jury(self.srv.fest).score(self.user, int(fields["entry"]), int(fields["award"]), marks)
        self._redirect(f"/entry?id={int(fields['entry'])}&said=" + urllib.parse.quote("marks saved"))

    def post_judge_conflict(self):
        fields = self._change_form()
        Jury(self.srv.fest).declare_conflict(self.user, self.user["id"], entry_id=int(fields["entry"]),
                                             reason=fields.get("reason", ""))
        self._redirect("/judge?said=" + urllib.parse.quote("conflict declared: that film is no longer yours to judge"))

    def get_judge_compare(self):
        jury = Jury(self.srv.fest)
        award = jury.award(int(self.query.get("award", "0")))
        pair = jury.next_pair(self.user, award["id"])
        if pair is None:
            return self._page(award["name"], f"<h1>{pages.e(award['name'])}</h1><p class='msg good'>Every pair of "
                                             f"your films is compared. Thank you.</p>")
        a, b = (self.srv.fest.entry(self.user, i) for i in pair)
        from .jury import _spread
        left = pair[_spread(self.user["id"], pair[0] + pair[1]) % 2]  # which side is which: not always the older
        self._page(award["name"], pages.compare(award, a, b, self.user["csrf"], left))

    def post_judge_compare(self):
        fields = self._change_form()
        award = int(fields["award"])
        Jury(self.srv.fest).compare(self.user, award, int(fields["a"]), int(fields["b"]), int(fields["winner"]))
        self._redirect(f"/judge/compare?award={award}")

    # ---- everyone ------------------------------------------------------------------------------------------
    def get_results(self):
        items = Jury(self.srv.fest).results(self.contest["id"])
        if items is None:
            raise Refusal(404, "the results are not published yet")
        self._page("Results", pages.results(items))

    def get_audit(self):
        self._page("Audit log", pages.audit(self.srv.fest.audit_log(self.user)))

    # ---- a film in pieces ----------------------------------------------------------------------------------
    def post_upload(self):
        fields = self._change_form()
        require_role(self.user, "entrant")
        size = fields.get("size")
        uid = self.srv.fest.start_upload(self.user, int(fields.get("contest") or self.contest["id"]),
                                         size if isinstance(size, int) else int(size or 0))
        self._json(201, {"id": uid, "received": 0, "size": int(size), "sha": None})

    def get_upload(self):
        require_role(self.user, "entrant")
        row = self.srv.fest.upload(self.user, self.query.get("id", ""))
        self._json(200, {"id": row["id"], "received": row["received"], "size": row["size"], "sha": row["sha"]})

    def put_upload(self):
        self._changes(None)
        require_role(self.user, "entrant")
        n = int(self.headers.get("Content-Length") or -1)
        if n < 0:
            raise Refusal(411, "send each piece with its Content-Length")
        if n > MAX_PIECE:
            raise Refusal(413, f"a piece is at most {MAX_PIECE // 2**20} MB")
        try:
            row = self.srv.fest.put_piece(self.user, self.query.get("id", ""), int(self.query.get("offset", "-1")),
                                          self.rfile, n)
        except Refusal as r:
            if r.status == 409:  # where to go on from
                r.received = self.srv.fest.upload(self.user, self.query.get("id", ""))["received"]
            raise
        self._json(200, {"id": row["id"], "received": row["received"], "size": row["size"], "sha": row["sha"]})

    def post_submit(self):
        fields = self._change_form(MAX_FORM)
        fest = self.srv.fest
        prov = fields.get("provenance") or ""
        eid = fest.submit(self.user, int(fields.get("contest") or self.contest["id"]), fields.get("upload", ""),
                          fields.get("title", ""), fields.get("synopsis", ""), fields.get("credits", ""),
                          prov.encode("utf-8") if prov.strip() else None,
                          int(fields["entry"]) if fields.get("entry") else None)
        self._redirect(f"/entry?id={eid}")
