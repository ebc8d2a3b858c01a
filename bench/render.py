"""The render benchmark (issue 3): filmcrew against the encoder's ceiling and moviepy, side by side, one run.

    make bench                                   # 3-minute 1080x1920 episode (about an hour on 2 cores)
    .venv/bin/python bench/render.py --minutes 1 # quicker

Steps, all on this machine, one after another:
1. `filmcrew make` cold (every role, offline defaults) of a fixed project;
2. the finishing render alone: the segments, transitions and final assembly removed from the cache and
   made again (the picture clips, voices, music and mix stay);
3. the raw encoder ceiling: ffmpeg encoding `testsrc2` of the same size, rate and length with the same
   x264 settings as filmcrew's segments; and (3b) ffmpeg decoding the finished film and encoding it again
   with those settings, a ceiling with the film's own content (testsrc2 is slow to generate and much
   harder to encode than illustrated frames, so it can be slower than filmcrew's finishing render);
4. the same edit in moviepy 2.x (the library most tools in this field use): the same keyframes as
   stills with a slow push-in, the same crossfades, the same subtitle images at the same times, the same
   mixed sound track, encoded with the same x264 preset and CRF. It runs in its own virtual environment
   (`.venv-bench`, made by `make bench`: moviepy pins an older Pillow than filmcrew uses);
5. incremental: `make` after changing one line of dialogue, after changing one shot's action text, and after
   dubbing another line with a take that fits its slot (`filmcrew dub`; the take a stand-in made from the line's
   own voice by ffmpeg: no person recorded here).

With each `make` it prints a profile read from the make's own events (engine/events.py): the seconds its
tasks took, summed per stage (`animator:clip` the frames drawn and their intermediate encode,
`finisher:segment` and `:transition` the decode, lips, subtitles and delivery encode, `finisher:final` the
assembly, `finisher:mix` the mix and its mastering passes, ...) and how many frames it drew and encoded for the film
(its segments' and transitions' own records): `frames: EDIT / film` is an edit's floor, since each of those frames
costs about what a frame of the cold make costs. It prints each wall time, CPU time, peak memory (the whole process
tree's resident set, sampled every 0.1 s) and the ratios; `--json FILE` keeps them. Timings are only comparable within one run on one machine.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from filmcrew.engine.layout import Layout

HERE = Path(__file__).resolve().parent
PREMISE = "A lighthouse keeper's daughter must outwit the sea witch who stole her father's voice"


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc). A child caught between its
    fork and its exec (Python's subprocess vforks: the child runs in its parent's memory until it execs ffmpeg)
    shows its parent's resident set as its own: it is not counted (it once added 500 MiB to a peak)."""
    def rss(p: int) -> int:
        with open(f"/proc/{p}/status") as f:
            return next((int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:")), 0)

    total, todo = 0, [(pid, None, 0)]
    while todo:
        p, parent_exe, parent_rss = todo.pop()
        try:
            exe, mine = os.readlink(f"/proc/{p}/exe"), rss(p)
            if parent_exe is not None and exe == parent_exe and mine >= 0.9 * parent_rss:
                continue  # not yet exec'd: its parent's memory
            total += mine
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [(int(c), exe, mine) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError, OSError):
            continue
    return total


def measure(cmd: list[str], label: str, env: dict | None = None) -> dict:
    """Run `cmd`, return its wall time, the CPU time of its process tree (user + system, of every process it
    waited for) and the peak memory of its process tree."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    peak = [0]

    def watch():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.1)
    w = threading.Thread(target=watch, daemon=True)
    w.start()
    out = proc.communicate()[0].decode(errors="replace")
    secs = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    w.join()
    if proc.returncode:
        sys.exit(f"{label} failed ({proc.returncode}):\n{out[-3000:]}")
    print(f"  {label}: {secs:.1f} s ({cpu:.1f} s of CPU), peak {peak[0] / 2**20:.0f} MiB", flush=True)
    return {"seconds": round(secs, 2), "cpu_seconds": round(cpu, 2), "peak_mib": round(peak[0] / 2**20),
            "output": out[-2000:]}


def profile(root: Path, since: float) -> dict:
    """Where a make's time went, from its structured events (engine/events.py, the newest run started after
    `since`): wall seconds summed per role and per stage (a task's artifact kind: `clip` is the animator's
    frames and its encode, `segment` and `transition` the finisher's decode, lips, subtitles and encode,
    `final` the label's re-encode and the assembly by stream copy, `mix` the mix and its mastering passes),
    the ten longest tasks, and the run's wall time. Tasks run side by side, so the sums exceed the wall time."""
    folder = root / ".filmcrew" / "events"
    runs = sorted((p for p in folder.glob("*.jsonl") if p.stat().st_mtime >= since), key=lambda p: p.stat().st_mtime)
    if not runs:
        return {}
    events = [json.loads(line) for line in runs[-1].read_text().splitlines() if line.strip()]
    ended = [e for e in events if e.get("type") == "task_ended" and e.get("outcome") == "made"]
    by_role: dict[str, float] = {}
    by_stage: dict[str, list] = {}
    for e in ended:
        by_role[e["role"]] = by_role.get(e["role"], 0.0) + e.get("seconds", 0.0)
        stage = f"{e['role']}:{e['artifact'].rsplit('.', 1)[-1]}"
        n, s = by_stage.get(stage, (0, 0.0))
        by_stage[stage] = [n + 1, s + e.get("seconds", 0.0)]
    t = [e["t"] for e in events]
    # the frames the make drew and encoded for the film (its segments and transitions, as their records say): an
    # edit's floor, since each of them costs about what a frame of the cold make costs (issue 36)
    st = Layout.of(root).store()
    encoded = 0
    for e in ended:
        if e["role"] == "finisher" and e["artifact"].endswith((".segment", ".transition")):
            last = st.last(e["artifact"])
            encoded += int(st.record(last["key"])["ledger"].get("frames", 0)) if last else 0
    return {"wall_seconds": round(max(t) - min(t), 1) if t else 0.0, "tasks_made": len(ended), "frames_encoded": encoded,
            "task_seconds_by_role": {k: round(v, 1) for k, v in sorted(by_role.items(), key=lambda kv: -kv[1])},
            "task_seconds_by_stage": {k: {"tasks": n, "seconds": round(s, 1)}
                                      for k, (n, s) in sorted(by_stage.items(), key=lambda kv: -kv[1][1])},
            "longest": [[e["artifact"], round(e.get("seconds", 0.0), 1)]
                        for e in sorted(ended, key=lambda e: -e.get("seconds", 0.0))[:10]]}


def show_profile(label: str, prof: dict) -> None:
    if not prof:
        return
    print(f"     profile of {label} ({prof['tasks_made']} tasks made, {prof['frames_encoded']} frames drawn and encoded "
          "for the film, task seconds summed; two run at once):")
    for stage, v in prof["task_seconds_by_stage"].items():
        print(f"       {stage:<26} {v['seconds']:7.1f} s  ({v['tasks']} tasks)")


def filmcrew(*args: str) -> list[str]:
    return [sys.executable, "-m", "filmcrew.cli", *args]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--episodes", type=int, default=1,
                    help="a series of this many episodes of --minutes each (issue 36's 5 x 3 minutes: --episodes 5): "
                         "the cold make, the finishing render and the ceiling cover them all; the edits are in episode 1")
    ap.add_argument("--workdir", type=Path, help="keep the project here (default: a temporary folder)")
    ap.add_argument("--moviepy-python", default=str(HERE.parent / ".venv-bench" / "bin" / "python"),
                    help="a Python with moviepy 2.x (default: .venv-bench, made by `make bench`)")
    ap.add_argument("--skip-moviepy", action="store_true")
    ap.add_argument("--json", type=Path, help="write the figures here")
    a = ap.parse_args()

    sys.path.insert(0, str(HERE.parent / "src"))
    from filmcrew import pipeline
    from filmcrew.crew.finisher import encode_args, render_subtitle
    from filmcrew.crew.illustrator import layers
    from filmcrew.media import ffmpeg

    work = a.workdir or Path(tempfile.mkdtemp(prefix="filmcrew-bench-"))
    root = work / "film"
    if root.exists():
        shutil.rmtree(root)
    # the filmcrew of this tree (not whatever the venv has installed), with its own signing keys
    env = dict(os.environ, FILMCREW_HOME=str(work / "home"),
               PYTHONPATH=os.pathsep.join([str(HERE.parent / "src"), os.environ.get("PYTHONPATH", "")]))
    res: dict = {"minutes": a.minutes, "episodes": a.episodes, "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    print(f"filmcrew render benchmark: {a.episodes} x " if a.episodes > 1 else "filmcrew render benchmark: ", end="")
    print(f"a {a.minutes:g}-minute 1080x1920 episode in {root}", flush=True)
    series = ["--format", "series", "--episodes", str(a.episodes)] if a.episodes > 1 else []
    subprocess.run(filmcrew("new", str(root), "--premise", PREMISE, "--minutes", str(a.minutes), "--seed", "11", *series),
                   check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(filmcrew("write", str(root), "--quiet"), check=True, env=env, stdout=subprocess.DEVNULL)

    since = time.time()
    res["make_cold"] = measure(filmcrew("make", str(root), "--quiet"), "1. filmcrew make, cold", env)
    res["make_cold"]["profile"] = profile(root, since)
    show_profile("the cold make", res["make_cold"]["profile"])
    film = root / "out" / "ep01.mp4"
    pr = ffmpeg.probe(film, count_frames=True)
    frames, seconds = pr.frames, pr.frames / 30
    res["film"] = {"frames": frames, "seconds": round(seconds, 2), "size": [pr.width, pr.height]}
    films = sorted((root / "out").glob("ep*.mp4"))  # a series: every episode (the ceiling encodes them all)
    all_seconds = sum(ffmpeg.probe(f, count_frames=True).frames for f in films) / 30 if a.episodes > 1 else seconds
    if a.episodes > 1:
        res["series"] = {"episodes": len(films), "seconds": round(all_seconds, 2)}

    # 2. the finishing render alone
    os.environ["FILMCREW_HOME"] = env["FILMCREW_HOME"]
    _, ctxs = pipeline.contexts(root, env)
    ctx = ctxs[0]
    g = pipeline.episode_graph(ctx)
    st = Layout.of(root).store()
    for t in (t for c in ctxs for t in pipeline.episode_graph(c).all):
        if t.role == "finisher" and t.artifact.endswith((".segment", ".transition", ".final")):
            shutil.rmtree(st.path(t.key), ignore_errors=True)  # (a run of a5e7334 stopped here on a folder not found)
    since = time.time()
    res["finish_only"] = measure(filmcrew("make", str(root), "--quiet"), "2. finishing render alone", env)
    res["finish_only"]["profile"] = profile(root, since)
    show_profile("the finishing render", res["finish_only"]["profile"])

    # 3. the ceiling
    ff = ffmpeg.executable()
    with tempfile.TemporaryDirectory() as d:
        res["ceiling"] = measure([ff, "-hide_banner", "-nostdin", "-y", "-f", "lavfi", "-i",
                                  f"testsrc2=s=1080x1920:r=30:d={all_seconds:.3f}", *encode_args(False),
                                  str(Path(d) / "ceiling.mp4")], "3. ffmpeg testsrc2 encode (the ceiling)")

    # 3b. a ceiling with this film's own content: decode the finished film and encode it again the same way
    # (testsrc2 is costly to generate and far harder to encode than illustrated frames)
    with tempfile.TemporaryDirectory() as d:
        listing = Path(d) / "films.txt"  # (a series: its episodes one after another)
        listing.write_text("".join(f"file '{f.resolve()}'\n" for f in (films if a.episodes > 1 else [film])))
        res["reencode"] = measure([ff, "-hide_banner", "-nostdin", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                                   "-map", "0:v:0", *encode_args(False),
                                   str(Path(d) / "again.mp4")], "3b. ffmpeg re-encoding the film itself")

    # 4. the same edit in moviepy
    tl = json.loads((st.path(g.task("ep01.timeline").key) / "timeline.json").read_text())
    if not a.skip_moviepy and Path(a.moviepy_python).exists():
        edit_dir = work / "moviepy"
        edit_dir.mkdir(exist_ok=True)
        from PIL import Image
        shots = []
        for k, it in enumerate(tl["items"]):
            lay = [Image.open(p).convert("RGBA") for p in layers(st.path(g.task(f"{it['shot']}.keyframe").key))]
            still = lay[0]
            for x in lay[1:]:
                still = Image.alpha_composite(still, x)
            path = edit_dir / f"still{k:03d}.png"
            still.convert("RGB").save(path)
            j = next((j for j in tl["transitions"] if j["after"] == k - 1), None)
            shots.append({"still": str(path), "start": it["start"] - (j["before"] if j else 0),
                          "frames": it["frames"] + (j["before"] if j else 0), "fade_in": j["before"] if j else 0})
        from filmcrew.media.subtitles import timed_pieces
        subs = []
        for n, (first, end, piece) in enumerate(timed_pieces(tl)):  # the pieces and times filmcrew burns in
            png = edit_dir / f"sub{n:03d}.png"
            x, y = render_subtitle(piece, (1080, 1920), png)
            subs.append({"png": str(png), "x": x, "y": y, "start": first / 30, "end": end / 30})
        spec = {"shots": shots, "subs": subs, "audio": str(st.path(g.task("ep01.mix").key) / "mix.m4a"),
                "size": [1080, 1920], "fps": 30, "out": str(edit_dir / "moviepy.mp4"), "seconds": seconds}
        (edit_dir / "spec.json").write_text(json.dumps(spec))
        res["moviepy"] = measure([a.moviepy_python, str(HERE / "moviepy_edit.py"), str(edit_dir / "spec.json")],
                                 "4. the same edit in moviepy")
    else:
        print(f"  4. moviepy skipped ({'--skip-moviepy' if a.skip_moviepy else a.moviepy_python + ' not found'})")

    # 5. incremental
    ep = root / "story" / "ep01.fountain"
    text = ep.read_text(encoding="utf-8")
    line = tl["lines"][len(tl["lines"]) // 2]["text"]
    ep.write_text(text.replace(line, line.rstrip(".!?") + ", and I mean it.", 1), encoding="utf-8")
    since = time.time()
    res["one_line"] = measure(filmcrew("make", str(root), "--quiet"), "5a. make after changing one line", env)
    res["one_line"]["profile"] = profile(root, since)
    show_profile("the one-line make", res["one_line"]["profile"])
    text = ep.read_text(encoding="utf-8")
    action = next(s.action for s in ctx.episode.shots() if s.action and s.action in text)
    ep.write_text(text.replace(action, action.rstrip(".") + ", as the wind picks up.", 1), encoding="utf-8")
    since = time.time()
    res["one_action"] = measure(filmcrew("make", str(root), "--quiet"), "5b. make after changing one action", env)
    res["one_action"]["profile"] = profile(root, since)

    # 5c. a dubbed line that fits its slot: a person's take of another line (here the line's own synthetic voice
    # made 4% quicker and quieter by ffmpeg, a stand-in for a recording: `filmcrew dub` checks and fits it like one)
    other = tl["lines"][len(tl["lines"]) // 3]
    g2 = pipeline.episode_graph(pipeline.contexts(root, env)[1][0])
    wav = st.path(g2.task(f"{other['line']}.voice").key) / "line.wav"
    take = work / f"{other['line']}-take.wav"
    subprocess.run([ffmpeg.executable(), "-v", "error", "-y", "-i", str(wav), "-af", "atempo=1.04,volume=0.8", str(take)],
                   check=True)
    said = subprocess.run(filmcrew("dub", str(root), other["line"], str(take)), env=env, check=True,
                          capture_output=True, text=True).stdout.strip()
    print(f"     {said}")
    since = time.time()
    res["one_dub"] = measure(filmcrew("make", str(root), "--quiet"), "5c. make after dubbing one line (it fits its slot)", env)
    res["one_dub"]["profile"] = profile(root, since)
    res["one_dub"]["dub"] = said
    show_profile("the dubbed-line make", res["one_dub"]["profile"])

    cold, ceil = res["make_cold"]["seconds"], res["ceiling"]["seconds"]
    again = res["reencode"]["seconds"]
    ratios = {"make_cold / ceiling": cold / ceil, "finish_only / ceiling": res["finish_only"]["seconds"] / ceil,
              "make_cold / reencode": cold / again, "finish_only / reencode": res["finish_only"]["seconds"] / again,
              "one_line / make_cold": res["one_line"]["seconds"] / cold,
              "one_action / make_cold": res["one_action"]["seconds"] / cold,
              "one_dub / make_cold": res["one_dub"]["seconds"] / cold}
    cpu = {k: res[k]["cpu_seconds"] for k in ("make_cold", "finish_only", "ceiling", "reencode", "one_line", "one_action",
                                              "one_dub")}
    ratios.update({"cpu: make_cold / ceiling": cpu["make_cold"] / cpu["ceiling"],
                   "cpu: make_cold / reencode": cpu["make_cold"] / cpu["reencode"],
                   "cpu: finish_only / reencode": cpu["finish_only"] / cpu["reencode"],
                   "cpu: one_line / make_cold": cpu["one_line"] / cpu["make_cold"],
                   "cpu: one_dub / make_cold": cpu["one_dub"] / cpu["make_cold"]})
    # an edit's floor: the share of the film's frames it had to draw and encode again (its changed shot, a transition
    # into it), which cost about what the cold make's frames cost; its voice, mix and assembly come on top
    for k in ("one_line", "one_action", "one_dub"):
        ratios[f"frames: {k} / film"] = res[k].get("profile", {}).get("frames_encoded", 0) / (all_seconds * 30)
    if "moviepy" in res:
        ratios["moviepy / finish_only"] = res["moviepy"]["seconds"] / res["finish_only"]["seconds"]
    res["ratios"] = {k: round(v, 2) for k, v in ratios.items()}
    print(f"\nfilm: {seconds:.1f} s, {frames} frames at 1080x1920; {os.cpu_count()} CPUs")
    for k, v in res["ratios"].items():
        print(f"  {k:<26} {v:6.2f}")
    if a.json:
        a.json.write_text(json.dumps({k: ({kk: vv for kk, vv in v.items() if kk != "output"} if isinstance(v, dict) else v)
                                      for k, v in res.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
