"""HTTP pieces the studio and the festival share (neither imports the other)."""

from __future__ import annotations

import re
from pathlib import Path


def send_file(handler, path: Path, ctype: str, headers: dict | None = None) -> None:
    """Answer `handler`'s request with the file at `path`, honouring a byte range (a browser seeks a video with
    them): 206 with the range, 416 for a range past the end."""
    size = path.stat().st_size
    rng = re.match(r"bytes=(\d*)-(\d*)$", handler.headers.get("Range", ""))
    start, end = 0, size - 1
    status = 200
    if rng and (rng.group(1) or rng.group(2)):
        if rng.group(1):
            start = int(rng.group(1))
            end = int(rng.group(2)) if rng.group(2) else size - 1
        else:
            start = max(0, size - int(rng.group(2)))
        end = min(end, size - 1)
        if start > end:
            handler.send_response(416)
            handler.send_header("Content-Range", f"bytes */{size}")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        status = 206
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Accept-Ranges", "bytes")
    handler.send_header("Content-Length", str(end - start + 1))
    handler.send_header("X-Content-Type-Options", "nosniff")
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    if status == 206:
        handler.send_header("Content-Range", f"bytes {start}-{end}/{size}")
    handler.end_headers()
    if handler.command == "HEAD":
        return
    with open(path, "rb") as fh:
        fh.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = fh.read(min(1 << 16, left))
            if not chunk:
                break
            handler.wfile.write(chunk)
            left -= len(chunk)


def origin_ok(headers) -> bool:
    """Whether a request's Origin (when the browser sent one) is the server's own host: a form posted from
    another site is not."""
    import urllib.parse
    origin = headers.get("Origin")
    if not origin or origin == "null":
        return True
    return urllib.parse.urlsplit(origin).netloc.lower() == (headers.get("Host") or "").lower()
