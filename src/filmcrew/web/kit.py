"""The web kit both faces are built from: a FastAPI app with the guard, a signed session, Jinja2 pages (with
autoescape), error pages with a way back, flash messages and files with byte ranges.

A face (the studio, the festival) describes itself once (`Face`: its name, templates, static files, where it is
served, how its form token is found, what every page is given) and calls `create_app(face)`. Its routes are
thin: they read typed parameters (FastAPI answers a wrong type, a missing field or a number out of range
before the route runs), call the same domain functions as the command line, and answer with
`face.render(...)`, `face.redirect(...)`, `file_response(...)` or JSON.

What every request gets, whatever a route does:
- the guard (web/guard.py): Host, Origin, the optional access token, a body timeout, security headers;
- a body size limit per route (FastAPI's `max_body_size`: refused from the Content-Length before it is read,
  and again from what arrives), said with the route's limit in words;
- the form token on every change (`Depends(face.changes)`): the session's own (a random value kept in the
  signed session cookie: sign-in and register carry one too) unless the face names another (a signed-in
  person's, the studio's);
- an answer for every failure: a refusal (any FilmcrewError, with its `status` when it has one) is a 4xx page
  (or JSON for a script), a validation failure names the field, and an unexpected exception is a 500 page
  with an incident id (its traceback goes to the server's log), never a closed connection;
- flash messages from the server's own session cookie (signed), never from the address.
"""

from __future__ import annotations

import logging
import secrets
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request

from ..errors import FilmcrewError
from .guard import LOOPBACK, Guard

log = logging.getLogger("filmcrew.web")
KIT_TEMPLATES = Path(__file__).parent / "templates"
KIT_STATIC = Path(__file__).parent / "static"
BIG_INT = 2 ** 62  # the largest id or number a route reads (SQLite's integers are 64-bit)
INSTALL = "pip install filmcrew (the web faces need fastapi, uvicorn, jinja2, python-multipart and itsdangerous)"


class Refused(FilmcrewError):
    """A request a face refuses: `status` is the HTTP status; the message says why and what to do."""

    def __init__(self, status: int, why: str, retry_after: int | None = None):
        super().__init__(why)
        self.status, self.why, self.retry_after = status, why, retry_after


def size_words(n: int) -> str:
    """1048576 -> '1 MiB'; 65536 -> '64 KiB' (never 'at most 0 MB')."""
    if n >= 2 ** 20:
        return f"{n / 2 ** 20:g} MiB"
    if n >= 1024:
        return f"{n / 1024:g} KiB"
    return f"{n} bytes"


@dataclass
class Face:
    """One web face. `form_token(request)` answers the form token a change must carry (None: the session's
    own); `page_context(request)` what every page's template is given besides `csrf`, `flash` and `face`
    (the signed-in person, the contest...); `wants_json(request)` whether an error is answered as JSON."""

    name: str
    title: str
    templates: Path
    static: Path | None = None
    bound: str = "127.0.0.1"
    public: str | None = None
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    access_token: str | None = None
    form_token: Callable | None = None
    page_context: Callable | None = None
    json_paths: tuple = ()
    body_timeout: float = 10.0
    _templates: object = field(default=None, init=False, repr=False)

    @property
    def secure(self) -> bool:
        """Cookies only over HTTPS: beyond this machine the face sits behind an HTTPS proxy."""
        return (self.public or "").startswith("https://") or (self.bound not in LOOPBACK and
                                                              not self.bound.startswith("127."))

    # ---- pages --------------------------------------------------------------------------------------------
    @property
    def templates_env(self):
        if self._templates is None:
            import jinja2
            from starlette.templating import Jinja2Templates
            env = jinja2.Environment(loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(self.templates)),
                                                                 jinja2.FileSystemLoader(str(KIT_TEMPLATES))]),
                                     autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True)
            env.globals["quote"] = lambda s: urllib.parse.quote(str(s), safe="")
            self._templates = Jinja2Templates(env=env)
        return self._templates

    def token(self, request) -> str:
        """The form token this request's pages carry and its changes must send back."""
        if self.form_token is not None:
            given = self.form_token(request)
            if given:
                return given
        session = request.scope.get("session")
        if session is None:
            return ""
        if not session.get("csrf"):
            session["csrf"] = secrets.token_urlsafe(24)
        return session["csrf"]

    def render(self, request, template: str, status: int = 200, headers: dict | None = None, **context):
        """The page `template` (a file of the face's templates/), with the form token, the flash message of the
        last change, and the face's page context."""
        session = request.scope.get("session")
        flash = session.pop("flash", None) if session is not None else None
        base = {"request": request, "face": self, "csrf": self.token(request),
                "flash": tuple(flash) if flash else None}
        if self.page_context is not None:
            base.update(self.page_context(request))
        base.update(context)
        return self.templates_env.TemplateResponse(request, template, base, status_code=status, headers=headers)

    def flash(self, request, text: str, kind: str = "good") -> None:
        """A message shown once, on the next page this person sees (kept in their signed session cookie)."""
        if request.scope.get("session") is not None:
            request.session["flash"] = [kind, str(text)[:500]]

    def redirect(self, request, to: str, said: str | None = None, kind: str = "good", headers: dict | None = None):
        """303 to `to` (a path of this face), with `said` shown there once."""
        from starlette.responses import RedirectResponse
        if not to.startswith("/") or to.startswith("//"):
            to = "/"
        if said:
            self.flash(request, said, kind)
        return RedirectResponse(to, status_code=303, headers=headers)

    # ---- changes -------------------------------------------------------------------------------------------
    async def changes(self, request: Request) -> None:
        """A FastAPI dependency of every route that changes something: the form token must be the one this
        request's pages carry (a form field `csrf`, or the X-CSRF header of the page's own script). A body whose
        Content-Length is over the route's limit is refused here too, before the route runs (a route that never
        reads its body would otherwise make its change and only then be answered 413)."""
        limit = request.scope.get("starlette.max_body_size")
        length = request.headers.get("content-length", "")
        if limit is not None and length.isdigit() and int(length) > limit:
            from starlette.exceptions import HTTPException
            raise HTTPException(413)
        expected = self.token(request)
        given = request.headers.get("x-csrf", "")
        ctype = request.headers.get("content-type", "")
        if not given and (ctype.startswith("application/x-www-form-urlencoded") or
                          ctype.startswith("multipart/form-data")):
            form = await request.form()
            value = form.get("csrf")
            given = value if isinstance(value, str) else ""
        if not expected or not secrets.compare_digest(given.encode(), expected.encode()):
            raise Refused(403, "this form is not from your session here (or the server was restarted): reload "
                               "the page and try again")

    # ---- errors --------------------------------------------------------------------------------------------
    def wants_json(self, request) -> bool:
        accept = request.headers.get("accept", "")
        ctype = request.headers.get("content-type", "")
        return (ctype.startswith("application/json") or ("application/json" in accept and "text/html" not in accept)
                or request.url.path.startswith("/api/") or request.url.path in self.json_paths)

    def error(self, request, status: int, why: str, *, title: str | None = None, headers: dict | None = None,
              plain: bool = False, extra: dict | None = None):
        """The answer to a refused or failed request: JSON for a script, else a page of the face saying why,
        with a way back (`plain`: the kit's own page, for refusals before the face's context can be read)."""
        from starlette.responses import HTMLResponse, JSONResponse
        if self.wants_json(request):
            return JSONResponse({"error": why, **(extra or {})}, status_code=status, headers=headers)
        title = title or ("Refused" if status < 500 else "Something went wrong")
        back = request.headers.get("referer", "")
        back = back if back and urllib.parse.urlsplit(back).netloc == request.headers.get("host", "") else "/"
        context = {"code": status, "why": why, "title": title, "back": back}
        if not plain:
            try:
                return self.render(request, "error.html", status, headers, **context)
            except Exception:  # the face's page could not be drawn (its database is down...): the kit's page
                log.exception("the %s's error page could not be drawn; answered with the plain one", self.name)
        template = self.templates_env.env.get_template("kit_error.html")
        html = template.render(face=self, csrf="", flash=None, **context)
        return HTMLResponse(html, status_code=status, headers=headers)


def create_app(face: Face, limit: int = 64 * 1024):
    """The face's FastAPI app: the guard, the signed session, the error answers, the static files. `limit` is
    the body size of a route that names none (`max_body_size=` on a route raises it)."""
    try:
        from fastapi import FastAPI
        from fastapi.exceptions import RequestValidationError
        from starlette.exceptions import HTTPException
        from starlette.middleware.sessions import SessionMiddleware
        from starlette.requests import Request
        from starlette.staticfiles import StaticFiles
    except ImportError as err:
        raise FilmcrewError(f"the {face.name} cannot start: {err.name} is missing; {INSTALL}") from None

    app = FastAPI(title=face.title, docs_url=None, redoc_url=None, openapi_url=None, max_body_size=limit)
    app.state.face = face

    @app.exception_handler(FilmcrewError)
    async def refused(request: Request, err: FilmcrewError):
        status = getattr(err, "status", 409)
        headers = {"Retry-After": str(err.retry_after)} if getattr(err, "retry_after", None) else None
        extra = {"received": err.received} if hasattr(err, "received") else None
        return face.error(request, status, str(getattr(err, "why", err)), headers=headers, extra=extra,
                          title="Refused" if status != 409 else "Problem")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError):
        said = []
        for e in err.errors()[:6]:
            where = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "form")]
            said.append(f"{'.'.join(where) or 'the request'}: {e.get('msg', 'not valid')}")
        return face.error(request, 400, "a value this page reads is missing or wrong: " + "; ".join(said))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException):
        if err.status_code == 404:
            why = f"{request.url.path}: no such page"
        elif err.status_code == 405:
            why = f"{request.url.path} does not take a {request.method}"
        elif err.status_code == 413:
            limit_here = next((r.max_body_size for r in app.router.routes if getattr(r, "path", None) ==
                               request.url.path and getattr(r, "max_body_size", None)), limit)
            why = f"too large: this page takes at most {size_words(int(limit_here))}"
        else:
            why = str(err.detail)
        return face.error(request, err.status_code, why, headers=getattr(err, "headers", None))

    @app.exception_handler(Exception)
    async def failed(request: Request, err: Exception):
        incident = secrets.token_hex(4)
        log.error("incident %s: %s %s", incident, request.method, request.url.path, exc_info=err)
        return face.error(request, 500, f"an unexpected error inside the {face.name} (incident {incident}; the "
                                        f"server's log has its details). Nothing more was changed; go back and "
                                        f"try again.", plain=True)

    if face.static is not None:
        app.mount("/static", StaticFiles(directory=str(face.static)), name="static")

    async def refuse(scope, receive, send, status, why):
        response = face.error(Request(scope, receive), status, why, plain=True)
        await response(scope, receive, send)

    app.add_middleware(SessionMiddleware, secret_key=face.secret, session_cookie=f"{face.name}_session",
                       same_site="lax", https_only=face.secure)
    app.add_middleware(Guard, bound=face.bound, public=face.public, access_token=face.access_token,
                       token_cookie=f"{face.name}_token", secure=face.secure, refuse=refuse,
                       body_timeout=face.body_timeout)
    stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: TooLarge(stack(), face)  # (Starlette builds it on the first request)
    return app


class TooLarge:
    """Starlette's body limit answers a request whose Content-Length is over the route's limit with its own
    plain "Content Too Large" (whatever the app answered, from outside every middleware): this gives that 413
    the face's page, the limit in words and the security headers instead.

    Outermost too: Starlette's error middleware sends the 500 page and then raises the exception again (for the
    server to log), and uvicorn answers an exception after a finished answer by closing the connection, so the
    next request a browser sends on that keep-alive connection was dropped. The exception was logged with its
    incident id by the kit's handler: once the answer is sent, it stops here."""

    def __init__(self, app, face: Face):
        self.app, self.face = app, face

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        replaced = False

        async def send_or_replace(message):
            nonlocal replaced, finished
            if replaced:
                return  # the plain answer's body
            if message["type"] == "http.response.start" and message.get("status") == 413:
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if b"content-security-policy" not in headers:  # Starlette's own, from outside the guard
                    replaced = True
                    from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY

                    from .guard import SECURITY_HEADERS
                    limit = scope.get(MAX_BODY_SIZE_SCOPE_KEY)
                    why = (f"too large: this page takes at most {size_words(int(limit))}" if limit else "too large")
                    response = self.face.error(Request(scope), 413, why, plain=True)
                    response.headers["cache-control"] = "no-store"
                    for k, v in SECURITY_HEADERS:
                        response.headers[k.decode()] = v.decode()
                    response.headers["connection"] = "close"

                    async def nothing():
                        return {"type": "http.disconnect"}
                    await response(scope, nothing, send)
                    return
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                finished = True

        finished = False
        try:
            await self.app(scope, receive, send_or_replace)
        except Exception:
            if not finished:
                raise
            log.debug("an exception after its 500 page was sent (logged above with its incident id)")


def file_response(request, path: Path, media_type: str, headers: dict | None = None):
    """A file, with byte ranges (a browser seeks a video with them; a range past the end is 416)."""
    from starlette.responses import FileResponse
    return FileResponse(path, media_type=media_type, headers=headers)


__all__ = ["Face", "Refused", "create_app", "file_response", "size_words", "BIG_INT"]
