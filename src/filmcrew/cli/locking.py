"""The project lock around every command that writes the store, its temporary folder or the project's files
(export, import, lines, dub, consistency, take): they and a `make` (from a terminal, the studio or an agent)
never run at once; the second is refused and names the first (engine/lock.py). `export` during a make used to
clear the make's temporary folder under it."""

from __future__ import annotations

import functools
from pathlib import Path

from .. import project


def locked(what: str, when=lambda a: True):
    """Run the command under the project's lock (`when(args)`: only when it will write)."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(a) -> int:
            if not when(a):
                return fn(a)
            from ..engine.lock import make_lock
            root = Path(a.project)
            project.load_config(root)  # not a project: said before any lock file is made
            with make_lock(root, what):
                return fn(a)
        return run
    return wrap


__all__ = ["locked"]
