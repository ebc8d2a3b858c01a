"""`filmcrew jobs PROJECT`: the paid jobs of the journal (`.filmcrew/jobs/`) that need a person, with their
price: a submit whose answer was lost (it may have been billed), a request the vendor's moderation refused, a
failed job. `--resend KEY` lets the next make send a lost submit again (what it may have cost stays counted
against the budget); `--forget KEY` drops a job's record (a lost submit the vendor's dashboard shows was not
billed, or a refusal to be sent unchanged). KEY is the start of the job's key, or its artifact (shot) name."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .. import project
from ..errors import ConfigError
from ..engine import jobs as remote_jobs

NEEDS = {"submitting": "may have been billed", "refused": "refused", "failed": "failed"}


def _journal(root: Path) -> remote_jobs.Journal:
    return remote_jobs.Journal.of(root)


def _find(journal: remote_jobs.Journal, what: str) -> dict:
    recs = [r for r in journal.records() if str(r.get("key", "")).startswith(what) or r.get("label") == what]
    if len(what) < 6 and not any(r.get("label") == what for r in recs):
        recs = []
    if len(recs) != 1:
        known = ", ".join(f"{r['key'][:12]} ({r.get('label', '?')})" for r in journal.records()
                          if r.get("state") in NEEDS) or "none"
        raise ConfigError(f"{journal.folder}: {'no job' if not recs else 'more than one job'} matches {what!r}; give "
                          f"at least 6 characters of its key, or its artifact name (jobs needing a person: {known})")
    return recs[0]


def _row(r: dict, in_flight: bool) -> dict:
    state = r.get("state", "?")
    why = NEEDS.get(state, state)
    if state == "submitting" and in_flight:
        why = "being sent (a make is running)"
    when = r.get("sent_at") or r.get("submitted_at") or 0
    detail = r.get("lost") or r.get("error") or ("the make stopped while it was out" if state == "submitting" else "")
    return {"key": r.get("key", ""), "label": r.get("label", ""), "provider": r.get("provider", ""), "state": state,
            "needs": why, "price": r.get("estimate") or {}, "when": time.strftime("%Y-%m-%d %H:%M", time.localtime(when)),
            "detail": detail}


def cmd_jobs(a) -> int:
    from ..engine.lock import holder, make_lock
    root = Path(a.project)
    project.load_config(root)  # not a project: said first
    journal = _journal(root)
    if a.resend or a.forget:
        with make_lock(root, "jobs"):  # never while a make is sending
            rec = _find(journal, a.resend or a.forget)
            price = remote_jobs.price_words(rec)
            if a.resend:
                if rec.get("state") != "submitting":
                    raise ConfigError(f"{rec['key'][:12]} ({rec.get('label')}) is {rec.get('state')}, not a lost submit: "
                                      f"nothing to resend (use --forget to drop a refusal or a failure)")
                dest = journal.set_aside(rec["key"])
                print(f"{rec.get('label')}: the next make sends it again and may pay {price} again; the lost one stays "
                      f"counted as spent ({dest.relative_to(root)})")
            else:
                journal.forget(rec["key"])
                note = ("no longer counted as spent" if rec.get("state") in remote_jobs.SPENT else
                        "the next make sends it unchanged" if rec.get("state") == "refused" else "forgotten")
                print(f"{rec.get('label')}: forgotten ({price}: {note})")
        return 0
    in_flight = holder(root) is not None
    rows = [_row(r, in_flight) for r in journal.records() if r.get("state") in NEEDS]
    if a.json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return 0
    if not rows:
        print("no job needs a person: every journaled job was made, is on its way, or never left this machine")
    for r in rows:
        p = r["price"]
        print(f"{r['key'][:12]}  {r['provider']:<14} {r['label']:<30} {r['needs']:<22} "
              f"{float(p.get('amount', 0.0)):8.3f} {p.get('currency', 'USD')}  {r['when']}  {r['detail']}")
    if any(r["state"] == "submitting" for r in rows) and not in_flight:
        print(f"a job that may have been billed: look in the vendor's dashboard, then `filmcrew jobs {root} --resend KEY` "
              f"(it is sent again, paid again if it was billed) or `--forget KEY` (it was not billed)", file=sys.stderr)
    for cur, amount in journal.spent().items():
        print(f"spent (or possibly billed) for this project: {amount:.3f} {cur}")
    return 0


def register(sub) -> None:
    j = sub.add_parser("jobs", help="paid jobs that need a person (may have been billed, refused, failed), with "
                                    "their price")
    j.add_argument("project")
    g = j.add_mutually_exclusive_group()
    g.add_argument("--resend", metavar="KEY", help="let the next make send a lost submit again (it may be paid twice)")
    g.add_argument("--forget", metavar="KEY", help="drop a job's record: a lost submit that was not billed, or a "
                                                   "refusal to send unchanged")
    j.add_argument("--json", action="store_true")
    j.set_defaults(fn=cmd_jobs)
