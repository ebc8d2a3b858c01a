"""The long calls: `write` and `make` (and `retake_shot`, a make of one shot's new take) start the command line's own
command as a job and answer at once with its id; `job_status` follows it, `cancel` stops it. Paid work starts only
under a confirm token (confirm.py)."""

from __future__ import annotations

import threading
import time
import urllib.parse
from pathlib import Path

from .. import project
from ..crew.common import out_name
from ..engine.lock import holder
from ..errors import ConfigError
from . import board, confirm, jobs

_starting: dict[str, threading.Lock] = {}
_starting_lock = threading.Lock()


def _guard(root: Path) -> threading.Lock:
    """One start at a time per project in this server (the check of what is running, the plan and the start)."""
    with _starting_lock:
        return _starting.setdefault(str(root), threading.Lock())


def _idle(root: Path) -> None:
    rec = jobs.running(root)
    if rec is not None:
        raise ConfigError(f"{root.name}: job {rec['id']} ({rec['command']}) is still running; follow it with job_status "
                          f"or stop it with cancel")
    who = holder(root)
    if who is not None:
        raise ConfigError(f"{root.name}: another make is running (pid {who.get('pid', '?')}, started outside this "
                          f"server: a terminal or the studio); wait for it to finish")


def _local_writer(root: Path) -> None:
    """`write` sends nothing paid: a writer model on another machine is priced by nobody here, so it is refused."""
    cfg = project.load_config(root)
    name = cfg.providers.get("writer", "story-engine")
    if name == "story-engine":
        return
    url = str((cfg.provider_settings.get(name) or {}).get("base_url", "https://api.openai.com/v1"))
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise ConfigError(f"{root.name}: the writer is {name} at {host}, a model that may bill per word and that filmcrew "
                          f"does not price; an agent's write uses the offline writer or a model on this machine only. "
                          f"Run `filmcrew write {root.name}` yourself, or set writer = \"story-engine\"")


def write(root: Path, env: dict, force: bool = False) -> dict:
    _local_writer(root)
    with _guard(root):
        _idle(root)
        rec = jobs.start(root, "write", ["--force"] if force else [], env)
    return {"job": rec["id"], "project": root.name, "command": rec["command"], "state": "running",
            "next": f"job_status(project={root.name!r}, job={rec['id']!r}, wait_seconds=30) follows it"}


def make(root: Path, env: dict, preview: bool = True, episode: int | None = None, token: str | None = None,
         workers: int = 2, what: str = "make", extra: dict | None = None) -> dict:
    with _guard(root):
        _idle(root)
        q = confirm.quote(root, env, preview, episode, issue=False)
        if q.get("story_missing"):
            raise ConfigError(f"{root.name}: the story is not written yet ({', '.join(q['story_missing'])}): call write "
                              f"first, then plan")
        admitted = confirm.admit(root, q, token, what)
        if q["paid_jobs"]:
            confirm.within_budget(root, env, q)
        cfg = project.load_config(root)
        args = (["--preview"] if preview else []) + (["--episode", str(episode)] if episode else []) + ["--jobs", str(workers)]
        limit = confirm.cap(root, q, cfg) if q["paid_jobs"] else None
        if limit is not None:
            args += ["--budget", f"{limit:.6f}"]
        rec = jobs.start(root, "make", args, env, {
            "preview": preview, "episode": episode, "confirm": token if admitted else None, "cost": q["cost"],
            "paid_jobs": confirm.firsts(q), "to_make": len(q["items"]), **(extra or {})})
    return {"job": rec["id"], "project": root.name, "command": rec["command"], "state": "running",
            "to_make": len(q["items"]), "by_reason": q["by_reason"], "paid_jobs": confirm.firsts(q), "cost": q["cost"],
            "next": f"job_status(project={root.name!r}, job={rec['id']!r}, wait_seconds=60) follows it"}


def retake(root: Path, env: dict, shot: str, preview: bool = True, illustrator: str | None = None,
           animator: str | None = None, token: str | None = None) -> dict:
    """Ask for a shot again (another seed, or another provider for it), then make it: at once when nothing is
    paid; else the first call answers the plan with its cost and a confirm token (the change is written, nothing
    is sent) and a second call with that token starts the make."""
    with _guard(root):
        _idle(root)
    rec = confirm.load(root, token) if token else None
    asked = {"shot": shot, "illustrator": illustrator, "animator": animator}
    if rec is not None and rec.get("retake", {}).get("asked") == asked:
        done = rec["retake"]  # the first call wrote it: the token covers exactly that
    else:
        done = board.ask_retake(root, env, shot, preview, illustrator, animator, None)
        done = {"shot": shot, "note": done["note"], "asked": asked, "file": done["file"], "before": done["before"]}
    if token is None:
        q = confirm.quote(root, env, preview, int(shot[2:4]) if shot[2:4].isdigit() else None,
                          extra={"retake": {k: v for k, v in done.items() if k != "before"}})
        if q["paid_jobs"]:
            return {"project": root.name, "shot": shot, "note": done["note"], "started": False, "cost": q["cost"],
                    "paid_jobs": q["paid_jobs"], "by_reason": q["by_reason"], "confirm": q["confirm"],
                    "next": f"the retake sends paid work: show its cost, then call retake_shot again with the same "
                            f"shot and confirm={q['confirm']!r} (or make with it)"}
    episode = int(shot[2:4]) if shot[2:4].isdigit() else None
    try:
        started = make(root, env, preview, episode, token, what="retake_shot", extra={"retake": shot})
    except ConfigError:
        if token and done.get("before") is not None:  # a refused retake leaves the screenplay as it was
            from ..engine import atomic
            atomic.write_text(root / done["file"], done["before"])
        raise
    return {**started, "shot": shot, "note": done["note"], "started": True}


def status(root: Path, job_id: str | None, clean) -> dict:
    if not job_id:
        rows = []
        for rec in jobs.listing(root)[-20:]:
            st, code = jobs.state(root, rec)
            rows.append({"job": rec["id"], "command": rec["command"], "state": st, "exit_code": code,
                         "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(rec["started"]))})
        return {"project": root.name, "jobs": rows}
    rec = jobs.load(root, job_id)
    st, code = jobs.state(root, rec)
    prog = jobs.progress(root, rec)
    log = [clean(ln) for ln in jobs.log_lines(root, rec, 15)]
    out = {"job": rec["id"], "project": root.name, "kind": rec["kind"], "command": rec["command"], "state": st,
           "exit_code": code, "seconds": round(time.time() - rec["started"], 1), "progress": prog, "log": log}
    if rec["kind"] == "make":
        before = rec.get("cost", {}).get("spent", {})
        now = confirm.spent(root)
        out["cost"] = {**rec.get("cost", {}), "spent": now,
                       "spent_by_this_job": {k: round(v - before.get(k, 0.0), 6) for k, v in now.items()
                                             if abs(v - before.get(k, 0.0)) > 1e-9}}
    if st in ("failed", "lost"):
        said = [ln for ln in log if ln.startswith("filmcrew:")]
        out["error"] = said[-1] if said else ("the job's process ended without saying how (killed?); make again resumes "
                                              "it: what was finished is kept, nothing is paid twice" if st == "lost"
                                              else (log[-1] if log else "it failed"))
    if st == "finished" and rec["kind"] == "make":
        out["films"] = films(root, rec)
    return out


def films(root: Path, rec: dict) -> list[str]:
    from .. import pipeline
    try:
        _, ctxs = pipeline.contexts(root, {}, rec.get("episode"), preview=bool(rec.get("preview")))
    except Exception:  # noqa: BLE001 - the story changed since: the films are still in out/
        return sorted(str(p.relative_to(root)) for p in (root / "out").glob("ep*.mp4"))
    return [f"out/{out_name(c)}.mp4" for c in ctxs if (root / "out" / f"{out_name(c)}.mp4").exists()]


def cancel(root: Path, job_id: str) -> dict:
    rec = jobs.load(root, job_id)
    stopped = jobs.cancel(root, rec)
    st, code = jobs.state(root, jobs.load(root, job_id))
    return {"job": job_id, "project": root.name, "cancelled": stopped, "state": st, "exit_code": code,
            "note": "what was finished is kept, and remote jobs already sent stay in the journal: the next make "
                    "resumes them and pays nothing twice" if stopped else "the job was not running"}


__all__ = ["write", "make", "retake", "status", "cancel"]
