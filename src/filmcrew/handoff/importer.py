"""`filmcrew import PROJECT TIMELINE [--episode N] [--dry-run] [--reset]`: take an edited cut back.

Reads an OpenTimelineIO (.otio), Final Cut Pro 7 XML (.xml: Premiere, DaVinci Resolve), FCPXML
(.fcpxml) or CMX 3600 EDL (.edl) timeline that started as a filmcrew export, maps its clips back to
shots, and records the cut in `cut/epNN.json` (see story/cut.py). The next `make` re-assembles the film from
it; no picture or voice is made again unless something else changed.

How clips are recognised, in order: the clip's `metadata["filmcrew"]["shot"]` (OTIO keeps it), the
media file's name (`epNN-sNN-shNN.mp4`, as exported: FCP 7 XML, FCPXML and EDL keep it), the clip's
name. A clip that is none of these but whose media file exists is a clip a person added: it is
copied into `cut/media/` and conformed to the film's size (a whole-picture fit over a blurred fill).
Any other clip is unknown: the import lists it and changes nothing.

Dialogue follows its shot's picture (so lips and subtitles stay in sync): moving a dialogue clip on
its own track is not applied (and not reported); its level is. Levels are read from the clips' own
`metadata["filmcrew"]["gain_db"]`, an OTIO effect named Volume/Gain/Audio Levels with `gain_db`
metadata, or a Final Cut Pro 7 `audiolevels` filter.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..crew import reports
from ..engine import atomic
from ..errors import MissingExtraError, TimelineImportError
from ..media import ffmpeg
from ..story import cut as cut_mod
from ..story.cut import HANDLE, Cut, Item, Join
from . import edl, fcpxml
from ..engine.layout import Layout

FPS = 30
READERS = {".otio": ("otio_json", {}, "OpenTimelineIO"), ".xml": ("fcp_xml", {}, "Final Cut Pro 7 XML"),
           ".fcpxml": ("fcpx_xml", {}, "FCPXML"), ".edl": ("cmx_3600", {"rate": FPS}, "CMX 3600 EDL")}
SHOT_RE = re.compile(r"^ep\d{2}-s\d{2}-sh\d{2}$")


@dataclass
class Report:
    timeline: str
    format: str
    episode: int = 0
    items: list = field(default_factory=list)  # what each clip of the picture track became
    joins: int = 0
    unknown: list = field(default_factory=list)
    edits: list | None = None  # None until the cut is compared with the one exported
    ignored: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    lines: list = field(default_factory=list)  # the lines a trim cuts into, and what plays of them
    written: list = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def text(self) -> str:
        kinds = [i["kind"] for i in self.items]
        out = [f"{self.timeline} ({self.format}) -> episode {self.episode}" if self.episode else
               f"{self.timeline} ({self.format})",
               f"  picture: {len(self.items)} clips: {kinds.count('shot')} shots, {kinds.count('take')} added clips, "
               f"{kinds.count('gap')} gaps, {len(self.unknown)} unknown; {self.joins} transitions"]
        out += [f"  unknown: {u['name']} ({u['why']})" for u in self.unknown]
        if self.edits is not None:
            out += [f"  edit: {e}" for e in self.edits] or ["  edit: none (the cut is the one exported)"]
        out += [f"  trimmed line: {x}" for x in self.lines]
        out += [f"  ignored: {x}" for x in self.ignored]
        out += [f"  warning: {w}" for w in self.warnings]
        if self.dry_run:
            out.append("  --dry-run: nothing written")
        out += [f"  wrote {p}" for p in self.written]
        return "\n".join(out)


# ---- reading ---------------------------------------------------------------------------------------

def _strip_newer_markers(text: str, known: set[str]) -> tuple[str, int]:
    """Drop markers written with a schema newer than this OpenTimelineIO reads (they carry nothing
    filmcrew uses); everything else must be readable as it is."""
    doc = json.loads(text)
    dropped = 0

    def walk(o):
        nonlocal dropped
        if isinstance(o, dict):
            if isinstance(o.get("markers"), list):
                keep = [m for m in o["markers"] if not (isinstance(m, dict) and m.get("OTIO_SCHEMA") not in known)]
                dropped += len(o["markers"]) - len(keep)
                o["markers"] = keep
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(doc)
    return json.dumps(doc), dropped


def read(path: Path, report: Report):
    import opentimelineio as otio
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise TimelineImportError(f"{path}: filmcrew imports .otio, .xml (Final Cut Pro 7: Premiere, Resolve), "
                                  f".fcpxml and .edl timelines; export one of those from your editor")
    if not path.is_file():
        raise TimelineImportError(f"{path}: no such file")
    adapter, kw, report.format = READERS[suffix]
    if suffix == ".edl":  # read by filmcrew itself (handoff/edl.py, handoff/fcpxml.py say why)
        return edl.read(path, FPS)
    if suffix == ".fcpxml":
        return fcpxml.read(path, FPS)
    if adapter not in {a.name for a in otio.plugins.ActiveManifest().adapters}:
        raise MissingExtraError(f"importing {suffix} timelines", "export")
    try:
        tl = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kw)
    except otio.exceptions.OTIOError as e:  # UnsupportedSchemaError among them
        if adapter != "otio_json" or "schema" not in str(e).lower():
            raise TimelineImportError(f"{path}: {report.format} that OpenTimelineIO {otio.__version__} cannot read: "
                                      f"{e}") from None
        v = otio.core.type_version_map()
        known = {f"Marker.{n}" for n in range(1, v.get("Marker", 2) + 1)}
        text, dropped = _strip_newer_markers(path.read_text(encoding="utf-8"), known)
        try:
            tl = otio.adapters.read_from_string(text, "otio_json")
        except otio.exceptions.OTIOError as e2:
            raise TimelineImportError(f"{path}: written by a newer OpenTimelineIO than the {otio.__version__} "
                                      f"filmcrew uses ({e2}); export it as FCP 7 XML or EDL instead") from None
        report.ignored.append(f"{dropped} marker(s) in a newer OTIO schema than {otio.__version__} reads")
    except Exception as e:  # adapters raise what their parsers raise
        raise TimelineImportError(f"{path}: not a readable {report.format} file: {type(e).__name__}: {e}") from None
    if isinstance(tl, otio.schema.SerializableCollection):
        found = [t for t in tl.find_children(descended_from_type=otio.schema.Timeline)] if hasattr(tl, "find_children") else []
        if len(found) != 1:
            raise TimelineImportError(f"{path}: holds {len(found)} timelines; export the one sequence to import")
        tl = found[0]
    if not isinstance(tl, otio.schema.Timeline):
        raise TimelineImportError(f"{path}: holds a {type(tl).__name__}, not a timeline")
    return tl


# ---- mapping ---------------------------------------------------------------------------------------

MAX_FRAMES = 24 * 3600 * FPS  # no time in a film's cut is longer than a day


def _frames(rt, where: str = "a time in the timeline") -> int:
    """A time as frames at the film's 30 fps. NTSC rates (29.97, 59.94: an editor's "30" and "60" sequences
    when set to NTSC) count frames as their nominal rate does, as an editing program does with 30 fps media:
    frame 5400 of a 29.97 sequence is frame 5400 of the film, not the 5405th (by seconds). A rate of 0, a
    time that is not a finite number or one longer than a day is a TimelineImportError naming `where`."""
    import math
    rate, value = rt.rate, rt.value
    if not (math.isfinite(rate) and rate > 0) or not math.isfinite(value) or abs(value / rate) > MAX_FRAMES / FPS:
        raise TimelineImportError(f"{where}: the time {value:g} at rate {rate:g} is impossible (a rate must be above "
                                  f"0 and a time finite and under a day); export the timeline again")
    nominal = round(rate)
    if nominal and rate != nominal and abs(rate - nominal * 1000 / 1001) < 1e-3:
        return int(round(rt.value * FPS / nominal))
    frames = rt.rescaled_to(FPS).value
    if not math.isfinite(frames):  # value * 30 overflowed though value / rate is under a day: divide first
        frames = value / rate * FPS
    return int(round(frames))


def _media_path(ref, base: Path) -> Path | None:
    url = getattr(ref, "target_url", None)
    if not url:
        return None
    if url.startswith("file:"):
        p = Path(fcpxml.local(url))
    elif "://" in url:
        return None
    else:
        p = Path(url)
    return p if p.is_absolute() else (base / p)


def _gain_db(item) -> float | None:
    """An audio clip's level, if the editor set one."""
    for fx in getattr(item, "effects", []):
        name = (fx.effect_name or fx.name or "").lower().replace(" ", "")
        md = fx.metadata
        fcp = md.get("fcp_xml") or {}
        if fcp.get("effectid") == "audiolevels" or name == "audiolevels":
            params = fcp.get("parameter")
            for p in params if isinstance(params, list) else [params]:
                if isinstance(p, dict) and p.get("parameterid") == "level" and p.get("value") is not None:
                    try:
                        v = float(p["value"])
                    except (TypeError, ValueError):
                        continue  # keyframed levels: not a single figure
                    return -60.0 if v <= 0.001 else round(20 * math.log10(v), 2)
        if name in ("volume", "gain", "audiolevels") and "gain_db" in md:
            return float(md["gain_db"])
    fc = item.metadata.get("filmcrew") or {}  # an OTIO AnyDictionary, not a dict
    if fc.get("gain_db") is not None:
        return float(fc["gain_db"])
    return None


def _which_episode(tl, episode: int | None, n_episodes: int) -> int:
    if episode is not None:
        if not 1 <= episode <= n_episodes:
            raise TimelineImportError(f"--episode {episode}: this project has episode(s) 1 to {n_episodes}")
        return episode
    fc = tl.metadata.get("filmcrew") or {}
    m = re.match(r"ep(\d+)$", str(fc.get("episode", "")))
    names = [c.name for c in tl.find_clips()] + [Path(getattr(c.media_reference, "target_url", "") or "").stem
                                                 for c in tl.find_clips()]
    eps = {int(n[2:4]) for n in names if SHOT_RE.match(n or "")}
    said = (int(m.group(1)), "its filmcrew metadata") if m else (eps.pop(), "its clips' names") if len(eps) == 1 else None
    if said is not None:
        if not 1 <= said[0] <= n_episodes:
            raise TimelineImportError(f"the timeline is episode {said[0]} by {said[1]}, but this project has episode(s) 1 "
                                      f"to {n_episodes}: is it another project's cut?")
        return said[0]
    if n_episodes == 1:
        return 1
    raise TimelineImportError(f"cannot tell which episode this timeline is; say it with --episode N (1 to {n_episodes})")


def _take(path: Path, name: str, rng, avail, report: Report, root: Path, dry_run: bool) -> Item | None:
    try:
        pr = ffmpeg.probe(path, count_frames=False)
    except Exception as e:
        report.unknown.append({"name": name, "media": str(path), "why": f"not a video filmcrew can read ({e})"})
        return None
    if not pr.width:
        report.unknown.append({"name": name, "media": str(path), "why": "has no picture"})
        return None
    a = max(0, _frames(rng.start_time) - (_frames(avail.start_time) if avail is not None else 0))
    b = a + _frames(rng.duration)
    have = int(pr.duration * FPS)
    if b > have + 1:
        report.warnings.append(f"{name}: the cut plays {b / FPS:.2f} s of {path.name}, which has {pr.duration:.2f} s; "
                               f"its last frame is held")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    rel = Path("cut") / "media" / f"{sha[:16]}{path.suffix.lower()}"
    if not dry_run and not (root / rel).exists():
        atomic.copy_file(path, root / rel)
        report.written.append(str(root / rel))
    return Item("take", a, b, media=str(rel), sha256=sha, name=name)


def map_timeline(tl, path: Path, root: Path, shot_ids: list[str], known_takes: dict[str, Item], report: Report,
                 dry_run: bool) -> tuple[list[Item], list[Join], dict, dict]:
    import opentimelineio as otio
    videos = tl.video_tracks()
    if not videos:
        raise TimelineImportError(f"{path}: has no video track")
    if len(videos) > 1:
        report.ignored.append(f"{len(videos) - 1} more video track(s) above the first ({', '.join(t.name or '?' for t in videos[1:])}): "
                              f"filmcrew imports one picture track; flatten the others onto it in your editor")
    track = videos[0]
    items: list[Item] = []
    joins: list[Join] = []
    pending = None
    base = path.parent
    after_unknown = False
    for n, child in enumerate(track):
        where = f"{track.name or 'video'}[{n}] {child.name!r}"
        if isinstance(child, otio.schema.Transition):
            if not items and not after_unknown and not report.unknown:
                report.ignored.append(f"{where}: a transition before the first clip (a fade in) is not supported")
            if not items or after_unknown:
                continue
            kind = (child.metadata.get("filmcrew") or {}).get("kind")
            if kind not in cut_mod.JOINS:
                kind = "dip" if "black" in f"{child.name} {child.transition_type}".lower() else "crossfade"
            pending = (kind, _frames(child.in_offset, f"{path}: {where}"), _frames(child.out_offset, f"{path}: {where}"),
                       where)
            continue
        if isinstance(child, (otio.schema.Stack, otio.schema.Track)):
            raise TimelineImportError(f"{path}: {where} is a nested {type(child).__name__.lower()}; filmcrew imports "
                                      f"a flat cut: flatten or un-nest it in your editor and export again")
        rng = child.trimmed_range()
        if _frames(rng.duration, f"{path}: {where}") <= 0 or _frames(rng.start_time, f"{path}: {where}") < 0:
            raise TimelineImportError(f"{path}: {where} lasts {rng.duration.value:g} frame(s) from "
                                      f"{rng.start_time.value:g}: a clip or gap must last at least one frame and start "
                                      f"at 0 or later; export the timeline again")
        if isinstance(child, otio.schema.Gap):
            item = Item("gap", HANDLE, HANDLE + _frames(rng.duration), name="gap")
        else:
            ref = child.media_reference
            fc = child.metadata.get("filmcrew") or {}
            stem = Path(getattr(ref, "target_url", "") or "").stem
            for note in (child.metadata.get("cmx_3600") or {}).get("comments", []):
                if note.startswith("TO CLIP:"):  # the EDL reader gives a dissolve's incoming clip the outgoing media
                    stem = Path(note.split(":", 1)[1].strip()).stem
            shot = next((s for s in (fc.get("shot"), stem, edl.clip_name(child.name or "")) if s in shot_ids), None)
            if shot:
                a = _frames(rng.start_time)
                item = Item("shot", a, a + _frames(rng.duration), shot=shot, name=child.name)
            elif stem in known_takes:  # a clip added in an earlier import, exported again
                old = known_takes[stem]
                a = _frames(rng.start_time) + cut_mod.source_base(old)
                item = Item("take", a, a + _frames(rng.duration), media=old.media, sha256=old.sha256, name=old.name,
                            source_type=old.source_type)
            else:
                mp = _media_path(ref, base)
                if mp is None or not mp.is_file():
                    why = (f"media {ref.target_url} not found" if getattr(ref, "target_url", None)
                           else f"no media file ({type(ref).__name__})")
                    report.unknown.append({"name": child.name, "media": getattr(ref, "target_url", None), "why": why})
                    pending, after_unknown = None, True
                    continue
                item = _take(mp, child.name or mp.name, rng, ref.available_range, report, root, dry_run)
                if item is None:
                    pending, after_unknown = None, True
                    continue
        if pending and items:
            kind, before, into, w = pending
            joins.append(Join(len(items) - 1, kind, before, into))
        pending, after_unknown = None, False
        items.append(item)
        report.items.append({"kind": item.kind, "name": item.shot or item.name, "frames": item.src_out - item.src_in})
    if pending:
        report.ignored.append(f"{pending[3]}: a transition after the last clip (a fade out) is not supported")
    trailing = 0
    while items and items[-1].kind == "gap":
        items.pop()
        report.items.pop()
        trailing += 1
    if trailing:
        report.ignored.append(f"{trailing} gap(s) at the end of the picture track" if any(
            i.kind != "gap" for i in items) else f"{trailing} gap(s) between clips that are not imported")
    # levels: dialogue clips by line, the music and effects stems by name
    line_gains, gains = {}, {}
    for tr in tl.audio_tracks():
        for c in tr.find_clips():
            g = _gain_db(c)
            if g is None:
                continue
            fc = c.metadata.get("filmcrew") or {}
            stem = Path(getattr(c.media_reference, "target_url", "") or "").stem
            key = fc.get("line") or fc.get("stem") or stem or c.name
            m = re.match(r"ep\d{2}\.(music|effects)$", key)
            if m or key in ("music", "effects"):
                gains[m.group(1) if m else key] = g
            elif re.match(r"ep\d{2}-s\d{2}-l\d{2}$", key):
                line_gains[key] = g
    report.joins = len(joins)
    return items, joins, {k: v for k, v in gains.items() if v}, {k: v for k, v in line_gains.items() if v}


# ---- what changed ----------------------------------------------------------------------------------

def describe(old: Cut, new: Cut, totals: dict[str, int]) -> tuple[list[str], tuple[str, ...]]:
    """The edits from `old` to `new` in words, and the shots `new` leaves out. Trims compare the frames
    on screen, transitions included (an EDL re-expresses a dissolve by moving the cut point)."""
    def seen(c: Cut, k: int) -> tuple[int, int]:
        it = c.items[k]
        a, b = cut_mod.resolve(it, totals[it.shot]) if it.shot in totals else (it.src_in, it.src_out or 0)
        prev, nxt = c.join_after(k - 1), c.join_after(k)
        return a - (prev.before if prev else 0), b + (nxt.into if nxt else 0)

    edits = []
    old_shots = [it.shot for it in old.items if it.kind == "shot"]
    new_shots = [it.shot for it in new.items if it.kind == "shot"]
    removed = tuple(s for s in dict.fromkeys(old_shots) if s not in new_shots)
    edits += [f"removed {s}" for s in removed]
    for s in dict.fromkeys(new_shots):
        if new_shots.count(s) > old_shots.count(s):
            edits.append(f"repeated {s} ({new_shots.count(s)} times)")
    kept = [s for s in dict.fromkeys(new_shots) if s in old_shots]
    if kept != [s for s in dict.fromkeys(old_shots) if s in kept]:
        edits.append("reordered: " + ", ".join(kept))
    old_r = {it.shot: seen(old, k) for k, it in enumerate(old.items) if it.kind == "shot" and old_shots.count(it.shot) == 1}
    for k, it in enumerate(new.items):
        if it.kind == "shot" and it.shot in old_r and new_shots.count(it.shot) == 1:
            (a0, b0), (a1, b1) = old_r[it.shot], seen(new, k)
            parts = ([f"head {a1 - a0:+d}"] if a1 != a0 else []) + ([f"tail {b1 - b0:+d}"] if b1 != b0 else [])
            if parts:
                edits.append(f"trimmed {it.shot}: {', '.join(parts)} frames")
        elif it.kind == "take":
            edits.append(f"added clip {it.name} ({it.src_out - it.src_in} frames)")
        elif it.kind == "gap":
            edits.append(f"added {it.src_out - it.src_in} frames of black")

    def pairs(c: Cut) -> dict:
        out = {}
        for k in range(len(c.items) - 1):
            j = c.join_after(k)
            key = (c.items[k].shot or c.items[k].name, c.items[k + 1].shot or c.items[k + 1].name)
            out[key] = (j.kind, j.before + j.into) if j else ("cut", 0)
        return out
    po, pn = pairs(old), pairs(new)
    for key, (kind, d) in pn.items():
        was = po.get(key)
        if was and was != (kind, d):
            edits.append(f"{key[0]} -> {key[1]}: {was[0]}{f' {was[1]}' if was[1] else ''} became {kind}"
                         f"{f' {d}' if d else ''}")
    for name, g in sorted(new.gains.items()):
        if old.gains.get(name, 0.0) != g:
            edits.append(f"{name} level {g:+.1f} dB")
    for name, g in sorted(new.line_gains.items()):
        if old.line_gains.get(name, 0.0) != g:
            edits.append(f"{name} level {g:+.1f} dB")
    return edits, removed


# ---- the verb --------------------------------------------------------------------------------------

def _discard(report: Report) -> None:
    """Take back the media this import copied (a failed import changes nothing)."""
    for p in report.written:
        Path(p).unlink(missing_ok=True)
    report.written = []


def import_cut(root: Path, timeline: Path, env: dict, episode: int | None = None, dry_run: bool = False,
               by: str = "") -> Report:
    from .. import pipeline
    root, timeline = Path(root), Path(timeline)
    report = Report(timeline=str(timeline), format="", dry_run=dry_run)
    tl = read(timeline, report)
    cfg, ctxs = pipeline.contexts(root, env, None)  # validates the project and every existing cut first
    n = _which_episode(tl, episode, cfg.episodes)
    if not 1 <= n <= cfg.episodes:
        raise TimelineImportError(f"--episode {n}: the project has episodes 1 to {cfg.episodes}")
    report.episode = n
    ctx = ctxs[n - 1]
    g = pipeline.episode_graph(ctx)
    st = Layout.of(root).store()
    old = ctx.cut or cut_mod.script_cut(ctx.episode.shots())
    shot_ids = [s.id for s in ctx.episode.shots()]
    known_takes = {t.artifact.rsplit(".", 1)[0]: old.items[k] for k, t in enumerate(g.plays) if old.items[k].kind == "take"}
    items, joins, gains, line_gains = map_timeline(tl, timeline, root, shot_ids, known_takes, report, dry_run)
    if report.unknown or not any(it.kind == "shot" for it in items):
        if not dry_run or not any(it.kind == "shot" for it in items):
            _discard(report)
            what = "; ".join(f"{u['name']}: {u['why']}" for u in report.unknown[:8]) + \
                (f"; and {len(report.unknown) - 8} more" if len(report.unknown) > 8 else "")
            if dry_run:
                return report
            raise TimelineImportError(
                f"{timeline}: " + (f"{len(report.unknown)} clip(s) filmcrew does not know ({what})" if report.unknown
                                   else "no clip is a shot of episode " + str(n)) +
                ". Nothing was changed. A clip must be a filmcrew shot (as exported by `filmcrew export`) or a "
                "media file that exists; relink or remove the others in your editor, or see what would be "
                "imported with --dry-run")
        return report
    new = _checked_cut(root, env, n, ctx, g, st, old, items, joins, gains, line_gains, by or "an editor",
                       timeline.name, str(timeline), report)
    if dry_run:
        return report
    copy = cut_mod.path(root, n).with_name(f"ep{n:02d}.source{timeline.suffix.lower()}")
    if timeline.resolve() != copy.resolve():
        atomic.copy_file(timeline, copy)
    report.written += [str(_save(root, n, new)), str(copy)]
    return report


def made_lengths(root: Path, env: dict, n: int, graphs=None) -> dict[str, int]:
    """Each shot's clip length in frames as last made (the full-size film's first, then the preview's: frames do
    not depend on the size); a shot whose clip is not made is absent."""
    from .. import pipeline
    from ..crew.editor import clip_length
    if graphs is None:
        _, (full,) = pipeline.contexts(root, env, n)
        _, (small,) = pipeline.contexts(root, env, n, preview=True)
        graphs = (pipeline.episode_graph(full), pipeline.episode_graph(small))
    st = Layout.of(root).store()
    totals: dict[str, int] = {}
    for graph in graphs:
        for t in graph.all:
            if t.role == "animator" and t.artifact.endswith(".clip") and st.made(t):
                totals.setdefault(t.artifact.rsplit(".", 1)[0], int(st.record(t.key)["ledger"]["frames"]))
            elif t.role == "animator" and t.artifact.endswith(".clip") and set(t.inputs) == {"keyframe", "timing"} \
                    and st.made(t.inputs["timing"]):  # animated here: its segment draws it, as long as its timing says
                totals.setdefault(t.artifact.rsplit(".", 1)[0], clip_length(st.path(t.inputs["timing"].key)))
    return totals


def _checked_cut(root: Path, env: dict, n: int, ctx, g, st, old: Cut, items: list[Item], joins: list[Join],
                 gains: dict, line_gains: dict, by: str, source: str, where: str, report: Report) -> Cut:
    """The cut of `items` and `joins` as the project keeps it, checked against the clips as last made (a clip too
    short for its transitions is a TimelineImportError naming `where`; nothing is written): a shot played to its
    clip's end written "to the end", the edits in words against the screenplay's cut, the person's choices for
    the lines a trim cuts into (kept whole unless chosen otherwise)."""
    from .. import pipeline
    # clip lengths as last made (any size: frames do not depend on it), to check ranges and handles
    _, (small,) = pipeline.contexts(root, env, n, preview=True)
    graphs = (g, pipeline.episode_graph(small))
    totals = made_lengths(root, env, n, graphs)
    if not totals:
        report.warnings.append(f"episode {n} is not made yet: ranges are checked when it is")
    for k, it in enumerate(items):
        if it.kind == "shot" and it.shot in totals and it.src_out is not None and it.src_out > totals[it.shot]:
            report.warnings.append(f"item {k} ({it.shot}) asks for frames up to {it.src_out}; its clip has "
                                   f"{totals[it.shot]}: it ends there")
    # a shot played to its clip's very end is written "to the end" (as the screenplay's cut does), so a
    # voice re-made longer later still plays whole, and the segment is the one already made
    items = [Item(it.kind, it.src_in, None, shot=it.shot, name=it.name)
             if it.kind == "shot" and totals.get(it.shot) == it.src_out else it for it in items]
    new = Cut(tuple(items), tuple(joins), gains, line_gains, by=by, source=source)
    for k in range(len(items)):
        first, last = new.offsets(k)
        it = items[k]
        end = it.src_out if it.src_out is not None else totals.get(it.shot)
        if end is None:
            continue  # a shot not made yet, played to its end: checked when it is made
        length = (min(end, totals.get(it.shot, end)) if it.kind == "shot" else end) - it.src_in
        if length < first + last + 1:
            _discard(report)
            raise TimelineImportError(f"{where}: clip {k + 1} ({it.shot or it.name}) is {length} frames, fewer than "
                                      f"its transitions cover ({first} + {last}); shorten them. Nothing was changed.")
    edits, removed = describe(cut_mod.script_cut(ctx.episode.shots()), new, totals)  # all human edits so far
    new = Cut(new.items, new.joins, gains, line_gains, removed=removed,
              edits=tuple(edits), by=new.by, source=new.source)
    report.edits = edits
    # the lines a trim cuts into: kept whole unless the person chose otherwise (never silently lost)
    trimmed = next((t for t in (reports.trimmed_lines(ctx, st, graph, new) for graph in graphs)
                    if t is not None), None)
    if trimmed is None:
        choices = dict(old.lines)
        report.warnings.append(f"episode {n}'s voices are not made yet: the lines a trim cuts into are reported by "
                               f"`filmcrew plan {root}` once they are")
    else:
        choices = {t["line"]: old.lines.get(t["line"], "keep") for t in trimmed}
        report.lines = [reports.line_note(root, {**t, "choice": choices[t["line"]]}) for t in trimmed]
    return replace(new, lines=choices)


def _save(root: Path, n: int, new: Cut) -> Path:
    """Write the episode's cut (the one it replaces kept as cut/epNN.json.bak)."""
    dest = cut_mod.path(root, n)
    if dest.exists():
        shutil.copyfile(dest, dest.with_suffix(".json.bak"))
    return cut_mod.save(root, n, new)


def current_cut(root: Path, env: dict, n: int) -> Cut:
    """Episode `n`'s cut as the next make follows it: the kept one (cut/epNN.json), else the screenplay's."""
    from .. import pipeline
    _, (ctx,) = pipeline.contexts(root, env, n)
    return ctx.cut or cut_mod.script_cut(ctx.episode.shots())


def keep_cut(root: Path, env: dict, n: int, shots: list[tuple[str, int, int | None]], by: str, source: str,
             dry_run: bool = False) -> Report:
    """Keep a cut made of the episode's own shots as the project's cut, as `import` keeps an edited timeline
    (cut/epNN.json; the next make follows it): `shots` in playing order, each (shot id, first source frame, the
    frame after its last or None for its clip's end), for the studio's timeline. Each shot keeps the transition
    it had into what followed it in the current cut (the last one has none), and the levels and line choices of
    the current cut are kept. A shot id that is not the episode's, or a range that is empty, is a
    TimelineImportError and nothing is written."""
    from .. import pipeline
    root = Path(root)
    report = Report(timeline=source, format=source, episode=n, dry_run=dry_run)
    cfg, ctxs = pipeline.contexts(root, env, None)
    if not 1 <= n <= cfg.episodes:
        raise TimelineImportError(f"episode {n}: the project has episodes 1 to {cfg.episodes}")
    ctx = ctxs[n - 1]
    g = pipeline.episode_graph(ctx)
    st = Layout.of(root).store()
    old = ctx.cut or cut_mod.script_cut(ctx.episode.shots())
    ids = [s.id for s in ctx.episode.shots()]
    if not shots:
        raise TimelineImportError(f"{source}: a cut needs at least one shot. Nothing was changed.")
    outgoing = {}  # a shot's transition into what follows it, in the current cut
    for k, it in enumerate(old.items):
        j = old.join_after(k)
        if it.kind == "shot" and j is not None:
            outgoing.setdefault(it.shot, j)
    items, joins = [], []
    for k, (sid, a, b) in enumerate(shots):
        if sid not in ids:
            raise TimelineImportError(f"{source}: {sid!r} is not a shot of episode {n}; reload the page. Nothing "
                                      f"was changed.")
        if a < 0 or (b is not None and b <= a):
            raise TimelineImportError(f"{source}: {sid} would play from frame {a} to {b}: a shot must keep at least "
                                      f"one frame. Nothing was changed.")
        items.append(Item("shot", a, b, shot=sid))
        j = outgoing.get(sid)
        if j is not None and k < len(shots) - 1:
            joins.append(Join(k, j.kind, j.before, j.into))
    report.items = [{"kind": "shot", "name": it.shot, "frames": None if it.src_out is None else it.src_out - it.src_in}
                    for it in items]
    report.joins = len(joins)
    new = _checked_cut(root, env, n, ctx, g, st, old, items, joins, dict(old.gains), dict(old.line_gains), by,
                       source, source, report)
    if not dry_run:
        report.written.append(str(_save(root, n, new)))
    return report


def reset(root: Path, episode: int) -> Path | None:
    """Go back to the screenplay's cut: the human cut is kept as cut/epNN.json.bak."""
    p = cut_mod.path(root, episode)
    if not p.exists():
        return None
    os.replace(p, p.with_suffix(".json.bak"))
    return p.with_suffix(".json.bak")


__all__ = ["import_cut", "keep_cut", "current_cut", "made_lengths", "reset", "read", "map_timeline", "describe", "Report"]
