"""The journal of paid remote jobs: `.filmcrew/jobs/KEY.json` (Layout.jobs), one record per job, keyed by the
engine's content key of the task the job makes (so one job per thing to make).

The engine owns it because its key is the engine's: the executor hands each task that sends a paid job its
`JobTicket` (`TaskContext.ticket`: where to journal, under which key, what for), and the planner, the budget
(engine/money.py), the crew's retakes and the faces read it. The vendor job layer that writes it (submit, poll,
fetch, verify) is `providers/remote/jobs.py`.

States: a job is `prepared` until its request is on the wire, then `submitting` (from here on it may have reached
the vendor and counts as spent), `submitted` with the vendor's job id, `fetched` once its result is safe; failed and
refused jobs cost nothing; a lost submit a person chose to send again is kept in `lost/`, still counted.

`requests/DIGEST.json` says which job a request was sent as (providers/remote/jobs.request_digest: the artifact,
the task's seed, the vendor and the request's content), written as it leaves: a task whose key changed while its
request did not (a change of filmcrew's keys) takes that job's result, journaled under its own key at no cost, or
the job itself where it is still out, instead of sending and paying again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProviderError
from . import atomic, events
from .layout import Layout

PREPARED, SUBMITTING, SUBMITTED, FETCHED = "prepared", "submitting", "submitted", "fetched"  # journal states
SPENT = (SUBMITTING, SUBMITTED, FETCHED)  # the states of a job that may have reached the vendor


@dataclass(frozen=True)
class JobTicket:
    """Where a provider journals the job for one task: the project's journal folder, the task's content key,
    and what the job is for (for messages and the ledger). The engine makes it (`TaskContext.ticket`) for a task
    that sends a paid job; a crew role passes it on in the provider's request."""
    journal: Path
    key: str
    label: str
    seed: int = 0  # the task's seed: a person asking the model again (a new seed for a shot, a retake) moves it


class Journal:
    """`.filmcrew/jobs/`: one JSON record per job and, once fetched, its result beside it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def of(cls, project: Layout | Path) -> "Journal":
        """The journal of a project (its folder or its Layout)."""
        return cls(Layout.of(project).jobs)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def read(self, key: str) -> dict | None:
        p = self.path(key)
        if not p.exists():
            return None
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ProviderError(f"{p}: the job record is unreadable; if no job was paid for, delete it and run "
                                f"make again") from None

    def write(self, key: str, rec: dict) -> None:
        atomic.write_text(self.path(key), json.dumps(rec, indent=1, sort_keys=True, ensure_ascii=False))
        events.job(rec)  # the job's new state, as an event of the make (what the studio's pages follow)

    def forget(self, key: str) -> None:
        """Drop a job's record, and the note of which job its request was sent as (so a person who forgets a job has
        its request sent afresh, not answered from another job's result)."""
        rec = None
        try:
            rec = self.read(key)
        except ProviderError:
            pass
        if rec and rec.get("request"):
            (self.folder / "requests" / f"{rec['request']}.json").unlink(missing_ok=True)
        self.path(key).unlink(missing_ok=True)

    def remember(self, digest: str, key: str) -> None:
        """Note that the request `digest` was sent as the job `key` (providers/remote/jobs.request_digest)."""
        atomic.write_text(self.folder / "requests" / f"{digest}.json", json.dumps({"key": key}))

    def asked(self, digest: str) -> str | None:
        """The key of the job the request `digest` was sent as, if it was."""
        try:
            return str(json.loads((self.folder / "requests" / f"{digest}.json").read_text(encoding="utf-8"))["key"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def set_aside(self, key: str) -> Path:
        """Move a job that may have been billed to `lost/` (still counted as spent), so that the next make sends its
        request afresh; the new place."""
        rec = self.read(key) or {}
        dest = self.folder / "lost" / f"{key}-{int(time.time())}.json"
        atomic.write_text(dest, json.dumps(dict(rec, state="lost", set_aside_at=time.time()), indent=1, sort_keys=True,
                                           ensure_ascii=False))
        self.forget(key)
        return dest

    def records(self) -> list[dict]:
        out = []
        for p in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                out.append(json.loads(p.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return out

    def spent(self) -> dict[str, float]:
        """What the project's jobs that may have reached a vendor cost, by currency: the vendor's figure where it
        gave one, else the estimate (failed and refused ones aside, prepared ones never left this machine; lost
        ones a person chose to send again stay counted)."""
        out: dict[str, float] = {}
        lost = Journal(self.folder / "lost").records() if (self.folder / "lost").is_dir() else []
        for r in self.records() + lost:
            if r.get("state") in SPENT + ("lost",):
                cost = r.get("actual") if r.get("actual") is not None else (r.get("estimate") or {}).get("amount", 0.0)
                cur = (r.get("estimate") or {}).get("currency", "USD")
                out[cur] = out.get(cur, 0.0) + float(cost or 0.0)
        return out

    def paid(self, key: str) -> bool:
        r = self.read(key)
        return bool(r) and r.get("state") in SPENT


def project_of(journal: Journal) -> Path:
    """The project folder of a journal (`PROJECT/.filmcrew/jobs`: see `Layout.jobs`)."""
    return journal.folder.parent.parent


def price_words(rec: dict) -> str:
    est = rec.get("estimate") or {}
    return f"{float(est.get('amount', 0.0)):.3f} {est.get('currency', 'USD')}"


def lost_message(journal: Journal, key: str, rec: dict, who: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rec.get("sent_at", rec.get("submitted_at", 0))))
    cause = rec.get("lost") or "the make was stopped while it was out"
    root = project_of(journal)
    return (f"{who}: a request was sent at {when} and its answer was lost ({cause}); {rec.get('provider', 'the vendor')} "
            f"cannot be asked about it, and it may have been billed ({price_words(rec)}). Look in the vendor's "
            f"dashboard, then `filmcrew jobs {root} --resend {key[:12]}` to send it again (paying again if it was "
            f"billed) or `filmcrew jobs {root} --forget {key[:12]}` if it was not billed; `filmcrew jobs {root}` "
            f"lists such jobs")


def refused_again(journal: Journal, key: str, rec: dict, who: str) -> str:
    return (f"{who}: not sent again: {rec.get('provider', 'the vendor')}'s moderation refused this same request "
            f"before: {rec.get('error', '')}; change the shot's action, the character's description or the seed (a "
            f"new request), or `filmcrew jobs {project_of(journal)} --forget {key[:12]}` to send it unchanged")


__all__ = ["Journal", "JobTicket", "PREPARED", "SUBMITTING", "SUBMITTED", "FETCHED", "SPENT", "project_of",
           "price_words", "lost_message", "refused_again"]
