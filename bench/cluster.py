"""The cluster benchmark (issue 17): what the Ray executor costs on one machine, and what a cluster would give.

    .venv/bin/python bench/cluster.py            # about 15 minutes on 2 cores (needs pip install 'filmcrew[ray]')
    .venv/bin/python bench/cluster.py --quick    # the model from a preview make: a few minutes

A 2-core machine cannot show a speed-up, so this measures the overhead, and models the rest:
1. overhead: the same 2-episode preview series made from a cold store by the local pool (--jobs 2) and by Ray
   (a one-node cluster on this machine, `ray start --head --num-cpus 2`), one after the other; the ratio
   Ray / local (goal: 1.2 at most);
2. dispatch: tasks per second for empty tasks (a task that writes one small file), local pool and Ray;
3. the model: the task graph of a 5-episode, 3-minute series (the offline writer's), with each task's time
   measured by making its first episode here on one worker (a task of episodes 2-5 takes the time of its
   kind in episode 1: a keyframe a keyframe's, a mix a mix's); the total work, the critical path (the longest
   chain of dependent tasks) and the wall time a list scheduler gets on 1, 4, 16 and 64 workers, and what
   lies on the critical path. Ray's own overhead per task (from 2) is added to each task of the model.

`--json FILE` keeps the figures. Timings compare only within one run on one machine.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from filmcrew.engine.layout import Layout

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PREMISE = "A lighthouse keeper's daughter must relight the lamp before the storm ships arrive"
EMPTY = 300  # tasks in the dispatch measurement


def filmcrew(*args) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "filmcrew"), *map(str, args)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def new_project(root: Path, episodes: int, minutes: float) -> Path:
    filmcrew("new", root, "--premise", PREMISE, "--format", "series", "--episodes", episodes, "--minutes", minutes)
    filmcrew("write", root)
    return root


def empty_graph(spec: dict) -> list:
    """`spec["n"]` tasks that each write one small file (rebuilt the same on a Ray worker, by this name)."""
    from filmcrew.engine.graph import ProviderId, Task

    def run(ctx):
        (ctx.workdir / "x.txt").write_text(ctx.task.artifact)
        return {}
    return [Task("finisher", f"empty-{i}", "1", ProviderId("bench", "1"), {"i": i, "run": spec["run_id"]}, run)
            for i in range(spec["n"])]


def dispatch(address: str | None, store_dir: Path) -> float:
    """Empty tasks per second through one executor (None: the local pool)."""
    from filmcrew.engine.executor import execute
    from filmcrew.engine.ray_cluster import RayExecutor
    from filmcrew.engine.store import Store
    spec = {"n": EMPTY, "run_id": str(store_dir)}
    runner = RayExecutor(address, "cluster:empty_graph", spec, local_workers=2) if address else None
    t0 = time.perf_counter()
    report = execute(Store(store_dir), empty_graph(spec), workers=2, executor=runner)
    secs = time.perf_counter() - t0
    assert len(report.ran) == EMPTY
    return EMPTY / secs


def start_cluster(temp: str) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": str(HERE)}  # workers import this file
    subprocess.run([str(BIN / "ray"), "start", "--head", f"--port={port}", "--num-cpus=2", "--node-ip-address=127.0.0.1",
                    "--include-dashboard=false", "--disable-usage-stats", "--object-store-memory=100000000",
                    f"--temp-dir={temp}"], check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"127.0.0.1:{port}"


def kind(artifact: str) -> str:
    """'ep03-s02-sh04.keyframe' -> 'keyframe'; 'ep03.mix' -> 'mix'; 'ep02-seg07.segment' -> 'segment'."""
    return artifact.rsplit(".", 1)[-1] if "." in artifact else artifact


def model(root: Path, preview: bool, per_task_overhead: float) -> dict:
    """Measure episode 1's tasks on one worker, then schedule the whole series' graph on N modelled workers."""
    from filmcrew import pipeline
    from filmcrew.engine.executor import execute
    from filmcrew.engine.graph import topo_order
    _cfg, ctxs = pipeline.contexts(root, dict(os.environ), None, preview)
    graphs = [pipeline.episode_graph(c) for c in ctxs]
    t0 = time.perf_counter()
    report = execute(Layout.of(root).store(), graphs[0].targets, workers=1)
    ep1_wall = time.perf_counter() - t0
    by_kind: dict[tuple, list] = defaultdict(list)
    for t in topo_order(graphs[0].targets):
        if t.artifact in report.seconds:
            by_kind[(t.role, kind(t.artifact))].append(report.seconds[t.artifact])
    mean = {k: sum(v) / len(v) for k, v in by_kind.items()}
    nodes: dict[str, float] = {}
    deps: dict[str, set] = {}
    for t in topo_order([t for g in graphs for t in g.targets]):  # a task shared by episodes (a character sheet) once
        nodes[t.artifact] = mean.get((t.role, kind(t.artifact)), 0.0) + per_task_overhead
        deps.setdefault(t.artifact, set()).update(d.artifact for d in t.inputs.values())
    order = list(nodes)  # topological already
    below: dict[str, float] = {}  # the longest chain from a task to the end of the graph, itself included
    users: dict[str, list] = defaultdict(list)
    for a in order:
        for d in deps[a]:
            users[d].append(a)
    for a in reversed(order):
        below[a] = nodes[a] + max((below[u] for u in users[a]), default=0.0)
    start = max(order, key=lambda a: below[a])
    path = [start]
    while users[path[-1]]:
        path.append(max(users[path[-1]], key=lambda u: below[u]))
    walls = {w: schedule(nodes, deps, below, w) for w in (1, 4, 16, 64)}
    return {"ep1_wall_s": ep1_wall, "tasks": len(nodes), "work_s": sum(nodes.values()), "critical_path_s": below[start],
            "critical_path": [(a, round(nodes[a], 2)) for a in path], "modelled_wall_s": walls,
            "slowest_kinds": sorted(((f"{r}/{k}", round(v, 2)) for (r, k), v in mean.items()), key=lambda x: -x[1])[:8]}


def schedule(nodes: dict, deps: dict, below: dict, workers: int) -> float:
    """List scheduling: whenever a worker is free, it takes the ready task with the longest chain below it."""
    import heapq
    left = {a: len(d) for a, d in deps.items()}
    users = defaultdict(list)
    for a, d in deps.items():
        for x in d:
            users[x].append(a)
    ready = [(-below[a], a) for a, n in left.items() if n == 0]
    heapq.heapify(ready)
    running: list = []  # (finish time, artifact)
    now, free = 0.0, workers
    while ready or running:
        while ready and free:
            _, a = heapq.heappop(ready)
            heapq.heappush(running, (now + nodes[a], a))
            free -= 1
        now, a = heapq.heappop(running)
        free += 1
        for u in users[a]:
            left[u] -= 1
            if left[u] == 0:
                heapq.heappush(ready, (-below[u], u))
    return now


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="model from a preview make of episode 1 (half size)")
    ap.add_argument("--overhead-only", action="store_true", help="steps 1 and 2 only")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    res: dict = {}
    work = Path(tempfile.mkdtemp(prefix="filmcrew-cluster-bench-"))
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
    address = start_cluster(temp)
    try:
        written = new_project(work / "overhead", 2, 0.5)
        for name in ("local", "ray"):
            shutil.copytree(written, work / name)
        res["local_make_s"] = filmcrew("make", work / "local", "--preview", "--quiet", "--jobs", 2)
        res["ray_make_s"] = filmcrew("make", work / "ray", "--preview", "--quiet", "--executor", "ray", "--address", address)
        res["ray_over_local"] = res["ray_make_s"] / res["local_make_s"]
        print(f"1. preview make, 2 x 30 s: local pool {res['local_make_s']:.1f} s, Ray {res['ray_make_s']:.1f} s: "
              f"ratio {res['ray_over_local']:.2f} (goal <= 1.2)", flush=True)
        res["empty_tasks_per_s"] = {"local": dispatch(None, work / "empty-local"), "ray": dispatch(address, work / "empty-ray")}
        per_task = 1 / res["empty_tasks_per_s"]["ray"] - 1 / res["empty_tasks_per_s"]["local"]
        print(f"2. empty tasks per second: local pool {res['empty_tasks_per_s']['local']:.0f}, "
              f"Ray {res['empty_tasks_per_s']['ray']:.0f} (about {per_task * 1000:.1f} ms more per task)", flush=True)
    finally:
        subprocess.run([str(BIN / "ray"), "stop", "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(temp, ignore_errors=True)
    if not a.overhead_only:
        report_model(res, new_project(work / "series", 5, 3.0), a.quick, max(0.0, per_task))
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    return 0


def report_model(res: dict, series: Path, quick: bool, per_task: float) -> None:
    m = model(series, quick, per_task)
    res["model"] = {**m, "preview": quick}
    print(f"3. a 5 x 3-min series{' (preview)' if quick else ''}: {m['tasks']} tasks, {m['work_s']:.0f} s of work "
          f"(episode 1 made here on one worker in {m['ep1_wall_s']:.0f} s); critical path {m['critical_path_s']:.0f} s")
    for w, s in m["modelled_wall_s"].items():
        print(f"   {w:>2} worker(s): {s:7.0f} s  (speed-up {m['modelled_wall_s'][1] / s:4.1f}x)")
    print("   on the critical path: " + " -> ".join(f"{art} {s:.1f}s" for art, s in m["critical_path"]))
    print(f"   slowest kinds of task: {', '.join(f'{k} {v}s' for k, v in m['slowest_kinds'])}")


if __name__ == "__main__":
    sys.exit(main())
