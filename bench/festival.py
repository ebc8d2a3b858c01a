"""The festival benchmark (issue 16): a contest of 2,300 entries, on SQLite and on PostgreSQL.

    .venv/bin/python bench/festival.py                      # 2,300 entries on both databases: about an hour on 2 cores
    .venv/bin/python bench/festival.py --entries 200        # a quick look
    .venv/bin/python bench/festival.py --databases sqlite   # one database

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
6. 20 users at once (12 entrants, 4 jurors, the organiser, 3 visitors) load their pages for `--seconds` over
   HTTP: each page's median, 95th percentile and slowest answer, and the slowest page.

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


def one(kind: str, n: int, workers: int, seconds: float, jurors: int) -> dict:
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
    out: dict = {"database": kind, "entries": n, "workers": workers}
    timer = Timer()
    try:
        fest, _ = Festival.init(tmp / "fest", str(profile(tmp)), database=database, organiser="org@bench.example",
                                password=PASSWORD, max_mb=10)
        cid = fest.contest()["id"]
        base = base_film(tmp)
        pool = ThreadPoolExecutor(4)
        with timer("accounts"):
            list(pool.map(lambda i: fest.register(f"e{i}@bench.example", f"Entrant {i}", PASSWORD, "Nowhere"), range(n)))
            users = list(pool.map(lambda i: fest.session(fest.login(f"e{i}@bench.example", PASSWORD)[0]), range(n)))

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

        out["pages"] = pages_under_load(fest, users, js, seconds, entries)
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


def pages_under_load(fest, users, jurors, seconds: float, entries) -> dict:
    """20 users at once, each loading their own pages in turn for `seconds`: latency per page."""
    from filmcrew.festival.server import Server
    srv = Server(fest, "127.0.0.1", 0)
    httpd = srv.start()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = srv.url().rstrip("/")

    def cookie(email):
        return fest.login(email, PASSWORD)[0]
    people = ([("entrant", cookie(f"e{i}@bench.example"), i) for i in range(12)]
              + [("juror", cookie(f"j{k}@bench.example"), k) for k in range(4)]
              + [("organiser", cookie("org@bench.example"), 0)] + [("public", None, k) for k in range(3)])
    assigned = {}
    from filmcrew.festival.jury import Jury
    for k, j in enumerate(jurors[:4]):
        films = Jury(fest).assigned(j, fest.contest()["id"])
        assigned[k] = films[0]["id"] if films else entries[0]
    routes = {"entrant": lambda i: ["/me", f"/entry?id={entries[i]}", f"/film?id={entries[i]}"],
              "juror": lambda k: ["/judge", f"/entry?id={assigned[k]}", "/judge/compare?award=2"],
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
                **({"Cookie": f"festival_session={token}"} if token else {}),
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
    ap.add_argument("--json", type=Path)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(a.one, a.entries, a.workers, a.seconds, a.jurors)))
        return 0
    results = []
    for kind in a.databases.split(","):
        print(f"{kind}: {a.entries} entries ...", file=sys.stderr, flush=True)
        r = subprocess.run([sys.executable, __file__, "--one", kind, "--entries", str(a.entries), "--workers",
                            str(a.workers), "--jurors", str(a.jurors), "--seconds", str(a.seconds)],
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
        a.json.write_text(json.dumps({"entries": a.entries, "runs": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
