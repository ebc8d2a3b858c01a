"""The one middleware every request of both faces passes, before any route sees it.

Written by hand because no middleware of the stack does these together, and each is a few lines of ASGI:
Starlette's TrustedHostMiddleware answers a wrong Host with plain text outside the face's error pages and
knows nothing of Origin; uvicorn bounds connections and header sizes but has no timeout for a request body
that stops arriving (a slow-body client would hold a worker thread for ever).

- **Host**: served on a loopback address, the Host header must name a loopback name (a page elsewhere cannot
  reach the server through a DNS name it controls and re-points at 127.0.0.1); with a public address
  configured, Host must be that address's host.
- **Origin**: every state-changing request (POST, PUT, PATCH, DELETE) whose browser says where it comes from
  must come from this server: `Origin: null` (a sandboxed frame, a `data:` page) and another site's origin
  are refused, and so is `Sec-Fetch-Site: cross-site` when no Origin is sent. Sign-in and register too.
- **Access token** (optional, the studio beyond this machine): every request carries the token, in the
  address once (then kept in an HttpOnly cookie and taken out of the address) or in that cookie.
- **Body timeout**: a request whose body stops arriving for `body_timeout` seconds is answered 408.
- **Security headers** on every answer: a strict Content-Security-Policy (scripts, styles, pictures and
  media from this server only; no inline script, no frames), nosniff, no framing, no referrer beyond the
  site, and no caching of pages.

A refusal here is a page of the face (through `refuse(scope, status, why)`), never a dropped connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import urllib.parse
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException

LOOPBACK = ("127.0.0.1", "localhost", "::1")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class BodyTimeout(HTTPException):
    """The request's body stopped arriving (an HTTPException, 408: a framework reading the body, as FastAPI does for
    a form, passes it on instead of answering that the body was malformed)."""

    def __init__(self, seconds: float = 0):
        super().__init__(408, f"the request's body stopped arriving for {seconds:g} s; send it again")


def host_of(value: str) -> str:
    """'127.0.0.1:8765' -> '127.0.0.1'; '[::1]:80' -> '::1'; lower case."""
    value = (value or "").strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def is_loopback(host: str) -> bool:
    """localhost, or an address of the loopback network read as an IP address (127.0.0.1.rebind.example is a DNS
    name a page's owner can point at this machine: not loopback)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Guard:
    """ASGI middleware: see the module's docstring. `refuse(scope, receive, send, status, why)` answers a
    refusal with the face's own page; `bound` is the address served on; `public` the public URL
    (https://festival.example) when the face is served beyond this machine behind a proxy."""

    def __init__(self, app, *, bound: str, public: str | None, access_token: str | None, token_cookie: str,
                 secure: bool, refuse: Callable[..., Awaitable[None]], body_timeout: float = 10.0):
        self.app = app
        self.bound = bound
        self.public_host = host_of(urllib.parse.urlsplit(public).netloc) if public else None
        self.public_origin = public.rstrip("/").lower() if public else None
        self.access_token = access_token
        self.token_cookie = token_cookie
        self.secure = secure
        self.refuse = refuse
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        started = False
        head = scope["method"] == "HEAD"
        if head:  # answered as the GET would be, without its body (FastAPI's routes take GET only)
            scope = {**scope, "method": "GET"}

        ended = False

        async def send_with_headers(message):
            nonlocal started, ended
            if head and message["type"] == "http.response.body":  # the head is the whole answer (a stream too)
                if ended:
                    return
                ended = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            if message["type"] == "http.response.start":
                started = True
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                if b"cache-control" not in have:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        why = self._why_refused(scope, headers)
        if why is not None:
            return await self.refuse(scope, receive, send_with_headers, *why)
        if self.access_token is not None:
            given = self._token_given(scope, headers)
            if not secrets.compare_digest(given.encode(), self.access_token.encode()):
                return await self.refuse(scope, receive, send_with_headers, 401,
                                         "this page needs its access token: open the address the server printed")
            query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if "token" in query and scope["method"] in ("GET", "HEAD"):  # keep it in a cookie, out of the address
                secure = "; Secure" if self.secure else ""
                cookie = f"{self.token_cookie}={self.access_token}; HttpOnly; SameSite=Strict; Path=/{secure}"
                rest = {k: v for k, v in query.items() if k != "token"}
                location = scope["path"] + ("?" + urllib.parse.urlencode(rest, doseq=True) if rest else "")
                await send_with_headers({"type": "http.response.start", "status": 303, "headers": [
                    (b"location", location.encode("latin-1", "replace")), (b"set-cookie", cookie.encode()),
                    (b"content-length", b"0")]})
                return await send_with_headers({"type": "http.response.body", "body": b""})

        timeout = self.body_timeout

        body_in = False  # once the body is in, what is awaited next is the client leaving (a stream of server-sent
        # events waits for that as long as it runs): no timeout then

        async def receive_in_time():
            nonlocal body_in
            if body_in:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout)
            except asyncio.TimeoutError:
                raise BodyTimeout(timeout) from None
            if message.get("type") != "http.request" or not message.get("more_body", False):
                body_in = True
            return message

        try:
            await self.app(scope, receive_in_time, send_with_headers)
        except BodyTimeout:
            if not started:
                await self.refuse(scope, receive, send_with_headers, 408,
                                  f"the request's body stopped arriving for {timeout:g} s; send it again")

    def _why_refused(self, scope, headers: dict) -> tuple[int, str] | None:
        host = host_of(headers.get("host", ""))
        if is_loopback(host_of(self.bound)) or self.bound in ("localhost",):
            if not is_loopback(host) and host != self.public_host:  # (a proxy on this machine names the public host)
                return 403, f"Host {host!r}: this server answers on 127.0.0.1 and localhost only"
        elif self.public_host is not None and host != self.public_host and not is_loopback(host):
            return 403, f"Host {host!r}: this server answers as {self.public_host} only"
        if scope["method"] in UNSAFE:
            origin = headers.get("origin")
            if origin is not None:
                if origin.strip().lower() == "null":
                    return 403, ("a change from a page with no origin (Origin: null: a sandboxed frame, a file or a "
                                 "data: page) is refused: only this server's own pages may change anything here")
                netloc = urllib.parse.urlsplit(origin.strip()).netloc.lower()
                own = headers.get("host", "").lower()
                if netloc != own and origin.rstrip("/").lower() != self.public_origin:
                    return 403, (f"a change from {origin} is refused: only this server's own pages may change "
                                 f"anything here")
            elif headers.get("sec-fetch-site", "") == "cross-site":
                return 403, "a change from another site is refused: only this server's own pages may change anything"
        return None

    def _token_given(self, scope, headers: dict) -> str:
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token"):
            return query["token"][-1]
        from starlette.requests import cookie_parser  # lenient: a malformed Cookie header is no token, not an error
        return cookie_parser(headers.get("cookie", "")).get(self.token_cookie, "")


__all__ = ["Guard", "BodyTimeout", "LOOPBACK", "CSP", "host_of", "is_loopback"]
