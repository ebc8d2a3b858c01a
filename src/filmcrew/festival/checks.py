"""The eligibility checks: background jobs, never run in a web request.

A submission queues a check (one row per entry version). A checker claims queued rows (an atomic update, so two
checkers, in one process or several, never take the same row), holds a lease on them that it renews while it
works, and runs them as tasks on an executor (engine/executor.py: the local pool, or the Ray cluster's workers).
A check is a content-addressed task: its key holds the contest's rules, the film's SHA-256, its provenance file's
and the checker's version, so a film sent again unchanged (to another contest with the same rules, or after a
worker died) is decoded once, and the result is kept in the festival's store. A row whose lease ran out (its
checker died) is queued again, at most ATTEMPTS times; then it says why it stopped.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path

from .. import __version__, ledger
from ..engine.executor import LocalPool, execute
from ..engine.graph import ProviderId, Task
from ..engine.store import Store
from ..errors import MediaError, TaskError
from ..provenance import check as check_mod
from . import copies, db
from .films import film_file, provenance_file

CODE_VERSION = "festival-check-2"  # 2: the AI share's evidence against the festival's trust list, a fingerprint
ATTEMPTS = 3
LEASE_S = 120.0  # a claimed check not renewed within this is taken to have lost its checker


def check_task(folder: Path, profile: dict, film_sha: str, provenance_sha: str | None,
               trust: str | None = None) -> Task:
    """The check of one film (and its provenance file) against a contest's rules, its AI share's evidence
    against the festival's trust list `trust` (PEM; its certificates are part of the key)."""
    folder = Path(folder)
    return Task("festival", f"check-{film_sha[:16]}", CODE_VERSION, ProviderId("filmcrew-check", __version__),
                {"profile": profile, "film": film_sha, "provenance": provenance_sha or "", "trust": trust or ""},
                _runner(folder, profile, film_sha, provenance_sha, trust))


def _runner(folder: Path, profile: dict, film_sha: str, provenance_sha: str | None, trust: str | None = None):
    def run(tctx) -> dict:
        film = film_file(folder, film_sha)
        if not film.is_file():
            from ..errors import FilmcrewError
            raise FilmcrewError(f"the film {film_sha[:12]} is not in {folder / 'films'} on {socket.gethostname()} "
                                f"(every worker must see the festival's folder)")
        with tempfile.TemporaryDirectory(prefix="filmcrew-check-") as tmp:
            seen = Path(tmp) / "film.mp4"  # the checker finds the provenance file beside the film by name
            os.symlink(film, seen)
            if provenance_sha:
                os.symlink(provenance_file(folder, provenance_sha), Path(tmp) / "film.provenance.json")
            t0 = time.perf_counter()
            findings = check_mod.run(seen, profile, decode=True, trust_anchors=trust)
            try:
                fingerprint = copies.fingerprint(film)
            except MediaError:
                fingerprint = ""  # (a film that does not decode has failed its check already)
            secs = time.perf_counter() - t0
        out = {"passed": check_mod.passed(findings), "profile": profile["name"], "seconds": round(secs, 3),
               "findings": [f.__dict__ for f in findings], "fingerprint": fingerprint}
        (Path(tctx.workdir) / "check.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
        return ledger.entry(made_by="algorithm:filmcrew-check", source_type=ledger.ALGORITHMIC,
                            prompt=f"{film_sha} against {profile['name']}")
    return run


def worker_targets(spec: dict) -> list[Task]:
    """On a Ray worker: the checks of the batch the checker sent (engine/ray_cluster.py finds one by its key)."""
    return [check_task(Path(spec["root"]), job["profile"], job["film"], job["provenance"], spec.get("trust"))
            for job in spec["jobs"]]


def store(folder: Path) -> Store:
    return Store(Path(folder) / "store")


class Checker:
    """Claims queued checks and runs them, `batch` at a time, on the executor `executor_for(jobs)` gives (None:
    a local pool of `workers` threads)."""

    def __init__(self, fest, workers: int = 2, batch: int = 8, executor_for=None, lease_s: float = LEASE_S,
                 log=None):
        self.fest, self.workers, self.batch, self.lease_s = fest, workers, batch, lease_s
        self.executor_for = executor_for
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.log = log or (lambda s: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- the queue ---------------------------------------------------------------------------------------
    def requeue_lost(self) -> int:
        """Rows whose checker's lease ran out go back to the queue (or stop, after ATTEMPTS tries)."""
        ch = self.fest.t["checks"]
        now = time.time()
        with self.fest.engine.begin() as c:
            stop = c.execute(ch.update().where(ch.c.state == "running", ch.c.lease_until < now, ch.c.attempts >= ATTEMPTS)
                             .values(state="error", lease_until=None, finished_at=now,
                                     error=f"the check stopped {ATTEMPTS} times before it finished (its worker died "
                                           f"or was stopped each time); the organiser has been shown this entry")).rowcount
            back = c.execute(ch.update().where(ch.c.state == "running", ch.c.lease_until < now)
                             .values(state="queued", lease_until=None, worker=None)).rowcount
        return back + stop

    def claim(self) -> list[dict]:
        """Up to `batch` queued checks, now this checker's (oldest first)."""
        sa = db._sa()
        ch, e, con = self.fest.t["checks"], self.fest.t["entries"], self.fest.t["contests"]
        with self.fest.engine.connect() as c:
            ids = [r.id for r in c.execute(sa.select(ch.c.id).where(ch.c.state == "queued").order_by(ch.c.id)
                                           .limit(self.batch * 3))]
        got = []
        for i in ids:
            with self.fest.engine.begin() as c:
                n = c.execute(ch.update().where(ch.c.id == i, ch.c.state == "queued").values(
                    state="running", worker=self.name, lease_until=time.time() + self.lease_s,
                    attempts=ch.c.attempts + 1)).rowcount
            if n == 1:
                got.append(i)
            if len(got) >= self.batch:
                break
        if not got:
            return []
        with self.fest.engine.connect() as c:
            rows = c.execute(sa.select(ch.c.id, ch.c.film_sha, ch.c.provenance_sha, con.c.profile)
                             .join(e, e.c.id == ch.c.entry_id).join(con, con.c.id == e.c.contest_id)
                             .where(ch.c.id.in_(got))).mappings()
            return [dict(r) for r in rows]

    def _renew(self, ids: list[int], stop: threading.Event) -> None:
        ch = self.fest.t["checks"]
        while not stop.wait(self.lease_s / 3):
            with self.fest.engine.begin() as c:
                c.execute(ch.update().where(ch.c.id.in_(ids), ch.c.worker == self.name, ch.c.state == "running")
                          .values(lease_until=time.time() + self.lease_s))

    # ---- running -----------------------------------------------------------------------------------------
    def run_once(self) -> int:
        """Claim a batch and check it; how many checks were finished (0: nothing was queued)."""
        self.requeue_lost()
        jobs = self.claim()
        if not jobs:
            return 0
        folder = self.fest.folder
        trust = self.fest.trust_anchors()
        tasks = {j["id"]: check_task(folder, j["profile"], j["film_sha"], j["provenance_sha"], trust) for j in jobs}
        st = store(folder)
        stop = threading.Event()
        renew = threading.Thread(target=self._renew, args=(list(tasks), stop), daemon=True)
        renew.start()
        failed: dict[str, str] = {}
        try:
            spec = {"root": str(folder), "trust": trust, "jobs": [{"profile": j["profile"], "film": j["film_sha"],
                                                   "provenance": j["provenance_sha"]} for j in jobs]}
            executor = self.executor_for(spec) if self.executor_for else LocalPool(self.workers)
            try:
                execute(st, list({t.key: t for t in tasks.values()}.values()), executor=executor, log=self.log)
            except TaskError as err:  # some checks failed (each row says why); the others are kept
                failed = dict(err.report.failed)
            except Exception as err:  # noqa: BLE001 - the executor itself: the rows not made say so
                failed = {t.artifact: f"{type(err).__name__}: {err}" for t in tasks.values()}
                self.log(traceback.format_exc())
        finally:
            stop.set()
        self._record(tasks, st, failed)
        return len(tasks)

    def _record(self, tasks: dict[int, Task], st: Store, failed: dict[str, str]) -> None:
        ch = self.fest.t["checks"]
        now = time.time()
        for cid, t in tasks.items():
            values: dict
            if st.has(t.key):
                res = json.loads((st.path(t.key) / "check.json").read_text(encoding="utf-8"))
                found = next((f for f in res["findings"] if f["check"] == "ai_share"), {})
                values = dict(state="done", passed=bool(res["passed"]), ai_share=found.get("value"),
                              evidence=found.get("evidence"), findings=res["findings"], error=None,
                              fingerprint=res.get("fingerprint") or "")
            else:
                why = failed.get(t.artifact, "the check did not finish")
                values = dict(state="error", error=why.splitlines()[0][:2000])
            with self.fest.engine.begin() as c:
                n = c.execute(ch.update().where(ch.c.id == cid, ch.c.worker == self.name).values(
                    **values, lease_until=None, finished_at=now)).rowcount
            if n != 1:
                continue
            try:
                if values["state"] == "done":
                    from .phases import Phases
                    Phases(self.fest).record_copies(cid)
                from .people import People
                People(self.fest).check_done(cid)
            except Exception:  # noqa: BLE001 - a flag or an e-mail that failed: the check itself stands; say it
                self.log(traceback.format_exc())

    # ---- in the background -------------------------------------------------------------------------------
    def start(self, every: float = 1.0) -> None:
        def loop():
            while not self._stop.is_set():
                try:
                    busy = self.run_once()
                except Exception:  # noqa: BLE001 - the database went away for a moment: say it, go on
                    self.log(traceback.format_exc())
                    busy = 0
                if not busy:
                    self._stop.wait(every)
        self._thread = threading.Thread(target=loop, name="festival-checker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
