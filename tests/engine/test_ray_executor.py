"""The Ray executor (issue 17), on a REAL local Ray cluster: a head node and a second worker node, started
with `ray start` like a user would, one CPU each. No mock: the same `filmcrew make` a user runs, with
--executor ray, against the same store as the local pool.

Checked: a two-episode preview series made on the cluster has the local make's content keys and its frames and
samples, and plans "nothing to do" after; Ray reuses what a local make stored and makes only the rest; a worker
node killed mid-make does not stop the make, and nothing stored before is made again. The first tests need no
cluster: where tasks go, what a worker does with a key the store holds or a graph it does not see."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from filmcrew.cli import main
from filmcrew.engine import ray_cluster
from filmcrew.engine.graph import ProviderId, Task
from filmcrew.engine.store import Store
from filmcrew.errors import ConfigError, FilmcrewError

BIN = Path(sys.executable).parent
HAVE_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed: pip install 'filmcrew[ray]'")


def task(role="finisher", provider="ffmpeg", run=None, artifact="ep01.x") -> Task:
    return Task(role, artifact, "1", ProviderId(provider, "1"), {"n": 1}, run or (lambda ctx: {}))


# ---- without a cluster -----------------------------------------------------------------------------
def test_placement_keeps_vendor_jobs_and_checks_here_and_hints_the_rest(small_film):
    from filmcrew import pipeline
    from filmcrew.crew.cast import placement
    _cfg, ctxs = pipeline.contexts(small_film, {}, preview=True)
    crew = ctxs[0].crew

    class Vendor:  # a networked provider: it has a base_url
        name, base_url = "some-vendor", "https://api.example.com"
    crew = type(crew)(**{**crew.__dict__, "animator": Vendor()})
    where = placement(crew)
    assert where(task("animator", "some-vendor")) == ray_cluster.DRIVER
    assert where(task("consistency", "faces")) == ray_cluster.DRIVER
    assert where(task("finisher", "ffmpeg")) == {"num_cpus": 1}
    assert where(task("editor", "timeline")) == ray_cluster.DRIVER  # cheaper made here than shipped


def test_a_worker_never_makes_what_the_store_holds(tmp_path):
    st = Store(tmp_path / "store")
    ran = []
    t = task(run=lambda ctx: ran.append(1) or {})
    wd = st.new_workdir()
    (wd / "f.txt").write_text("made before")
    st.commit(t.key, wd, {"made": "elsewhere"})
    assert ray_cluster.work("tests.engine.test_ray_executor:no_graph", {"run": "r1", "root": "/x"}, t.artifact, t.key,
                            str(st.root)) is None
    assert not ran


def no_graph(spec):
    return [task(artifact="ep01.x")]


def test_a_worker_that_sees_another_project_says_so(tmp_path):
    out = ray_cluster.work("tests.engine.test_ray_executor:no_graph", {"run": "r2", "root": "/projects/film"}, "ep01.x",
                           "f" * 64, str(tmp_path / "store"))
    assert out["kind"] == "filmcrew"
    assert "does not see the task" in out["error"] and "/projects/film" in out["error"] and "shared file system" in out["error"]


def test_the_executor_setting_is_checked(tmp_path):
    from filmcrew import project
    root = tmp_path / "p"
    assert main(["new", str(root), "--premise", "A baker wins back her recipe"]) == 0
    cfg = (root / "filmcrew.toml").read_text()
    (root / "filmcrew.toml").write_text(cfg + '\n[run]\nexecutor = "spark"\n')
    with pytest.raises(ConfigError, match=r"\[run\] executor: 'spark' is not one of local, ray"):
        project.load_config(root)
    (root / "filmcrew.toml").write_text(cfg + '\n[run]\nexecutor = "ray"\naddress = "auto"\n')
    assert project.load_config(root).run == project.Run("ray", "auto")


@needs_ray
def test_an_address_where_no_cluster_answers_is_said_at_once(small_film, tmp_path, capsys):
    root = tmp_path / "film"
    shutil.copytree(small_film, root)
    port = free_port()  # nothing listens there
    t0 = time.time()
    capsys.readouterr()
    assert main(["make", str(root), "--preview", "--executor", "ray", "--address", f"127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert f"--address 127.0.0.1:{port}: nothing answers there" in err and "ray start --head" in err
    assert time.time() - t0 < 60  # (Ray itself would retry for minutes)


def test_without_ray_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(FilmcrewError, match=r"pip install 'filmcrew\[ray\]'"):
        ray_cluster.import_ray()


# ---- a real cluster ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ray_cmd(*args, **kw):
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    return subprocess.run([str(BIN / "ray"), *args], env=env, capture_output=True, text=True, timeout=180, **kw)


def alive_nodes(address: str) -> int:
    out = ray_cmd("status", f"--address={address}").stdout
    active = out.split("Active:", 1)[-1].split("Pending:", 1)[0]
    return len(re.findall(r"node_[0-9a-f]+", active))


def start_worker_node(address: str) -> subprocess.Popen:
    """A second node, in its own process group (so a test can kill the whole node at once)."""
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    return subprocess.Popen([str(BIN / "ray"), "start", f"--address={address}", "--num-cpus=1", "--node-ip-address=127.0.0.1",
                             "--object-store-memory=80000000", "--block"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture(scope="module")
def cluster():
    if not HAVE_RAY:
        pytest.skip("Ray is not installed: pip install 'filmcrew[ray]'")
    port = free_port()
    address = f"127.0.0.1:{port}"
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # Ray's socket paths must stay short
    head = ray_cmd("start", "--head", f"--port={port}", "--num-cpus=1", "--node-ip-address=127.0.0.1",
                   "--include-dashboard=false", "--disable-usage-stats", "--object-store-memory=80000000", f"--temp-dir={temp}")
    assert head.returncode == 0, head.stdout + head.stderr
    worker = start_worker_node(address)
    try:
        deadline = time.time() + 120
        while alive_nodes(address) < 2:
            assert time.time() < deadline and worker.poll() is None, "the second Ray node did not join within 120 s"
            time.sleep(1)
        yield {"address": address, "worker": worker}
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)  # (reaped: a Popen left running is an error at the session's end)
        ray_cmd("stop", "--force")
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """A written two-episode series (15 s episodes), copied by each test; and its local preview make."""
    base = tmp_path_factory.mktemp("ray")
    root = base / "written"
    assert main(["new", str(root), "--premise", "A lighthouse keeper's daughter must relight the lamp before the storm "
                 "ships arrive", "--format", "series", "--episodes", "2", "--minutes", "0.25"]) == 0
    assert main(["write", str(root)]) == 0
    local = copy(root, base / "local")
    made = filmcrew("make", local, "--preview", "--quiet")
    assert made.returncode == 0, made.stderr
    return root, local


def copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def filmcrew(*args, **kw):
    return subprocess.run([str(BIN / "filmcrew"), *map(str, args)], capture_output=True, text=True, timeout=900, **kw)


def keys(root: Path) -> dict[str, str]:
    return {p.stem: json.loads(p.read_text())["key"] for p in (root / ".filmcrew" / "index").glob("*.json")}


def objects(root: Path) -> dict[str, tuple]:
    """Every stored artifact, with the identity of its record file (a re-made artifact gets a new one)."""
    out = {}
    for rec in (root / ".filmcrew" / "objects").glob("*/*/record.json"):
        st = rec.stat()
        out[rec.parent.name] = (st.st_ino, st.st_mtime_ns)
    return out


def make_until(root: Path, cluster: dict, stored: int) -> subprocess.Popen:
    """A preview make on the cluster, in the background, once it has stored `stored` artifacts."""
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    make = subprocess.Popen([str(BIN / "filmcrew"), "make", str(root), "--preview", "--quiet", "--executor", "ray",
                             "--address", cluster["address"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    deadline = time.time() + 300
    while len(objects(root)) < stored:
        assert make.poll() is None, make.communicate()
        assert time.time() < deadline
        time.sleep(0.2)
    return make


def frames_and_samples(mp4: Path) -> str:
    """A digest of every decoded video frame and audio packet (not of the file: its credentials carry a time)."""
    from filmcrew.media import ffmpeg
    out = subprocess.run([ffmpeg.executable(), "-v", "error", "-i", str(mp4), "-map", "0:v", "-map", "0:a", "-f",
                          "framemd5", "-"], capture_output=True, check=True).stdout  # (not the subtitle tracks)
    lines = [ln for ln in out.decode().splitlines() if not ln.startswith("#")]
    assert len(lines) > 100
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@needs_ray
@pytest.mark.slow
def test_a_series_made_on_the_cluster_is_the_local_film(cluster, series, tmp_path):
    written, local = series
    root = copy(written, tmp_path / "film")
    made = filmcrew("make", root, "--preview", "--executor", "ray", "--address", cluster["address"])
    assert made.returncode == 0, made.stdout + made.stderr
    sent = re.search(r"(\d+) task\(s\) sent to the Ray cluster", made.stdout)
    assert sent and int(sent.group(1)) > 30, made.stdout
    assert keys(root) == keys(local)  # the same content keys, artifact by artifact
    for ep in ("ep01", "ep02"):
        assert frames_and_samples(root / "out" / f"{ep}.preview.mp4") == frames_and_samples(local / "out" / f"{ep}.preview.mp4")
    again = filmcrew("plan", root, "--preview")
    assert "nothing to do" in again.stdout


@needs_ray
@pytest.mark.slow
def test_the_cluster_reuses_what_a_local_make_stored(cluster, series, tmp_path):
    written, local = series
    root = copy(written, tmp_path / "film")
    first = filmcrew("make", root, "--preview", "--quiet", "--episode", "1")  # the local pool, episode 1
    assert first.returncode == 0, first.stderr
    before = objects(root)
    made = filmcrew("make", root, "--preview", "--executor", "ray", "--address", cluster["address"])
    assert made.returncode == 0, made.stdout + made.stderr
    after = objects(root)
    assert {k: after[k] for k in before} == before  # nothing the local make stored was made again
    n = int(re.search(r"made (\d+) artifact", made.stdout).group(1))
    assert 0 < n <= len(after) - len(before)  # only what was missing (episode 2) ran on the cluster
    assert keys(root) == keys(local)


@needs_ray
@pytest.mark.slow
def test_a_batch_makes_its_films_side_by_side_on_ray(cluster, tmp_path):
    """filmcrew batch with executor = "ray": each film's make a process of its own on the one cluster, at the same
    time (their recorded runs overlap), with the summary as one after another gives it (issue 37)."""
    recipe = tmp_path / "recipe.toml"
    recipe.write_text(f"""[batch]
folder = "films"
premises = ["A lighthouse keeper's daughter must relight the lamp before the storm ships arrive",
            "A baker must win back her stolen recipe before the festival"]
preview = true
executor = "ray"
address = "{cluster['address']}"
[film]
minutes = 0.25
""")
    r = filmcrew("batch", recipe)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "started on Ray (2 side by side)" in r.stderr and r.stderr.count(": made") == 2, r.stderr
    films = sorted(p for p in (tmp_path / "films").iterdir() if (p / "filmcrew.toml").exists())
    spans = []
    for f in films:
        assert (f / "out" / "ep01.preview.mp4").exists()
        run = max((f / ".filmcrew" / "events").glob("*.jsonl"), key=lambda p: p.stat().st_mtime)
        times = [json.loads(ln)["t"] for ln in run.read_text().splitlines() if ln.strip()]
        spans.append((min(times), max(times)))
    (a0, a1), (b0, b1) = spans
    assert a0 < b1 and b0 < a1, spans  # the two makes ran at the same time
    rows = json.loads((tmp_path / "films" / "batch.json").read_text())["films"]
    assert len(rows) == 2 and all(r_["seconds"] > 10 for r_ in rows)


@needs_ray
@pytest.mark.slow
def test_the_cluster_works_in_a_store_outside_the_project(cluster, series, tmp_path):
    """FILMCREW_STORE: the workers put the artifacts where the make's project says they live."""
    written, local = series
    root = copy(written, tmp_path / "film")
    shared = tmp_path / "shared"
    made = filmcrew("make", root, "--preview", "--quiet", "--executor", "ray", "--address", cluster["address"],
                    env={**os.environ, "FILMCREW_STORE": str(shared)})
    assert made.returncode == 0, made.stdout + made.stderr
    assert keys(root) == keys(local) and not list((root / ".filmcrew").glob("objects/*/*/record.json"))
    assert len(list(shared.glob("objects/*/*/record.json"))) == len(objects(local))


@needs_ray
@pytest.mark.slow
def test_the_festivals_checks_fan_out_over_the_cluster(cluster, tmp_path):
    """Issue 16 on issue 17's executor: the festival's background checks sent to the cluster's workers by content
    key (each rebuilt there from the batch), their results in the festival's store and database."""
    pytest.importorskip("sqlalchemy", reason="the festival needs its extra: pip install 'filmcrew[festival]'")
    from festival_helpers import entrant, make_festival, send, synth

    from filmcrew.festival.checks import Checker
    fest = make_festival(tmp_path / "fest")
    film = synth(tmp_path / "plain.mp4", seconds=3, size=(180, 320))
    other = tmp_path / "other.mp4"  # the same clip with other bytes: a check of its own
    other.write_bytes(film.read_bytes() + (12).to_bytes(4, "big") + b"free" + b"copy")
    entries = [send(fest, entrant(fest, f"e{i}@example.org"), f, f"Film {i}") for i, f in enumerate((film, other))]
    used = []

    def on_ray(spec):
        ex = ray_cluster.RayExecutor(cluster["address"], "filmcrew.festival.checks:worker_targets", spec, local_workers=1)
        used.append(ex)
        return ex
    ray_cluster.connect(cluster["address"])
    try:
        assert Checker(fest, executor_for=on_ray).run_once() == 2
    finally:
        import ray
        ray.shutdown()
    assert sum(ex.sent for ex in used) == 2 and sum(ex.here for ex in used) == 0  # both checked on the workers
    for eid in entries:
        ck = fest.latest_check(eid)
        assert ck["state"] == "done" and ck["passed"] is False
        assert {f["check"] for f in ck["findings"]} >= {"integrity", "duration", "ai_share", "loudness"}
    fest.close()


def test_a_worker_node_killed_mid_make_does_not_stop_it(cluster, series, tmp_path):
    written, local = series
    root = copy(written, tmp_path / "film")
    make = make_until(root, cluster, 12)  # well into the make (it stores about 80)
    stored = objects(root)
    os.killpg(cluster["worker"].pid, signal.SIGKILL)  # the whole second node: its raylet and its workers
    out, err = make.communicate(timeout=600)
    assert make.returncode == 0, out + err
    after = objects(root)
    assert {k: after[k] for k in stored} == stored  # what was stored before the kill was not made again
    assert keys(root) == keys(local)
    for ep in ("ep01", "ep02"):
        assert frames_and_samples(root / "out" / f"{ep}.preview.mp4") == frames_and_samples(local / "out" / f"{ep}.preview.mp4")


@needs_ray
@pytest.mark.slow
def test_ctrl_c_cancels_the_clusters_tasks(cluster, series, tmp_path):
    written, local = series
    root = copy(written, tmp_path / "film")
    make = make_until(root, cluster, 8)
    make.send_signal(signal.SIGINT)
    _out, err = make.communicate(timeout=120)
    assert make.returncode == 130 and "interrupted" in err, err
    stopped = len(objects(root))
    time.sleep(8)  # a task still running on the cluster would land in the store now
    assert len(objects(root)) == stopped
    resumed = filmcrew("make", root, "--preview", "--quiet", "--executor", "ray", "--address", cluster["address"])
    assert resumed.returncode == 0, resumed.stderr
    assert keys(root) == keys(local)
