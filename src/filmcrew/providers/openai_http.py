"""What the OpenAI-compatible providers (the chat writer, the speech voice) share: the endpoint's base
URL, the key read from the environment variable named in the settings, the request headers, and the
message inside an error answer. The key stays in this object; it is never written anywhere."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse

from ..errors import ConfigError, ProviderError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


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
