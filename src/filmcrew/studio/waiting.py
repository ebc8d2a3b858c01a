"""What a make waits for from the person before it may start (issue 32's "waiting for you"), said plainly on the
Make page and checked again when the make is asked for:

- a vendor's key the plan needs and nobody entered (the environment, then the keyring or the user's key file:
  providers/keys.py, as the command line reads them);
- a plan that cannot be made (a request the vendor refused before, unchanged; a budget the plan exceeds...);
- money: a plan with paid jobs starts only once the person confirmed what it pays, and the make is refused when
  the plan costs more than what was confirmed (the screenplay changed since, say): as the MCP server's confirm
  token, the page's confirmation is the amount the person saw.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import pipeline, project
from ..engine import money
from ..engine.executor import plan
from ..engine.jobs import Journal
from ..engine.layout import Layout
from ..errors import FilmcrewError
from ..providers import keys
from . import pages


def plan_of(root: Path, env: dict, preview: bool, admit: bool = False) -> tuple[list, object]:
    """The make's plan (its items) and what it costs (money.costs); FilmcrewError when it cannot be made (with
    `admit`: as `filmcrew make` refuses it before sending, a request the vendor refused before or a plan over the
    budget)."""
    _, ctxs = pipeline.contexts(root, env, None, preview=preview)
    st = Layout.of(root).store()
    items = [i for ctx in ctxs for i in plan(st, pipeline.episode_graph(ctx).targets)]
    if admit and ctxs:
        pipeline.refuse_refused(root, ctxs, items)
        ctxs[0].money.admit(items, None)
    return items, money.costs(Journal.of(root), items)


def missing_keys(root: Path, env: dict, items: list) -> list[tuple[str, list[str]]]:
    """(provider, the key names it lacks) for each provider a task of the plan runs on that has no key."""
    cfg = project.load_config(root)
    out = []
    for name in sorted({i.task.provider.name for i in items}):
        lacking = [n for n in keys.key_names(name, cfg.provider_settings.get(name)) if not env.get(n) and not keys.get(n)]
        if lacking:
            out.append((name, lacking))
    return out


def amount_words(amounts: dict) -> str:
    return ", ".join(f"{v:.3f} {k}" for k, v in sorted(amounts.items()))


def parse_amount(text: str) -> dict[str, float]:
    """'6.000 CNY, 0.400 USD' (what the page showed and the person confirmed) -> {"CNY": 6.0, "USD": 0.4}."""
    out = {}
    for part in (p.strip() for p in (text or "").split(",") if p.strip()):
        m = re.fullmatch(r"(\d+(?:\.\d+)?) ([A-Z]{3})", part)
        if not m:
            raise ValueError(part)
        out[m.group(2)] = float(m.group(1))
    return out


def waiting(root: Path, env: dict, preview: bool) -> dict:
    """What the make of the preview (or the full-size film) waits for: {"blocked": [words...] (keys, a plan that
    cannot be made: the make cannot start), "lacking": [(provider, names)], "pay": {currency: amount} (to confirm;
    {} when nothing is paid), "jobs": the paid jobs' count}."""
    try:
        items, costs = plan_of(root, env, preview, admit=True)
    except FilmcrewError as err:
        return {"blocked": [f"the plan cannot be made: {pages.plain(err, root)}"], "lacking": [], "pay": {}, "jobs": 0,
                "spent": {}}
    lacking = missing_keys(root, env, items)
    blocked = [f"{name} needs its key{'s' if len(names) > 1 else ''} {' and '.join(names)}: enter "
               f"{'them' if len(names) > 1 else 'it'} on the Settings page" for name, names in lacking]
    paid_jobs = sum(1 for i in items if i.task.estimate is not None)
    return {"blocked": blocked, "lacking": lacking, "pay": {k: v for k, v in costs.to_pay.items() if v > 0},
            "jobs": paid_jobs, "spent": dict(costs.paid)}


def refuse_unless_ready(root: Path, env: dict, preview: bool, confirmed: str) -> list[str]:
    """Raise Refused (409, in words) when the make must wait for the person: a missing key, a plan that cannot be
    made, or paid jobs costing more than the amount `confirmed` on the page. Else the make's arguments that hold it
    to what was confirmed: `--budget` at what was spent before plus the amount confirmed (never above the
    project's own budget, nor above what the plan pays now), so a plan that grew between this check and the make is refused by the make itself
    before anything is sent ([] when nothing is paid)."""
    from ..web.kit import Refused
    w = waiting(root, env, preview)
    if w["blocked"]:
        raise Refused(409, "waiting for you: " + "; ".join(w["blocked"]) + " (nothing was sent)")
    if w["pay"]:
        try:
            ok = parse_amount(confirmed)
        except ValueError:
            ok = {}
        over = {k: v for k, v in w["pay"].items() if v > ok.get(k, 0.0) + 1e-9}
        if over:
            said = (f"the plan now pays {amount_words(w['pay'])}, more than the {amount_words(ok)} you confirmed"
                    if ok else f"this make pays {amount_words(w['pay'])} to the vendors")
            raise Refused(409, f"waiting for you: {said}; confirm it on the Make page (nothing was sent)")
        cfg = project.load_config(root)
        if set(w["pay"]) == {cfg.currency}:
            # what the plan pays now (the amount confirmed covers it): a confirmation typed far larger ('1' and 190
            # zeros) holds the make to the plan, not to that
            cap = w["spent"].get(cfg.currency, 0.0) + min(ok[cfg.currency], w["pay"][cfg.currency])
            if cfg.budget is not None:
                cap = min(cap, cfg.budget)
            return ["--budget", f"{cap:.6f}"]
    return []


__all__ = ["waiting", "refuse_unless_ready", "plan_of", "missing_keys", "parse_amount", "amount_words"]
