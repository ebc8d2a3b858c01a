"""An agent's long calls (`write`, `make`) as jobs: the command line's own `filmcrew write` / `filmcrew make`,
run in a child process of its own session (as the studio runs it, studio/runs.py), so that it outlives the MCP
server: a server killed and started again, the studio or a terminal see the same job.

Each job is recorded in its project, `.filmcrew/mcp/jobs/ID.json` (written atomically): its command, pid, when it
started, its log (`ID.log`) and, when it ends, its exit code (`ID.rc.json`, written by the child itself, so it
is known even when the server that started it is gone). The make takes the project's lock itself (engine/lock.py).

Progress comes from the make's structured events (`.filmcrew/events/ID.jsonl`: the child is told its run's name
with FILMCREW_RUN) where the make writes them; `progress()` is the one place that reads them, and falls back on
the log's progress lines and the job journal where it finds none.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from ..engine import atomic
from ..engine.layout import Layout
from ..errors import ConfigError

FOLDER = Layout.of(".").mcp / "jobs"  # (relative: recorded in the job as is)
JOB_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")
RUN_VARIABLE = "FILMCREW_RUN"  # the events' run name (engine/events.py reads it)

# The child: the command line's own `python -m filmcrew ARGS`, which writes its exit code beside the job record
# when it ends (also on Ctrl-C: the CLI answers 130), so that whoever reads the job later knows how it ended.
CHILD = """\
import json, os, runpy, sys, time
rc_path, sys.argv = sys.argv[1], ["filmcrew", *sys.argv[2:]]
code = 1
try:
    runpy.run_module("filmcrew", run_name="__main__", alter_sys=True)
    code = 0
except SystemExit as e:
    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
except KeyboardInterrupt:
    code = 130
finally:
    tmp = rc_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"returncode": code, "ended": time.time()}, fh)
    os.replace(tmp, rc_path)
sys.exit(code)
"""


def new_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:8]


def folder(root: Path) -> Path:
    return Path(root) / FOLDER


def record_path(root: Path, job_id: str) -> Path:
    if not isinstance(job_id, str) or not JOB_ID.match(job_id):
        raise ConfigError(f"{job_id!r} is not a job id; job ids look like 20260101-120000-1a2b3c4d (make and write "
                          f"answer with one; job_status without a job lists the project's jobs)")
    return folder(root) / f"{job_id}.json"


def start(root: Path, kind: str, args: list[str], env: dict, extra: dict | None = None) -> dict:
    """Start `filmcrew KIND PROJECT ARGS...` as a job of the project; its record."""
    job_id = new_id()
    d = folder(root)
    d.mkdir(parents=True, exist_ok=True)
    log = d / f"{job_id}.log"
    rc = d / f"{job_id}.rc.json"
    argv = [kind, str(Path(root).resolve()), *args]
    child_env = {**env, RUN_VARIABLE: job_id, "PYTHONUNBUFFERED": "1"}
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(rc), *argv], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=child_env,
                                cwd=str(Path(root).resolve()))
    rec = {"id": job_id, "kind": kind, "project": Path(root).name, "command": " ".join(["filmcrew", kind, Path(root).name, *args]),
           "pid": proc.pid, "started": time.time(), "log": f"{FOLDER}/{job_id}.log", "exit": f"{FOLDER}/{job_id}.rc.json",
           "events": f".filmcrew/events/{job_id}.jsonl", "cancelled": False, **(extra or {})}
    atomic.write_text(record_path(root, job_id), json.dumps(rec, indent=1, ensure_ascii=False))
    _children[job_id] = proc  # reaped when it ends (a server restarted later finds it by its pid)
    return rec


_children: dict[str, subprocess.Popen] = {}


def load(root: Path, job_id: str) -> dict:
    p = record_path(root, job_id)
    if not p.exists():
        raise ConfigError(f"{Path(root).name} has no job {job_id}; job_status without a job lists its jobs")
    return json.loads(p.read_text(encoding="utf-8"))


def listing(root: Path) -> list[dict]:
    d = folder(root)
    out = []
    for p in sorted(d.glob("*.json")) if d.is_dir() else []:
        if JOB_ID.match(p.stem):
            try:
                out.append(json.loads(p.read_text(encoding="utf-8")))
            except ValueError:
                continue
    return out


def _exit(root: Path, rec: dict) -> dict | None:
    p = Path(root) / rec["exit"]
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def alive(rec: dict) -> bool:
    """Whether the job's process still runs (the child this server started is reaped first, so that a finished
    one is not taken for alive; one started by an earlier server is looked for by its pid)."""
    proc = _children.get(rec["id"])
    if proc is not None:
        return proc.poll() is None
    try:
        os.kill(rec["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a pid taken by another program since: the child's command line names the job's exit file
        cmd = Path(f"/proc/{rec['pid']}/cmdline").read_bytes().decode("utf-8", "replace")
        return rec["id"] in cmd
    except OSError:
        return True


def state(root: Path, rec: dict) -> tuple[str, int | None]:
    """("running" | "finished" | "failed" | "cancelled" | "lost", exit code)."""
    ended = _exit(root, rec)
    if ended is None:
        if alive(rec):
            return "running", None
        ended = _exit(root, rec)  # (it may have ended between the two looks)
        if ended is None:
            return "lost", None
    code = ended["returncode"]
    if code == 0:
        return "finished", 0
    return ("cancelled" if rec.get("cancelled") or code == 130 else "failed"), code


def log_lines(root: Path, rec: dict, n: int = 40) -> list[str]:
    p = Path(root) / rec["log"]
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [ln for ln in text.replace("\r", "\n").splitlines() if ln.strip()][-n:]


def progress(root: Path, rec: dict) -> dict:
    """How far the job is: {"done", "total", "running" (tasks in flight), "remote" (jobs at vendors), "outcome",
    "source"}. THE seam where the make's structured events plug in: read from `.filmcrew/events/ID.jsonl` when the
    make wrote it, else from the log's progress lines and the job journal."""
    found = _from_events(root, rec)
    return found if found is not None else _from_log(root, rec)


def _from_events(root: Path, rec: dict) -> dict | None:
    try:
        from ..engine import events
    except ImportError:  # a filmcrew whose make writes no events
        return None
    path = Path(root) / rec["events"]
    if not path.exists():
        return None
    evs, _ = events.read(path)
    done = total = None
    flying: dict[str, dict] = {}
    remote: dict[str, dict] = {}
    outcome = None
    for e in evs:
        kind = e.get("type")
        if kind == "run_started":
            total, done = e.get("tasks"), 0
        elif kind == "task_started":
            flying[e.get("artifact", "")] = {"role": e.get("role"), "artifact": e.get("artifact"), "shot": e.get("shot")}
        elif kind == "task_ended":
            flying.pop(e.get("artifact", ""), None)
            done, total = e.get("done", done), e.get("total", total)
        elif kind == "job":
            remote[e.get("key") or e.get("artifact", "")] = {
                "artifact": e.get("artifact"), "shot": e.get("shot"), "provider": e.get("provider"),
                "state": e.get("state"), "detail": e.get("detail") or "", "progress": e.get("progress")}
        elif kind == "run_ended":
            outcome = e.get("outcome")
    return {"done": done, "total": total, "running": list(flying.values()), "remote": list(remote.values()),
            "outcome": outcome, "source": "events"}


def _from_log(root: Path, rec: dict) -> dict:
    done = total = None
    for ln in log_lines(root, rec, 10_000):  # "making 41 artifact(s): ..." then "  voice: 5 done (3 s, 9/41 in all)"
        m = re.search(r"making (\d+) artifact", ln)
        if m:
            total, done = int(m.group(1)), 0
        m = re.search(r"\((?:[\d.]+ s, )?(\d+)/(\d+) in all\)", ln)
        if m:
            done, total = int(m.group(1)), int(m.group(2))
    return {"done": done, "total": total, "running": [], "remote": remote_since(root, rec["started"]),
            "outcome": None, "source": "log"}


def remote_since(root: Path, since: float) -> list[dict]:
    """The remote jobs of the project's journal (`.filmcrew/jobs/`) written since `since`: what, which vendor,
    its state (the journal's own words: prepared, submitting, submitted, fetched, failed, refused)."""
    d = Layout.of(root).jobs
    out = []
    for p in sorted(d.glob("*.json")) if d.is_dir() else []:
        try:
            if p.stat().st_mtime < since - 1:
                continue
            r = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        st = r.get("state", "")
        out.append({"artifact": r.get("label", ""), "provider": r.get("provider", ""), "state": st,
                    "detail": (r.get("error") if st in ("failed", "refused") else r.get("vendor_state")) or "",
                    "progress": r.get("progress") if st == "submitted" else None})
    return out


def cancel(root: Path, rec: dict) -> bool:
    """Stop a running job as Ctrl-C would (an interrupted make keeps what it finished, and its remote jobs stay in
    the journal: the next make resumes them and pays nothing twice)."""
    if state(root, rec)[0] != "running":
        return False
    rec["cancelled"] = True
    atomic.write_text(record_path(root, rec["id"]), json.dumps(rec, indent=1, ensure_ascii=False))
    try:
        os.kill(rec["pid"], signal.SIGINT)
    except ProcessLookupError:
        return False
    for _ in range(150):
        if state(root, rec)[0] != "running":
            return True
        time.sleep(0.1)
    try:
        os.killpg(rec["pid"], signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return True


def running(root: Path) -> dict | None:
    """A job of the project (write or make) that still runs, or None."""
    for rec in listing(root):
        if state(root, rec)[0] == "running":
            return rec
    return None


__all__ = ["start", "load", "listing", "state", "progress", "cancel", "running", "log_lines", "remote_since", "JOB_ID"]
