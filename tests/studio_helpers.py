"""What the studio's tests share (a helper module, not a test file: the studio tests import it instead of importing
test_studio): a studio served on a thread, and plain HTTP GET and POST against it."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def serve(root: Path, host: str = "127.0.0.1"):
    from filmcrew.studio.app import Studio
    studio = Studio(root, host=host, port=0)
    studio.start()  # uvicorn on a thread (web.serve.Background); studio.port is the port it took
    return studio


def base(studio) -> str:
    return f"http://127.0.0.1:{studio.port}"


def get(url: str, headers: dict | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


def post(url: str, fields: dict, headers: dict | None = None) -> tuple[int, str, dict]:
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST")
    try:
        with urllib.request.build_opener(NoRedirect).open(req) as r:
            return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), dict(err.headers)
