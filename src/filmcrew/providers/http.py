"""HTTP for every vendor (the remote job vendors, the chat writer, the speech voice): one request function on
`httpx`, one retry policy, one way of saying what went wrong.

What is retried, and what never is:

- **Nothing was sent** (the connection was refused, the name did not resolve, no connection within the
  timeout): `NotSent`. Safe to try again for any method; tried once more.
- **An answer that says "not now"**: 429, 408, 425, 503, the vendor's own busy codes (`busy_check`), and
  409/500/502 when they come as the vendor's JSON error: backed off with jitter, honouring `Retry-After` (seconds
  or an HTTP date, at most `MAX_WAIT`), up to `Retry.attempts` times. The server said it did not take the
  request, so this holds for a paid submit too. `final(answer)` marks an answer never to retry whatever its
  status (a moderation refusal a vendor sends as HTTP 500).
- **The request may have reached the server but its answer was lost** (no answer within the timeout, the
  connection dropped after the request went out, an answer cut off, a gateway's HTML page or a 504 instead of
  the vendor's JSON): `Unsure`, with its `cause` in plain words. A GET (a poll, a download) is asked again;
  a request that is not idempotent (a POST that submits a paid job) is **never** sent again on its own: the
  job layer journals it as "may have been billed" (`jobs.LostSubmitError`). A hung server (connected, then
  silent) and an unreachable one are reported differently.

While a paid submit is out, the job layer listens (`sending(on_wire)`): `on_wire()` is called when the request's
first byte is about to leave (httpx's trace of the connection), so the journal says "submitting" only for a
request that may really have reached the vendor; one that failed before that spent nothing.

The retry policy is one small function (`request`'s loop and `Retry.wait`) rather than `stamina` or `tenacity`:
the decision depends on what the answer said (Retry-After, a busy code inside a 200 body, a vendor's final
codes) and on whether the request may have reached the server, which those libraries express only as
exception predicates around the whole call; a loop of 40 lines is easier to read here than their
configuration, and needs no further dependency. Keys travel only in the headers given here; nothing in this
module writes them anywhere. Each request opens its own connection (a kept-alive connection the server has
closed would make a POST look lost when it never left).
"""

from __future__ import annotations

import contextvars
import email.utils
import json
import random
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from ..errors import ConfigError, ProviderError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
BUSY = (408, 409, 425, 429, 500, 502, 503, 504)  # busy or briefly broken: worth asking again (an idempotent request)
SAID_NOT_TAKEN = (408, 425, 429, 503)  # answers that say the request was not taken, whatever their body
MAX_WAIT = 60.0  # the longest a Retry-After is honoured, in seconds
IDEMPOTENT = ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")


class NotSent(ProviderError):
    """The request never reached the server (refused, unresolvable, no connection in time): nothing was taken."""


class Unsure(ProviderError):
    """The request may have reached the server, but its answer was lost; `cause` says how, in plain words."""

    def __init__(self, message: str, cause: str):
        super().__init__(message)
        self.cause = cause


_on_wire: contextvars.ContextVar = contextvars.ContextVar("filmcrew_on_wire", default=None)


@contextmanager
def sending(on_wire):
    """Within this block, `on_wire()` is called once, just before the first non-idempotent request's bytes leave
    this machine (the job layer journals the submit as "submitting" there)."""
    token = _on_wire.set([on_wire])
    try:
        yield
    finally:
        _on_wire.reset(token)


def announce() -> None:
    """Call the listener of `sending` (once); for a request made by other means than `request`."""
    box = _on_wire.get()
    if box and box[0] is not None:
        fn, box[0] = box[0], None
        fn()


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self, what: str = "") -> dict:
        """The body as a JSON object. A body that is not JSON is `Unsure` for a 2xx or 5xx answer (a proxy's page
        where the vendor's answer belongs: the request may have been taken), else a ProviderError."""
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            msg = (f"{what or 'the server'} answered {self.status} with something that is not JSON: "
                   f"{self.body[:120]!r}")
            if self.status < 300 or self.status >= 500:
                raise Unsure(msg, f"the answer ({self.status}) is not JSON: {self.body[:60]!r}") from None
            raise ProviderError(msg) from None
        if not isinstance(data, dict):
            raise ProviderError(f"{what or 'the server'} answered {self.status} with JSON that is not an object")
        return data

    def is_json(self) -> bool:
        try:
            json.loads(self.body.decode("utf-8"))
            return True
        except (UnicodeDecodeError, json.JSONDecodeError):
            return False


@dataclass
class Retry:
    attempts: int = 4  # retries after the first try
    base: float = 1.0  # first back-off, doubled each time, with +-25% jitter
    max_wait: float = MAX_WAIT
    sleep: object = field(default=time.sleep, repr=False)

    def wait(self, attempt: int, retry_after: float | None) -> None:
        if retry_after is not None:
            delay = retry_after
        else:
            delay = self.base * (2 ** attempt) * random.uniform(0.75, 1.25)
        self.sleep(min(max(0.0, delay), self.max_wait))


def retry_after(headers) -> float | None:
    """The server's Retry-After, in seconds (a number, or an HTTP date), if it sent one."""
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def vendor_message(ans: Answer) -> str:
    """What the vendor said in an error answer, and the field it names where it names one: OpenAI's and Ark's
    `error.message` (+ `error.param`), Runway's `error` + `issues[].path`, Kling's `message`, MiniMax's
    `base_resp.status_msg`, Google's `error.message` + `fieldViolations[].field`; else the body's start."""
    try:
        data = json.loads(ans.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ans.body[:200].decode("utf-8", "replace").strip() or f"HTTP {ans.status}"
    if not isinstance(data, dict):
        return str(data)[:200]
    err, fields = data.get("error"), []
    if isinstance(err, dict):
        msg = str(err.get("message") or err.get("code") or err)
        if err.get("param"):
            fields.append(str(err["param"]))
        for d in err.get("details") or []:
            for v in (d or {}).get("fieldViolations") or [] if isinstance(d, dict) else []:
                fields.append(f"{v.get('field')}: {v.get('description', '')}".strip(": "))
    elif err:
        msg = str(err)
    else:
        msg = str(data.get("message") or (data.get("base_resp") or {}).get("status_msg") or ans.body[:200])
    for issue in data.get("issues") or []:  # Runway's validation errors
        if isinstance(issue, dict):
            path = ".".join(str(p) for p in issue.get("path") or [])
            fields.append(f"{path}: {issue.get('message', '')}".strip(": ") if path else str(issue.get("message", "")))
        else:
            fields.append(str(issue))
    return msg[:300] + (f" (field {'; '.join(f for f in fields if f)})" if any(fields) else "")


def multipart(fields: list[tuple[str, str | tuple[str, bytes, str]]]) -> tuple[bytes, str]:
    """A multipart/form-data body: each field is (name, text) or (name, (file name, bytes, content type))."""
    boundary = f"filmcrew-{uuid.uuid4().hex}"
    out = bytearray()
    for name, value in fields:
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, tuple):
            fname, data, ctype = value
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{fname}"\r\n'
                    f"Content-Type: {ctype}\r\n\r\n").encode()
            out += data
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + str(value).encode("utf-8")
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def check_url(provider: str, base_url, example: str = "") -> str:
    """`base_url` without its trailing slash; ConfigError naming the setting when it is not an http(s) URL."""
    parsed = urllib.parse.urlparse(base_url) if isinstance(base_url, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"filmcrew.toml: [providers.{provider}] base_url: {base_url!r} is not an http(s) URL"
                          + (f", e.g. \"{example}\"" if example else ""))
    return base_url.rstrip("/")


class Endpoint:
    """A vendor's base URL and the bearer key read from the environment variable named in the settings (the key
    stays in this object; it is never written anywhere)."""

    def __init__(self, provider: str, base_url, api_key_env: str, env: dict | None,
                 example: str = "http://127.0.0.1:8080/v1"):
        self.provider = provider
        self.base_url = check_url(provider, base_url, example)
        self.api_key_env = api_key_env
        self._key = (env or {}).get(api_key_env, "") if api_key_env else ""
        self.local = urllib.parse.urlparse(self.base_url).hostname in LOCAL_HOSTS  # a server here may need no key

    def headers(self) -> dict:
        """JSON request headers with the bearer key; a remote endpoint without a key is an error (nothing sent)."""
        if not self._key and not self.local:
            raise NotSent(f"{self.provider}: no API key: set the environment variable {self.api_key_env} "
                          f"(the name comes from api_key_env in [providers.{self.provider}])")
        headers = {"Content-Type": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        return headers


def _said_not_taken(ans: Answer) -> bool:
    """An error answer in which the server says it did not take the request (safe to send a submit again)."""
    return ans.status in SAID_NOT_TAKEN or (ans.status in (409, 500, 502) and ans.is_json())


def request(method: str, url: str, *, who: str, headers: dict | None = None, body: bytes | None = None,
            timeout: float = 120.0, retry: Retry | None = None, busy_check=None, final=None,
            idempotent: bool | None = None, where: str = "") -> Answer:
    """Send one request, retrying what is worth retrying (see the module's docstring). `busy_check(answer)` may
    return a number of seconds (or 0) when an answer is a vendor's "busy" code inside its body (HTTP 200 or
    not); `final(answer)` says an error answer must not be retried whatever its status. `idempotent` (default:
    by method) says whether a request that may have reached the server may be sent again. `where` names the
    settings in messages (default `[providers.WHO]`)."""
    retry = retry or Retry()
    method = method.upper()
    idempotent = method in IDEMPOTENT if idempotent is None else idempotent
    where = where or f"[providers.{who.split(' ')[0]}]"
    box = None if idempotent else _on_wire.get()
    last = ""

    def trace(event: str, info) -> None:
        if event.endswith("send_request_headers.started") and box and box[0] is not None:
            announce()

    for attempt in range(retry.attempts + 1):
        got_head = False
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False) as client:
                with client.stream(method, url, content=body, headers=headers or {},
                                   extensions={"trace": trace}) as resp:
                    got_head = True
                    data = resp.read()
                    ans = Answer(resp.status_code, dict(resp.headers), data)
        except (httpx.ConnectTimeout, httpx.PoolTimeout):
            last = f"no connection within {timeout:g} s"
            if attempt < min(retry.attempts, 1):
                retry.wait(attempt, None)
                continue
            raise NotSent(f"{who}: cannot reach {url}: no connection within {timeout:g} s; is the server running and "
                          f"reachable? Check base_url in {where}") from None
        except httpx.ConnectError as err:
            last = str(err) or "connection refused"
            if attempt < min(retry.attempts, 1):
                retry.wait(attempt, None)
                continue
            raise NotSent(f"{who}: cannot reach {url} ({last}); is the server running? Check base_url in {where}") from None
        except httpx.TimeoutException:  # connected, but silent (or too slow to take the request)
            cause = f"it did not answer within {timeout:g} s"
            msg = (f"{who}: {url} accepted the connection but did not answer within {timeout:g} s; the server may be "
                   f"stuck or too slow: raise timeout in {where} or restart the server")
            raise Unsure(msg, cause) if not idempotent else ProviderError(msg) from None
        except (httpx.TransportError, httpx.DecodingError) as err:
            cause = (f"the answer was cut off ({err})" if got_head else
                     f"the connection dropped before any answer ({err or type(err).__name__})")
            last = cause
            if idempotent and attempt < retry.attempts:
                retry.wait(attempt, None)
                continue
            msg = f"{who}: {url}: {cause}; is the server (or a proxy before it) restarting? Check base_url in {where}"
            raise Unsure(msg, cause) if not idempotent else ProviderError(msg) from None
        if ans.status < 400:
            wait = busy_check(ans) if busy_check is not None else None
            if wait is not None and attempt < retry.attempts:
                last = f"{ans.status} busy"
                retry.wait(attempt, wait or retry_after(ans.headers))
                continue
            return ans
        if final is not None and final(ans):
            return ans
        wait = busy_check(ans) if busy_check is not None else None
        retryable = wait is not None or (ans.status in BUSY and (idempotent or _said_not_taken(ans)))
        if retryable and attempt < retry.attempts:
            last = f"{ans.status}: {vendor_message(ans)}"
            retry.wait(attempt, wait or retry_after(ans.headers))
            continue
        if not idempotent and ans.status >= 500 and not _said_not_taken(ans) and wait is None:
            cause = f"the answer was {ans.status} from a gateway, not the vendor's: {vendor_message(ans)[:80]}"
            raise Unsure(f"{who}: {url} answered {ans.status} ({vendor_message(ans)}); the request may have reached "
                         f"the vendor", cause)
        if retryable:
            raise ProviderError(f"{who}: {url} still answered {ans.status} ({vendor_message(ans)}) after "
                                f"{retry.attempts} retries; try again later")
        return ans
    raise ProviderError(f"{who}: {url} was still busy or failing after {retry.attempts} retries ({last}); try again later")


def post_json(ep: Endpoint, path: str, body: dict, timeout: float, attempts: int = 3, sleep=time.sleep) -> bytes:
    """POST `body` as JSON to the endpoint's `path` (the chat writer, the speech voice); the answer's bytes, or a
    ProviderError saying what the server said (401/403: the key; 400/422: the schema)."""
    where = f"[providers.{ep.provider}]"
    url = f"{ep.base_url}{path}"
    ans = request("POST", url, who=ep.provider, headers=ep.headers(), timeout=timeout, where=where,
                  body=json.dumps(body, ensure_ascii=False).encode("utf-8"), retry=Retry(attempts=attempts, sleep=sleep))
    if ans.status < 300:
        return ans.body
    detail = vendor_message(ans)
    if ans.status in (401, 403):
        raise ProviderError(f"{ep.provider}: {url} refused the request ({ans.status}: {detail}); check the key in "
                            f"the environment variable {ep.api_key_env}")
    hint = (f"; if the server does not accept the JSON schema, set strict = false or response_format = "
            f"\"json_object\" in {where}" if ans.status in (400, 422) else "")
    raise ProviderError(f"{ep.provider}: {url} answered {ans.status}: {detail}{hint}")
