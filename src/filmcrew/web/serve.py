"""Serving a face with uvicorn: in the foreground (`filmcrew studio`, `filmcrew festival serve`) or on a thread of
this process (the tests, and the studio's own make runs beside it).

The limits are uvicorn's own: open connections beyond `LIMIT_CONCURRENCY` are answered 503 (not dropped), a
request's head larger than `MAX_HEAD` is refused, an idle kept-alive connection is closed after a few seconds,
and the listening queue is deep (2048) so that a crowd of visitors waits instead of being turned away. A body
that stops arriving is the guard's (web/guard.py): uvicorn has no timeout for it.
"""

from __future__ import annotations

import socket
import threading
import time

LIMIT_CONCURRENCY = 200  # open connections (and requests in progress) per process
MAX_HEAD = 64 * 1024  # request line and headers
KEEP_ALIVE_S = 5


def config(app, host: str, port: int, *, workers: int | None = None, proxy: str | None = None,
           factory: bool = False):
    try:
        import uvicorn
    except ImportError:
        from ..errors import FilmcrewError
        from .kit import INSTALL
        raise FilmcrewError(f"serving a web page needs uvicorn: {INSTALL}") from None
    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off",
                          limit_concurrency=LIMIT_CONCURRENCY, timeout_keep_alive=KEEP_ALIVE_S,
                          h11_max_incomplete_event_size=MAX_HEAD, workers=workers,
                          proxy_headers=proxy is not None, forwarded_allow_ips=proxy, server_header=False,
                          factory=factory)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); port 0 takes a free one. OSError when the address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class Background:
    """A face served on a thread of this process: `start()` returns once it answers; `port`; `close()`."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        import uvicorn
        self.host = host
        self.sock = listen(host, port)
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(config(app, host, self.port))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True,
                                       name=f"uvicorn-{self.port}")

    def start(self) -> Background:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web server on {self.host}:{self.port} did not start")
            time.sleep(0.02)
        return self

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def foreground(app, host: str, port: int, *, workers: int | None = None, proxy: str | None = None,
               sock: socket.socket | None = None, factory: bool = False) -> None:
    """Serve until Ctrl-C (uvicorn's own signal handling: requests in progress are finished first). With
    `workers` > 1, `app` is an import string ("package.module:create_app", `factory`: a function making the
    app) that each worker process imports; they share the listening socket."""
    import uvicorn
    cfg = config(app, host, port, workers=workers, proxy=proxy, factory=factory)
    if workers and workers > 1:
        from uvicorn.supervisors import Multiprocess
        Multiprocess(cfg, sockets=[sock if sock is not None else cfg.bind_socket()]).run()
        return
    server = uvicorn.Server(cfg)
    server.run(sockets=[sock] if sock is not None else None)


__all__ = ["Background", "foreground", "listen", "config"]
