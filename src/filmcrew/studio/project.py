"""What the studio's pages show, read from the project the way the command line reads it: the episodes, each
shot's card (its keyframe, lines, provider, state and why, takes), the films and their reports."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import pipeline, project
from ..crew import reports
from ..crew import cast
from ..crew.common import out_name
from ..crew.illustrator import layers
from ..engine.executor import plan
from ..engine.layout import Layout
from ..errors import FilmcrewError
from ..model import frames_to_seconds


@dataclass
class Card:
    id: str
    scene: str
    action: str
    camera: str
    lines: list  # (line id, speaker, text)
    state: str  # "fresh" or "to make" (then `why` says what and why)
    why: list = field(default_factory=list)  # the artifacts to make and why
    provider: str = ""
    keyframe: str = ""  # the keyframe task's key once made ("" before)
    clip: str = ""  # the clip task's key once made
    takes: list = field(default_factory=list)  # (artifact, pick.json) where the consistency check runs
    cost: dict = field(default_factory=dict)  # what its made artifacts cost, by currency
    line: int = 0  # the screenplay line of its action paragraph
    jobs: list = field(default_factory=list)  # its remote jobs as the journal has them (see job_rows)
    seed: int = 0  # its [[shot: seed: N]]
    models: bool = False  # a model makes its picture or its video (a new seed asks it again)
    drawn_by: str = ""  # the provider of its keyframe
    chosen: dict = field(default_factory=dict)  # role -> the provider its [[shot: ROLE: NAME]] names ("": the project's)
    seconds: float = 0.0  # the length its note gives (0: from its lines)
    transition: str = "cut"  # into the next shot
    earlier: str = ""  # while its picture is to make again: the key of the last one made (shown, marked as earlier)


def env() -> dict:
    return dict(os.environ)


def episodes(root: Path) -> list[dict]:
    """Each episode: number, file, whether it is written, its title."""
    cfg = project.load_config(root)
    out = []
    for n in range(1, cfg.episodes + 1):
        p = project.episode_path(root, n)
        title = ""
        if p.exists():
            for line in p.read_text(encoding="utf-8").splitlines():
                if line.lower().startswith("title:"):
                    title = line.split(":", 1)[1].strip()
                    break
        out.append({"number": n, "path": str(p.relative_to(root)), "written": p.exists(), "title": title})
    return out


def board(root: Path, n: int, preview: bool) -> tuple[list[Card], list[str]]:
    """The cards of episode `n`'s shots, and the notes `plan` gives (cut, runtime, video models)."""
    _, (ctx,) = pipeline.contexts(root, env(), n, preview=preview)
    g = pipeline.episode_graph(ctx)
    st = Layout.of(root).store()
    shot_of = {ln.id: sh.id for sh in ctx.episode.shots() for ln in sh.lines}  # a line's voice is its shot's
    networked = cast.networked(ctx.crew)
    todo: dict[str, list] = {}
    for item in plan(st, g.targets):
        name = item.task.artifact.split(".", 1)[0]
        todo.setdefault(shot_of.get(name, name), []).append(
            (name not in shot_of, f"{item.task.artifact}: {item.reason}"))  # the lines' first: they are the cause
    todo = {k: [w for _, w in sorted(v, key=lambda x: x[0])] for k, v in todo.items()}
    cards = []
    for sc in ctx.episode.scenes:
        for sh in sc.shots:
            key = g.by_artifact.get(f"{sh.id}.keyframe")
            clip = g.by_artifact.get(f"{sh.id}.clip")
            made_key = key is not None and _made(st, key)
            state = "fresh" if sh.id not in todo else "to make"
            takes = []
            for a in (f"{sh.id}.keyframe.pick", f"{sh.id}.video.pick"):
                t = g.by_artifact.get(a)
                if t is not None and _made(st, t):
                    takes.append((a, json.loads((st.path(t.key) / "pick.json").read_text(encoding="utf-8"))))
            cost: dict = {}
            for t in g.all:
                if t.artifact.startswith(f"{sh.id}.") and _made(st, t):
                    c = (st.record(t.key)["ledger"].get("cost") or {})
                    if c.get("actual") or c.get("estimate"):
                        cur = c.get("currency") or "?"
                        cost[cur] = round(cost.get(cur, 0.0) + float(c.get("actual") or c.get("estimate") or 0), 4)
            cards.append(Card(sh.id, sc.id, sh.action, sh.camera, [(ln.id, ln.speaker, ln.text) for ln in sh.lines],
                              state, todo.get(sh.id, []), provider=clip.provider.name if clip else "",
                              keyframe=key.key if made_key else "",
                              clip=clip.key if clip is not None and (_made(st, clip) or _makeable(st, clip)) else "",
                              takes=takes, cost=cost,
                              line=sh.source_line, seed=sh.seed,
                              models=f"{sh.id}.video" in g.by_artifact or (key is not None and key.provider.name in networked),
                              drawn_by=key.provider.name if key else "",
                              chosen={"illustrator": sh.illustrator, "animator": sh.animator},
                              seconds=frames_to_seconds(sh.duration_frames) if sh.duration_frames else 0.0,
                              transition=sh.transition))
    for c in cards:  # a picture to make again (a new shape, a changed line): the last one made meanwhile
        if not c.keyframe:
            c.earlier = last_made(st, f"{c.id}.keyframe")
    jobs = job_rows(root, g)
    for c in cards:
        c.jobs = jobs.get(c.id, [])
        if c.state == "to make" and any(j["state"] in ("submitting", "submitted") for j in c.jobs):
            c.state = "running"  # a job of it is out at a vendor
        elif c.state == "to make" and any(j["state"] in ("failed", "refused") for j in c.jobs):
            c.state = "failed"  # (the next make sends a failed job again; a refused one needs the shot changed)
    lacking = _lacking_keys(root, None,
                            {n for c in cards if c.state == "to make" for n in (c.provider, c.drawn_by) if n})
    for c in cards:  # a shot whose vendor has no key waits for the person (Settings), before any make
        names = [k for n in (c.provider, c.drawn_by) for k in lacking.get(n, [])]
        if c.state == "to make" and names:
            c.state = "waiting for you"
            c.why = [f"waiting for you: enter {' and '.join(dict.fromkeys(names))} on the Settings page", *c.why]
    notes = reports.cut_notes(ctx, st, g) + reports.video_notes(ctx, st, g)
    return cards, notes


JOB_WORDS = {"submitting": "being sent", "submitted": "sent", "fetched": "done", "failed": "failed", "refused": "refused"}


def job_rows(root: Path, g) -> dict[str, list[dict]]:
    """Each shot's remote jobs of the graph as it is now (its stills, its video takes), from the job journal
    (`.filmcrew/jobs/KEY.json`, written by the make that runs them): what, which vendor, its state in the
    vendor's words while it runs, how long since it was sent, and a failure's reason."""
    import time

    from ..engine.graph import Pending
    from ..engine.jobs import Journal
    journal = Journal.of(root)
    if not journal.folder.is_dir():
        return {}
    out: dict[str, list[dict]] = {}
    for t in g.all:
        try:
            rec = journal.read(t.key)
        except (Pending, FilmcrewError):
            continue
        if not rec:
            continue
        state = rec.get("state", "")
        detail = rec.get("error") if state in ("failed", "refused") else (
            rec.get("vendor_state") if state == "submitted" else "")
        progress = rec.get("progress") if state == "submitted" else None
        out.setdefault(t.artifact.split(".", 1)[0], []).append({
            "artifact": t.artifact, "provider": rec.get("provider", t.provider.name), "state": state,
            "words": JOB_WORDS.get(state, state), "detail": detail or "",
            "progress": progress, "since": round(time.time() - rec.get("submitted_at", time.time()))})
    return out


def shot(root: Path, ident: str) -> tuple:
    """(the screenplay's shot with this id, or the one that holds this line id; its episode's number), read from
    the screenplay alone (no crew, no plan); (None, n) when there is no such shot."""
    import re
    m = re.match(r"^ep(\d{2})-s\d{2}-(?:sh|l)\d{2}$", ident)
    if not m:
        return None, 0
    n = int(m.group(1))
    cfg = project.load_config(root)
    if not 1 <= n <= cfg.episodes:
        return None, n
    ep = pipeline.load_episode(root, n, project.load_bible(root), cfg.language)
    return next((sh for sh in ep.shots() if sh.id == ident or any(ln.id == ident for ln in sh.lines)), None), n


def _lacking_keys(root: Path, cfg, providers: set) -> dict[str, list[str]]:
    """provider -> the key names it reads and nobody entered (the environment, then the keyring), for `providers`."""
    from ..providers import keys
    cfg = cfg if cfg is not None else project.load_config(root)
    e = env()
    out = {}
    for name in providers:
        missing = [n for n in keys.key_names(name, cfg.provider_settings.get(name)) if not e.get(n) and not keys.get(n)]
        if missing:
            out[name] = missing
    return out


def last_made(st, artifact: str) -> str:
    """The key of the last `artifact` made in this project (the store's index), if its files are still there."""
    import re
    rec = st.last(artifact) or {}
    key = str(rec.get("key") or "")
    if not re.fullmatch(r"[0-9a-f]{64}", key):
        return ""
    try:
        return key if st.path(key).is_dir() and layers(st.path(key)) else ""
    except (OSError, FilmcrewError):
        return ""


def _made(st, task) -> bool:
    try:
        return st.made(task)
    except FilmcrewError:
        return False
    except Exception:  # noqa: BLE001 - a key waiting on an unmade input (Pending): not made
        return False


def _key(task) -> str | None:
    """The task's key; None while it waits on an unmade input (a vendor's clip before its job: Pending)."""
    from ..engine.graph import Pending
    try:
        return task.key
    except (Pending, FilmcrewError):
        return None


def _makeable(st, clip) -> bool:
    """A clip the film's segments drew themselves (crew/animator.Picture): made on its first play (`clip_file`),
    from its keyframe and timing, once they are made. Nothing else is made that way (a video model's clip waits
    for its paid job's make)."""
    return (set(clip.inputs) == {"keyframe", "timing"} and clip.estimate is None  # (never a paid job)
            and all(_made(st, t) for t in clip.inputs.values()))


def clip_file(root: Path, key: str) -> Path | None:
    """The clip.mp4 made under `key`; a clip of this project's shots that can be made here from made inputs
    (`_makeable`) is made now (a few seconds). None when there is none."""
    from ..engine.executor import execute
    from ..engine.lock import make_lock
    st = Layout.of(root).store()
    p = st.path(key) / "clip.mp4"
    if p.is_file():
        return p
    cfg = project.load_config(root)
    for preview in (True, False):
        for n in range(1, cfg.episodes + 1):
            try:
                _, (ctx,) = pipeline.contexts(root, env(), n, preview=preview)
            except FilmcrewError:
                continue
            g = pipeline.episode_graph(ctx)
            t = next((t for t in g.plays if t.role == "animator" and _key(t) == key), None)
            if t is not None and _makeable(st, t):
                # under the make lock (BusyError while a make runs): execute clears the store's temporary folder,
                # which holds a running make's unfinished work
                with make_lock(root, "clip for the studio"):
                    if not p.is_file():
                        execute(st, [t])
                return p if p.is_file() else None
    return None


def thumbnail(root: Path, key: str) -> Path:
    """A JPEG of a made keyframe's layers, flattened (kept in .filmcrew/studio/thumbs)."""
    from PIL import Image
    st = Layout.of(root).store()
    out = Layout.of(root).studio / "thumbs" / f"{key}.jpg"
    if not out.exists():
        flat = None
        for p in layers(st.path(key)):
            with Image.open(p) as im:
                lay = im.convert("RGBA")
            flat = lay if flat is None else Image.alpha_composite(flat, lay)
        if flat is None:
            raise FileNotFoundError(key)
        flat = flat.convert("RGB")
        flat.thumbnail((360, 360))
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        flat.save(tmp, "JPEG", quality=85)
        os.replace(tmp, out)
    return out


def films(root: Path) -> list[dict]:
    """The made films in out/ with their reports: AI share, labels, spend."""
    out = []
    cfg = project.load_config(root)
    for n in range(1, cfg.episodes + 1):  # one by one: an episode whose screenplay is broken hides only itself
        for preview in (True, False):
            try:
                _, (ctx,) = pipeline.contexts(root, env(), n, preview=preview)
            except FilmcrewError:
                continue
            name = out_name(ctx)
            mp4 = Layout.of(root).out / f"{name}.mp4"
            if not mp4.exists():
                continue
            prov_p = mp4.with_suffix(".provenance.json")
            prov = json.loads(prov_p.read_text(encoding="utf-8")) if prov_p.exists() else {}
            out.append({"episode": n, "preview": preview, "mp4": f"out/{mp4.name}",
                        "vtt": f"out/{name}.srt" if (Layout.of(root).out / f"{name}.srt").exists() else "",
                        "share": prov.get("ai_share"), "spend": prov.get("spend") or {},
                        "artifacts": prov.get("artifacts") or [],
                        "labels": (prov.get("c2pa") or {}), "size": mp4.stat().st_size})
    return out


def srt_to_vtt(text: str) -> str:
    """WebVTT for the browser's <track>: SRT with a header and dots for the millisecond commas."""
    import re
    return "WEBVTT\n\n" + re.sub(r"(\d\d:\d\d:\d\d),(\d{3})", r"\1.\2", text.replace("\r\n", "\n"))


__all__ = ["board", "episodes", "films", "thumbnail", "srt_to_vtt", "Card"]
