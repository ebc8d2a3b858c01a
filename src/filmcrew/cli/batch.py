"""`filmcrew batch RECIPE.toml`: one recipe, many films. Each film is a normal project (its own folder,
story, store and journal); the batch adds one budget for all of them, refused before anything is sent when the
films' estimates cannot fit in it, and one summary table (length, `filmcrew check` verdict for the chosen
contest, cost, AI share). Run it again after a kill: the projects that exist are kept, each make resumes from
its own journal, so nothing is paid twice.

    [batch]
    folder = "films"                 # where the projects go (beside the recipe)
    premises = ["A baker ...", "A lighthouse keeper ..."]
    languages = ["en", "fr"]         # each premise in each language (default: [film] language)
    aspects = ["9:16"]               # and in each shape (default: [film] aspect)
    contest = "douyin"               # the check's verdict in the summary (default: delivery)
    budget = 20.0                    # for the whole batch (leave it out for no limit)
    currency = "USD"
    preview = true                   # preview makes

    [film]          # every film's [film] fields but premise, language and aspect (minutes, format, episodes...)
    [providers]     # and any other table of filmcrew.toml, copied into every film's
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from pathlib import Path

import tomli_w

from .. import pipeline, project
from ..engine import atomic, money
from ..engine.executor import plan
from ..engine.jobs import Journal
from ..engine.layout import Layout
from ..errors import ConfigError, FilmcrewError, read_text

BATCH_KEYS = ("folder", "premises", "languages", "aspects", "contest", "budget", "currency", "preview", "executor",
              "address")


def load_recipe(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"{path}: no such recipe; write one ([batch] premises = [...], [film] minutes = ...)")
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: malformed TOML ({err}); fix the syntax on that line") from err
    b = data.get("batch")
    if not isinstance(b, dict):
        raise ConfigError(f"{path}: missing [batch] table; it holds premises = [...] and the batch's budget")
    for k in b:
        if k not in BATCH_KEYS:
            raise ConfigError(f"{path}: [batch] {k}: unknown field; known fields: {', '.join(BATCH_KEYS)}")
    film = data.get("film", {})
    if not isinstance(film, dict):
        raise ConfigError(f"{path}: [film] must be a table (minutes, format, episodes, style, seed, ...)")
    for k in ("premise", "language", "aspect"):
        if k in film:
            raise ConfigError(f"{path}: [film] {k}: set by the batch; use [batch] "
                              f"{'premises' if k == 'premise' else k + 's'} = [...]")
    premises = b.get("premises")
    if not isinstance(premises, list) or not premises or not all(isinstance(p, str) and p.strip() for p in premises):
        raise ConfigError(f"{path}: [batch] premises: {premises!r} must be a list of one-sentence premises")
    for k, default in (("languages", "en"), ("aspects", "9:16")):
        v = b.get(k, [default])
        if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
            raise ConfigError(f"{path}: [batch] {k}: {v!r} must be a list, e.g. {k} = [\"{default}\"]")
    if "budget" in b:
        money.budget_amount(b["budget"], f"{path}: [batch] budget", "budget = 20.0")
    if b.get("executor", "local") not in ("local", "ray"):
        raise ConfigError(f"{path}: [batch] executor: {b['executor']!r}; use \"local\" (one film after another) or "
                          f"\"ray\" (the films side by side on a Ray cluster)")
    if not isinstance(b.get("address", ""), str):
        raise ConfigError(f"{path}: [batch] address: {b['address']!r} must be text: auto, or ray://HOST:10001")
    contest = b.get("contest", "delivery")
    from ..provenance import check
    if contest != "delivery" and contest not in check.available_profiles():
        raise ConfigError(f"{path}: [batch] contest: {contest!r} is not a known contest or platform; known: "
                          f"{', '.join(sorted(check.available_profiles()))}")
    return data


def films(path: Path, data: dict) -> list[tuple[Path, dict]]:
    """(project folder, its filmcrew.toml as data) for each premise x language x aspect of the recipe."""
    b, out = data["batch"], []
    folder = (path.parent / b.get("folder", path.stem)).resolve()
    tables = {k: v for k, v in data.items() if k not in ("batch", "film")}
    for n, premise in enumerate(b["premises"], 1):
        words = re.sub(r"[^a-z0-9]+", "-", premise.lower()).strip("-")[:32].strip("-") or "film"
        for lang in b.get("languages", [data.get("film", {}).get("language", "en")]):
            for aspect in b.get("aspects", [data.get("film", {}).get("aspect", "9:16")]):
                name = f"{n:02d}-{words}-{lang}" + (f"-{aspect.replace(':', 'x')}" if len(b.get("aspects", [])) > 1 else "")
                out.append((folder / name, {"film": {**data.get("film", {}), "premise": premise.strip(),
                                                     "language": lang, "aspect": aspect}, **tables}))
    return out


def prepare(root: Path, toml: dict) -> None:
    """The film's project folder and story (only what is missing: a re-run keeps what exists, a person's edits
    included)."""
    cfg_path = root / "filmcrew.toml"
    if not cfg_path.exists():
        root.mkdir(parents=True, exist_ok=True)
        atomic.write_text(cfg_path, tomli_w.dumps(toml))
    cfg = project.load_config(root)
    from ..engine.layout import Layout
    Layout.of(root).ensure()
    pipeline.write_story(root, cfg, dict(os.environ))


def price(root: Path, preview: bool) -> money.Costs:
    """What the film's make would send and pay (its own journal: a job sent before is not counted again)."""
    _cfg, ctxs = pipeline.contexts(root, dict(os.environ), None, preview)
    items = plan(Layout.of(root).store(), [t for c in ctxs for t in pipeline.episode_graph(c).targets])
    return money.costs(Journal.of(root), items)


def admit(recipe: Path, data: dict, priced: list[tuple[Path, money.Costs]]) -> dict[str, float]:
    """Refuse the whole batch, before anything is sent, when what it would pay and what its films have paid
    exceed [batch] budget. Returns what each film may spend ({folder: limit}), for its own make."""
    b = data["batch"]
    if "budget" not in b:
        return {}
    limit, cur = float(b["budget"]), b.get("currency", "USD")
    paid = sum(c.paid.get(cur, 0.0) for _, c in priced)
    need = sum(c.to_pay.get(cur, 0.0) for _, c in priced)
    other = sorted({k for _, c in priced for k in (*c.to_pay, *c.paid) if k != cur})
    if other:
        raise money.BudgetError(f"{recipe}: [batch] currency is {cur} but the films' jobs are priced in "
                                f"{', '.join(other)}: set currency = \"{other[0]}\" (filmcrew converts no currencies)")
    if paid + need > limit + 1e-9:
        each = "; ".join(f"{root.name} {c.to_pay.get(cur, 0.0):.2f}" for root, c in priced if c.to_pay)
        raise money.BudgetError(
            f"{recipe}: this batch would send {sum(len(c.pending) for _, c in priced)} paid job(s) estimated at "
            f"{need:.2f} {cur} ({each}); [batch] budget is {limit:.2f} {cur} and {paid:.2f} {cur} is spent, so "
            f"{max(0.0, limit - paid):.2f} {cur} is left. Nothing was sent. Raise the budget, make previews, or "
            f"batch fewer films")
    return {str(root): limit - (paid - c.paid.get(cur, 0.0)) for root, c in priced}


def summary(root: Path, contest: str, preview: bool) -> dict:
    """One film's line: its length, the check's verdict for the contest, what it cost, its AI share."""
    from ..media import ffmpeg
    from ..provenance import check
    cfg = project.load_config(root)
    row = {"film": root.name, "premise": cfg.premise, "language": cfg.language, "aspect": cfg.aspect,
           "seconds": 0.0, "verdict": "not made", "cost": {}, "ai_share": None}
    shares = []
    passed = True
    for n in range(1, cfg.episodes + 1):
        mp4 = root / "out" / f"ep{n:02d}{'.preview' if preview else ''}.mp4"
        prov = mp4.with_suffix(".provenance.json")
        if not mp4.exists() or not prov.exists():
            return row
        row["seconds"] += ffmpeg.probe(mp4).duration or 0.0
        rec = json.loads(prov.read_text(encoding="utf-8"))
        shares.append(rec.get("ai_share", {}).get("ai_share", {}).get("generated"))
        passed &= check.passed(check.run(mp4, check.load_profile(contest), decode=False))
    row["seconds"] = round(row["seconds"], 1)
    row["verdict"] = "pass" if passed else "fail"
    row["cost"] = Journal.of(root).spent()
    row["ai_share"] = round(sum(s for s in shares if s is not None) / len(shares), 3) if shares else None
    return row


def cmd_batch(a) -> int:
    from . import parser
    recipe = Path(a.recipe)
    data = load_recipe(recipe)
    b = data["batch"]
    preview = bool(b.get("preview", False)) or a.preview
    todo = films(recipe, data)
    for root, toml in todo:
        prepare(root, toml)
    priced = [(root, price(root, preview)) for root, _ in todo]
    limits = admit(recipe, data, priced)  # the whole batch refused here, before any film is made
    if a.plan:
        cur = b.get("currency", "USD")
        for root, c in priced:
            print(f"{root.name:<44} {len(c.pending):3d} paid job(s) {c.to_pay.get(cur, 0.0):8.2f} {cur}")
        return 0
    failed = []
    executor, address = a.executor or b.get("executor", "local"), a.address or b.get("address")
    for k, (root, _) in enumerate(todo, 1):
        if executor == "ray":
            break
        print(f"[{k}/{len(todo)}] {root.name}", file=sys.stderr)
        args = ["make", str(root), "--quiet", *(["--preview"] if preview else []),
                *(["--budget", str(max(0.0, limits[str(root)]))] if str(root) in limits else [])]
        ns = parser().parse_args(args)
        try:
            ns.fn(ns)
        except FilmcrewError as err:  # one film's failure is said and the others go on; a re-run resumes it
            print(f"{root.name}: {err}", file=sys.stderr)
            failed.append(root.name)
    if executor == "ray":
        failed = side_by_side(todo, preview, limits, address)
    contest = b.get("contest", "delivery")
    rows = [summary(root, contest, preview) for root, _ in todo]
    out = (recipe.parent / b.get("folder", recipe.stem)).resolve() / "batch.json"
    atomic.write_text(out, json.dumps({"recipe": str(recipe), "contest": contest, "films": rows}, indent=1,
                                      ensure_ascii=False))
    print(f"{'film':<44} {'length':>7} {contest:>10} {'cost':>12} {'AI share':>8}")
    for r in rows:
        cost = ", ".join(f"{v:.2f} {c}" for c, v in r["cost"].items()) or "0"
        share = f"{r['ai_share']:.0%}" if r["ai_share"] is not None else "-"
        print(f"{r['film']:<44} {r['seconds']:>6.1f}s {r['verdict']:>10} {cost:>12} {share:>8}")
    print(f"wrote {out}")
    if failed:
        print(f"{len(failed)} film(s) not made: {', '.join(failed)}; run the batch again to resume them",
              file=sys.stderr)
    return 1 if failed else 0


def side_by_side(todo: list[tuple[Path, dict]], preview: bool, limits: dict[str, float], address: str | None,
                 at_once: int = 8) -> list[str]:
    """The films' makes side by side on one Ray cluster (`address`: auto, ray://HOST:10001, or None for RAY_ADDRESS):
    each a `filmcrew make --executor ray` of its own (a make's events, lock and journal are its own process's), at
    most `at_once` at a time, their tasks interleaved on the cluster. Each within its share of the batch's budget,
    as one after another. Returns the films that failed (said with their make's last words)."""
    import subprocess
    import time
    waiting = list(todo)
    running: dict[str, tuple[Path, subprocess.Popen]] = {}
    failed, done = [], 0
    while waiting or running:
        while waiting and len(running) < at_once:
            root, _ = waiting.pop(0)
            args = [sys.executable, "-m", "filmcrew", "make", str(root), "--quiet", "--executor", "ray",
                    *(["--address", address] if address else []), *(["--preview"] if preview else []),
                    *(["--budget", str(max(0.0, limits[str(root)]))] if str(root) in limits else [])]
            running[root.name] = (root, subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                         text=True))
            print(f"[{done}/{len(todo)} made] {root.name}: started on Ray ({len(running)} side by side)",
                  file=sys.stderr)
        for name, (root, proc) in list(running.items()):
            if proc.poll() is None:
                continue
            said = proc.stdout.read().strip().splitlines()
            proc.stdout.close()
            del running[name]
            done += 1
            if proc.returncode:
                failed.append(name)
                print(f"[{done}/{len(todo)}] {name}: failed: {said[-1] if said else f'exit {proc.returncode}'}",
                      file=sys.stderr)
            else:
                print(f"[{done}/{len(todo)}] {name}: made", file=sys.stderr)
        time.sleep(0.5)
    return failed


def register(sub) -> None:
    p = sub.add_parser("batch", help="one recipe, many films: each premise x language x shape a project, one budget "
                                     "for all, a summary table (length, check verdict, cost, AI share)")
    p.add_argument("recipe", help="the recipe, a TOML file ([batch] premises, languages, budget; [film]; ...)")
    p.add_argument("--preview", action="store_true", help="preview makes (as [batch] preview = true)")
    p.add_argument("--plan", action="store_true", help="make the projects and price them; make no film")
    p.add_argument("--executor", choices=("local", "ray"), default=None,
                   help="local: the films one after another (the default); ray: side by side on a Ray cluster "
                        "([batch] executor)")
    p.add_argument("--address", default=None, help="the Ray cluster: auto (started with `ray start`) or "
                                                   "ray://HOST:10001 ([batch] address)")
    p.set_defaults(fn=cmd_batch)
