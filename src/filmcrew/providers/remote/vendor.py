"""What every vendor's adapter shares, so a vendor module holds only what its vendor does differently.

A vendor adapter (`jobs.Adapter`: submit, poll, fetch, find) talks to one vendor through the one HTTP layer
(`providers/http.py`). What was written again in each vendor module is here:

- `VendorAdapter`: the provider it serves, one `send` (the vendor's base URL, headers and timeout, a JSON body),
  the error said the same way for every vendor (`refused_key`: the key, naming the variable that holds it;
  `answered`: what the vendor answered, with the field it named), a submit's answer that names no task
  (`handle_of`: `http.Unsure`, since the job may exist), a refusal at submit turned into the job's state
  (`refused_at_submit`), the download of a result link (`fetch`), and no way to find a lost submit (`find`).
- `vendor_code`: a number a vendor puts in its JSON answer (MiniMax's `base_resp.status_code`, Kling's `code`),
  for the busy and final checks the HTTP layer asks.
- `choice`: a setting of `[providers.NAME]` checked against the values a vendor takes, the error naming the file,
  the table and the field.

The vendors' own tables (endpoints, fields, status names, codes) stay in their modules.
"""

from __future__ import annotations

import json

from ...errors import ConfigError, ProviderError
from .. import http
from . import jobs


def vendor_code(ans: http.Answer, *path: str) -> int | None:
    """The whole number at `path` in the answer's JSON body (("base_resp", "status_code"), ("code",)); None when
    the body is not JSON or holds none there."""
    try:
        value = json.loads(ans.body.decode("utf-8"))
        for key in path:
            value = value.get(key) or {}
        return int(value)
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def error_of(ans: http.Answer, key: str | None = None) -> dict:
    """The vendor's JSON error object: the body, or its `key` member (a message alone becomes {"message": ...});
    {} when the body is not JSON."""
    try:
        body = json.loads(ans.body.decode("utf-8"))
        err = body.get(key) if key else body
    except (ValueError, UnicodeDecodeError, AttributeError):
        return {}
    return err if isinstance(err, dict) else {"message": str(err)} if err else {}


def said_no(who: str, ans: http.Answer, code: str, message: str, refused: bool, key_env: str, where: str) -> jobs.Status:
    """A vendor's answer other than 200 to a request answered at once (an image): its moderation's refusal
    (`refused`) is the job's final state; a refused key, or anything else, a ProviderError naming `where` and,
    for the key, the variable that holds it."""
    if refused:
        return jobs.Status(jobs.REFUSED, detail=f"{code}: {message}")
    if ans.status in (401, 403):
        raise ProviderError(f"{who}: {where} refused the key ({code}: {message}); check the environment variable "
                            f"{key_env}")
    raise ProviderError(f"{who}: {where} answered {ans.status} {code}: {http.vendor_message(ans)}")


def choice(provider: str, field: str, value, known, say: str = ""):
    """`value` when it is one of `known`; else ConfigError naming filmcrew.toml's [providers.PROVIDER] FIELD and
    what to write instead (`say`, or the values filmcrew knows)."""
    if value not in known:
        raise ConfigError(f"filmcrew.toml: [providers.{provider}] {field}: {value!r}; "
                          + (say or f"filmcrew knows {', '.join(known)}"))
    return value


class VendorAdapter:
    """The job layer's adapter for one vendor's provider `p` (which holds its settings and its `http.Endpoint`,
    or its own `base_url` and `headers()`)."""

    finds_lost_submits = False

    def __init__(self, p):
        self.p, self.name = p, p.name

    # ---- the wire --------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        ep = getattr(self.p, "http", None)
        return ep.base_url if ep is not None else self.p.base_url

    def headers(self) -> dict:
        own = getattr(self.p, "headers", None)
        return own() if callable(own) else self.p.http.headers()

    def send(self, method: str, path: str, body: dict | None = None, **kw) -> http.Answer:
        """One request to the vendor: `path` below its base URL (or a whole URL), `body` as JSON; `kw` goes to
        http.request (busy_check, final)."""
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        return http.request(method, url, who=self.name, timeout=self.p.timeout, headers=self.headers(),
                            body=json.dumps(body).encode() if body is not None else None, **kw)

    # ---- what is said ----------------------------------------------------------------------------------------
    def key_env(self) -> str:
        ep = getattr(self.p, "http", None)
        return ep.api_key_env if ep is not None else self.p.api_key_env

    def refused_key(self, detail) -> ProviderError:
        return ProviderError(f"{self.name}: the key was refused ({detail}); check {self.key_env()}")

    def answered(self, ans: http.Answer, what: str, code="") -> ProviderError:
        """`what` answered STATUS [CODE]: the vendor's message, with the field it named (http.vendor_message)."""
        return ProviderError(f"{self.name}: {what} answered {ans.status}{f' {code}' if code else ''}: "
                             f"{http.vendor_message(ans)}")

    def answer(self, ans: http.Answer, what: str) -> dict:
        """The JSON of a 200 answer; any other answer is said by the vendor's own `said` (which raises)."""
        if ans.status == 200:
            return ans.json(self.name)
        self.said(ans, what)
        raise self.answered(ans, what)

    def said(self, ans: http.Answer, what: str) -> None:
        """Raise what a vendor's answer other than 200 means (a vendor module says it in its own words)."""
        if ans.status in (401, 403):
            raise self.refused_key(ans.status)

    def handle_of(self, value, field: str) -> str:
        """The task a submit's answer names at `field`; http.Unsure when it names none (the job may exist)."""
        if not value:
            raise http.Unsure(f"{self.name}: the answer to the submit has no {field}", "the answer names no task")
        return value

    @staticmethod
    def refused_at_submit(err: jobs.RefusedError, handle: dict | None = None) -> jobs.Submitted:
        """A submit the vendor's moderation refused: the job's final state, not an error to retry."""
        return jobs.Submitted(handle=handle or {}, status=jobs.Status(jobs.REFUSED, detail=str(err)))

    # ---- the result --------------------------------------------------------------------------------------------
    def fetch(self, status: jobs.Status) -> bytes:
        return jobs.download(status.url, self.name, self.p.timeout)

    def find(self, client_id: str):
        return None
