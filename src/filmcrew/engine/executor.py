"""Plan and execute a task graph against the store.

``execute`` walks the graph: it submits each task whose inputs are made, reports
progress as events (engine/events.py: what the command line, the studio and the MCP server read), and on a failure skips what depends on it and keeps every other finished
artifact. Where a task runs is the executor's business (``Executor``, a small
protocol): ``LocalPool``, the default, runs tasks on a small thread pool in this
process (the heavy work happens in ffmpeg and onnxruntime, which release the GIL);
``engine.ray_cluster.RayExecutor`` ships them to a Ray cluster by content key.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import threading
import time as _time
import traceback
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Protocol

from .. import ledger
from ..errors import FilmcrewError, TaskError, describe_os_error
from .events import Events
from .events import current as current_events
from .graph import Pending, Task, TaskContext, reason, topo_order
from .jobs import JobTicket
from .store import Store


def _libc():
    """glibc, for the two allocator settings below; None elsewhere (macOS, musl), where they do not apply."""
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


_LIBC = _libc() if sys.platform.startswith("linux") else None
M_MMAP_THRESHOLD = -3


def tame_allocator() -> None:
    """Keep the process's memory flat across many tasks (Linux/glibc).

    Tasks run on worker threads and allocate frame-sized buffers (PIL layers, numpy arrays of a few to a
    few hundred MB) that they free when done. glibc raises its mmap threshold every time such a block is
    freed, so later ones come from the threads' heaps, which fragment and are never given back: a 3-minute
    make held about 1 GB after its illustrator and animator tasks had finished. A fixed 1 MiB threshold
    keeps every large buffer in its own mapping (returned to the system on free), and `trim` hands back
    what the heaps hold between tasks."""
    if _LIBC is not None:
        _LIBC.mallopt(M_MMAP_THRESHOLD, 1 << 20)


def trim() -> None:
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


@dataclass
class PlanItem:
    task: Task
    reason: str

    def as_dict(self) -> dict:
        return {"role": self.task.role, "artifact": self.task.artifact, "reason": self.reason,
                "episode": self.task.episode, "key": None if self.reason == PENDING else self.task.key[:16]}


PENDING = "pending"  # the reason of a task whose key waits on an input made by this run (graph.Pending)


def plan(store: Store, targets: list[Task]) -> list[PlanItem]:
    """The tasks to make, in order. A task whose key waits on an input that will be made first is listed as
    "pending": it is made unless that input comes out as it was (then it is kept). A made artifact whose
    files do not match its record is listed as "damaged (why)"."""
    out = []
    for t in topo_order(targets):
        try:
            if not store.has(t.key):
                out.append(PlanItem(t, reason(t, store.last(t.artifact))))
            elif (why := store.damage(t.key)) is not None:
                out.append(PlanItem(t, f"damaged ({why})"))
        except Pending:
            out.append(PlanItem(t, PENDING))
    return out


def ticket_for(store: Store, t: Task) -> JobTicket | None:
    """The typed ticket of a task that sends a paid job (one with an estimate): journaled under its key."""
    return JobTicket(store.jobs, t.key, t.artifact, t.seed) if t.estimate is not None else None


def _make(store: Store, t: Task) -> None:
    workdir = store.new_workdir()
    try:
        ctx = TaskContext(task=t, workdir=workdir, inputs={n: store.path(d.key) for n, d in t.inputs.items()},
                          store=store, ticket=ticket_for(store, t))
        entry = t.run(ctx)
        store.commit(t.key, workdir, ledger.record(t, entry or {}))
        store.remember(t.artifact, t.key, t.components())
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def make_now(store: Store, t: Task):
    """Make `t` at once, in the calling task's thread, unless the store holds it whole; its folder. For a task
    that decides while it runs what else to make (a retake of a failing shot): the task made this way is
    content-addressed and recorded like any other, so a killed make finds it, and its inputs must be made."""
    if not (store.has(t.key) and store.damage(t.key) is None):
        _make(store, t)
    return store.path(t.key)


@dataclass
class RunReport:
    ran: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # found made when their turn came (a pending key whose inputs came
    # out as before, or a task another worker or run made meanwhile): not made again
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    seconds_by_role: Counter = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)  # artifact -> the seconds its task took


def _now() -> float:
    return _time.monotonic()


class NullProgress:
    """A listener of a make's events that shows nothing (`make --quiet`)."""

    def __call__(self, event: dict) -> None:
        pass


class BarProgress:
    """The command line's progress, read from the make's events (engine/events.py, what the studio reads too):
    an overall bar with per-role counts (tqdm, to stderr) on a terminal; elsewhere (a log, a pipe, CI) a line
    when the make starts, one as each task is made (or fails), and one each time a role has finished all its
    tasks. Live for long tasks, on a terminal and off one: while tasks run and nothing has been said for
    `quiet_s` seconds, which tasks are running and for how long (the bar's postfix, or a line), so a make is
    never silent for longer."""

    def __init__(self, stream=None, quiet_s: float = 5.0):
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar = None
        self.quiet_s = quiet_s
        self.running: dict[str, tuple[str, float]] = {}  # artifact -> (role, when it started)
        self._said = 0.0
        self._lock = threading.Lock()
        self._stop: threading.Event | None = None

    def __call__(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "run_started":
            self.start(event)
        elif kind == "task_started" and self.bar is not None:
            with self._lock:
                self.running[event.get("artifact", "")] = (event.get("role", ""), _now())
        elif kind == "task_ended" and self.bar is not None:
            with self._lock:
                self.running.pop(event.get("artifact", ""), None)
                self.done(event)
        elif kind == "run_ended" and self.bar is not None:
            if self._stop is not None:
                self._stop.set()
            with self._lock:
                self.bar.close()
                self.bar = None

    def _beat(self, stop: threading.Event) -> None:
        """Every second: where nothing was said for `quiet_s` seconds, the tasks in flight (longest first)."""
        while not stop.wait(1.0):
            with self._lock:
                if self.bar is None or not self.running or _now() - self._said < self.quiet_s:
                    continue
                now = _now()
                busy = sorted(self.running.items(), key=lambda kv: kv[1][1])
                text = ", ".join(f"{a} ({r}, {now - t0:.0f} s)" for a, (r, t0) in busy[:4]) + \
                    (f" and {len(busy) - 4} more" if len(busy) > 4 else "")
                if self.tty:
                    self._post(f"making {text}")
                    self._said = now
                else:
                    self._say(f"  ... making {text}")

    def start(self, event: dict) -> None:
        import time

        from tqdm import tqdm
        self.t0 = time.perf_counter()
        self.totals = Counter(event.get("roles") or {})
        self.counts: Counter = Counter()
        self.failed: Counter = Counter()
        self.bar = tqdm(total=event.get("tasks", 0), file=self.stream, unit="task", dynamic_ncols=True,
                        mininterval=0.5, disable=not self.tty,
                        bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}] {postfix}")
        if not self.tty and event.get("tasks"):
            self._say(f"making {event['tasks']} artifact(s): " + ", ".join(f"{r} {n}" for r, n in self.totals.items()))
        self._post()
        self._said = _now()
        if event.get("tasks"):
            self._stop = threading.Event()
            threading.Thread(target=self._beat, args=(self._stop,), daemon=True, name="filmcrew-progress").start()

    def _say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)
        self._said = _now()

    def _post(self, extra: str = ""):
        self.bar.set_postfix_str(" ".join(f"{r} {self.counts[r]}/{n}" for r, n in self.totals.items()) +
                                 (f" | {extra}" if extra else ""))

    def done(self, event: dict) -> None:
        import time
        r = event.get("role", "")
        self.counts[r] += 1
        self.failed[r] += event.get("outcome") in ("failed", "skipped")
        self.bar.update(1)
        self._post()
        self._said = _now() if self.tty else self._said
        outcome = event.get("outcome")
        if not self.tty and outcome != "kept":  # (a task found made says nothing of its own: the role's line counts it)
            how = f"made in {event.get('seconds', 0):.1f} s" if outcome == "made" else \
                f"{outcome}" + (f": {event['error']}" if event.get("error") else "")
            self._say(f"  [{sum(self.counts.values())}/{sum(self.totals.values())}] {r} {event.get('artifact', '')}: {how}")
        if not self.tty and self.counts[r] == self.totals[r]:
            bad = f", {self.failed[r]} failed or skipped" if self.failed[r] else ""
            self._say(f"  {r}: {self.totals[r]} done{bad} ({time.perf_counter() - self.t0:.0f} s, "
                      f"{sum(self.counts.values())}/{sum(self.totals.values())} in all)")


def timed_make(store: Store, t: Task) -> float:
    """Make `t` into the store; the seconds it took."""
    import time
    t0 = time.perf_counter()
    try:
        _make(store, t)
    finally:
        trim()
    return time.perf_counter() - t0


class Executor(Protocol):
    """Where tasks run. `submit` starts one (its inputs are in the store) and returns a future of the seconds
    it took, which raises what the task raised; `capacity` is how many tasks `execute` keeps in flight;
    `cancel` stops what is in flight (Ctrl-C); `close` waits for nothing more and lets go of the workers."""
    name: str
    capacity: int

    def submit(self, store: Store, task: Task) -> Future: ...
    def cancel(self) -> None: ...
    def close(self) -> None: ...


def share_cores(workers: int) -> None:
    """Let OpenCV's own thread pool use this process's share of the cores: the cores over the tasks run side by
    side (one each on a 2-core machine running two). OpenCV otherwise splits each warp and colour conversion over
    every core while the other worker's task does the same, which cost 15% more CPU on those calls, for no wall
    time when the workers already fill the cores (issue 36). Its results do not depend on the number of threads."""
    try:
        import cv2
    except ImportError:  # (no frames drawn in this process)
        return
    cv2.setNumThreads(max(1, (os.cpu_count() or 1) // max(1, workers)))


class LocalPool:
    """The default: a thread pool in this process."""
    name = "local"

    def __init__(self, workers: int = 2):
        self.workers = max(1, workers)
        self.capacity = self.workers * 2
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        share_cores(self.workers)

    def submit(self, store: Store, task: Task) -> Future:
        return self.pool.submit(timed_make, store, task)

    def warm(self, modules: list[str]) -> None:
        """Import `modules` in a background thread (issue 36: a one-line make spent its first second on the new
        line's voice with the other core idle, then its mix part 0.9 s importing scipy.signal on the critical path).
        Python's import locks make a task that needs one of them meanwhile wait for it, not import it twice; one
        that is missing is left for its task to report."""
        def load() -> None:
            for m in modules:
                try:
                    importlib.import_module(m)
                except Exception:  # (its own task says what is missing, in its own words)
                    pass
        if modules:
            threading.Thread(target=load, name="filmcrew-warm", daemon=True).start()

    def cancel(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


def execute(store: Store, targets: list[Task], progress: Callable[[dict], None] | None = None, workers: int = 2,
            log: Callable[[str], None] | None = None, executor: Executor | None = None,
            events: Events | None = None, planned: list[PlanItem] | None = None) -> RunReport:
    """Make what the plan of `targets` lists. Progress is reported as events (engine/events.py) to `events`, else
    to the recording active in this process (the make's), else to listeners only; `progress` is one more
    listener for this run (the command line's bar). `planned`: `plan(store, targets)` when the caller has just
    made it (the make's budget check, under the make's lock), so the store's records are not read and checked twice."""
    import time
    ev = events or current_events() or Events()
    if progress is not None:
        ev.listeners.append(progress)
    executor = executor or LocalPool(workers)
    tame_allocator()
    store.clear_tmp()
    items = planned if planned is not None else plan(store, targets)
    todo = {id(i.task): i.task for i in items}
    warm = getattr(executor, "warm", None)  # (a pool in this process: see LocalPool.warm)
    if warm is not None:
        warm(list(dict.fromkeys(m for i in items for m in i.task.warm)))
    report = RunReport()
    t0 = time.perf_counter()
    ended = [0]
    outcome = "error"

    def end(t: Task, how: str, **fields) -> None:
        ended[0] += 1
        ev.task("task_ended", t, outcome=how, done=ended[0], total=len(items), **fields)

    ev.emit("run_started", tasks=len(items), roles=dict(Counter(i.task.role for i in items)), pid=os.getpid())
    done: set[int] = set()
    broken: set[int] = set()
    running: dict[Future, Task] = {}

    def ready(t: Task) -> bool:
        return all(id(d) not in todo or id(d) in done for d in t.inputs.values())

    def blocked(t: Task) -> bool:
        return any(id(d) in broken for d in t.inputs.values())

    pending = [i.task for i in items if i.task.first] + [i.task for i in items if not i.task.first]  # (each in plan
    # order; a task is submitted only once its inputs are made, so any order of this list is safe)
    try:
        while pending or running:
            for t in list(pending):
                if blocked(t):
                    pending.remove(t)
                    broken.add(id(t))
                    report.skipped.append(t.artifact)
                    end(t, "skipped")
                elif ready(t) and len(running) < executor.capacity:
                    pending.remove(t)
                    if store.has(t.key) and store.damage(t.key) is None:  # a pending key, made before
                        done.add(id(t))
                        report.kept.append(t.artifact)
                        end(t, "kept")
                        continue
                    ev.task("task_started", t)
                    running[executor.submit(store, t)] = t
            if not running:
                if pending:
                    raise RuntimeError("task graph stalled; this is a bug in filmcrew")
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in finished:
                t = running.pop(fut)
                try:
                    secs = fut.result()
                    done.add(id(t))
                    if secs is None:  # another worker or run made it meanwhile: not made twice
                        report.kept.append(t.artifact)
                        end(t, "kept")
                    else:
                        report.seconds_by_role[t.role] += secs
                        report.seconds[t.artifact] = secs
                        report.ran.append(t.artifact)
                        end(t, "made", seconds=round(secs, 3))
                except FilmcrewError as err:
                    broken.add(id(t))
                    report.failed[t.artifact] = str(err)
                    end(t, "failed", error=str(err))
                except OSError as err:  # the disk, not the provider: say what to do
                    broken.add(id(t))
                    report.failed[t.artifact] = describe_os_error(err)
                    end(t, "failed", error=report.failed[t.artifact])
                except Exception as err:  # a provider bug: keep the others going, report it
                    broken.add(id(t))
                    report.failed[t.artifact] = f"{type(err).__name__}: {err}"
                    if log:
                        log(traceback.format_exc())
                    end(t, "failed", error=report.failed[t.artifact])
        outcome = "failed" if report.failed else "finished"
    except KeyboardInterrupt:  # Ctrl-C: stop what is in flight (on a cluster too), keep what is made
        outcome = "cancelled"
        executor.cancel()
        raise
    except BaseException:  # a bug here: the same
        executor.cancel()
        raise
    finally:
        executor.close()
        ev.emit("run_ended", outcome=outcome, made=len(report.ran), kept=len(report.kept), failed=len(report.failed),
                skipped=len(report.skipped), seconds=round(time.perf_counter() - t0, 3))
        if progress is not None:
            ev.listeners.remove(progress)
    if report.failed:
        by_cause: dict[str, list[str]] = {}  # one cause (a full disk) is said once, with what it stopped
        for a, m in report.failed.items():
            by_cause.setdefault(m, []).append(a)
        lines = "\n".join(f"  {arts[0]}: {m}" if len(arts) == 1 else
                          f"  {len(arts)} tasks ({', '.join(arts[:4])}{', ...' if len(arts) > 4 else ''}): {m}"
                          for m, arts in by_cause.items())
        err = TaskError(f"{len(report.failed)} task(s) failed; {len(report.ran)} finished and were kept, "
                        f"{len(report.skipped)} skipped because they depend on a failed one:\n{lines}")
        err.report = report  # type: ignore[attr-defined]
        raise err
    return report
