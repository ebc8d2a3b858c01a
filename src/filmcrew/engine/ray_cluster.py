"""The Ray executor: a make's tasks on a Ray cluster (``pip install 'filmcrew[ray]'``).

Tasks travel by content key, never as pickled closures. A worker is sent the project's folder, how the make's
graph is built (a function named "module:function" and the make's options), the artifact and its key. It rebuilds
the graph from the project (once per make in each worker process, with providers made from the project's own
settings and the worker's own environment), finds the task that has that key, and makes it into the store, unless
the store already holds that key whole: a task that another worker or an earlier run made is never made again. If
no task of the rebuilt graph has the key, the worker does not see the project the make sees (another folder, other
files, another filmcrew) and says so instead of making something else.

What the cluster needs: every node sees the project folder, and so its ``.filmcrew/`` store (or the folder its
``store.txt`` names: FILMCREW_STORE), at the same path (a shared file system: NFS or the like), and has the
same filmcrew and extras installed. The store is reached only
through ``engine.store.Store`` (has, path, commit, record), the interface an object store would implement.

Placement: ``placement(task)`` says where a task runs: "driver" keeps it in this process, on the local pool (remote
vendor jobs, whose concurrency lanes, job journal and API keys are this process's; the consistency check, whose
retake allowance is this make's; the LIGHT roles, which write a few small files and cost less to make than to
ship), otherwise the Ray resources it asks for (``hints``: a CPU for the roles that decode, draw and encode, and
a GPU for a provider that needs one).

Failures: a task that raises is reported like on the local pool. A worker that dies mid-task leaves only a folder
in the store's tmp/ (commits are atomic renames); Ray runs the task again, at most ``RETRIES`` times. Ctrl-C cancels
the tasks in flight on the cluster.
"""

from __future__ import annotations

import importlib
import re
import socket
import traceback
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Callable

from ..errors import FilmcrewError, describe_os_error
from .executor import LocalPool, timed_make
from .graph import Pending, Task, topo_order
from .store import Store

RETRIES = 3  # how many times Ray runs a task again whose worker died (not one that raised)
LIGHT = ("editor", "translator")  # a few small files (timings, the edit, subtitles): cheaper made than shipped
DRIVER = "driver"


def hints(task: Task):
    """Where a task runs by its role: DRIVER (this process) for the light ones, else a CPU on the cluster."""
    return DRIVER if task.role in LIGHT else {"num_cpus": 1}


def import_ray():
    try:
        import ray
    except ImportError:
        raise FilmcrewError("the Ray executor needs Ray, which is not installed: pip install 'filmcrew[ray]'") from None
    return ray


class RayExecutor:
    """Submits tasks to the Ray cluster at `address` ("auto": the one started on this machine with `ray start`;
    "ray://host:10001": a remote one through Ray Client; None: RAY_ADDRESS, else a Ray started for this make)."""
    name = "ray"

    def __init__(self, address: str | None, rebuild: str, spec: dict, placement: Callable[[Task], object] | None = None,
                 local_workers: int = 2):
        self.ray = import_ray()
        self.started = connect(address)
        self.rebuild, self.spec = rebuild, {**spec, "run": uuid.uuid4().hex}
        self.placement = placement or hints
        self.local = LocalPool(local_workers)
        cpus = int(self.ray.cluster_resources().get("CPU", 1))
        self.capacity = max(2, cpus * 2) + self.local.capacity
        self.remote = self.ray.remote(max_retries=RETRIES)(work)
        self.flying: dict = {}
        self.sent = self.here = 0

    def summary(self) -> str:
        return (f"{self.sent} task(s) sent to the Ray cluster, {self.here} run here (vendor jobs, consistency checks, "
                f"timings and the edit)")

    def submit(self, store: Store, task: Task) -> Future:
        where = self.placement(task)
        if where == DRIVER:
            self.here += 1
            return self.local.submit(store, task)
        self.sent += 1
        ref = self.remote.options(name=task.artifact, **where).remote(self.rebuild, self.spec, task.artifact, task.key,
                                                                       str(store.root), str(store.shared or ""))
        out: Future = Future()
        self.flying[ref] = out

        def landed(f: Future) -> None:
            self.flying.pop(ref, None)
            try:
                result = f.result()
            except Exception as err:  # Ray's own: the worker died more than RETRIES times, the task was cancelled
                first = str(err).strip().splitlines()[0] if str(err).strip() else ""
                out.set_exception(FilmcrewError(f"its Ray worker failed ({type(err).__name__}: {first})"))
                return
            if isinstance(result, dict):  # what the task raised, said on the worker
                out.set_exception(FilmcrewError(result["error"]) if result["kind"] == "filmcrew" else
                                  RemoteBug(result["error"]))
            else:
                out.set_result(result)
        ref.future().add_done_callback(landed)
        return out

    def cancel(self) -> None:
        for ref in list(self.flying):
            try:
                self.ray.cancel(ref, force=True)
            except Exception:  # already finished, or its node is gone: nothing left to stop
                pass
        self.local.cancel()

    def close(self) -> None:
        self.local.close()
        if self.started:
            self.ray.shutdown()


def connect(address: str | None) -> bool:
    """This process joins the Ray cluster at `address` unless it has already; whether it joined now (then the
    executor that asked leaves it when closed; a long-running caller connects first and stays)."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    reachable(address)
    try:
        ray.init(address=address, namespace="filmcrew", logging_level="WARNING", log_to_driver=False,
                 configure_logging=False)
    except (ConnectionError, ValueError, RuntimeError) as err:
        where = f"--address {address}" if address else "the Ray executor (no --address: RAY_ADDRESS or a new Ray)"
        raise FilmcrewError(f"{where}: cannot reach a Ray cluster ({err}); start one with `ray start --head`, "
                            f"or give its address (auto, HOST:6379, ray://HOST:10001)") from None
    return True


def reachable(address: str | None, timeout: float = 5.0) -> None:
    """A HOST:PORT or ray://HOST:PORT address that answers no connection is said at once (Ray would retry for
    minutes); "auto" and no address are Ray's to find."""
    m = re.fullmatch(r"(?:ray://)?\[?([^\]/]+?)\]?:(\d+)", address or "")
    if not m:
        return
    try:
        with socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout):
            pass
    except OSError as err:
        raise FilmcrewError(f"--address {address}: nothing answers there ({err.strerror or err}); start the cluster with "
                            f"`ray start --head --port PORT` on that machine, or give its address (auto on a node "
                            f"of the cluster)") from None


class RemoteBug(Exception):
    """A task that failed on a worker with an error that is not filmcrew's (a provider bug); its traceback."""


_graphs: dict[str, dict[str, list[Task]]] = {}  # on a worker process: the graph of the make it serves (one make)


def work(rebuild: str, spec: dict, artifact: str, key: str, store_root: str, shared: str = ""):
    """On a Ray worker: make `artifact` under `key` unless the store holds it; the seconds it took, None when it
    was made already, or {"kind", "error"} when it failed."""
    store = Store(Path(store_root), Path(shared) if shared else None)
    if store.has(key) and store.damage(key) is None:
        return None
    try:
        return timed_make(store, find(rebuild, spec, artifact, key))
    except FilmcrewError as err:
        return {"kind": "filmcrew", "error": str(err)}
    except OSError as err:
        return {"kind": "filmcrew", "error": f"on {socket.gethostname()}: {describe_os_error(err)}"}
    except Exception as err:
        return {"kind": "bug", "error": f"{type(err).__name__}: {err} (on {socket.gethostname()})\n{traceback.format_exc()}"}


def find(rebuild: str, spec: dict, artifact: str, key: str) -> Task:
    if spec["run"] not in _graphs:
        _graphs.clear()
        module, _, function = rebuild.partition(":")
        by: dict[str, list[Task]] = {}
        for t in topo_order(getattr(importlib.import_module(module), function)(spec)):
            by.setdefault(t.artifact, []).append(t)
        _graphs[spec["run"]] = by
    for t in _graphs[spec["run"]].get(artifact, []):
        try:
            if t.key == key:
                return t
        except Pending:
            continue
    raise FilmcrewError(f"{artifact}: the Ray worker on {socket.gethostname()} does not see the task this make sent "
                        f"(key {key[:12]}): every node must see the project at {spec['root']} (a shared file system) "
                        f"with the same files, and run the same filmcrew")
