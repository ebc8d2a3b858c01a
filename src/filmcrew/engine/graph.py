"""The task graph: every artifact's key hashes what it is made from.

key = sha256(canonical JSON of: key version, role, the role's code version, the
provider's name/version/model, parameters, seed, and the keys of its inputs).
``plan`` compares a task's components with the last ones recorded for the same
artifact id and says why it must be (re)made: new, inputs, params, provider, code.

Early cutoff: an input named in a task's ``by_content`` enters its key by the
bytes of one file that input made, not by the input's key. A shot's clip takes
its length that way, so a new voice of the same length (a dubbed take that fits
its slot) re-makes the length and nothing behind it. Such a key is known only
once that input is made: until then ``key`` raises ``Pending``, and the
executor decides when the input is done (made again, or found the same).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable

KEY_VERSION = 1


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def _default(o: Any) -> Any:
    if hasattr(o, "__dataclass_fields__"):  # its fields (nested ones come back here), less a field marked
        # `metadata={"key": "omit-empty"}` while it is empty: a field added later keeps the keys made before it
        from dataclasses import fields
        return {f.name: getattr(o, f.name) for f in fields(o)
                if not (f.metadata.get("key") == "omit-empty" and not getattr(o, f.name))}
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"cannot hash {type(o).__name__} in task parameters")


def digest(obj: Any) -> str:
    return hashlib.sha256(canonical(obj).encode("utf-8")).hexdigest()


class Pending(Exception):
    """A task's key waits on an input that enters it by content and is not made yet."""


@dataclass(frozen=True)
class ProviderId:
    name: str
    version: str
    model: str = ""


@dataclass(eq=False)
class Task:
    """One artifact to make. ``run(ctx)`` writes files into ``ctx.workdir`` and returns a ledger dict."""

    role: str
    artifact: str  # stable id, e.g. ep01-s03-sh02.keyframe
    code_version: str
    provider: ProviderId
    params: dict
    run: Callable[["TaskContext"], dict]
    inputs: dict[str, "Task"] = field(default_factory=dict)
    seed: int = 0
    episode: int = 0
    by_content: dict[str, str] = field(default_factory=dict)  # input name -> the file of it whose bytes enter the key
    store: Any = None  # store.Store holding the inputs named in by_content
    estimate: Callable[[], dict] | None = None  # what running it would cost ({"amount", "currency"}); not in the key
    first: bool = False  # made before the other tasks that are ready (not in the key): a task whose provider holds a
    # large model in this process (the offline voice), so every such task of a make runs before the frames are drawn
    # and the model is let go (issue 36: a 5-episode make interleaved them, 1041 MiB where one episode took 875)
    warm: tuple[str, ...] = ()  # modules its run imports that take long to load (not in the key): a pool in this
    # process imports them in the background as the make starts, while its first tasks (the voices) leave a core idle
    _key: str | None = None

    def components(self) -> dict:
        return {
            "key_version": KEY_VERSION,
            "role": self.role,
            "code": self.code_version,
            "provider": {"name": self.provider.name, "version": self.provider.version, "model": self.provider.model},
            "params": digest(self.params),
            "seed": self.seed,
            "inputs": {name: self._input_id(name, t) for name, t in sorted(self.inputs.items())},
        }

    def _input_id(self, name: str, t: "Task") -> str:
        if name not in self.by_content:
            return t.key
        f = self.store.path(t.key) / self.by_content[name]
        if not f.exists():
            raise Pending(f"{self.artifact} waits on {t.artifact}")
        return "content:" + hashlib.sha256(f.read_bytes()).hexdigest()

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = digest(self.components())
        return self._key


@dataclass
class TaskContext:
    task: Task
    workdir: Any  # Path
    inputs: dict  # name -> Path of the input artifact's folder
    store: Any = None  # store.Store: a task that makes others while it runs (retakes) makes them there (make_now)
    ticket: Any = None  # jobs.JobTicket: for a task that sends a paid job (it has an estimate), where and under
    # which key its job is journaled; the engine makes it, the crew passes it on in the provider's request


def reason(task: Task, last: dict | None) -> str:
    if last is None:
        return "new"
    old = last.get("components", {})
    new = task.components()
    if old.get("provider") != new["provider"]:
        return "provider"
    if old.get("code") != new["code"] or old.get("key_version") != new["key_version"] or old.get("role") != new["role"]:
        return "code"
    if old.get("params") != new["params"] or old.get("seed") != new["seed"]:
        return "params"
    return "inputs"


def topo_order(targets: list[Task]) -> list[Task]:
    seen: dict[int, Task] = {}
    order: list[Task] = []

    def visit(t: Task, stack: tuple = ()) -> None:
        if id(t) in seen:
            return
        if t.artifact in stack:
            raise ValueError(f"cycle in task graph at {t.artifact}")
        for dep in t.inputs.values():
            visit(dep, stack + (t.artifact,))
        seen[id(t)] = t
        order.append(t)

    for t in targets:
        visit(t)
    return order
