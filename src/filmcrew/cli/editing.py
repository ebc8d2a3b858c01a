"""`filmcrew export`, `import`, `lines`, `dub` and `export-audio`: a person takes over (editors, actors, platforms)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .. import pipeline, project
from ..crew import reports
from ..engine.executor import execute
from ..errors import ConfigError
from .locking import locked
from .making import episode_graphs, positive
from ..engine.layout import Layout


@locked("export-audio")
def cmd_export_audio(a) -> int:
    from ..handoff import audio_export
    root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
    st = Layout.of(root).store()
    for ctx, g in zip(ctxs, graphs):
        out = audio_export.export(root, st, ctx, g, a.preview, a.audio_label or cfg.labels.audio)
        print(f"{ctx.episode.id}: {out}")
    return 0


@locked("export")
def cmd_export(a) -> int:
    from ..handoff import export
    from ..handoff import jianying
    formats = list(export.FORMATS) if "all" in a.to else a.to
    if "all" in a.to and not jianying.available():
        formats.remove("jianying")
        print("(no JianYing draft: pip install 'filmcrew[jianying]' adds it to --to all)")
    root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
    st = Layout.of(root).store()
    # each shot's clip (a shot animated here is drawn by its film segment: its clip is made now), and with the lips
    # drawn in (the film draws them in its own segments; an editor cannot)
    execute(st, [t for g in graphs if st.made(g.final) for t in (*g.plays, *g.media.values())], workers=2)
    for ctx, g in zip(ctxs, graphs):
        for p in export.export(root, st, ctx, g, formats):
            print(f"wrote {p}")
    return 0


@locked("import")
def cmd_import(a) -> int:
    from ..handoff import importer
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


@locked("lines", when=lambda a: a.keep or a.drop or a.clear)
def cmd_lines(a) -> int:
    """The lines the edited cut's trims cut into, and the person's choice for each: keep whole or drop."""
    from dataclasses import replace

    from ..story import cut as cut_mod
    root = Path(a.project)
    cfg, ctxs = pipeline.contexts(root, dict(os.environ), a.episode)
    st = Layout.of(root).store()
    changes = [(i, "keep") for i in a.keep] + [(i, "drop") for i in a.drop] + [(i, None) for i in a.clear]
    known = {ln.id for ctx in ctxs for ln in ctx.episode.lines()}
    unknown = [i for i, _ in changes if i not in known]
    if unknown:
        raise ConfigError(f"filmcrew lines: {', '.join(unknown)}: not a line of {'episode ' + str(a.episode) if a.episode else root}"
                          f"; the line ids are in `filmcrew dub {root} --list`")
    rows = []
    for ctx in ctxs:
        mine = [(i, c) for i, c in changes if any(ln.id == i for ln in ctx.episode.lines())]
        if mine:
            if ctx.cut is None:
                raise ConfigError(f"{ctx.episode.id} follows the screenplay's cut, which trims no line; a choice is for "
                                  f"a cut edited in an editor (`filmcrew import`)")
            chosen = dict(ctx.cut.lines)
            for i, c in mine:
                if c is None:
                    chosen.pop(i, None)
                else:
                    chosen[i] = c
            ctx = replace(ctx, cut=replace(ctx.cut, lines=chosen))
            print(f"wrote {cut_mod.save(root, ctx.episode.number, ctx.cut)}")
        trimmed = reports.trimmed_lines(ctx, st, pipeline.episode_graph(ctx))
        rows.append({"episode": ctx.episode.id, "trimmed": trimmed})
        if a.json:
            continue
        if trimmed is None:
            print(f"{ctx.episode.id}: the voices are not made yet; `filmcrew make {root}` first")
        elif not trimmed:
            print(f"{ctx.episode.id}: no trim cuts into a line" + ("" if ctx.cut else " (the screenplay's cut)"))
        for t in trimmed or []:
            print(f"{ctx.episode.id}: {reports.line_note(root, t)}")
        for i, c in mine:
            if trimmed is not None and all(t["line"] != i for t in trimmed):
                print(f"{ctx.episode.id}: {i}: no trim cuts into it now; the choice applies if one does")
    if a.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif changes:
        print(f"next: `filmcrew make {root}` re-makes the sound, the subtitles and the final film")
    return 0


@locked("dub", when=lambda a: not a.list)
def cmd_dub(a) -> int:
    from ..handoff import dub
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


def register(sub) -> None:
    ea = sub.add_parser("export-audio", help="the sound track as out/epNN.m4a, with an audible and a hidden AI label")
    ea.add_argument("project")
    ea.add_argument("--episode", type=positive)
    ea.add_argument("--preview", action="store_true", help="from the --preview make")
    ea.add_argument("--audio-label", choices=("rhythm", "spoken"), help="default: [labels] audio (rhythm)")
    ea.set_defaults(fn=cmd_export_audio, aspect=None)
    ex = sub.add_parser("export", help="hand the cut to an editor: OTIO, FCP 7 XML, FCPXML, EDL, Fountain, stems")
    ex.add_argument("project")
    ex.add_argument("--episode", type=positive)
    ex.add_argument("--preview", action="store_true", help="from the --preview make")
    ex.add_argument("--to", nargs="+", default=["all"], choices=("otio", "fcp7", "fcpx", "edl", "fountain", "stems", "jianying", "all"))
    ex.set_defaults(fn=cmd_export, aspect=None)
    im = sub.add_parser("import", help="take back a cut edited in an editor (OTIO, FCP 7 XML, FCPXML, EDL)")
    im.add_argument("project")
    im.add_argument("timeline", nargs="?", help="the edited timeline: .otio, .xml, .fcpxml or .edl")
    im.add_argument("--episode", type=positive, help="which episode it cuts (default: from the timeline)")
    im.add_argument("--dry-run", action="store_true", help="report what would be imported; change nothing")
    im.add_argument("--by", default="", help="who edited the cut, for the ledger (default: 'an editor')")
    im.add_argument("--reset", action="store_true", help="drop the edited cut: back to the screenplay's cut")
    im.add_argument("--json", action="store_true")
    im.set_defaults(fn=cmd_import)
    li = sub.add_parser("lines", help="the lines an edited cut's trims cut into: keep each whole, or drop it")
    li.add_argument("project")
    li.add_argument("--episode", type=positive)
    li.add_argument("--keep", action="append", default=[], metavar="LINE",
                    help="play the line whole, over the neighbouring picture, with its subtitle")
    li.add_argument("--drop", action="append", default=[], metavar="LINE", help="leave the line out (sound and subtitles)")
    li.add_argument("--clear", action="append", default=[], metavar="LINE",
                    help="no choice: the line plays only while its shot is on screen")
    li.add_argument("--json", action="store_true")
    li.set_defaults(fn=cmd_lines)
    du = sub.add_parser("dub", help="replace a line's synthetic voice with a human take, or --list the lines")
    du.add_argument("project")
    du.add_argument("line", nargs="?", help="the line id, e.g. ep01-s02-l03")
    du.add_argument("file", nargs="?", help="the take: WAV, MP3, M4A or FLAC")
    du.add_argument("--list", action="store_true")
    du.add_argument("--episode", type=positive)
    du.add_argument("--json", action="store_true")
    du.set_defaults(fn=cmd_dub)
