"""The mix's own cost (issue 36), CPU seconds (this process and its ffmpeg children) beside wall seconds.

    .venv/bin/filmcrew demo /tmp/film --minutes 3 --preview       # any made project
    .venv/bin/python bench/mix.py /tmp/film --old 594d546^ --json bench/runs/....json

On a made project it plays the mix again in temporary folders, from the project's own voices, cues and
effects, `--repeat` times: the mix in parts as this tree makes it (the score, every scene's part, the
master: a cold mix; the score, the largest part and the master: what a one-line edit re-mixes), and, with
`--old REV`, the whole-film mix of crew/mixer.py at git revision REV (before the parts: 594d546^), its raw
mix's loudness beside the one the parts' figures give. Not a test: timings vary with the machine's load.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent


def cpu() -> tuple[float, float]:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime, time.perf_counter()


def timed(fn) -> tuple[float, float, object]:
    c0, w0 = cpu()
    r = fn()
    c1, w1 = cpu()
    return round(c1 - c0, 3), round(w1 - w0, 3), r


def old_mixer(rev: str):
    """crew/mixer.py as it was at `rev`, loaded as a module of the package (its relative imports work)."""
    src = subprocess.run(["git", "-C", str(HERE.parent), "show", f"{rev}:src/filmcrew/crew/mixer.py"],
                         capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("filmcrew.crew._mixer_then", loader=None)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "filmcrew.crew"
    exec(compile(src, f"{rev}:mixer.py", "exec"), mod.__dict__)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("project", type=Path)
    ap.add_argument("--old", help="a git revision whose whole-film mix to time beside (594d546^: before the parts)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    from filmcrew import pipeline
    from filmcrew.crew import mixer
    from filmcrew.engine.layout import Layout
    from filmcrew.media import mastering

    _, (ctx,) = pipeline.contexts(a.project, {}, None, True)
    g = pipeline.episode_graph(ctx)
    st = Layout.of(a.project).store()
    mix = g.task(f"{ctx.episode.id}.mix")
    score = mix.inputs["p000"].inputs["score"]
    inputs = {n: st.path(t.key) for n, t in score.inputs.items()}
    slots = score.params["slots"]
    old = old_mixer(a.old) if a.old else None
    runs = []
    mastering.k_sos(mastering.HOP * 10)  # imports (pyloudnorm, scipy) before any timing
    for _ in range(a.repeat):
        run: dict = {}
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            if old is not None:
                got: dict = {}
                keep = old.master_to_aac

                def measured(raw, *args, **kw):
                    got["raw_lufs"] = mastering.integrated_lufs_pcm(raw, mixer.RATE)
                    return keep(raw, *args, **kw)
                old.master_to_aac = measured
                (d / "old").mkdir()
                c, w, led = timed(lambda: old._mix(SimpleNamespace(inputs=inputs, workdir=d / "old", task=mix)))
                old.master_to_aac = keep
                run["old_whole_mix"] = {"cpu_s": c, "wall_s": w, "raw_lufs": round(got["raw_lufs"], 4),
                                        "integrated_lufs": led.get("integrated_lufs"), "true_peak_dbtp": led.get("true_peak_dbtp")}
            (d / "score").mkdir()
            c, w, _ = timed(lambda: mixer._score(SimpleNamespace(task=score, workdir=d / "score", inputs=inputs, store=st)))
            run["score"] = {"cpu_s": c, "wall_s": w}
            parts, run["parts"] = [], []
            for j, sid in enumerate(slots):
                pd = d / f"p{j:03d}"
                pd.mkdir()
                parts.append(pd)
                c, w, _ = timed(lambda: mixer._part(f"{sid}.json", SimpleNamespace(workdir=pd, inputs={"score": d / "score"}, store=st)))
                run["parts"].append({"cpu_s": c, "wall_s": w, "seconds": mastering.Pcm(pd / "mix.f32").frames / mixer.RATE})
            (d / "master").mkdir()
            c, w, led = timed(lambda: mixer._master(SimpleNamespace(task=mix, workdir=d / "master",
                                                                    inputs={f"p{j:03d}": p for j, p in enumerate(parts)}, store=st)))
            run["master"] = {"cpu_s": c, "wall_s": w, **{k: led.get(k) for k in ("input_lufs", "integrated_lufs", "true_peak_dbtp",
                                                                                  "gain_reduction_db", "passes", "limited_s")}}
            film = mixer.Film(parts)
            run["parts_lufs"] = round(film.lufs(film.figures()[0]), 4)
            pc = [p["cpu_s"] for p in run["parts"]]
            run["cold_mix_cpu_s"] = round(run["score"]["cpu_s"] + sum(pc) + run["master"]["cpu_s"], 3)
            run["one_line_mix_cpu_s"] = round(run["score"]["cpu_s"] + max(pc) + run["master"]["cpu_s"], 3)
        runs.append(run)
        print(f"old whole mix {run.get('old_whole_mix', {}).get('cpu_s', '-')} s CPU; in parts: cold {run['cold_mix_cpu_s']} s "
              f"(parts {sum(pc):.2f}, master {run['master']['cpu_s']}), one line {run['one_line_mix_cpu_s']} s; raw loudness "
              f"{run.get('old_whole_mix', {}).get('raw_lufs', '-')} (whole) / {run['parts_lufs']} (parts' figures) LUFS", flush=True)
    out = {"project": str(a.project), "seconds": sum(p["seconds"] for p in runs[0]["parts"]),
           "scenes": len(slots), "old": a.old, "cpus": __import__("os").cpu_count(), "runs": runs}
    if a.json:
        a.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
