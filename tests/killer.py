"""Kill a command at random moments: the shared loop of the random-SIGKILL tests."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time


def kill_at_random(cmd: list[str], sent, seed: int, rounds: int = 10, window: float = 1.2, env: dict | None = None,
                   after=None) -> int:
    """Start `cmd` up to `rounds` times; each time, once `sent()` (the fake vendor's count of requests) has
    grown, wait a random moment of up to `window` seconds and SIGKILL the command's whole process group;
    `after()` runs after each kill (a person's reaction, e.g. allowing a lost submit). Stops when a run
    ends by itself. Returns how many kills landed while jobs were out."""
    rng, kills = random.Random(seed), 0
    for _ in range(rounds):
        seen = sent()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        deadline = time.time() + 60
        while sent() == seen and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        if proc.poll() is not None:
            break
        time.sleep(rng.uniform(0.0, window))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        if after is not None:
            after()
    return kills
