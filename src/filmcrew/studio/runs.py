"""A command started from the studio (`make`, `write`, `export`, `check`): the command line's own, in a child
process, its output kept in `.filmcrew/studio/NAME.log` (shown as it is), cancellable. A make's progress is read
from its events (engine/events.py: the studio names the run, FILMCREW_RUN, so it knows the file), never from
its log text.

`make` takes the project's lock itself (engine/lock.py), so a make started here and one typed in a terminal
never run at once: the second is refused and says who holds the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import events
from ..engine.layout import Layout

COMMANDS = {  # what the studio may start, and its arguments after the project
    "make": ("make",), "make-preview": ("make", "--preview"), "write": ("write",),
    "export": ("export",), "export-preview": ("export", "--preview"),
}


@dataclass
class Run:
    name: str
    args: list
    log: Path
    proc: subprocess.Popen
    run: str = ""  # the run's name: its events are in .filmcrew/events/RUN.jsonl
    events: Path | None = None
    started: float = field(default_factory=time.time)
    cancelled: bool = False

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def progress(self) -> dict:
        """What the make's events say so far: tasks ended of the plan's, and the failed ones (artifact, shot, why)."""
        done = total = None
        failed = []
        for ev in (events.read(self.events)[0] if self.events is not None else []):
            if ev.get("type") == "run_started":
                total, done = ev.get("tasks"), 0
            elif ev.get("type") == "task_ended":
                done, total = ev.get("done"), ev.get("total")
                if ev.get("outcome") == "failed":
                    failed.append({"artifact": ev.get("artifact"), "shot": ev.get("shot"), "error": ev.get("error", "")})
        return {"done": done, "total": total, "failed": failed}

    def state(self) -> dict:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        lines = [ln for ln in text.replace("\r", "\n").splitlines() if ln.strip()]
        code = self.proc.poll()
        return {"name": self.name, "run": self.run, "command": " ".join(["filmcrew", *self.args]),
                "running": code is None, "returncode": code, "cancelled": self.cancelled, **self.progress(),
                "seconds": round(time.time() - self.started, 1), "log": lines[-60:]}


class Runs:
    """The studio's runs: one at a time (what the project lock allows anyway), the last one kept to show."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.current: Run | None = None
        self._lock = threading.Lock()

    def start(self, name: str, extra: tuple | list = ()) -> Run:
        """Start command `name` (COMMANDS) with `extra` arguments after its own (a make's confirmed --budget)."""
        if name not in COMMANDS:
            raise ValueError(f"the studio does not start {name!r}")
        with self._lock:
            if self.current is not None and self.current.running:
                raise RuntimeError(f"{self.current.name} is still running; wait for it or cancel it")
            folder = Layout.of(self.root).studio
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / f"{name}.log"
            args = [COMMANDS[name][0], str(self.root), *COMMANDS[name][1:], *map(str, extra)]
            run = events.new_run()
            with open(log, "w", encoding="utf-8") as out:
                proc = subprocess.Popen([sys.executable, "-m", "filmcrew", *args], stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True,
                                        env={**os.environ, events.RUN_VARIABLE: run})
            self.current = Run(name, args, log, proc, run, events.events_path(self.root, run))
            return self.current

    def cancel(self) -> bool:
        """Stop the running command as Ctrl-C would (an interrupted make resumes where it stopped)."""
        run = self.current
        if run is None or not run.running:
            return False
        run.cancelled = True
        run.proc.send_signal(signal.SIGINT)
        try:
            run.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            run.proc.kill()
            run.proc.wait()
        return True

    def state(self) -> dict:
        return self.current.state() if self.current else {"running": False, "name": None, "run": None, "log": [],
                                                          "done": None, "total": None, "failed": []}

    def close(self) -> None:
        self.cancel()


__all__ = ["Runs", "Run", "COMMANDS"]
