"""`filmcrew plan`, `make`, `status`, `verify` and `demo`: what will be made, making it, what exists, whether
the cache can be trusted."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from .. import pipeline, project
from ..crew import publish
from ..crew import reports
from ..crew.common import out_name
from ..crew.voice import emotion_notes
from ..engine import events, money
from ..engine.jobs import Journal
from ..engine.executor import BarProgress, NullProgress, execute, plan
from ..provenance import share
from .writing import cmd_new, cmd_write
from ..engine.layout import Layout

DEMO_PREMISE = "A mortal fisherman challenges the god of floods to save his village"


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n}: must be at least 1")
    return n


def budget(text: str) -> float:
    """An argparse type: a budget, a finite amount of at least 0 (nan, inf and negative amounts are refused)."""
    try:
        return money.budget_amount(float(text), "--budget", "--budget 20")
    except (ValueError, project.ConfigError) as err:
        raise argparse.ArgumentTypeError(str(err) if not isinstance(err, ValueError) else
                                         f"{text!r} is not an amount, e.g. --budget 20") from None


def episode_graphs(a, preview=False):
    root = Path(a.project)
    cfg, ctxs = pipeline.contexts(root, dict(os.environ), getattr(a, "episode", None), preview, getattr(a, "aspect", None),
                                  getattr(a, "burn", None))
    return root, cfg, ctxs, [pipeline.episode_graph(c) for c in ctxs]


def say_stray_takes(a, root: Path, ctxs) -> None:
    """A file in takes/ named for nothing in the project (a typo) is used by no make: said, not ignored."""
    from ..crew.common import stray_takes
    from ..crew.references import take_ids
    if getattr(a, "episode", None) is None and not getattr(a, "json", False):
        for p in stray_takes(root, take_ids(ctxs)):
            print(f"note: takes/{p.name} is named for no shot, line, character or place of this project, so no make "
                  f"uses it; rename it (`filmcrew dub {root} --list` lists the lines, the storyboard the shots)",
                  file=sys.stderr)


def cmd_plan(a) -> int:
    root = Path(a.project)
    cfg = project.load_config(root)
    missing = pipeline.story_missing(root, cfg)
    items = [{"role": "writer", "artifact": str(p.relative_to(root)), "reason": "new", "episode": 0} for p in missing]
    if not missing:
        root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
        say_stray_takes(a, root, ctxs)
        st = Layout.of(root).store()
        for ctx, g in zip(ctxs, graphs):
            items += [i.as_dict() for i in plan(st, g.targets)]
            notes = (reports.cut_notes(ctx, st, g) + [n for n in [reports.runtime_note(ctx, st, g, cfg.minutes)] if n]
                     + reports.video_notes(ctx, st, g) + emotion_notes(ctx))
            for note in notes if not a.json else []:
                print(note, file=sys.stderr)
        refused = pipeline.refusals(root, ctxs, [i for g in graphs for i in plan(st, g.targets)])
        if refused:  # the same request a vendor refused: said at plan, with the shot's line, never sent again
            for msg in refused:
                print(f"filmcrew: error: {msg}", file=sys.stderr)
            return 2
    if a.cost and not missing:
        return _print_costs(root, cfg, [i for g in graphs for i in plan(st, g.targets)], a.json)
    if a.json:
        print(json.dumps(items, indent=1, ensure_ascii=False))
    else:
        if not missing:
            other = [p for p in project.Layout(root).out.glob("ep*.mp4") if (".preview" in p.name) != bool(a.preview)]
            print(f"plan for the {'preview (--preview)' if a.preview else 'full-size film'}"
                  + (f"; the {'full-size film' if a.preview else 'preview'} is made too ({other[0].name}): "
                     f"`filmcrew plan {root}{'' if a.preview else ' --preview'}` for its plan" if other else ""),
                  file=sys.stderr)
        if not items:
            print("nothing to do: every artifact is up to date")
        for it in items:
            print(f"{it['role']:<12} {it['artifact']:<36} {it['reason']}")
        if missing:
            print(f"(run `filmcrew write {root}` first; the rest of the plan follows from the story)")
    return 0


def _print_costs(root, cfg, items, as_json: bool) -> int:
    c = money.costs(Journal.of(root), items)
    left = None if cfg.budget is None else cfg.budget - c.paid.get(cfg.currency, 0.0)
    if as_json:
        print(json.dumps({"jobs": [{"artifact": it.task.artifact, "provider": it.task.provider.name, **est}
                                   for it, est in c.pending],
                          "to_pay": c.to_pay, "retakes": c.retakes, "paid": c.paid, "resumed": c.resumed,
                          "budget": cfg.budget, "currency": cfg.currency, "left": left}, indent=1))
        return 0
    if not c.pending:
        print("no paid job to send: every remote result is made or already sent" if c.resumed or c.paid else
              "no paid job: every provider of this project is local")
    firsts = [(it, est) for it, est in c.pending if it.task.role != "consistency"]
    for it, est in firsts:
        print(f"{it.task.provider.name:<14} {it.task.artifact:<36} {est['amount']:8.3f} {est['currency']}"
              f"  (prices of {est.get('checked', '?')})")
    for cur, amount in c.to_pay.items():
        print(f"{'total':<14} {len(firsts)} job(s){'':<27} {amount:8.3f} {cur}")
    retakes = [(it, est) for it, est in c.pending if it.task.role == "consistency"]
    for cur, amount in c.retakes.items():
        n = sum(est["retakes"] for _, est in retakes if est["currency"] == cur)
        worst = sum(est["worst"] for _, est in retakes if est["currency"] == cur)
        print(f"{'retakes':<14} about {n:.1f} expected{'':<20} {amount:8.3f} {cur}  (at most {worst:.3f} {cur}, if "
              f"every shot's takes failed; each retake is sent only while the budget allows it)")
    if c.resumed:
        print(f"{c.resumed} job(s) already sent are resumed, not paid again")
    for cur, amount in c.paid.items():
        print(f"already paid for this project: {amount:.3f} {cur} (results kept in the cache are free to reuse)")
    if cfg.budget is not None:
        print(f"budget: {cfg.budget:.2f} {cfg.currency}, {left:.2f} left"
              + ("; this make would be refused" if c.to_pay.get(cfg.currency, 0.0) > left + 1e-9 else ""))
    return 0


def cmd_make(a) -> int:
    """One make of a project at a time (from a terminal or the studio): the second is refused, naming the first."""
    from ..engine.lock import make_lock
    project.load_config(Path(a.project))  # not a project: said before any lock file is made
    with make_lock(Path(a.project)):
        return _make(a)


def _make(a) -> int:
    root = Path(a.project)
    cfg = project.load_config(root)
    if pipeline.story_missing(root, cfg):
        for p in pipeline.write_story(root, cfg, dict(os.environ)):
            print(f"wrote {p}")
    t0 = time.perf_counter()
    root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
    if not a.quiet:
        say_stray_takes(a, root, ctxs)
    st = Layout.of(root).store()
    items = plan(st, [t for g in graphs for t in g.targets])
    pipeline.refuse_refused(root, ctxs, items)  # a request a vendor's moderation refused is not sent again
    ctxs[0].money.admit(items, a.budget)  # refused over budget; sets what retakes may spend (engine/money.py)
    check = ctxs[0].consistency if ctxs else None
    if check is None and cfg.consistency.check == "auto" and not a.quiet:
        print("character consistency check: off, because the face check is not installed; pip install "
              "'filmcrew[faces]' turns it on ([consistency] check = \"off\" in filmcrew.toml says you want it off)",
              file=sys.stderr)
    for ctx in ctxs:
        for note in reports.cut_notes(ctx) if not a.quiet else []:
            print(note, file=sys.stderr)
    progress = BarProgress() if not a.quiet else NullProgress()
    if not a.quiet:  # a line per remote job's change of state (provider, shot, state, time): jobs can take minutes
        import logging
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("  job %(message)s"))
        jobs_log = logging.getLogger("filmcrew.jobs")
        jobs_log.addHandler(handler)
        jobs_log.setLevel(logging.INFO)
    runner = pipeline.executor(root, cfg, ctxs[0].crew, getattr(a, "executor", None), getattr(a, "address", None),
                               a.jobs, getattr(a, "episode", None), a.preview, getattr(a, "aspect", None),
                               getattr(a, "burn", None)) if ctxs else None
    if runner is not None and not a.quiet:
        print(f"executor: {runner.name} ({runner.capacity} task(s) in flight)", file=sys.stderr)
    shots = {ln.id: sh.id for ctx in ctxs for sh in ctx.episode.shots() for ln in sh.lines}  # a line's task: its shot's
    with events.recording(root, shots=shots):  # .filmcrew/events/RUN.jsonl: what the studio follows; the bar reads it too
        report = execute(st, [t for g in graphs for t in g.targets], progress=progress, workers=a.jobs,
                         log=(lambda s: print(s, file=sys.stderr)) if a.verbose else None, executor=runner,
                         planned=items)
    for ctx, g in zip(ctxs, graphs):
        paths = publish.publish(root, st, ctx, g, a.preview)
        print(f"{ctx.episode.id}: {paths['mp4']}  (+ .srt, .ass, .otio, .provenance.json)")
        for t in [] if a.quiet else reports.trimmed_lines(ctx, st, g) or []:
            print(f"{ctx.episode.id}: {reports.line_note(root, t)}", file=sys.stderr)
    if cfg.recap and cfg.format == "series" and not getattr(a, "aspect", None) and not getattr(a, "burn", None):  # [film] recap: "Previously on..."
        from .recap import after_make
        for note in after_make(root, [c.episode.number for c in ctxs], a.preview):
            print(note)
    secs = time.perf_counter() - t0
    if report.ran:
        by_role = ", ".join(f"{r} {s:.1f}s" for r, s in report.seconds_by_role.most_common())
        kept = (f"; {len(report.kept)} more reused, as what they are made from came out unchanged" if report.kept
                else "")
        print(f"made {len(report.ran)} artifact(s) in {secs:.1f}s (task time by role: {by_role}){kept}")
    else:
        print("nothing to do: every artifact is up to date")
    if runner is not None and report.ran:
        print(f"executor {runner.name}: {runner.summary()}")
    return 0


def cmd_status(a) -> int:
    root = Path(a.project)
    cfg = project.load_config(root)
    print(f"{root}: {cfg.format}, {cfg.episodes} episode(s), {cfg.aspect}, {cfg.language}, seed {cfg.seed}")
    missing = pipeline.story_missing(root, cfg)
    for p in missing:
        print(f"  missing story file: {p.relative_to(root)}  (run filmcrew write {root})")
    if missing:
        return 0
    root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
    st = Layout.of(root).store()
    size = "the preview (half size, --preview)" if a.preview else "the full-size film (--preview for the preview)"
    print(f"  about {size}")
    for ctx, g in zip(ctxs, graphs):
        items = plan(st, g.targets)
        out = project.Layout(root).out / f"{out_name(ctx)}.mp4"
        other = project.Layout(root).out / f"{out_name(replace(ctx, preview=not ctx.preview))}.mp4"
        state = "up to date" if not items else f"{len(items)} of {len(g.all)} artifact(s) to (re)make"
        print(f"  {ctx.episode.id} \"{ctx.episode.title}\": {len(ctx.episode.scenes)} scenes, {len(ctx.episode.shots())} shots, "
              f"{len(ctx.episode.lines())} lines: {state}")
        reasons: dict[str, int] = {}
        for i in items:
            reasons[f"{i.task.role} ({i.reason})"] = reasons.get(f"{i.task.role} ({i.reason})", 0) + 1
        for k, v in reasons.items():
            print(f"      stale: {v} x {k}")
        for note in reports.cut_notes(ctx, st, g) + [n for n in [reports.runtime_note(ctx, st, g, cfg.minutes)] if n]:
            print(f"      {note}")
        print(f"      output: {out}" + ("" if out.exists() else " (not made yet)"))
        if other.exists():
            print(f"      the {'full-size film' if a.preview else 'preview'} is made too: {other}"
                  f"  (filmcrew status {root}{'' if a.preview else ' --preview'})")
        prov = out.with_suffix(".provenance.json")
        if prov.exists() and json.loads(prov.read_text()).get("ai_share"):
            print(f"      {share.summary(json.loads(prov.read_text())['ai_share'])}  [{prov.name}]")
    return 0


def cmd_verify(a) -> int:
    """Check every artifact the project's films use against the sizes and digests in its record (every byte,
    which `make` does only for small files); mark what is damaged so that the next `make` re-makes it."""
    root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
    st = Layout.of(root).store()
    from ..engine.graph import Pending
    seen: set[str] = set()
    damaged = missing = 0
    for g in graphs:
        for t in g.all:
            try:
                key = t.key
            except Pending:  # waits on an input not made yet: nothing of it to check
                continue
            if key in seen:
                continue
            if not st.has(key):
                last = st.last(t.artifact)
                if last and last.get("key") == key:  # made under this key, by the project's index, and gone since
                    seen.add(key)
                    missing += 1
                    print(f"missing  {t.artifact:<36} its folder {st.path(key)} is gone")
                continue
            seen.add(key)
            why = st.damage(key, full=True)
            if why is not None:
                damaged += 1
                st.mark_damaged(key, why)
                print(f"damaged  {t.artifact:<36} {why}")
    bad = [f"{damaged} damaged"] * bool(damaged) + [f"{missing} missing"] * bool(missing)
    print(f"checked {len(seen)} artifact(s): " + (f"{', '.join(bad)}; `filmcrew make {root}` re-makes them"
                                                   if bad else "all match their records"))
    return 1 if bad else 0


def cmd_demo(a) -> int:
    root = Path(a.project)
    if not project.Layout(root).config.exists():
        cmd_new(argparse.Namespace(project=str(root), premise=DEMO_PREMISE, format="short", episodes=1, minutes=a.minutes,
                                   aspect="9:16", lang="en", seed=7, style="storybook", genre="", then_writes=True))
    cmd_write(argparse.Namespace(project=str(root), force=False, quiet=False))
    return cmd_make(argparse.Namespace(project=str(root), episode=None, preview=a.preview, quiet=False, jobs=2,
                                       verbose=False, aspect=None, budget=None))


def register(sub) -> None:
    pl = sub.add_parser("plan", help="what will be (re)made, and why")
    pl.add_argument("project")
    pl.add_argument("--json", action="store_true", help="the plan as JSON")
    pl.add_argument("--episode", type=positive, help="one episode (default: all)")
    pl.add_argument("--preview", action="store_true", help="the plan of the preview (half size) instead of the film")
    pl.add_argument("--aspect", help="the plan of the film recomposed for another frame: 9:16, 16:9 or 1:1")
    pl.add_argument("--burn", help="the plan of the delivery with these subtitles burned in: a language of [film] "
                                   "subtitle_languages, or none")
    pl.add_argument("--cost", action="store_true", help="what each paid job would cost, before anything is sent")
    pl.set_defaults(fn=cmd_plan)
    m = sub.add_parser("make", help="render out/epNN.mp4")
    m.add_argument("project")
    m.add_argument("--episode", type=positive, help="one episode (default: all)")
    m.add_argument("--preview", action="store_true", help="half resolution, fast preset")
    m.add_argument("--aspect", help="also a copy recomposed for another frame (9:16, 16:9 or 1:1), beside the film")
    m.add_argument("--burn", help="also a delivery with these subtitles burned in, beside the film: a language of [film] "
                                  "subtitle_languages (out/epNN.fr.mp4) or none (out/epNN.none.mp4, for a platform that "
                                  "draws its own); every language stays a soft track")
    m.add_argument("--jobs", type=positive, default=2, help="tasks run side by side (default 2)")
    m.add_argument("--quiet", action="store_true", help="no progress bar, no notes")
    m.add_argument("--verbose", action="store_true", help="each task as it starts and ends")
    m.add_argument("--budget", type=budget, help="the most the remote jobs may cost in all, a finite amount of at "
                                                 "least 0 ([budget] max)")
    m.add_argument("--executor", choices=("local", "ray"),
                   help="where tasks run: local (a thread pool, the default) or ray (a Ray cluster; [run] executor)")
    m.add_argument("--address", help="the Ray cluster: auto (started here with `ray start`) or ray://HOST:10001 "
                                     "([run] address)")
    m.set_defaults(fn=cmd_make)
    s = sub.add_parser("status", help="what exists, what is stale, where the outputs are")
    s.add_argument("project")
    s.add_argument("--preview", action="store_true", help="against the --preview make")
    s.set_defaults(fn=cmd_status)
    v = sub.add_parser("verify", help="check every cached artifact byte for byte against its record")
    v.add_argument("project")
    v.add_argument("--episode", type=positive, help="one episode (default: all)")
    v.add_argument("--preview", action="store_true", help="the --preview make's artifacts")
    v.set_defaults(fn=cmd_verify)
    d = sub.add_parser("demo", help="new + write + make with a built-in premise")
    d.add_argument("project", nargs="?", default="demo-film")
    d.add_argument("--minutes", type=float, default=1.5)
    d.add_argument("--preview", action="store_true")
    d.set_defaults(fn=cmd_demo)
