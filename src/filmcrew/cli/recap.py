"""`filmcrew recap PROJECT [--episode N]`: an episode of a series opened by "Previously on..." (the last shots of the
episode before, re-cut from its made film) and, with a cold open, its first scene before its title (crew/recap.py).

Optional per project: `[film] recap = 3` (how many of the previous episode's last shots; 0, the default, for none)
and `cold_open = true` in filmcrew.toml; `make` then writes it beside each episode from the second, and this command
writes it for episodes already made. It makes nothing new but two title cards: an episode that is not made as it
now stands is refused (make it first), never made here.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import pipeline, project
from ..crew import common, recap
from ..engine.layout import Layout
from ..errors import ConfigError


def _made(root: Path, st, ctx) -> tuple[Path, dict]:
    """The made film of `ctx`'s episode (the cached final, as `make` published it) and its timeline."""
    import json
    g = pipeline.episode_graph(ctx)
    if not st.made(g.final):
        raise ConfigError(f"{root}: {ctx.episode.id} is not made as its story now stands; run `filmcrew make {root} "
                          f"--episode {ctx.episode.number}{' --preview' if ctx.preview else ''}` first (a recap re-uses "
                          f"made films and makes nothing new)")
    tl = json.loads((st.path(g.task(f"{ctx.episode.id}.timeline").key) / "timeline.json").read_text())
    return st.path(g.final.key) / "film.mp4", tl


def make_recap(root: Path, number: int, preview: bool = False, shots: int | None = None,
               cold_open: bool | None = None) -> tuple[Path, Path]:
    """out/epNN.recap.mp4 (+ .recap.json: its parts, what is re-used and what is new) for episode `number`."""
    root = Path(root)
    cfg, ctxs = pipeline.contexts(root, dict(os.environ), None, preview)
    shots = cfg.recap if shots is None else shots
    cold_open = cfg.cold_open if cold_open is None else cold_open
    if cfg.format != "series" or number < 2 or number > len(ctxs):
        raise ConfigError(f"{root}: a recap opens episodes 2 to {len(ctxs)} of a series (this is "
                          f"{'a short film' if cfg.format != 'series' else f'{len(ctxs)} episode(s)'}; asked: {number})")
    if shots < 1:
        raise ConfigError(f"{Layout.of(root).config}: [film] recap: {shots}: give how many of the previous "
                          f"episode's last shots the recap shows (e.g. recap = 3), or --shots N")
    st = Layout.of(root).store()
    ctx_prev, ctx = ctxs[number - 2], ctxs[number - 1]
    prev_film, prev_tl = _made(root, st, ctx_prev)
    film, tl = _made(root, st, ctx)
    lang, title = cfg.language, ctx.bible.title
    arc = next((a for a in ctx.bible.arcs if a.number == number), None)
    words_prev = recap.PREVIOUSLY[lang].format(title=title)
    words_ep = recap.EPISODE[lang].format(n=number, title=arc.title if arc and arc.title else title)
    card_frames = int(recap.CARD_S * 30)
    parts = [recap.Part("card", words_prev, frames=card_frames, new=True)]
    prev_sha, sha = recap.sha256(prev_film), recap.sha256(film)
    for shot, start, frames in recap.previously(prev_tl, shots):
        parts.append(recap.Part("film", str(prev_film), prev_sha, start, frames, shot))
    split = recap.first_scene_end(tl) if cold_open else 0
    if split:
        parts.append(recap.Part("film", str(film), sha, 0, split, "(cold open: the first scene)"))
    parts.append(recap.Part("card", words_ep, frames=card_frames, new=True))
    parts.append(recap.Part("film", str(film), sha, split, int(tl["frames"]) - split, f"({ctx.episode.id} from "
                                                                                      f"{'its second scene' if split else 'its start'})"))
    out = Layout.of(root).out
    work = out / f".{common.out_name(ctx)}.cards"
    work.mkdir(parents=True, exist_ok=True)
    cards = {p.source: recap.card(p.source, ctx.size, lang, work / f"card{k}.png")
             for k, p in enumerate(parts) if p.kind == "card"}
    mp4 = out / f"{common.out_name(ctx)}.recap.mp4"
    recap.assemble(parts, cards, ctx.size, mp4, preview)
    rel = [recap.Part(**{**p.__dict__, "source": os.path.relpath(p.source, root) if p.kind == "film" else p.source})
           for p in parts]
    plan = mp4.with_suffix(".json")
    recap.write_plan(rel, plan, episode=ctx.episode.id, film=mp4.name, previous=ctx_prev.episode.id, shots=shots,
                     cold_open=bool(split), note="re-used parts are cut from films already made (their digest and "
                     "frames named); new: the title cards and the re-encode that joins the parts (the same pictures, "
                     "compressed again); not signed with content credentials, unlike out/epNN.mp4")
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    return mp4, plan


def after_make(root: Path, numbers: list[int], preview: bool) -> list[str]:
    """What `make` says after publishing episodes `numbers` of a project with `[film] recap`: each from the second
    gets its recap when the episode before it is made, else a note saying why not (nothing is made for it)."""
    said = []
    for n in numbers:
        if n < 2:
            continue
        try:
            mp4, _plan = make_recap(root, n, preview)
            said.append(f"ep{n:02d}: {mp4}  (opens with \"previously\": the last shots of ep{n - 1:02d}, as made)")
        except ConfigError as err:
            said.append(f"ep{n:02d}: no recap: {err}")
    return said


def cmd_recap(a) -> int:
    cfg = project.load_config(Path(a.project))
    numbers = [a.episode] if a.episode else list(range(2, cfg.episodes + 1))
    for n in numbers:
        mp4, plan = make_recap(Path(a.project), n, a.preview, a.shots, True if a.cold_open else None)
        print(f"ep{n:02d}: {mp4}  (+ {plan.name}: what is re-used, what is new)")
    return 0


def register(sub) -> None:
    r = sub.add_parser("recap", help="an episode opened by 'Previously on...', re-cut from the made films")
    r.add_argument("project")
    r.add_argument("--episode", type=int, default=None, help="which episode (2 or more; default: every one from 2)")
    r.add_argument("--shots", type=int, default=None, help="how many of the previous episode's last shots (default: "
                                                           "[film] recap in filmcrew.toml)")
    r.add_argument("--cold-open", action="store_true", help="the episode's first scene before its title card")
    r.add_argument("--preview", action="store_true", help="from the preview films (make --preview)")
    r.set_defaults(fn=cmd_recap)
