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


def form_values(html: str, form_id: str) -> dict[str, str]:
    """The fields the form `form_id` of a page sends as a browser would, unchanged: inputs (a checkbox only
    when checked; no file), textareas, and each select's selected option (else its first)."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.inside, self.out = False, {}
            self.text = self.select = self.option = None
            self.options: list = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.inside = a.get("id") == form_id
            elif not self.inside:
                return
            elif tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
                if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                    self.out[a["name"]] = a.get("value") or ""
            elif tag == "textarea" and a.get("name"):
                self.text = a["name"]
                self.out[self.text] = ""
            elif tag == "select" and a.get("name"):
                self.select, self.options = a["name"], []
            elif tag == "option" and self.select:
                self.option = [a.get("value"), "selected" in a, ""]
                self.options.append(self.option)

        def handle_data(self, data):
            if self.text:
                self.out[self.text] += data
            elif self.option is not None:
                self.option[2] += data

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "textarea":
                self.text = None
            elif tag == "option":
                self.option = None
            elif tag == "select" and self.select:
                chosen = next((o for o in self.options if o[1]), self.options[0] if self.options else None)
                if chosen is not None:
                    self.out[self.select] = chosen[0] if chosen[0] is not None else chosen[2].strip()
                self.select = None

    p = Form()
    p.feed(html)
    return p.out
