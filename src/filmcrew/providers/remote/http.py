"""HTTP for the remote vendors: one request function with the retry rules every vendor shares.

- 429 and the vendors' busy answers back off with jitter and honour `Retry-After` (seconds or an HTTP date);
- 5xx, 408 and broken connections are retried a bounded number of times;
- a connection accepted but silent for `timeout` seconds is reported as a hung server, not an unreachable one;
- 4xx (but 408/409/425/429) is final and handed back, so the vendor adapter can read its error body.

Keys travel only in the headers given here; nothing in this module writes them anywhere.
"""

from __future__ import annotations

import email.utils
import json
import random
import socket
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from ...errors import ProviderError

BUSY = (408, 409, 425, 429, 500, 502, 503, 504)
MAX_WAIT = 60.0


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self, what: str = "") -> dict:
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ProviderError(f"{what or 'the server'} answered {self.status} with something that is not JSON: "
                                f"{self.body[:120]!r}") from None
        if not isinstance(data, dict):
            raise ProviderError(f"{what or 'the server'} answered {self.status} with JSON that is not an object")
        return data


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
    value = (headers or {}).get("Retry-After") if headers is not None else None
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


def request(method: str, url: str, *, who: str, headers: dict | None = None, body: bytes | None = None,
            timeout: float = 120.0, retry: Retry | None = None, busy_check=None, final=None) -> Answer:
    """Send one request, retrying what is worth retrying (see the module's docstring). `busy_check(answer)` may
    return a number of seconds (or 0) when an answer is a vendor's "busy" code inside its body (HTTP 200 or
    not); `final(answer)` says an error answer must not be retried whatever its status (a moderation refusal
    a vendor sends as HTTP 500)."""
    retry = retry or Retry()
    last = ""
    for attempt in range(retry.attempts + 1):
        req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                ans = Answer(resp.status, dict(resp.headers), resp.read())
            if busy_check is not None:
                wait = busy_check(ans)
                if wait is not None and attempt < retry.attempts:
                    retry.wait(attempt, wait or None)
                    continue
            return ans
        except urllib.error.HTTPError as err:
            ans = Answer(err.code, dict(err.headers or {}), err.read() or b"")
            if final is not None and final(ans):
                return ans
            wait = busy_check(ans) if busy_check is not None else None
            if wait is not None and attempt < retry.attempts:
                last = f"{err.code}"
                retry.wait(attempt, wait or retry_after(err.headers))
                continue
            if err.code in BUSY and attempt < retry.attempts:
                last = f"{err.code}"
                retry.wait(attempt, retry_after(err.headers))
                continue
            return ans
        except (TimeoutError, socket.timeout):
            raise ProviderError(f"{who}: {url} accepted the connection but did not answer within {timeout:g} s; the "
                                f"server may be stuck or slow (raise its timeout setting)") from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise ProviderError(f"{who}: {url} did not answer within {timeout:g} s; the server may be stuck or "
                                    f"slow (raise its timeout setting)") from None
            last = str(err.reason)
            if attempt < min(retry.attempts, 1):
                retry.wait(attempt, None)
                continue
            raise ProviderError(f"{who}: cannot reach {url} ({err.reason}); is the server running? Check base_url") from None
        except ConnectionError as err:
            last = str(err)
            if attempt < retry.attempts:
                retry.wait(attempt, None)
                continue
    raise ProviderError(f"{who}: {url} was still busy or failing after {retry.attempts} retries ({last}); try again later")
