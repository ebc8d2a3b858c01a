"""What a make would do and cost, and the confirm token that lets an agent spend it.

`quote()` is the plan (the same `plan` and `money.costs` the command line's `filmcrew plan --cost` reads):
each artifact to make and why, and each paid job with its estimate in its vendor's currency. When it holds a
paid job it comes with a `confirm` token, recorded in the project (`.filmcrew/mcp/plans/TOKEN.json`) with the
exact jobs it covers (artifact, provider, content key where known) and their cost. `admit()` lets a make (or a
retake) start only when every paid job it would send is one the token's plan showed and its estimate, by
currency, does not exceed the confirmed one; a make with no paid job needs no token. The project's budget
applies as always (money.admit).
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from pathlib import Path

from .. import pipeline, project
from ..crew import reports
from ..engine import atomic, money
from ..engine.jobs import Journal
from ..engine.executor import plan
from ..engine.graph import Pending
from ..errors import FilmcrewError
from ..engine.layout import Layout

FOLDER = Layout.of(".").mcp / "plans"  # (relative to the project)
TOKEN_AGE = 24 * 3600  # a confirm token is good for a day (a plan older than that is asked for again)


class NotConfirmed(FilmcrewError):
    """A paid make without the confirm token of a plan that covers it; nothing was started."""


def _job_id(item) -> dict:
    t = item.task
    try:
        key = t.key[:16]
    except Pending:
        key = None  # waits on an input this make makes first (a keyframe a video job starts from)
    return {"artifact": t.artifact, "provider": t.provider.name, "role": t.role, "key": key}


def quote(root: Path, env: dict, preview: bool = True, episode: int | None = None, issue: bool = True,
          extra: dict | None = None) -> dict:
    """The plan of `make` (preview or full, one episode or all): what would be made and why, the notes `plan` gives,
    and the cost: per job, per currency, what was spent before, the budget. Paid: with a confirm token."""
    cfg = project.load_config(root)
    if cfg.episodes == 1:
        episode = None  # (one episode or all: the same make)
    missing = pipeline.story_missing(root, cfg)
    if missing:
        return {"preview": preview, "episode": episode, "story_missing": [str(p.relative_to(root)) for p in missing],
                "items": [], "by_reason": {}, "notes": ["the story is not written yet: call write first; the plan "
                                                        "follows from the story"],
                "cost": cost_of(cfg, None, spent(root)), "paid_jobs": [], "confirm": None}
    _, ctxs = pipeline.contexts(root, env, episode, preview)
    st = Layout.of(root).store()
    items, notes = [], []
    for ctx in ctxs:
        g = pipeline.episode_graph(ctx)
        found = plan(st, g.targets)
        items += found
        notes += (reports.cut_notes(ctx, st, g) + [n for n in [reports.runtime_note(ctx, st, g, cfg.minutes)] if n]
                  + reports.video_notes(ctx, st, g))
    c = money.costs(Journal.of(root), items)
    paid = []
    for it, est in c.pending:
        if not est.get("amount") and not est.get("worst"):
            continue  # a free remote job (a ComfyUI on your own GPU): nothing to confirm
        paid.append({**_job_id(it), "amount": round(float(est["amount"]), 6), "currency": est["currency"],
                     **({"worst": est["worst"], "retakes": est.get("retakes")} if it.task.role == "consistency" else {}),
                     **({"prices_checked": est["checked"]} if est.get("checked") else {})})
    rows = [it.as_dict() for it in items]
    q = {"preview": preview, "episode": episode, "items": rows,
         "by_reason": dict(Counter(f"{r['role']} ({r['reason'].split(' (')[0]})" for r in rows)),
         "notes": notes, "cost": cost_of(cfg, c), "paid_jobs": paid, "confirm": None}
    if paid and issue:
        q["confirm"] = _issue(root, q, extra or {})
    return q


def cost_of(cfg, c, spent_before: dict | None = None) -> dict:
    """`cost` in every answer that involves money: estimated (this make's first takes, and its expected retakes
    with their worst case), spent (the project's journal), the budget and what is left, by currency."""
    spent = dict(c.paid) if c is not None else dict(spent_before or {})
    worst: dict[str, float] = {}
    for _, est in (c.pending if c is not None else []):
        if "worst" in est:
            worst[est["currency"]] = round(worst.get(est["currency"], 0.0) + float(est["worst"]), 6)
    out = {"estimated": {k: round(v, 6) for k, v in (c.to_pay if c is not None else {}).items()},
           "retakes_expected": {k: round(v, 6) for k, v in (c.retakes if c is not None else {}).items()},
           "retakes_at_most": worst, "spent": {k: round(v, 6) for k, v in spent.items()},
           "resumed_jobs": c.resumed if c is not None else 0,
           "budget": None if cfg.budget is None else {"max": cfg.budget, "currency": cfg.currency,
                                                       "left": round(cfg.budget - spent.get(cfg.currency, 0.0), 6)}}
    return out


def spent(root: Path) -> dict:
    return {k: round(v, 6) for k, v in Journal.of(root).spent().items()}


def _issue(root: Path, q: dict, extra: dict) -> str:
    token = "confirm-" + secrets.token_hex(12)
    rec = {"token": token, "project": Path(root).name, "preview": q["preview"], "episode": q["episode"],
           "jobs": q["paid_jobs"], "estimated": q["cost"]["estimated"], "retakes_at_most": q["cost"]["retakes_at_most"],
           "issued": time.time(), **extra}
    atomic.write_text(Path(root) / FOLDER / f"{token}.json", json.dumps(rec, indent=1, ensure_ascii=False))
    return token


def load(root: Path, token: str) -> dict:
    if not isinstance(token, str) or not token.startswith("confirm-") or not token[8:].isalnum():
        raise NotConfirmed(f"{token!r} is not a confirm token; call plan and pass the `confirm` it answers")
    p = Path(root) / FOLDER / f"{token}.json"
    if not p.exists():
        raise NotConfirmed(f"{token}: no plan of {Path(root).name} gave this token; call plan and pass the `confirm` it "
                           f"answers")
    rec = json.loads(p.read_text(encoding="utf-8"))
    if time.time() - rec.get("issued", 0) > TOKEN_AGE:
        raise NotConfirmed(f"{token}: the plan it confirms is more than a day old; call plan again")
    return rec


def firsts(q: dict) -> int:
    """The paid jobs a make sends whatever happens (its retakes, priced apart, are sent only where a take fails)."""
    return len([j for j in q["paid_jobs"] if j["role"] != "consistency"])


def _money(d: dict) -> str:
    return ", ".join(f"{v:.3f} {k}" for k, v in sorted(d.items())) or "nothing"


def admit(root: Path, q: dict, token: str | None, what: str = "make") -> dict | None:
    """Refuse (NotConfirmed) a make whose plan `q` would send a paid job without `token`, or with the token of a
    plan that does not cover it; the confirmed plan's record (None when nothing is paid)."""
    if not q["paid_jobs"]:
        return None
    est, worst = q["cost"]["estimated"], q["cost"]["retakes_at_most"]
    how = (f"call plan (project, preview={q['preview']}{', episode=' + str(q['episode']) if q['episode'] else ''}), "
           f"show its cost, and call {what} again with confirm set to the token it answers")
    if not token:
        raise NotConfirmed(f"this {what} would send {firsts(q)} paid job(s) estimated at {_money(est)}"
                           + (f" (retakes at most {_money(worst)} more)" if worst else "")
                           + f"; nothing was started: {how}")
    rec = load(root, token)
    if rec["project"] != Path(root).name or rec["preview"] != q["preview"] or rec["episode"] != q["episode"]:
        raise NotConfirmed(f"{token} confirms the plan of another make ({rec['project']}, preview={rec['preview']}, "
                           f"episode={rec['episode']}); {how}")
    covered = {(j["artifact"], j["provider"], j["key"]): j for j in rec["jobs"]}
    new = [j for j in q["paid_jobs"] if (j["artifact"], j["provider"], j["key"]) not in covered
           or j["amount"] > covered[(j["artifact"], j["provider"], j["key"])]["amount"] + 1e-9]
    over = {k: v for k, v in est.items() if v > rec["estimated"].get(k, 0.0) + 1e-9}
    over_r = {k: v for k, v in worst.items() if v > rec.get("retakes_at_most", {}).get(k, 0.0) + 1e-9}
    if new or over or over_r:
        names = ", ".join(f"{j['artifact']} ({j['provider']}, {j['amount']:.3f} {j['currency']})" for j in new[:4])
        raise NotConfirmed(f"this {what} would cost {_money(est)}"
                           + (f" (retakes at most {_money(worst)})" if worst else "")
                           + f", more than the plan {token} confirmed ({_money(rec['estimated'])})"
                           + (f"; not in it: {names}" if names else "") + f"; nothing was started: {how}")
    return rec


def cap(root: Path, q: dict, cfg) -> float | None:
    """The `--budget` the make is started with so that it cannot spend beyond what was confirmed (what was spent
    before, the confirmed first takes and retakes), never above the project's own budget; None where the jobs are
    priced in another currency than the project's budget (filmcrew converts none: the confirm check holds)."""
    est, worst = q["cost"]["estimated"], q["cost"]["retakes_at_most"]
    currencies = set(est) | set(worst)
    if currencies != {cfg.currency}:
        return None
    limit = q["cost"]["spent"].get(cfg.currency, 0.0) + est.get(cfg.currency, 0.0) + worst.get(cfg.currency, 0.0)
    limit = round(limit + 1e-6, 6)
    return min(limit, cfg.budget) if cfg.budget is not None else limit


def within_budget(root: Path, env: dict, q: dict) -> None:
    """The project's budget, as a make applies it (money.admit), said before anything is started."""
    cfg = project.load_config(root)
    if cfg.budget is None or not q["cost"]["estimated"]:
        return
    firsts = [(None, j) for j in q["paid_jobs"] if j["role"] != "consistency"]
    money.Purse.of(root, cfg).refuse(money.Costs(firsts, dict(q["cost"]["estimated"]), dict(q["cost"]["spent"])))


def forget_old(root: Path) -> None:
    d = Path(root) / FOLDER
    for p in d.glob("confirm-*.json") if d.is_dir() else []:
        try:
            if time.time() - p.stat().st_mtime > TOKEN_AGE:
                p.unlink()
        except OSError:
            pass


__all__ = ["quote", "admit", "cap", "cost_of", "spent", "within_budget", "NotConfirmed"]
