"""A command started from the studio (`make`, `write`, `export`, `check`): the command line's own, in a child
process, its output kept in `.filmcrew/studio/NAME.log`, followed by the page and cancellable.

`make` takes the project's lock itself (engine/lock.py), so a make started here and one typed in a terminal
never run at once: the second is refused and says who holds the lock."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

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
    started: float = field(default_factory=time.time)
    cancelled: bool = False

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def state(self) -> dict:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        lines = [ln for ln in text.replace("\r", "\n").splitlines() if ln.strip()]
        done = total = None
        for ln in lines:  # "making 41 artifact(s): ..." then "  voice: 5 done (3 s, 9/41 in all)"
            m = re.search(r"making (\d+) artifact", ln)
            if m:
                total, done = int(m.group(1)), 0
            m = re.search(r"\((?:[\d.]+ s, )?(\d+)/(\d+) in all\)", ln)
            if m:
                done, total = int(m.group(1)), int(m.group(2))
        code = self.proc.poll()
        return {"name": self.name, "command": " ".join(["filmcrew", *self.args]), "running": code is None,
                "returncode": code, "cancelled": self.cancelled, "done": done, "total": total,
                "seconds": round(time.time() - self.started, 1), "log": lines[-60:]}


class Runs:
    """The studio's runs: one at a time (what the project lock allows anyway), the last one kept to show."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.current: Run | None = None
        self._lock = threading.Lock()

    def start(self, name: str) -> Run:
        if name not in COMMANDS:
            raise ValueError(f"the studio does not start {name!r}")
        with self._lock:
            if self.current is not None and self.current.running:
                raise RuntimeError(f"{self.current.name} is still running; wait for it or cancel it")
            folder = self.root / ".filmcrew" / "studio"
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / f"{name}.log"
            args = [COMMANDS[name][0], str(self.root), *COMMANDS[name][1:]]
            with open(log, "w", encoding="utf-8") as out:
                proc = subprocess.Popen([sys.executable, "-m", "filmcrew", *args], stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
            self.current = Run(name, args, log, proc)
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
        return self.current.state() if self.current else {"running": False, "name": None, "log": []}

    def close(self) -> None:
        self.cancel()


__all__ = ["Runs", "Run", "COMMANDS"]
