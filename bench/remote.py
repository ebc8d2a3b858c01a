"""The remote-jobs benchmark (issue 13): how close a make whose every shot is a video job comes to the ideal.

    .venv/bin/python bench/remote.py                  # a 3-minute episode, jobs of 2 s, 5 at once
    .venv/bin/python bench/remote.py --minutes 1 --job-seconds 1

A project whose animator is Kling is made twice against the local Kling fake (tests/fake_kling.py, which
follows Kling's protocol), side by side in one run: once with jobs that take no time (the local work alone:
voices, stills, fitting, finishing), once with jobs that take `--job-seconds` each and `max_concurrent = 5`.
The ideal wall time of the second is ceil(jobs / 5) x job time + the first's; the ratio of the measured
time to it should stay at or under 1.2. Then the cost of a finished minute for each vendor's price table,
at preview and final quality, from filmcrew's own estimates. Timings compare only within one run.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
PREMISE = "A lighthouse keeper's daughter must outwit the sea witch who stole her father's voice"


def make(root: Path, env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "filmcrew", "make", str(root), "--preview", "--quiet"], env=env, check=True)
    return time.perf_counter() - t0


def project(root: Path, url: str, minutes: float) -> Path:
    fc = [sys.executable, "-m", "filmcrew"]
    subprocess.run([*fc, "new", str(root), "--premise", PREMISE, "--minutes", str(minutes), "--seed", "11"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([*fc, "write", str(root), "--quiet"], check=True, stdout=subprocess.DEVNULL)
    toml = root / "filmcrew.toml"
    toml.write_text(toml.read_text().replace('animator = "camera-moves"', 'animator = "kling"')
                    + f'\n[providers.kling]\nbase_url = "{url}"\nmax_concurrent = 5\npoll_every = 0.1\n')
    return root


def cost_per_minute() -> list[dict]:
    """What a finished minute costs with each vendor, from its price table: every shot a video job of the
    model's duration that covers a 6 s shot (a typical micro-drama shot), plus one still per shot where an
    image model draws the keyframes."""
    from filmcrew.providers.remote import pricing
    rows = []
    shots = 10  # 6 s shots in a minute
    video = {"kling": lambda pv: pricing.per_item("kling", "kling-v2-6", "std")["amount"] * 10,
             "seedance": lambda pv: 46.0 * (480 if pv else 720) * ((480 if pv else 720) * 16 // 9) * 24 * 6 / 1024 / 1e6,
             "veo": lambda pv: pricing.per_item("veo", "veo-3.1-generate-preview", "720p" if pv else "1080p")["amount"] * 6,
             "hailuo": lambda pv: pricing.per_item("hailuo", "MiniMax-Hailuo-2.3", "768P", "6")["amount"],
             "runway": lambda pv: pricing.per_item("runway", "gen4_turbo")["amount"] * 10}
    still = {"openai-images": lambda pv: pricing.per_item("openai-images", "gpt-image-1", "low" if pv else "medium",
                                                          "1024x1536")["amount"],
             "seedream": lambda pv: pricing.per_item("seedream", "doubao-seedream-4-5-251128")["amount"]}
    for name, per_shot in {**video, **still}.items():
        cur = pricing.table(name)["currency"]
        rows.append({"provider": name, "role": "animator" if name in video else "illustrator", "currency": cur,
                     "preview": round(per_shot(True) * shots, 2), "final": round(per_shot(False) * shots, 2),
                     "checked": pricing.table(name).get("checked", "")})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--job-seconds", type=float, default=2.0)
    ap.add_argument("--json")
    a = ap.parse_args()
    from fake_kling import AK, SK, FakeKling
    env = {**os.environ, "KLING_ACCESS_KEY": AK, "KLING_SECRET_KEY": SK}
    with FakeKling() as fake, tempfile.TemporaryDirectory(prefix="filmcrew-bench-") as tmp:
        fake.work = 0.0
        local = make(project(Path(tmp) / "local", fake.url, a.minutes), env)
        jobs_local = len(fake.tasks)
        fake.work = a.job_seconds
        before = len(fake.tasks)
        measured = make(project(Path(tmp) / "remote", fake.url, a.minutes), env)
        jobs = len(fake.tasks) - before
    ideal = math.ceil(jobs / 5) * a.job_seconds + local
    result = {"minutes": a.minutes, "jobs": jobs, "jobs_in_the_local_run": jobs_local, "job_seconds": a.job_seconds,
              "lanes": 5, "local_s": round(local, 1), "measured_s": round(measured, 1), "ideal_s": round(ideal, 1),
              "ratio": round(measured / ideal, 3), "cost_per_minute": cost_per_minute()}
    print(f"{jobs} video jobs of {a.job_seconds:g} s, 5 at once: {measured:.1f} s measured, ideal {ideal:.1f} s "
          f"(ceil({jobs}/5) x {a.job_seconds:g} s + {local:.1f} s of local work): ratio {measured / ideal:.3f}")
    print(f"{'provider':<14} {'role':<12} {'preview':>9} {'final':>9}  per finished minute (10 shots of 6 s)")
    for r in result["cost_per_minute"]:
        print(f"{r['provider']:<14} {r['role']:<12} {r['preview']:>9.2f} {r['final']:>9.2f}  {r['currency']}, prices of "
              f"{r['checked']}")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
