"""The command line. Only this module reads argv and the environment."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from . import __version__, pipeline, project, screenplay, share
from .crew.common import out_name
from .errors import ConfigError, FilmcrewError, TaskError
from .run import BarProgress, NullProgress, execute, plan

DEMO_PREMISE = "A mortal fisherman challenges the god of floods to save his village"


def cmd_new(a) -> int:
    root = Path(a.project)
    if (root / project.CONFIG_NAME).exists():
        raise FilmcrewError(f"{root / project.CONFIG_NAME}: already exists; edit it, or choose another folder")
    episodes = a.episodes if a.format == "series" else 1
    cfg = project.validate(project.Config(premise=a.premise or "", format=a.format, episodes=episodes,
                                          minutes=a.minutes, aspect=a.aspect, language=a.lang, seed=a.seed,
                                          style=a.style, genre=a.genre or ""), "--premise/--format/...")
    for sub in ("story", "takes", "out", ".filmcrew"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    project.save_config(root, cfg)
    print(f"created {root}/ ({cfg.format}, {cfg.episodes} episode(s) of {cfg.minutes:g} min, {cfg.aspect}, {cfg.language})")
    print(f"next: filmcrew write {root}")
    return 0


def cmd_write(a) -> int:
    root = Path(a.project)
    cfg = project.load_config(root)
    if not a.quiet:  # a remote or local model takes minutes: say what it is doing
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("filmcrew.writer").addHandler(handler)
        logging.getLogger("filmcrew.writer").setLevel(logging.INFO)
    written = pipeline.write_story(root, cfg, dict(os.environ), force=a.force)
    if not written:
        print("story files already exist; nothing written (use --force to rewrite them)")
    for p in written:
        print(f"wrote {p}")
    return 0


def _graphs(a, preview=False):
    root = Path(a.project)
    cfg, ctxs = pipeline.contexts(root, dict(os.environ), getattr(a, "episode", None), preview, getattr(a, "aspect", None))
    return root, cfg, ctxs, [pipeline.episode_graph(c) for c in ctxs]


def cmd_plan(a) -> int:
    root = Path(a.project)
    cfg = project.load_config(root)
    missing = pipeline.story_missing(root, cfg)
    items = [{"role": "writer", "artifact": str(p.relative_to(root)), "reason": "new", "episode": 0} for p in missing]
    if not missing:
        root, cfg, ctxs, graphs = _graphs(a, a.preview)
        st = pipeline.store(root)
        for ctx, g in zip(ctxs, graphs):
            items += [i.as_dict() for i in plan(st, [g.final])]
            for note in pipeline.cut_notes(ctx) if not a.json else []:
                print(note, file=sys.stderr)
    if a.json:
        print(json.dumps(items, indent=1, ensure_ascii=False))
    else:
        if not items:
            print("nothing to do: every artifact is up to date")
        for it in items:
            print(f"{it['role']:<12} {it['artifact']:<36} {it['reason']}")
        if missing:
            print(f"(run `filmcrew write {root}` first; the rest of the plan follows from the story)")
    return 0


def cmd_make(a) -> int:
    root = Path(a.project)
    cfg = project.load_config(root)
    if pipeline.story_missing(root, cfg):
        for p in pipeline.write_story(root, cfg, dict(os.environ)):
            print(f"wrote {p}")
    t0 = time.perf_counter()
    root, cfg, ctxs, graphs = _graphs(a, a.preview)
    st = pipeline.store(root)
    for ctx in ctxs:
        for note in pipeline.cut_notes(ctx) if not a.quiet else []:
            print(note, file=sys.stderr)
    progress = BarProgress() if not a.quiet else NullProgress()
    report = execute(st, [g.final for g in graphs], progress=progress, workers=a.jobs,
                     log=(lambda s: print(s, file=sys.stderr)) if a.verbose else None)
    for ctx, g in zip(ctxs, graphs):
        paths = pipeline.publish(root, st, ctx, g, a.preview)
        print(f"{ctx.episode.id}: {paths['mp4']}  (+ .srt, .ass, .otio, .provenance.json)")
    secs = time.perf_counter() - t0
    if report.ran:
        by_role = ", ".join(f"{r} {s:.1f}s" for r, s in report.seconds_by_role.most_common())
        kept = f"; {len(report.kept)} pending one(s) came out as before and were kept" if report.kept else ""
        print(f"made {len(report.ran)} artifact(s) in {secs:.1f}s (task time by role: {by_role}){kept}")
    else:
        print("nothing to do: every artifact is up to date")
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
    root, cfg, ctxs, graphs = _graphs(a, a.preview)
    st = pipeline.store(root)
    for ctx, g in zip(ctxs, graphs):
        items = plan(st, [g.final])
        out = root / "out" / f"{out_name(ctx)}.mp4"
        state = "up to date" if not items else f"{len(items)} of {len(g.all)} artifact(s) to (re)make"
        print(f"  {ctx.episode.id} \"{ctx.episode.title}\": {len(ctx.episode.scenes)} scenes, {len(ctx.episode.shots())} shots, "
              f"{len(ctx.episode.lines())} lines: {state}")
        reasons: dict[str, int] = {}
        for i in items:
            reasons[f"{i.task.role} ({i.reason})"] = reasons.get(f"{i.task.role} ({i.reason})", 0) + 1
        for k, v in reasons.items():
            print(f"      stale: {v} x {k}")
        for note in pipeline.cut_notes(ctx):
            print(f"      {note}")
        print(f"      output: {out}" + ("" if out.exists() else " (not made yet)"))
        prov = out.with_suffix(".provenance.json")
        if prov.exists() and json.loads(prov.read_text()).get("ai_share"):
            print(f"      {share.summary(json.loads(prov.read_text())['ai_share'])}  [{prov.name}]")
    return 0


def cmd_demo(a) -> int:
    root = Path(a.project)
    if not (root / project.CONFIG_NAME).exists():
        cmd_new(argparse.Namespace(project=str(root), premise=DEMO_PREMISE, format="short", episodes=1, minutes=a.minutes,
                                   aspect="9:16", lang="en", seed=7, style="storybook", genre=""))
    cmd_write(argparse.Namespace(project=str(root), force=False, quiet=False))
    return cmd_make(argparse.Namespace(project=str(root), episode=None, preview=a.preview, quiet=False, jobs=2,
                                       verbose=False, aspect=None))


def cmd_script_check(a) -> int:
    path = Path(a.file)
    if not path.exists():
        raise FilmcrewError(f"{path}: no such file")
    report = screenplay.check(path.read_text(encoding="utf-8", errors="replace"), str(path), a.lang)
    if a.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(f"{path}: {report['scenes']} scenes, {report['shots']} shots, {report['lines']} dialogue blocks, "
              f"about {report['runtime_seconds'] / 60:.1f} min")
        for name, n in sorted(report["characters"].items(), key=lambda kv: -kv[1])[:20]:
            print(f"  {name:<24} {n}")
        for e in report["errors"]:
            print(f"  error: {e}")
    return 1 if report["errors"] else 0


def cmd_check(a) -> int:
    from . import check
    profile = check.load_profile(a.profile or a.contest or "delivery")
    findings = check.run(Path(a.file), profile)
    print(check.report_json(Path(a.file), profile, findings) if a.json else check.report_text(Path(a.file), profile, findings))
    return 0 if check.passed(findings) else 1


def cmd_export_audio(a) -> int:
    from . import audio_export
    root, cfg, ctxs, graphs = _graphs(a, a.preview)
    st = pipeline.store(root)
    for ctx, g in zip(ctxs, graphs):
        out = audio_export.export(root, st, ctx, g, a.preview, a.audio_label or cfg.labels.audio)
        print(f"{ctx.episode.id}: {out}")
    return 0


def cmd_export(a) -> int:
    from . import export
    formats = list(export.FORMATS) if "all" in a.to else a.to
    root, cfg, ctxs, graphs = _graphs(a, a.preview)
    st = pipeline.store(root)
    # each shot's clip with the lips drawn in (the film draws them in its own segments; an editor cannot)
    execute(st, [t for g in graphs if st.made(g.final) for t in g.media.values()], workers=2)
    for ctx, g in zip(ctxs, graphs):
        for p in export.export(root, st, ctx, g, formats):
            print(f"wrote {p}")
    return 0


def cmd_import(a) -> int:
    from . import importer
    root = Path(a.project)
    if a.reset:
        cfg = project.load_config(root)
        for n in [a.episode] if a.episode else range(1, cfg.episodes + 1):
            kept = importer.reset(root, n)
            print(f"episode {n}: " + (f"back to the screenplay's cut (the edited cut is kept as {kept})" if kept
                                      else "already follows the screenplay's cut"))
        return 0
    if not a.timeline:
        raise ConfigError("filmcrew import PROJECT TIMELINE_FILE [--episode N] [--dry-run] (or --reset)")
    report = importer.import_cut(root, Path(a.timeline), dict(os.environ), a.episode, a.dry_run, a.by)
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1) if a.json else report.text())
    if not a.dry_run and not a.json:
        print(f"next: `filmcrew plan {root}` shows what will be re-made; `filmcrew make {root}` makes it")
    return 0


def cmd_dub(a) -> int:
    from . import dub
    if a.list:
        rows = dub.listing(Path(a.project), a.episode)
        print(json.dumps(rows, ensure_ascii=False, indent=1) if a.json else dub.listing_text(rows))
        return 0
    if not (a.line and a.file):
        raise ConfigError("filmcrew dub PROJECT LINE_ID FILE (or --list); line ids are in `filmcrew dub PROJECT --list`")
    dest, info = dub.dub(Path(a.project), a.line, Path(a.file))
    print(f"{a.line}: {dest} ({info['seconds']:.1f} s of sound; {dub.fit_note(info)}). "
          f"Run `filmcrew make {a.project}` to use it.")
    return 0


def cmd_disclose(a) -> int:
    from . import disclose
    for p in disclose.write(Path(a.project)):
        print(f"wrote {p}")
    return 0


def cmd_keys(a) -> int:
    from . import credentials
    existed = (credentials.keys_dir() / "signer.pem").exists()
    d = credentials.init_keys(name=a.name, force=a.force)
    if existed and not a.force:
        print(f"a signing certificate already exists in {d} (use --force to replace it)")
    else:
        print(f"created a local CA and a C2PA signing certificate in {d}\n"
              f"  {d / 'signer.pem'} (chain, leaf first), {d / 'signer.key'} (mode 0600), {d / 'ca.pem'}\n"
              f"  not publicly trusted: verifiers show 'untrusted signer' unless they add ca.pem to their trust list")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="filmcrew", description="premise -> screenplay -> shots -> voices -> music -> MP4")
    p.add_argument("--version", action="version", version=f"filmcrew {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True)
    n = sub.add_parser("new", help="create a project folder")
    n.add_argument("project")
    n.add_argument("--premise", required=True)
    n.add_argument("--format", choices=("short", "series"), default="short")
    n.add_argument("--episodes", type=int, default=1)
    n.add_argument("--minutes", type=float, default=1.5)
    n.add_argument("--aspect", default="9:16")
    n.add_argument("--lang", default="en")
    n.add_argument("--seed", type=int, default=1)
    n.add_argument("--style", default="storybook")
    n.add_argument("--genre", default="")
    n.set_defaults(fn=cmd_new)
    w = sub.add_parser("write", help="write the missing story files")
    w.add_argument("project")
    w.add_argument("--force", action="store_true", help="rewrite existing story files (human edits are lost)")
    w.add_argument("--quiet", action="store_true", help="no progress messages")
    w.set_defaults(fn=cmd_write)
    pl = sub.add_parser("plan", help="what will be (re)made, and why")
    pl.add_argument("project")
    pl.add_argument("--json", action="store_true")
    pl.add_argument("--episode", type=int)
    pl.add_argument("--preview", action="store_true")
    pl.add_argument("--aspect")
    pl.set_defaults(fn=cmd_plan)
    m = sub.add_parser("make", help="render out/epNN.mp4")
    m.add_argument("project")
    m.add_argument("--episode", type=int)
    m.add_argument("--preview", action="store_true", help="half resolution, fast preset")
    m.add_argument("--aspect")
    m.add_argument("--jobs", type=int, default=2)
    m.add_argument("--quiet", action="store_true")
    m.add_argument("--verbose", action="store_true")
    m.set_defaults(fn=cmd_make)
    s = sub.add_parser("status", help="what exists, what is stale, where the outputs are")
    s.add_argument("project")
    s.add_argument("--preview", action="store_true", help="against the --preview make")
    s.set_defaults(fn=cmd_status)
    d = sub.add_parser("demo", help="new + write + make with a built-in premise")
    d.add_argument("project", nargs="?", default="demo-film")
    d.add_argument("--minutes", type=float, default=1.5)
    d.add_argument("--preview", action="store_true")
    d.set_defaults(fn=cmd_demo)
    ck = sub.add_parser("check", help="check an MP4 against a contest or platform (any MP4, not only filmcrew's)")
    ck.add_argument("file")
    ck.add_argument("--contest", help="iqiyi-2025, runway-aiff, project-odyssey, douyin, youtube-shorts, delivery, "
                                      "or a profile of your own")
    ck.add_argument("--profile", help="a profile JSON file")
    ck.add_argument("--json", action="store_true")
    ck.set_defaults(fn=cmd_check)
    ea = sub.add_parser("export-audio", help="the sound track as out/epNN.m4a, with an audible and a hidden AI label")
    ea.add_argument("project")
    ea.add_argument("--episode", type=int)
    ea.add_argument("--preview", action="store_true", help="from the --preview make")
    ea.add_argument("--audio-label", choices=("rhythm", "spoken"), help="default: [labels] audio (rhythm)")
    ea.set_defaults(fn=cmd_export_audio, aspect=None)
    ex = sub.add_parser("export", help="hand the cut to an editor: OTIO, FCP 7 XML, FCPXML, EDL, Fountain, stems")
    ex.add_argument("project")
    ex.add_argument("--episode", type=int)
    ex.add_argument("--preview", action="store_true", help="from the --preview make")
    ex.add_argument("--to", nargs="+", default=["all"], choices=("otio", "fcp7", "fcpx", "edl", "fountain", "stems", "all"))
    ex.set_defaults(fn=cmd_export, aspect=None)
    im = sub.add_parser("import", help="take back a cut edited in an editor (OTIO, FCP 7 XML, FCPXML, EDL)")
    im.add_argument("project")
    im.add_argument("timeline", nargs="?", help="the edited timeline: .otio, .xml, .fcpxml or .edl")
    im.add_argument("--episode", type=int, help="which episode it cuts (default: from the timeline)")
    im.add_argument("--dry-run", action="store_true", help="report what would be imported; change nothing")
    im.add_argument("--by", default="", help="who edited the cut, for the ledger (default: 'an editor')")
    im.add_argument("--reset", action="store_true", help="drop the edited cut: back to the screenplay's cut")
    im.add_argument("--json", action="store_true")
    im.set_defaults(fn=cmd_import)

    du = sub.add_parser("dub", help="replace a line's synthetic voice with a human take, or --list the lines")
    du.add_argument("project")
    du.add_argument("line", nargs="?", help="the line id, e.g. ep01-s02-l03")
    du.add_argument("file", nargs="?", help="the take: WAV, MP3, M4A or FLAC")
    du.add_argument("--list", action="store_true")
    du.add_argument("--episode", type=int)
    du.add_argument("--json", action="store_true")
    du.set_defaults(fn=cmd_dub)
    dc = sub.add_parser("disclose", help="write the AI-use disclosure pack (Markdown and JSON) to out/")
    dc.add_argument("project")
    dc.set_defaults(fn=cmd_disclose)
    ky = sub.add_parser("keys", help="content-credential keys")
    kys = ky.add_subparsers(dest="keys_cmd", required=True)
    ki = kys.add_parser("init", help="create a local CA and a C2PA signing certificate")
    ki.add_argument("--name", default="filmcrew creator", help="the signer's name in the certificate")
    ki.add_argument("--force", action="store_true", help="replace existing keys")
    ki.set_defaults(fn=cmd_keys)
    sc = sub.add_parser("script", help="screenplay tools")
    scs = sc.add_subparsers(dest="script_cmd", required=True)
    chk = scs.add_parser("check", help="parse a screenplay and report on it")
    chk.add_argument("file")
    chk.add_argument("--json", action="store_true")
    chk.add_argument("--lang", default="en")
    chk.set_defaults(fn=cmd_script_check)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.fn(args)
    except TaskError as err:
        print(f"filmcrew: {err}", file=sys.stderr)
        return err.exit_code
    except FilmcrewError as err:
        print(f"filmcrew: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("filmcrew: interrupted; finished artifacts are kept, run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
