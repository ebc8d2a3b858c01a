"""What a person is told about an episode before and after a make: notes (its length against the one set, how a video
model's clip will be fitted, the edited cut and the lines its trims cut into) and the consistency report.

The command line, the studio and the MCP server print or show these; none of them changes what is made.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..engine import atomic
from ..engine.layout import Layout
from ..engine.store import Store
from ..errors import ConfigError
from ..model import FPS
from ..story import cut as cut_mod
from ..story import screenplay
from . import editor, references, voice
from .common import EpisodeContext


RUNTIME_TOLERANCE = 0.05  # how far a film may run from the length set in filmcrew.toml before plan says so


def runtime_note(ctx: EpisodeContext, st: Store, g, minutes: float) -> str | None:
    """A line saying that the episode misses its set length by more than 5%, and why and what to do; from the
    made timeline when there is one, else from the screenplay's estimate. None when it fits."""
    target = minutes * 60
    tl = g.task(f"{ctx.episode.id}.timeline")
    if st.made(tl):
        secs = json.loads((st.path(tl.key) / "timeline.json").read_text(encoding="utf-8"))["frames"] / float(FPS)
        how = "runs"
    else:
        secs = sum(screenplay.estimated_shot_seconds(s, ctx.language) for s in ctx.episode.shots())
        how = "will run about"
    off = (secs - target) / target
    if abs(off) <= RUNTIME_TOLERANCE:
        return None
    fix = ("add lines or shots, or give shots longer [[shot: Ns]] lengths" if off < 0 else
           "cut lines or shots, or shorten [[shot: Ns]] lengths")
    why = ("; the human cut decides its length" if ctx.cut is not None else
           "; a shot lasts as long as its lines take to say, so the screenplay sets the length")
    return (f"{ctx.episode.id} {how} {secs:.1f} s, {abs(off):.0%} {'short of' if off < 0 else 'over'} the {target:g} s set "
            f"in filmcrew.toml (minutes = {minutes:g}){why}: {fix} in {Layout.of(ctx.root).episode(ctx.episode.number)}")


def video_notes(ctx: EpisodeContext, st: Store, g) -> list[str]:
    """For a video model: per shot, the clip length it will be asked for and how the clip will be fitted
    (from the shot's laid-out length once its voices are made, else from the screenplay's estimate)."""
    from ..providers.remote.animate import LONGEST_HOLD, SLOWEST
    out = []
    for sh in ctx.episode.shots():
        prov = ctx.crew.for_shot("animator", sh)
        dur = g.by_artifact.get(f"{sh.id}.duration")
        if not getattr(prov, "remote", False):
            continue
        if dur is None:
            continue
        try:
            rec = st.record(dur.key)["ledger"] if st.made(dur) else None
        except Exception:  # noqa: BLE001 - a damaged record: plan says so elsewhere
            rec = None
        if rec:
            need, asked, how = rec["shot_seconds"], rec["asked_seconds"], ""
        else:
            need = screenplay.estimated_shot_seconds(sh, ctx.language)
            try:
                asked = prov.duration_for(need)
            except ConfigError as err:
                out.append(f"{sh.id}: {err}")
                continue
            how = " (estimated)"
        model = prov.seconds_for(sh.video or prov.video, asked)
        if model >= need:
            fit = f"trimmed by {model - need:.1f} s (kept as handles)"
        elif model / SLOWEST >= need:
            fit = f"slowed to {model / need:.0%}"
        else:
            fit = f"slowed to {SLOWEST:.0%} and its last frame held {need - model / SLOWEST:.1f} s (at most {LONGEST_HOLD:g})"
        sound = ("its sound kept as the shot's effects" if getattr(prov, "keeps_sound", False) else
                 "its sound dropped (filmcrew's ambience and effects play)")
        mouths = "; mouths as the model made them (no lip-sync on a model's clip)" if sh.lines else ""
        out.append(f"{sh.id}: {prov.name} is asked for {model} s for a {need:.1f} s shot{how}: {fit}; {sound}{mouths}")
    return out


def cut_notes(ctx: EpisodeContext, st: Store | None = None, g=None) -> list[str]:
    """What a person should know about the episode's edited cut, if it has one (with the store and graph:
    the lines its trims cut into, once the voices are made)."""
    if ctx.cut is None:
        return []
    c = ctx.cut
    used = {it.shot for it in c.items}
    new = [s.id for s in ctx.episode.shots() if s.id not in used and s.id not in c.removed]
    notes = [f"{ctx.episode.id} follows the cut edited by {c.by} ({cut_mod.path(ctx.root, ctx.episode.number)}, from "
             f"{c.source or 'an editor'}: {len(c.items)} clips); `filmcrew import {ctx.root} --reset` goes back to the "
             f"screenplay's cut"]
    if new:
        notes.append(f"{ctx.episode.id}: shot(s) {', '.join(new)} came into the screenplay after the cut was imported and "
                     f"are not in the film: export, place them in your editor and import again (or --reset)")
    if st is not None and g is not None:
        notes += [f"{ctx.episode.id}: {line_note(ctx.root, t)}" for t in trimmed_lines(ctx, st, g) or []]
    return notes


def trimmed_lines(ctx: EpisodeContext, st: Store, g, cut=None) -> list[dict] | None:
    """The lines a trim of `cut` (the episode's own cut by default) cuts into, laid out as the editor lays
    them out from the voices and shot timings already made, each with the person's choice ("keep", "drop"
    or None); None while a voice or a shot's timing is not made yet (then it is known after the make)."""
    from ..engine.graph import Pending
    cut = cut or ctx.cut
    if cut is None:
        return []
    voice_frames, layouts = {}, {}
    try:
        for name, t in g.task(f"{ctx.episode.id}.timeline").inputs.items():
            if name.startswith("subtitles-"):
                continue
            if not st.made(t):
                return None
            if name.startswith("layout:"):
                layouts[name.split(":", 1)[1]] = editor.read_layout(st.path(t.key))
            else:
                voice_frames[name] = voice.frames_of(st.path(t.key))
    except Pending:
        return None
    return editor.build_timeline(ctx, voice_frames, cut, None, layouts)["trimmed"]


def line_note(root: Path, t: dict) -> str:
    """One trimmed line in words: what the trim took off it and what plays."""
    off = " and ".join(f"{t[k] / float(FPS):.1f} s {'before its shot comes on' if k == 'head' else 'after its shot leaves'}"
                       for k in ("head", "tail") if t[k])
    text = t["text"] if len(t["text"]) <= 40 else t["text"][:39] + "…"
    said = f"{t['line']} ({t['speaker']}: “{text}”, {t['frames'] / float(FPS):.1f} s) is said {off} the screen"
    if t["choice"] == "keep":
        return f"{said}: kept whole, heard over the neighbouring picture with its subtitle (`filmcrew lines {root} --drop {t['line']}` leaves it out)"
    if t["choice"] == "drop":
        return f"{said}: left out, as chosen (`filmcrew lines {root} --keep {t['line']}` plays it whole)"
    if t["head"] + t["tail"] >= t["frames"]:
        return (f"{said}: it is not heard at all. Choose: `filmcrew lines {root} --keep {t['line']}` plays it whole over "
                f"the neighbouring picture, `--drop {t['line']}` confirms it is left out")
    return (f"{said}: only the part while its shot is on screen is heard, cut off mid-line. Choose: `filmcrew lines "
            f"{root} --keep {t['line']}` plays it whole over the neighbouring picture, `--drop {t['line']}` leaves it out")


# ---- consistency: the report of the made picks ----------------------------------------------------------------

def consistency_report(root: Path, st: Store, cfg, ctxs: list, graphs: list) -> tuple[dict, list[str]]:
    """The report of the made picks of these episodes (`cfg`: the project's Config), and the picks not made yet
    (artifact ids)."""
    from ..consistency import report
    picks, refs, unmade = [], {}, []
    for ctx, g in zip(ctxs, graphs):
        for t in g.all:
            if t.role == "reference" and st.made(t) and ctx.bible.character(t.params.get("name", "")) is not None:
                refs[t.params["name"]] = st.path(t.key)
            elif t.role == "reference" and st.made(t) and t.provider.name == "human-take":
                name = next((c.name for c in ctx.bible.characters if references.slug(c.name) + ".reference" == t.artifact), None)
                if name:
                    refs[name] = st.path(t.key)
            if t.role != "consistency" or t.artifact.endswith(".voice.pick"):  # (voice picks: the voices section)
                continue
            if not st.made(t):
                unmade.append(t.artifact)
                continue
            rec = json.loads((st.path(t.key) / "pick.json").read_text(encoding="utf-8"))
            picks.append({**rec, "folder": str(st.path(t.key)), "episode": ctx.episode.id})
    title = ctxs[0].bible.title if ctxs else str(root)
    rep = report.build(picks, refs, asdict_settings(cfg), title)
    from ..consistency import lipsync as lip_sync
    rep["lipsync"] = lip_sync.section(root, st, ctxs, graphs)  # each dialogue shot's sync, measured on the film
    from ..consistency import voices
    rep["voices"] = voices.section(root, st, ctxs, graphs)  # each character's lines against their reference
    if ctxs:  # the series' continuity (issue 37): states over the episodes, time of day, breaks (crew/supervisor.py)
        from . import supervisor
        rep["continuity"] = supervisor.report(root, st, ctxs, graphs)
    return rep, unmade


def asdict_settings(cfg) -> dict:
    from dataclasses import asdict
    return asdict(cfg.consistency)


def write_consistency(root: Path, rep: dict) -> tuple[Path, Path]:
    from ..consistency import report
    out = Layout.of(root).out
    j, h = out / "consistency.json", out / "consistency.html"
    atomic.write_text(j, json.dumps(rep, indent=1, ensure_ascii=False))
    page = report.render(rep)
    if rep.get("continuity"):  # its own section, before the page ends
        from ..consistency import continuity
        page = page.replace("</body>", "<h2>Continuity across the series</h2>\n" + continuity.section(
            rep["continuity"], level=3) + "</body>", 1)
    atomic.write_text(h, page)
    return j, h
