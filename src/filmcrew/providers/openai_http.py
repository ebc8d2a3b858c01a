"""What the OpenAI-compatible providers (the chat writer, the speech voice) share: the endpoint's base
URL, the key read from the environment variable named in the settings, the request headers, and the
message inside an error answer. The key stays in this object; it is never written anywhere."""
from __future__ import annotations

import email.utils
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from ..errors import ConfigError, ProviderError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
RETRY_STATUS = (408, 409, 425, 429, 500, 502, 503, 504)  # busy or briefly broken: worth asking again
MAX_WAIT = 60.0  # the longest a Retry-After is honoured, in seconds


class Endpoint:
    def __init__(self, provider: str, base_url: str, api_key_env: str, env: dict | None):
        parsed = urllib.parse.urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"filmcrew.toml: [providers.{provider}] base_url: {base_url!r} is not an http(s) URL, "
                              f"e.g. \"http://127.0.0.1:8080/v1\"")
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.api_key_env = api_key_env
        self._key = (env or {}).get(api_key_env, "") if api_key_env else ""
        self.local = parsed.hostname in LOCAL_HOSTS  # a server on this machine may need no key

    def headers(self) -> dict:
        """JSON request headers with the bearer key; a remote endpoint without a key is an error."""
        if not self._key and not self.local:
            raise ProviderError(f"{self.provider}: no API key: set the environment variable {self.api_key_env} "
                                f"(the name comes from api_key_env in [providers.{self.provider}])")
        headers = {"Content-Type": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        return headers


def error_detail(err: urllib.error.HTTPError) -> str:
    """The `error.message` of an OpenAI-style error answer, else its start."""
    raw = err.read().decode("utf-8", "replace")
    try:
        body = json.loads(raw)
        msg = body.get("error", body)
        return (msg.get("message") if isinstance(msg, dict) else str(msg))[:300]
    except Exception:
        return raw[:300] or (err.reason or "")


def retry_after(err: urllib.error.HTTPError) -> float | None:
    """The server's Retry-After, in seconds (a number, or an HTTP date), if it sent one."""
    value = (err.headers or {}).get("Retry-After", "") if err.headers is not None else ""
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def post(ep: Endpoint, path: str, body: dict, timeout: float, attempts: int = 3, sleep=time.sleep) -> bytes:
    """POST `body` as JSON to the endpoint's `path`; the answer's bytes. Busy answers (429, 5xx, 408, 409) are
    asked again up to `attempts` more times, after the server's Retry-After (at most MAX_WAIT) or a doubling
    delay (425 too); a connection that fails is tried once more. Errors say which: refused, unreachable, or reachable
    but silent for `timeout` seconds."""
    headers = ep.headers()
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    url = f"{ep.base_url}{path}"
    where = f"[providers.{ep.provider}]"
    delay = 1.0
    for attempt in range(attempts + 1):
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as err:
            detail = error_detail(err)
            if err.code in (401, 403):
                raise ProviderError(f"{ep.provider}: {url} refused the request ({err.code}: {detail}); check the key in "
                                    f"the environment variable {ep.api_key_env}") from None
            if err.code in RETRY_STATUS and attempt < attempts:
                sleep(min(retry_after(err) if retry_after(err) is not None else delay, MAX_WAIT))
                delay *= 2
                continue
            if err.code in RETRY_STATUS:
                raise ProviderError(f"{ep.provider}: {url} still answered {err.code} ({detail}) after {attempts} "
                                    f"retries; try again later") from None
            hint = (f"; if the server does not accept the JSON schema, set strict = false or response_format = "
                    f"\"json_object\" in {where}" if err.code in (400, 422) else "")
            raise ProviderError(f"{ep.provider}: {url} answered {err.code}: {detail}{hint}") from None
        except (TimeoutError, socket.timeout) as err:  # reachable, but no answer in time: not "cannot reach"
            raise ProviderError(f"{ep.provider}: {url} accepted the connection but did not answer within {timeout:g} s "
                                f"({err or 'timed out'}); the server may be stuck or too slow: raise timeout in {where} "
                                f"or restart the server") from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise ProviderError(f"{ep.provider}: {url} did not answer within {timeout:g} s; the server may be stuck "
                                    f"or too slow: raise timeout in {where} or restart the server") from None
            if attempt < 1:
                sleep(delay)
                continue
            raise ProviderError(f"{ep.provider}: cannot reach {url} ({err.reason}); is the server running? "
                                f"Check base_url in {where}") from None
        except ConnectionError as err:
            if attempt < 1:
                sleep(delay)
                continue
            raise ProviderError(f"{ep.provider}: the connection to {url} broke ({err}); is the server running? "
                                f"Check base_url in {where}") from None
    raise ProviderError(f"{ep.provider}: {url} kept failing after {attempts} retries")  # not reached
