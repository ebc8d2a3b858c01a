"""Money: where the budget lives.

Everything a make needs to know about what paid work costs is here, in one object handed to the make (`Purse`):

- **The budget** (`Budget`): `[budget] max` and `currency` of filmcrew.toml, or `make --budget`: a finite amount
  of at least 0, or no limit.
- **Estimates**: each task that sends a paid job carries its estimate (`Task.estimate`, priced by its provider
  from the vendor's price table: `providers/remote/pricing.py` reads `providers/remote/prices/VENDOR.json`, data
  with the date it was checked). `costs()` adds up a plan's: what the first takes will cost, and apart from them
  the expected retakes of the consistency check.
- **What is spent**: the project's jobs journal (`.filmcrew/jobs/`) says which jobs may have reached a vendor
  (`submitting`, `submitted`, `fetched`, and lost ones sent again); a job `prepared` but never put on the wire
  cost nothing. `Costs.paid` is that sum, by currency.
- **Admission**: `admit()` refuses a whole make, before anything is sent, when its first takes would exceed what
  the budget leaves.
- **The retake allowance** (`Allowance`): what the consistency check's retakes may still spend in this make (the
  budget less what was paid before and what the admitted first takes cost), reserved take by take, thread-safe.

The make gets one `Purse` (`Purse.of(root, cfg)`; pipeline.contexts puts it on every episode's context as
`ctx.money`): the command line, the studio and the MCP server admit the plan through it (`purse.admit(items)`), and
the consistency check asks it for each retake (`ctx.money.allowance`). Nothing writes an allowance onto another object in the middle of a make.

Why in `engine/`: every wing that touches money (crew's retakes, the pipeline, the faces) sits above the engine,
and the jobs journal it reads is the engine's (keyed by the engine's content keys).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from ..errors import ConfigError


class BudgetError(ConfigError):
    """A make would cost more than the budget leaves; nothing was sent."""


def budget_amount(value, where: str = "[budget] max", example: str = "max = 20.0") -> float:
    """A budget as a finite amount of at least 0 (0: nothing may be paid); ConfigError naming `where` otherwise.
    NaN would switch every comparison off (all paid jobs sent), inf is no limit, a negative amount no budget."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ConfigError(f"{where}: {value!r} must be a finite amount of at least 0, e.g. {example} (leave it out "
                          f"for no limit)")
    return float(value)


@dataclass(frozen=True)
class Budget:
    """What paid work may cost in all (`limit`, None: no limit), in `currency` (filmcrew converts none)."""
    limit: float | None = None
    currency: str = "USD"

    @classmethod
    def of(cls, cfg, override: float | None = None) -> "Budget":
        """The project's budget (`cfg`: project.Config), or `make --budget` (`override`) in its currency."""
        if override is not None:
            return cls(budget_amount(override, "make --budget", "--budget 20"), cfg.currency if cfg else "USD")
        return cls(cfg.budget, cfg.currency)

    def left(self, paid: dict[str, float]) -> float | None:
        return None if self.limit is None else self.limit - paid.get(self.currency, 0.0)


class Allowance:
    """What retakes may still spend in this make: the budget less what was spent before it and what its planned
    jobs are estimated at. Shared by every pick of the make (thread-safe)."""

    def __init__(self, limit: float | None, currency: str, committed: float):
        self.limit, self.currency, self.committed = limit, currency, committed
        self._lock = threading.Lock()

    def reserve(self, estimate: dict | None) -> bool:
        if self.limit is None or not estimate:
            return True
        if estimate.get("currency") != self.currency:
            return False
        with self._lock:
            if self.committed + estimate["amount"] > self.limit + 1e-9:
                return False
            self.committed += estimate["amount"]
            return True

    def left(self) -> float | None:
        return None if self.limit is None else max(0.0, self.limit - self.committed)


@dataclass
class Costs:
    pending: list[tuple[object, dict]]  # (plan item, its estimate) of every task that would send a paid job
    to_pay: dict[str, float]  # by currency
    paid: dict[str, float]  # what the project's jobs have cost so far (the journal), by currency
    resumed: int = 0  # tasks whose job was sent before (resumed, not paid again)
    retakes: dict[str, float] = field(default_factory=dict)  # the expected cost of retakes (in pending, not in to_pay)


def costs(journal, items: list) -> Costs:
    """The estimate of each planned task that sends a remote job, skipping those whose job `journal` already
    holds (they resume and are not paid again); and what was paid before."""
    from .graph import Pending
    out: list[tuple[object, dict]] = []
    to_pay: dict[str, float] = {}
    retakes: dict[str, float] = {}
    resumed = 0
    for it in items:
        t = it.task
        if t.estimate is None:
            continue
        try:
            if journal.paid(t.key):
                resumed += 1
                continue
        except Pending:
            pass  # its key waits on an input: counted as a new job
        est = t.estimate()
        out.append((it, est))
        into = retakes if t.role == "consistency" else to_pay  # a retake is admitted when asked for (Allowance)
        into[est["currency"]] = into.get(est["currency"], 0.0) + est["amount"]
    return Costs(out, to_pay, journal.spent(), resumed, retakes)


def admit(budget: Budget, c: Costs, config: str = "filmcrew.toml", project: str = "PROJECT") -> None:
    """Refuse the whole make, before anything is sent, when its estimate exceeds what the budget leaves.
    `config` and `project` name the files in the message."""
    if budget.limit is None or not c.to_pay:
        return
    cur, limit = budget.currency, budget.limit
    other = [k for k in c.to_pay if k != cur]
    if other:
        raise BudgetError(f"the remote jobs are priced in {', '.join(other)} but the budget is in {cur}: set [budget] "
                          f"currency = \"{other[0]}\" in {config} (filmcrew converts no currencies)")
    spent = c.paid.get(cur, 0.0)
    need = c.to_pay.get(cur, 0.0)
    if spent + need > limit + 1e-9:
        raise BudgetError(
            f"this make would send {len(c.pending)} paid job(s) estimated at {need:.2f} {cur}; the budget is "
            f"{limit:.2f} {cur} and {spent:.2f} {cur} is spent, so {max(0.0, limit - spent):.2f} {cur} is left. Nothing "
            f"was sent. Raise [budget] max (or make --budget), make a --preview first (cheapest quality), or make one "
            f"episode at a time (--episode); `filmcrew plan {project} --cost` lists each job")


def retake_allowance(budget: Budget, c: Costs) -> Allowance:
    """What the retakes of an admitted make may spend: the budget less what was paid before and what the make's
    first takes are estimated at (the expected retakes priced by plan --cost are not set aside: each retake
    is admitted against what is left when it is asked for)."""
    cur = budget.currency
    return Allowance(budget.limit, cur, c.paid.get(cur, 0.0) + c.to_pay.get(cur, 0.0))


class Purse:
    """The money of one make: its budget, the journal of what was spent, and, once the plan is admitted, the
    allowance its retakes draw on (a make never admitted: the budget less what the journal says was spent)."""

    def __init__(self, budget: Budget, journal, config: str = "filmcrew.toml", project: str = "PROJECT"):
        self.budget, self.journal, self.config, self.project = budget, journal, config, project
        self._allowance: Allowance | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, root, cfg) -> "Purse":
        """The money of one make of the project in `root` (its folder or its Layout; `cfg`: its project.Config):
        its budget and the journal of what was spent."""
        from .jobs import Journal
        from .layout import Layout
        return cls(Budget.of(cfg), Journal.of(root), str(Layout.of(root).config), str(root))

    @property
    def allowance(self) -> Allowance:
        with self._lock:
            if self._allowance is None:
                paid = {} if self.budget.limit is None else self.journal.spent()
                self._allowance = Allowance(self.budget.limit, self.budget.currency, paid.get(self.budget.currency, 0.0))
            return self._allowance

    def costs(self, items: list) -> Costs:
        return costs(self.journal, items)

    def admit(self, items: list, override: float | None = None) -> Costs:
        """Price the plan (`items`), refuse it when it exceeds what the budget leaves (`override`: make --budget,
        in the budget's currency), and set the allowance its retakes draw on."""
        if override is not None:
            self.budget = Budget(budget_amount(override, "make --budget", "--budget 20"), self.budget.currency)
        c = self.costs(items)
        self.refuse(c)
        with self._lock:
            self._allowance = retake_allowance(self.budget, c)
        return c

    def refuse(self, c: Costs) -> None:
        """BudgetError when the costs `c` (priced before, e.g. by a quote) exceed what the budget leaves."""
        admit(self.budget, c, self.config, self.project)

    def spent(self) -> dict[str, float]:
        return self.journal.spent()


__all__ = ["Budget", "BudgetError", "Allowance", "Costs", "Purse", "costs", "admit", "retake_allowance",
           "budget_amount"]
