"""The storyboard as an agent sees it (each shot's state and why, its providers, what it cost, its takes'
consistency scores, and its keyframe as a small picture), and the shot-level choices: pin a take, ask for a
retake (another seed for the models, or another provider for that one shot, in the shot's note)."""

from __future__ import annotations

import base64
import io
import json

from .. import pipeline, project
from ..crew import takes
from ..crew import reports
from ..crew import cast
from ..crew.illustrator import layers
from ..engine.executor import plan
from ..errors import ConfigError
from ..providers import registry
from ..story.screenplay import set_shot_note
from . import jobs
from .folder import version
from ..engine.layout import Layout

THUMB = 192  # the keyframe's longest side in a storyboard answer (pixels)


def _made(st, task) -> bool:
    try:
        return st.made(task)
    except Exception:  # noqa: BLE001 - a key waiting on an input not made yet (Pending), or damaged: not made
        return False


def cards(root, env: dict, episode: int = 1, preview: bool = True, shots: list[str] | None = None) -> tuple[list, dict, list]:
    """(each shot's card, {shot id: keyframe JPEG bytes}, the plan's notes) of episode `episode`."""
    _, (ctx,) = pipeline.contexts(root, env, episode, preview=preview)
    g = pipeline.episode_graph(ctx)
    st = Layout.of(root).store()
    shot_of = {ln.id: sh.id for sh in ctx.episode.shots() for ln in sh.lines}
    todo: dict[str, list] = {}
    for item in plan(st, g.targets):
        name = item.task.artifact.split(".", 1)[0]
        todo.setdefault(shot_of.get(name, name), []).append(f"{item.task.artifact}: {item.reason}")
    networked = cast.networked(ctx.crew)
    remote: dict[str, list] = {}
    for r in jobs.remote_since(root, 0):
        remote.setdefault(str(r["artifact"]).split(".", 1)[0], []).append(r)
    out, pictures = [], {}
    for sc in ctx.episode.scenes:
        for sh in sc.shots:
            if shots and sh.id not in shots:
                continue
            key, clip = g.by_artifact.get(f"{sh.id}.keyframe"), g.by_artifact.get(f"{sh.id}.clip")
            cost: dict = {}
            for t in g.all:
                if t.artifact.startswith(f"{sh.id}.") and _made(st, t):
                    c = st.record(t.key)["ledger"].get("cost") or {}
                    if c.get("actual") or c.get("estimate"):
                        cur = c.get("currency") or "?"
                        cost[cur] = round(cost.get(cur, 0.0) + float(c.get("actual") or c.get("estimate") or 0), 4)
            takes = []
            for a in (f"{sh.id}.keyframe.pick", f"{sh.id}.video.pick"):
                t = g.by_artifact.get(a)
                if t is not None and _made(st, t):
                    rec = json.loads((st.path(t.key) / "pick.json").read_text(encoding="utf-8"))
                    takes.append({"artifact": a, "chosen": rec.get("chosen"), "why": rec.get("why"),
                                  "takes": [{"take": k.get("take"), "verdict": k.get("verdict"), "method": k.get("method"),
                                             "rejected": k.get("rejected"), "characters": k.get("characters")}
                                            for k in rec.get("takes", [])]})
            failing = any(k["verdict"] == "fail" and k["take"] == p["chosen"] for p in takes for k in p["takes"])
            mine = remote.get(sh.id, [])
            state = "fresh" if sh.id not in todo else "to make"
            if state == "to make" and any(j["state"] in ("submitting", "submitted") for j in mine):
                state = "running"
            made_key = key is not None and _made(st, key)
            out.append({"id": sh.id, "scene": sc.id, "action": sh.action, "camera": sh.camera,
                        "characters": list(sh.characters),
                        "lines": [{"id": ln.id, "speaker": ln.speaker, "text": ln.text} for ln in sh.lines],
                        "state": state, "why": todo.get(sh.id, []),
                        "illustrator": key.provider.name if key else "", "animator": clip.provider.name if clip else "",
                        "models": f"{sh.id}.video" in g.by_artifact or (key is not None and key.provider.name in networked),
                        "seed": sh.seed, "cost": cost, "consistency": takes, "fails_consistency": failing,
                        "remote_jobs": mine, "keyframe": bool(made_key)})
            if made_key:
                pic = thumbnail(st.path(key.key))
                if pic:
                    pictures[sh.id] = pic
    notes = reports.cut_notes(ctx, st, g) + reports.video_notes(ctx, st, g)
    return out, pictures, notes


def thumbnail(folder) -> bytes | None:
    """A keyframe's layers flattened, as a JPEG of at most THUMB pixels a side (made in memory: nothing written)."""
    from PIL import Image
    flat = None
    for p in layers(folder):
        with Image.open(p) as im:
            lay = im.convert("RGBA")
        flat = lay if flat is None else Image.alpha_composite(flat, lay)
    if flat is None:
        return None
    flat = flat.convert("RGB")
    flat.thumbnail((THUMB, THUMB))
    buf = io.BytesIO()
    flat.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def graphs(root, env: dict, preview: bool):
    _, ctxs = pipeline.contexts(root, env, None, preview=preview)
    return [pipeline.episode_graph(c) for c in ctxs]


def use_take(root, env: dict, shot: str, take: int, preview: bool = True) -> dict:
    p = takes.pin_take(root, Layout.of(root).store(), graphs(root, env, preview), shot, use=take, preview=preview)
    return {"project": root.name, "shot": shot, "take": take, "file": str(p.relative_to(root)),
            "next": "make uses it (the takes already made are reused: nothing is paid twice)"}


def find_shot(root, env: dict, shot: str, preview: bool):
    """(episode number, the shot, its episode's graph) of a shot id."""
    try:
        n = int(shot.split("-")[0][2:])
    except (ValueError, IndexError, AttributeError):
        raise ConfigError(f"{shot!r} is not a shot id; shot ids look like ep01-s02-sh01 (storyboard lists them)") from None
    cfg = project.load_config(root)
    if not 1 <= n <= cfg.episodes:
        raise ConfigError(f"{shot}: {root.name} has episode(s) 1 to {cfg.episodes}")
    _, (ctx,) = pipeline.contexts(root, env, n, preview=preview)
    sh = next((s for s in ctx.episode.shots() if s.id == shot), None)
    if sh is None:
        raise ConfigError(f"{shot!r}: no such shot in episode {n}; storyboard lists the shots")
    return n, sh, pipeline.episode_graph(ctx), ctx


def ask_retake(root, env: dict, shot: str, preview: bool, illustrator: str | None, animator: str | None,
               seed: int | None) -> dict:
    """Write the retake into the shot's note (the screenplay stays the truth): another provider for this shot's
    picture or video, or (with neither) another seed for the models that make it. What was written."""
    from ..engine.lock import holder
    from ..story.screenplay import set_shot_seed
    n, sh, g, ctx = find_shot(root, env, shot, preview)
    changes = {}
    for role, name in (("illustrator", illustrator), ("animator", animator)):
        if name is None:
            continue
        if name and name not in registry.for_role(role):
            raise ConfigError(f"{name!r} does not play the {role}; choose one of {', '.join(registry.for_role(role))} "
                              f"(an empty name gives the shot back to the project's {role})")
        changes[role] = name
    networked = cast.networked(ctx.crew)
    models = f"{sh.id}.video" in g.by_artifact or g.by_artifact[f"{sh.id}.keyframe"].provider.name in networked
    if not changes:
        if not models and seed is None:
            raise ConfigError(f"{shot} is drawn and animated by the offline crew, which makes a shot the same way whatever "
                              f"its seed: change what happens in it (edit_screenplay with shot and action), or give it a "
                              f"model (retake_shot with illustrator or animator)")
        changes["seed"] = str(seed if seed is not None else sh.seed + 1)
    if holder(root) is not None:
        raise ConfigError(f"{root.name}: a make is running; ask for the retake when it ends (or cancel it)")
    path = project.episode_path(root, n)
    text = path.read_text(encoding="utf-8")
    new = text
    for k, v in changes.items():
        new = set_shot_seed(new, sh.source_line, int(v)) if k == "seed" else set_shot_note(new, sh.source_line, k, v)
    if new != text:
        from ..engine import atomic
        atomic.write_text(path, new)
    return {"shot": shot, "episode": n, "note": changes, "file": str(path.relative_to(root)), "before": text,
            "version": version(path)}


__all__ = ["cards", "thumbnail", "use_take", "ask_retake", "find_shot", "b64"]
