"""Copy detection at a contest's size (issue 31's flags, measured for 2,300 entries): one new film's check compares
its fingerprint (festival/copies.py: a 64-bit picture hash a second) with every other entrant's film.

    .venv/bin/python bench/copies.py                 # 2,300 entries of 1 to 5 minutes
    .venv/bin/python bench/copies.py --entries 500 --json bench/runs/DATE-COMMIT-copies.json

The fingerprints are synthetic (random hashes a second, so unrelated films share no picture; real films of one
style share more near-misses than these, which costs the diagonal search more), with planted copies: a film
re-encoded (up to 6 of 64 bits changed a second) and trimmed (its first seconds cut). Side by side in one run:
`shared_runs` as it is, and the same search with neither the early exit nor the cache of parsed fingerprints (the
code before 2026-12-07), on the same pairs; both must find the same runs.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from filmcrew.festival import copies


def before(fp_a: str, fp_b: str, run_s: int = copies.RUN_S, max_bits: int = copies.MAX_BITS) -> list:
    """The search without the early exit and with the fingerprints parsed every time: the reference."""
    def parse(fp):
        words = (fp or "").split()
        return (np.array([int(w, 16) if w != copies.BLANK else 0 for w in words], np.uint64),
                np.array([w != copies.BLANK for w in words], bool))
    a, ha = parse(fp_a)
    b, hb = parse(fp_b)
    if len(a) < run_s or len(b) < run_s:
        return []
    dist = np.bitwise_count(a[:, None] ^ b[None, :])
    close = (dist <= max_bits) & ha[:, None] & hb[None, :]
    runs = []
    n, m = close.shape
    for offset in range(-(n - 1), m):
        diag = np.diagonal(close, offset).astype(np.int8)
        if diag.sum() < run_s:
            continue
        edges = np.diff(np.concatenate(([0], diag, [0])))
        for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
            if e - s >= run_s:
                i = int(s) + max(0, -offset)
                runs.append([i, i + offset, int(e - s), float(np.diagonal(dist, offset)[s:e].mean())])
    runs.sort(key=lambda r: (-r[2], r[3], r[0]))
    kept: list = []
    for r in runs:
        if not any(r[0] < k[0] + k[2] and k[0] < r[0] + r[2] for k in kept):
            kept.append(r[:3])
    return kept[:5]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=2300)
    ap.add_argument("--checks", type=int, default=5, help="new films checked against all the others (default 5)")
    ap.add_argument("--json")
    a = ap.parse_args()
    rng = np.random.default_rng(7)

    def words(h):
        return " ".join(f"{int(x):016x}" for x in h)
    films = [rng.integers(0, 2**63, int(rng.integers(60, 301)), dtype=np.uint64) for _ in range(a.entries)]
    fps = [words(h) for h in films]
    new = []
    for k in range(a.checks):  # each new film copies one entry: re-encoded and trimmed
        src = films[int(rng.integers(len(films)))]
        flips = np.zeros(len(src), np.uint64)
        for bit in range(6):
            flips |= (rng.random(len(src)) < 0.5).astype(np.uint64) << np.uint64(int(rng.integers(64)))
        new.append(words((src ^ flips)[int(rng.integers(0, 20)):]))
    out = {"entries": a.entries, "checks": a.checks}
    for label, fn in (("before", before), ("now", copies.shared_runs)):
        copies._hashes.cache_clear()
        t, c = time.perf_counter(), time.process_time()
        found = [[i for i, fp in enumerate(fps) if fn(mine, fp)] for mine in new]
        out[label] = {"seconds_per_check": round((time.perf_counter() - t) / a.checks, 3),
                      "cpu_seconds_per_check": round((time.process_time() - c) / a.checks, 3), "found": found}
        print(f"{label}: {out[label]['seconds_per_check']} s a check ({out[label]['cpu_seconds_per_check']} s CPU) "
              f"against {a.entries} films; copies found: {found}")
    assert out["before"]["found"] == out["now"]["found"], "the two searches disagree"
    assert all(len(f) >= 1 for f in out["now"]["found"]), "a planted copy was missed"
    out["ratio_now_over_before"] = round(out["now"]["cpu_seconds_per_check"] / out["before"]["cpu_seconds_per_check"], 3)
    print(f"now / before (CPU): {out['ratio_now_over_before']}; a contest of {a.entries} checks all films once: "
          f"about {out['now']['cpu_seconds_per_check'] * a.entries / 2 / 60:.0f} CPU minutes of comparisons "
          f"(before: {out['before']['cpu_seconds_per_check'] * a.entries / 2 / 60:.0f})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
