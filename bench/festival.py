"""The festival benchmark (issue 16): a contest of 2,300 entries, on SQLite and on PostgreSQL.

    .venv/bin/python bench/festival.py                      # 2,300 entries on both databases: about an hour on 2 cores
    .venv/bin/python bench/festival.py --entries 200        # a quick look
    .venv/bin/python bench/festival.py --databases sqlite   # one database
    .venv/bin/python bench/festival.py --databases postgresql --server uvicorn --server-workers 4 --fast-setup
                                 # the pages as deployed: `uvicorn --factory` with 4 workers on PostgreSQL

Per database, in a process of its own (so its peak memory is its own):
1. 2,300 entrants create their accounts (Argon2id, as in the pages) and sign in;
2. each sends a film in one piece and submits it with its provenance file. The films are one 6-second synthetic
   clip (180x320, H.264 High, AAC at -14 LUFS) generated once and copied with changed metadata (a `free` box
   at the end holding the entry's number), so every film has its own SHA-256 and its own check: none is
   answered from another's. Their provenance files declare an AI share of 85%;
3. every check runs (the background checker with the local pool: `--workers`), decoding each film whole:
   entries checked per minute;
4. nothing is lost: every submission has exactly one check, done;
5. 60 jurors are invited and join, films are assigned (3 jurors each), every juror scores every film of theirs
   for each scores award (a mark from the film's simulated quality, rounded to 1-10) and answers every pair of
   the pairwise award (the better film by that quality), the rankings are computed (and how well each recovers
   the quality: Spearman's rho), winners decided, the results published;
6. 20 users at once (12 entrants, 4 jurors, the organiser, 3 visitors), each signed in through the sign-in page,
   load their pages for `--seconds` over HTTP: each page's median, 95th percentile and slowest answer, and the
   slowest page. The festival's app (festival/app.py) is served by uvicorn: on a thread of the benchmark's process
   (`--server thread`, one worker, as `filmcrew festival serve` does) or as its own `uvicorn --factory
   filmcrew.festival.app:create_app --workers N` (`--server uvicorn --server-workers N`, as deployed).

`--fast-setup` (for the page figures, when an hour is not to be had): the accounts are written to the database
with one Argon2id hash made once (every sign-in still verifies it), and the first 32 films are checked for real
and their result given to every other entry (same film, same findings) instead of decoding 2,300 films.

The contest's rules are iqiyi-2025's, with a 5-second minimum length and the labels advised (not required), so that
the synthetic clips can be eligible and go on to the jury; every rule is still measured on every film.
Peak memory: the benchmark process's (server, checker, database client) and its children's (ffmpeg, PostgreSQL
is not counted: it is a server of its own). `--json FILE` keeps the figures; timings compare only within one run.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the PostgreSQL server the tests start

PASSWORD = "benchmark password"


def base_film(folder: Path) -> bytes:
    from filmcrew.media import ffmpeg
    p = folder / "base.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=s=180x320:r=30:d=6", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000:duration=6", "-af", "loudnorm=I=-14:TP=-2:LRA=7",
                "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-colorspace", "bt709",
                "-color_primaries", "bt709", "-color_trc", "bt709", "-c:a", "aac", "-ar", "48000", "-ac", "2",
                "-movflags", "+faststart", str(p)], "benchmark film")
    return p.read_bytes()


def copy_of(base: bytes, n: int) -> bytes:
    """The film with a `free` box at its end naming entry `n` (a valid MP4, other bytes, another SHA-256)."""
    payload = f"filmcrew festival benchmark entry {n}".encode()
    return base + (8 + len(payload)).to_bytes(4, "big") + b"free" + payload


def profile(folder: Path) -> Path:
    from filmcrew.provenance import check
    p = check.load_profile("iqiyi-2025")
    p = {**p, "name": "iqiyi-2025-bench", "title": "Benchmark contest: iqiyi-2025's rules, 5 s minimum, labels advised",
         "duration_s": [5, 300], "labels": {k: "advised" for k in p["labels"]}}
    out = folder / "iqiyi-2025-bench.json"
    out.write_text(json.dumps(p))
    return out


class Timer:
    def __init__(self):
        self.t = {}

    def __call__(self, name):
        timer = self

        class Span:
            def __enter__(self):
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                timer.t[name] = round(time.perf_counter() - self.t0, 2)
        return Span()


def fast_accounts(fest, n: int) -> list[dict]:
    """n entrants written to the database at once, with one Argon2id hash (of PASSWORD) made once."""
    from filmcrew.festival import accounts
    hashed = accounts.hash_password(PASSWORD)
    u = fest.t["users"]
    with fest.engine.begin() as c:
        c.execute(u.insert(), [{"email": f"e{i}@bench.example", "name": f"Entrant {i}", "country": "Nowhere",
                                "password_hash": hashed, "role": "entrant", "created_at": accounts.now()}
                               for i in range(n)])
        rows = c.execute(u.select().where(u.c.role == "entrant").order_by(u.c.id)).mappings().all()
    return [{"id": r["id"], "email": r["email"], "name": r["name"], "role": "entrant", "csrf": ""} for r in rows]


def fast_checks(fest, checker) -> None:
    """The first batch of checks for real; their result given to every other entry (the same film)."""
    checker.run_once()
    ch = fest.t["checks"]
    with fest.engine.begin() as c:
        done = c.execute(ch.select().where(ch.c.state == "done").limit(1)).mappings().first()
        c.execute(ch.update().where(ch.c.state == "queued").values(
            state="done", passed=done["passed"], ai_share=done["ai_share"], findings=done["findings"], attempts=1))


def one(kind: str, n: int, workers: int, seconds: float, jurors: int, server: str = "thread",
        server_workers: int = 1, fast: bool = False) -> dict:
    from filmcrew.festival.checks import Checker
    from filmcrew.festival.core import Festival
    from filmcrew.festival.jury import Jury
    tmp = Path(tempfile.mkdtemp(prefix=f"festival-bench-{kind}-"))
    pg = None
    database = None
    if kind == "postgresql":
        from postgres_server import Postgres
        pg = Postgres().__enter__()
        database = pg.create("festival")
    out: dict = {"database": kind, "entries": n, "workers": workers, "server": server,
                 "server_workers": server_workers, "fast_setup": fast}
    timer = Timer()
    try:
        fest, _ = Festival.init(tmp / "fest", str(profile(tmp)), database=database, organiser="org@bench.example",
                                password=PASSWORD, max_mb=10)
        cid = fest.contest()["id"]
        base = base_film(tmp)
        pool = ThreadPoolExecutor(4)
        with timer("accounts"):
            if fast:
                users = fast_accounts(fest, n)
            else:
                list(pool.map(lambda i: fest.register(f"e{i}@bench.example", f"Entrant {i}", PASSWORD, "Nowhere"),
                              range(n)))
                users = list(pool.map(lambda i: fest.session(fest.login(f"e{i}@bench.example", PASSWORD)[0]),
                                      range(n)))

        def submit(i):
            data = copy_of(base, i)
            up = fest.start_upload(users[i], cid, len(data))
            row = fest.put_piece(users[i], up, 0, io.BytesIO(data), len(data))
            prov = json.dumps({"sha256": row["sha"], "ai_share": {"method": "benchmark (declared)",
                                                                  "ai_share": {"generated": 0.85, "trained": 0.85}}})
            return fest.submit(users[i], cid, up, f"Film {i}", "A benchmark entry", "", prov.encode())
        with timer("submissions"):
            entries = list(pool.map(submit, range(n)))
        checker = Checker(fest, workers=workers, batch=32)
        with timer("checks"):
            if fast:
                fast_checks(fest, checker)
            else:
                while checker.run_once():
                    pass
        with fest.engine.connect() as c:
            rows = c.exec_driver_sql("select entry_id, count(*), sum(case when state = 'done' then 1 else 0 end), "
                                     "sum(case when passed then 1 else 0 end) from checks group by entry_id").all()
        out["lost"] = n - len(rows)
        out["not_exactly_one_result"] = sum(1 for r in rows if r[1] != 1 or r[2] != 1)
        out["eligible"] = sum(int(r[3] or 0) for r in rows)
        out["checks_per_minute"] = round(n / timer.t["checks"] * 60, 1)
        out["submissions_per_minute"] = round(n / timer.t["submissions"] * 60, 1)

        org = fest.session(fest.login("org@bench.example", PASSWORD)[0])
        jury = Jury(fest)
        with timer("jury_join"):
            tokens = [jury.invite(org, f"j{k}@bench.example", f"Juror {k}") for k in range(jurors)]
            list(pool.map(lambda t: jury.accept(t, PASSWORD), tokens))
            js = list(pool.map(lambda k: fest.session(fest.login(f"j{k}@bench.example", PASSWORD)[0]), range(jurors)))
        with timer("assign"):
            got = jury.assign(org, cid, per_entry=3)
        out["assignments"], out["short"] = got["assigned"], len(got["short"])
        awards = fest.awards(cid)
        rng = random.Random(7)
        quality = {e: rng.random() for e in entries}

        def judge(j):
            for f in jury.assigned(j, cid):
                for aw in awards:
                    if aw["method"] == "scores":
                        jury.score(j, f["id"], aw["id"], {c["name"]: round(1 + 9 * quality[f["id"]])
                                                          for c in aw["categories"]})
            for aw in awards:
                if aw["method"] == "pairwise":
                    for a, b in jury.pairs(j, aw["id"]):
                        jury.compare(j, aw["id"], a, b, a if quality[a] > quality[b] else b)
        with timer("judging"):
            list(pool.map(judge, js))
        with timer("rankings"):
            ranks = {aw["name"]: jury.ranking(org, aw["id"]) for aw in awards}
        out["rank_correlation"] = {k: spearman([quality[r["entry"]] for r in v]) for k, v in ranks.items()}
        for aw in awards:
            jury.decide(org, aw["id"], ranks[aw["name"]][0]["entry"])
        jury.set_contest(org, cid, published=True)

        out["pages"] = pages_under_load(fest, js, seconds, entries, server, server_workers)
        slow = max(out["pages"].items(), key=lambda kv: kv[1]["p95_ms"])
        out["slowest_page"] = {"page": slow[0], **slow[1]}
        out["seconds"] = timer.t
        fest.close()
    finally:
        if pg is not None:
            pg.__exit__(None, None, None)
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["peak_child_rss_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return out


def spearman(ordered_quality: list[float]) -> float:
    """Spearman's rho between a ranking (best first) and the films' simulated quality: how well the jury's marks
    or comparisons, through the award's method, recover it (1: exactly)."""
    n = len(ordered_quality)
    if n < 2:
        return 1.0
    by_quality = sorted(range(n), key=lambda i: -ordered_quality[i])
    true_rank = {i: r for r, i in enumerate(by_quality)}
    return round(1 - 6 * sum((i - true_rank[i]) ** 2 for i in range(n)) / (n * (n * n - 1)), 3)


def sign_in(base: str, email: str) -> str:
    """Sign in through the pages (the form token of the sign-in page, then the form): the Cookie header after."""
    import http.cookiejar
    import re
    import urllib.parse
    jar = http.cookiejar.CookieJar()

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)
    with opener.open(base + "/login", timeout=60) as r:
        token = re.search(r'name="csrf" value="([^"]+)"', r.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf": token}).encode()
    try:
        opener.open(urllib.request.Request(base + "/login", data=form), timeout=60)
    except urllib.error.HTTPError as err:
        if err.code != 303:
            raise
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Served:
    """The festival's app under uvicorn: on a thread here (one worker), or `uvicorn --factory` with N workers."""

    def __init__(self, fest, server: str, workers: int):
        self.proc = self.bg = None
        if server == "thread":
            from filmcrew.festival.app import create_app
            from filmcrew.web.serve import Background
            self.bg = Background(create_app(festival=fest), "127.0.0.1").start()
            self.port = self.bg.port
            return
        import os
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "FILMCREW_FESTIVAL": str(fest.folder)}
        self.proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "filmcrew.festival.app:create_app",
                                      "--workers", str(workers), "--host", "127.0.0.1", "--port", str(self.port),
                                      "--log-level", "warning", "--no-access-log"], env=env, start_new_session=True)
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5):
                    break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.3)

    def close(self):
        if self.bg is not None:
            self.bg.close()
        if self.proc is not None:
            import os
            import signal
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


def pages_under_load(fest, jurors, seconds: float, entries, server: str = "thread", server_workers: int = 1) -> dict:
    """20 users at once, each loading their own pages in turn for `seconds`: latency per page."""
    srv = Served(fest, server, server_workers)
    base = f"http://127.0.0.1:{srv.port}"

    def cookie(email):
        return sign_in(base, email)
    people = ([("entrant", cookie(f"e{i}@bench.example"), i) for i in range(12)]
              + [("juror", cookie(f"j{k}@bench.example"), k) for k in range(4)]
              + [("organiser", cookie("org@bench.example"), 0)] + [("public", None, k) for k in range(3)])
    assigned = {}
    from filmcrew.festival.jury import Jury
    for k, j in enumerate(jurors[:4]):
        films = Jury(fest).assigned(j, fest.contest()["id"])
        assigned[k] = films[0]["id"] if films else entries[0]
    pairwise = next(a["id"] for a in fest.awards(fest.contest()["id"]) if a["method"] == "pairwise")
    routes = {"entrant": lambda i: ["/me", f"/entry?id={entries[i]}", f"/film?id={entries[i]}"],
              "juror": lambda k: ["/judge", f"/entry?id={assigned[k]}", f"/judge/compare?award={pairwise}"],
              "organiser": lambda _: ["/entries", "/awards", "/jury", "/audit"],
              "public": lambda _: ["/", "/results"]}
    times: dict = {}
    errors: list = []
    stop = time.time() + seconds

    def browse(who):
        role, token, i = who
        paths = routes[role](i)
        k = 0
        while time.time() < stop:
            path = paths[k % len(paths)]
            k += 1
            req = urllib.request.Request(base + path, headers={
                **({"Cookie": token} if token else {}),
                **({"Range": "bytes=0-65535"} if path.startswith("/film") else {})})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    r.read()
                    ok = r.status in (200, 206)
            except Exception as err:  # noqa: BLE001 - counted, and said
                ok = False
                errors.append(f"{path}: {err}")
            times.setdefault(path.split("?")[0], []).append((time.perf_counter() - t0) * 1000)
            if not ok:
                errors.append(path)
    threads = [threading.Thread(target=browse, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    srv.close()
    out = {}
    for path, ms in sorted(times.items()):
        ms.sort()
        out[path] = {"loads": len(ms), "p50_ms": round(statistics.median(ms), 1),
                     "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1), "max_ms": round(ms[-1], 1)}
    out["_errors"] = {"count": len(errors), "first": errors[:3]}
    return {k: v for k, v in out.items() if k != "_errors"} | ({"errors": out["_errors"]} if errors else {})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=2300)
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--workers", type=int, default=2, help="checks at a time (the local pool)")
    ap.add_argument("--jurors", type=int, default=60)
    ap.add_argument("--seconds", type=float, default=30.0, help="how long the 20 users load pages")
    ap.add_argument("--server", choices=("thread", "uvicorn"), default="thread",
                    help="the pages on a thread of this process, or `uvicorn --factory` processes")
    ap.add_argument("--server-workers", type=int, default=4, help="uvicorn's workers with --server uvicorn")
    ap.add_argument("--fast-setup", action="store_true", help="accounts with one hash, one batch of real checks")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one, a.entries, a.workers, a.seconds, a.jurors, a.server,
                             a.server_workers if a.server == "uvicorn" else 1, a.fast_setup)))
        return 0
    results = []
    for kind in a.databases.split(","):
        print(f"{kind}: {a.entries} entries ...", file=sys.stderr, flush=True)
        r = subprocess.run([sys.executable, __file__, "--one", kind, "--entries", str(a.entries), "--workers",
                            str(a.workers), "--jurors", str(a.jurors), "--seconds", str(a.seconds), "--server",
                            a.server, "--server-workers", str(a.server_workers)] + (["--fast-setup"] if a.fast_setup
                                                                                   else []),
                           capture_output=True, text=True)
        if r.returncode:
            print(r.stderr[-3000:], file=sys.stderr)
            return 1
        res = json.loads(r.stdout.strip().splitlines()[-1])
        results.append(res)
        s = res["seconds"]
        print(f"{kind}: {res['checks_per_minute']} entries checked a minute ({s['checks']} s for {a.entries}); "
              f"{res['submissions_per_minute']} submissions a minute; lost {res['lost']}, not exactly one result "
              f"{res['not_exactly_one_result']}, eligible {res['eligible']}; accounts {s['accounts']} s, judging "
              f"{s['judging']} s ({res['assignments']} assignments), rankings {s['rankings']} s (rho with the quality "
              f"{', '.join(f'{k} {v}' for k, v in res['rank_correlation'].items())}); slowest page "
              f"{res['slowest_page']['page']} p95 {res['slowest_page']['p95_ms']} ms (max "
              f"{res['slowest_page']['max_ms']} ms) under 20 users; peak {res['peak_rss_mib']} MiB "
              f"(+ children {res['peak_child_rss_mib']} MiB)", flush=True)
    if a.json:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=HERE).stdout.strip()
        a.json.write_text(json.dumps({"entries": a.entries, "date": time.strftime("%Y-%m-%d"), "commit": commit,
                                      "machine": f"{__import__('os').cpu_count()} cores", "server": a.server,
                                      "server_workers": a.server_workers if a.server == "uvicorn" else 1,
                                      "fast_setup": a.fast_setup, "runs": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
