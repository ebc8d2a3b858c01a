"""One make at a time per project: `make` (from a terminal or from the studio) holds an exclusive lock on
`.filmcrew/make.lock` while it runs, so two never write over each other. The lock is the operating system's
(flock): a make that is killed lets go of it at once, and nothing stale is left to clean up."""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import FilmcrewError
from .layout import Layout


class BusyError(FilmcrewError):
    """Another make of the same project is running."""


def _path(root: Path) -> Path:
    p = Layout.of(root).lock
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def _who(p: Path) -> dict:
    """What the holder wrote of itself ({"pid", "since", "what"}); {} when it wrote nothing readable yet."""
    try:
        return json.loads(p.read_text() or "{}")
    except ValueError:
        return {}


def holder(root: Path) -> dict | None:
    """Who holds the project's make lock ({"pid", "since", "what"}), or None when nobody does."""
    p = _path(root)
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _who(p) or {"pid": None}
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextmanager
def make_lock(root: Path, what: str = "make"):
    """Hold the project's make lock, or raise BusyError naming who holds it."""
    p = _path(root)
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = _who(p)
            since = time.strftime("%H:%M:%S", time.localtime(who["since"])) if who.get("since") else "a moment ago"
            raise BusyError(f"another {who.get('what', 'make')} of {root} is running (pid {who.get('pid', '?')}, since "
                            f"{since}); wait for it to finish, or stop it, then try again") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "since": time.time(), "what": what}).encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


__all__ = ["make_lock", "holder", "BusyError"]
