"""A make's progress as structured events: what every face that follows a make reads (the command line's
progress lines, the studio's pages, the MCP server), instead of parsing the make's log text.

A make records its events (`recording(...)`) as JSON lines in the project, `.filmcrew/events/RUN.jsonl`, one
`write` per line on a file opened for appending (so a line is never interleaved with another, and a reader
takes only whole lines), and hands each to its listeners in this process (the command line's progress).
Each event is a dict with `type`, `run`, `seq` (1, 2, ...) and `t` (seconds since the epoch), and:

- `run_started`: `tasks` (how many the plan makes), `roles` ({role: count}), `pid`;
- `task_started`: `role`, `artifact`, `shot` (the shot it belongs to, or null), `key`;
- `task_ended`: the same, with `outcome` ("made", "kept": found made, "failed", "skipped": an input failed),
  `seconds` (made), `error` (failed), `done` and `total` (tasks ended so far, of the plan's);
- `job`: a remote job's change of state, as its journal records it: `key`, `artifact`, `shot`, `provider`, `state`
  (prepared, submitting, submitted, fetched, failed, refused), `detail` (the vendor's state or the error),
  `progress` (0..1, or null);
- `run_ended`: `outcome` ("finished", "failed", "cancelled", "error"), `made`, `kept`, `failed`, `skipped`,
  `seconds`.

The executor emits the task events (engine/executor.py); the job journal the job events, through the
recording active in this process (`current()`); a job run on another machine (Ray) reports none.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .layout import Layout

RUN_VARIABLE = "FILMCREW_RUN"  # a face that starts a make names its run (and so its events file) with it
RUN_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
SHOT_ID = re.compile(r"^ep\d+-s\d+-sh\d+$")
KEEP = 50  # runs whose events are kept
TYPES = ("run_started", "task_started", "task_ended", "job", "run_ended")

Listener = Callable[[dict], None]


def new_run() -> str:
    """A run's name: its time and a random part (sortable; safe as a file name)."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:8]


def events_path(root: Path, run: str) -> Path:
    if not RUN_NAME.match(run):
        raise ValueError(f"{run!r} is not a run's name")
    return Layout.of(root).events / f"{run}.jsonl"


class Events:
    """One run's events: `emit(type, **fields)` writes the event (when `path` is given) and hands it to each
    listener. Thread-safe: tasks and jobs report from worker threads."""

    def __init__(self, path: Path | None = None, run: str | None = None, listeners: list[Listener] | tuple = (),
                 shots: dict[str, str] | None = None):
        self.run = run or new_run()
        self.path = Path(path) if path is not None else None
        self.listeners = list(listeners)
        self.shots = shots or {}  # subject (a line id) -> its shot's id
        self._lock = threading.Lock()
        self._seq = 0
        self._fd = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def emit(self, type: str, **fields) -> dict:
        with self._lock:
            self._seq += 1
            event = {"type": type, "run": self.run, "seq": self._seq, "t": round(time.time(), 3), **fields}
            if self._fd is not None:
                line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
                os.write(self._fd, line.encode("utf-8"))  # one write: a whole line, never interleaved
            listeners = list(self.listeners)
        for listen in listeners:
            try:
                listen(event)
            except Exception:  # noqa: BLE001 - a listener's fault (a closed terminal) never stops the make
                pass
        return event

    def shot_of(self, artifact: str) -> str | None:
        subject = artifact.split(".", 1)[0]
        if SHOT_ID.match(subject):
            return subject
        return self.shots.get(subject)

    def task(self, type: str, task, **fields) -> dict:
        return self.emit(type, role=task.role, artifact=task.artifact, shot=self.shot_of(task.artifact),
                         key=_key(task), **fields)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _key(task) -> str | None:
    try:
        return task.key[:16]
    except Exception:  # noqa: BLE001 - a key that waits on an input made in this run (Pending)
        return None


_active: list[Events] = []
_active_lock = threading.Lock()


def current() -> Events | None:
    """The recording active in this process (the make's), or None."""
    with _active_lock:
        return _active[-1] if _active else None


@contextmanager
def recording(root: Path | None, listeners: list[Listener] | tuple = (), run: str | None = None,
              shots: dict[str, str] | None = None) -> Iterator[Events]:
    """A make's events, written to `root`'s `.filmcrew/events/RUN.jsonl` (None: to the listeners only); the run's
    name is `run`, else the FILMCREW_RUN variable (a face that started this make), else a new one."""
    run = run or os.environ.get(RUN_VARIABLE) or new_run()
    if not RUN_NAME.match(run):
        run = new_run()
    events = Events(events_path(root, run) if root is not None else None, run, listeners, shots)
    if root is not None:
        for old in runs(root)[:-KEEP]:  # the project keeps its last runs' events, not every make's
            old.unlink(missing_ok=True)
    with _active_lock:
        _active.append(events)
    try:
        yield events
    finally:
        with _active_lock:
            _active.remove(events)
        events.close()


def job(rec: dict) -> None:
    """A remote job's record was written (engine/jobs.py): its state as an event of the active run."""
    events = current()
    if events is None:
        return
    state = rec.get("state", "")
    detail = rec.get("error") if state in ("failed", "refused") else rec.get("vendor_state") or ""
    events.emit("job", key=str(rec.get("key", ""))[:16], artifact=rec.get("label", ""), provider=rec.get("provider", ""),
                state=state, detail=detail, progress=rec.get("progress") if state == "submitted" else None,
                shot=events.shot_of(str(rec.get("label", ""))))


def read(path: Path, offset: int = 0) -> tuple[list[dict], int]:
    """The whole event lines of `path` from byte `offset`, and the offset after the last one (a line still being
    written is left for the next read)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    out = []
    for line in data[:end].split(b"\n"):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            out.append(event)
    return out, offset + end + 1


def runs(root: Path) -> list[Path]:
    """The project's recorded runs, oldest first."""
    folder = Layout.of(root).events
    return sorted(folder.glob("*.jsonl"), key=lambda p: (p.stat().st_mtime, p.name)) if folder.is_dir() else []


__all__ = ["Events", "recording", "current", "job", "read", "runs", "events_path", "new_run", "RUN_VARIABLE",
           "TYPES"]
