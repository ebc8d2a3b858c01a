"""`filmcrew new`, `write` and `script check`: the project folder and its story."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from .. import pipeline, project
from ..errors import ScriptError, read_text


def cmd_new(a) -> int:
    root = Path(a.project)
    episodes = a.episodes if a.format == "series" else 1
    cfg = project.create(root, project.Config(premise=a.premise or "", format=a.format, episodes=episodes,
                                              minutes=a.minutes, aspect=a.aspect, language=a.lang, seed=a.seed,
                                              style=a.style, genre=a.genre or ""))
    print(f"created {root}/ ({cfg.format}, {cfg.episodes} episode(s) of {cfg.minutes:g} min, {cfg.aspect}, {cfg.language})")
    if not getattr(a, "then_writes", False):  # (demo goes on to write and make by itself)
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


def cmd_script_check(a) -> int:
    path = Path(a.file)
    # inside a project's story/ folder, the speakers are checked against its bible too
    root = path.resolve().parent.parent
    known = project.known_characters(root) if project.Layout(root).config.exists() else None
    report = project.script_report(read_text(path, ScriptError), str(path), a.lang, known)
    story = project.story_report(root) if known is not None and not report["errors"] else None
    if story is not None:
        report["story"] = story
    if a.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(f"{path}: {report['scenes']} scenes, {report['shots']} shots, {report['lines']} dialogue blocks, "
              f"about {report['runtime_seconds'] / 60:.1f} min")
        for name, n in sorted(report["characters"].items(), key=lambda kv: -kv[1])[:20]:
            print(f"  {name:<24} {n}")
        for e in report["errors"]:
            print(f"  error: {e}")
        if story is not None:
            print("  story report (the premise against every episode and the bible): "
                  + ("nothing to say" if not story["problems"] else f"{len(story['problems'])} finding(s)"))
            for x in story["problems"]:
                print(f"  story: {x}")
    return 1 if report["errors"] else 0


def register(sub) -> None:
    n = sub.add_parser("new", help="create a project folder")
    n.add_argument("project")
    from ..model import ASPECTS, LANGUAGES
    n.add_argument("--premise", required=True, help="the story in one sentence: who wants what, against whom, by when")
    n.add_argument("--format", choices=("short", "series"), default="short",
                   help="a short film, or a series of --episodes episodes (default short)")
    n.add_argument("--episodes", type=int, default=1, help="how many episodes a series has (default 1)")
    n.add_argument("--minutes", type=float, default=1.5,
                   help="each episode's length, from 0.25 to 30 minutes (default 1.5)")
    n.add_argument("--aspect", default="9:16", help=f"the frame: {', '.join(ASPECTS)} (default 9:16, vertical)")
    n.add_argument("--lang", default="en", help=f"the language spoken and subtitled: {', '.join(LANGUAGES)} (default en)")
    n.add_argument("--seed", type=int, default=1, help="a whole number; another seed gives another story and pictures")
    n.add_argument("--style", default="storybook", help="the look of the pictures, in words (default storybook)")
    n.add_argument("--genre", default="", help="optional, in words (comedy, thriller...)")
    n.set_defaults(fn=cmd_new)
    w = sub.add_parser("write", help="write the missing story files")
    w.add_argument("project")
    w.add_argument("--force", action="store_true", help="rewrite existing story files (human edits are lost)")
    w.add_argument("--quiet", action="store_true", help="no progress messages")
    w.set_defaults(fn=cmd_write)
    sc = sub.add_parser("script", help="screenplay tools")
    scs = sc.add_subparsers(dest="script_cmd", required=True)
    chk = scs.add_parser("check", help="parse a screenplay and report on it")
    chk.add_argument("file")
    chk.add_argument("--json", action="store_true", help="the report as JSON")
    chk.add_argument("--lang", default="en", help="the screenplay's language outside a project: en, zh, fr")
    chk.set_defaults(fn=cmd_script_check)
