"""What keeps a contest honest once films are in: its phases, reopening an entry, copy flags and the organiser's
rulings on them.

A contest moves `open -> judging -> decided -> published`, moved on by the organiser (and back from decided to
judging while nothing is published). Entries are taken only while it is open and before the deadline (the
deadline closes them by itself); jurors are assigned, mark and compare only while it is judging; it is decided
once every award has a winner; published results are final. During judging the organiser may reopen one entry
for a new version, with a reason written to the audit log: that entry's marks are set aside (they named the
version judged, which is no longer the film) until its new version is checked and judged again.
"""

from __future__ import annotations

from . import accounts, copies, db
from .accounts import Refusal, require_role

PHASES = ("open", "judging", "decided", "published")
MOVES = {("open", "judging"), ("judging", "decided"), ("decided", "judging"), ("decided", "published")}
SAID = {"open": "open for entries", "judging": "judging", "decided": "decided (winners chosen, not published)",
        "published": "published"}


class Phases:
    def __init__(self, fest):
        self.fest, self.t = fest, fest.t

    def move(self, organiser: dict, cid: int, to: str) -> None:
        require_role(organiser, "organiser")
        con = self.fest.contest(cid)
        if to not in PHASES:
            raise Refusal(400, f"phase: one of {', '.join(PHASES)}")
        if (con["phase"], to) not in MOVES:
            if con["phase"] == "published":
                raise Refusal(409, "the results are published: they are final")
            raise Refusal(409, f"the contest is {con['phase']}; it moves open → judging → decided → published")
        if to == "decided":
            from .jury import Jury
            won = Jury(self.fest).decisions(cid)
            missing = [a["name"] for a in self.fest.awards(cid) if a["id"] not in won]
            if missing:
                raise Refusal(409, f"decide every award first: {', '.join(missing)} has no winner")
        c_ = self.t["contests"]
        with self.fest.engine.begin() as c:
            n = c.execute(c_.update().where(c_.c.id == cid, c_.c.phase == con["phase"]).values(phase=to)).rowcount
            if n != 1:
                raise Refusal(409, "the contest changed meanwhile; look again")
            self.fest._audit(c, organiser["id"], "contest phase", {"from": con["phase"], "to": to})

    def reopen(self, organiser: dict, entry_id: int, reason: str) -> None:
        """During judging: the entrant may send one new version of this entry; its marks are set aside."""
        require_role(organiser, "organiser")
        reason = (reason or "").strip()
        if len(reason) < 5 or len(reason) > 300:
            raise Refusal(400, "reason: say why this entry is reopened (5 to 300 characters): it goes in the audit log")
        sa = db._sa()
        e, d = self.t["entries"], self.t["decisions"]
        with self.fest.engine.begin() as c:
            row = c.execute(sa.select(e.c.contest_id, e.c.version).where(e.c.id == entry_id)).first()
            if row is None:
                raise Refusal(404, "no such entry")
            phase = self.fest.contest(row.contest_id)["phase"]
            if phase != "judging":
                raise Refusal(409, f"an entry is reopened only during judging (the contest is {phase})")
            c.execute(e.update().where(e.c.id == entry_id).values(reopened=reason))
            gone = c.execute(d.delete().where(d.c.entry_id == entry_id)).rowcount  # it won nothing yet: not this film
            self.fest._audit(c, organiser["id"], "entry reopened", {"entry": entry_id, "version": row.version,
                                                                    "reason": reason, "decisions undone": gone})

    def rule(self, organiser: dict, entry_id: int, ruling: str, note: str) -> None:
        """The organiser's word on an entry flagged as a copy: kept, or disqualified (it then is judged no more)."""
        require_role(organiser, "organiser")
        if ruling not in ("kept", "disqualified", "none"):
            raise Refusal(400, "ruling: kept, disqualified or none")
        note = (note or "").strip()[:300]
        if ruling != "none" and len(note) < 5:
            raise Refusal(400, "note: say why (5 characters or more): it goes in the audit log")
        e, d = self.t["entries"], self.t["decisions"]
        with self.fest.engine.begin() as c:
            n = c.execute(e.update().where(e.c.id == entry_id).values(
                ruling=None if ruling == "none" else ruling, ruling_note=note or None)).rowcount
            if n != 1:
                raise Refusal(404, "no such entry")
            if ruling == "disqualified":
                c.execute(d.delete().where(d.c.entry_id == entry_id))
            self.fest._audit(c, organiser["id"], "copy ruling", {"entry": entry_id, "ruling": ruling, "note": note})

    # ---- copies ------------------------------------------------------------------------------------------
    def record_copies(self, check_id: int) -> int:
        """After a check is done: flag the other entrants' entries (current versions, this contest) whose film is
        the same bytes or shares a run of pictures with this one. How many pairs were flagged."""
        sa = db._sa()
        e, ch, cp = self.t["entries"], self.t["checks"], self.t["copies"]
        with self.fest.engine.connect() as c:
            me = c.execute(sa.select(ch.c.id, ch.c.entry_id, ch.c.version, ch.c.film_sha, ch.c.fingerprint,
                                     e.c.contest_id, e.c.entrant_id).join(e, e.c.id == ch.c.entry_id)
                           .where(ch.c.id == check_id, ch.c.version == e.c.version)).first()
            if me is None:
                return 0
            others = c.execute(sa.select(ch.c.id, ch.c.entry_id, ch.c.film_sha, ch.c.fingerprint)
                               .join(e, sa.and_(e.c.id == ch.c.entry_id, ch.c.version == e.c.version))
                               .where(e.c.contest_id == me.contest_id, e.c.entrant_id != me.entrant_id,
                                      ch.c.state == "done")).all()
        found = []
        for o in others:
            if o.film_sha == me.film_sha:
                kind, runs = "identical", []
            else:
                runs = copies.shared_runs(me.fingerprint or "", o.fingerprint or "")
                if not runs:
                    continue
                kind = "similar"
            mine_first = me.entry_id < o.entry_id
            a, b = (me, o) if mine_first else (o, me)
            found.append({"entry_a": a.entry_id, "entry_b": b.entry_id, "check_a": a.id, "check_b": b.id,
                          "kind": kind, "runs": runs if mine_first else [[r[1], r[0], r[2]] for r in runs],
                          "at": accounts.now()})
        with self.fest.engine.begin() as c:
            c.execute(cp.delete().where(sa.or_(cp.c.entry_a == me.entry_id, cp.c.entry_b == me.entry_id)))
            if found:
                c.execute(cp.insert(), found)
        return len(found)

    def copy_flags(self, cid: int, entry_id: int | None = None) -> dict[int, list[dict]]:
        """{entry: [{other, other_title, kind, runs: [(its time, the other's time, seconds)], said}]} for the
        contest's entries (or one entry) flagged as copies of another entrant's, current versions only."""
        sa = db._sa()
        e, ch, cp = self.t["entries"], self.t["checks"], self.t["copies"]
        ea, eb = e.alias("ea"), e.alias("eb")
        q = (sa.select(cp, ea.c.title.label("title_a"), eb.c.title.label("title_b"))
             .join(ea, ea.c.id == cp.c.entry_a).join(eb, eb.c.id == cp.c.entry_b)
             .join(ch, ch.c.id == cp.c.check_a).where(ea.c.contest_id == cid, ch.c.version == ea.c.version))
        if entry_id is not None:
            q = q.where(sa.or_(cp.c.entry_a == entry_id, cp.c.entry_b == entry_id))
        out: dict[int, list[dict]] = {}
        with self.fest.engine.connect() as c:
            rows = c.execute(q).mappings().all()
        for r in rows:
            for me, other, title, flip in ((r["entry_a"], r["entry_b"], r["title_b"], False),
                                           (r["entry_b"], r["entry_a"], r["title_a"], True)):
                runs = [(x[1], x[0], x[2]) if flip else tuple(x) for x in r["runs"]]
                said = ("the same film, byte for byte" if r["kind"] == "identical" else "; ".join(
                    f"{copies.clock(mine)}–{copies.clock(mine + n)} here = {copies.clock(theirs)}–"
                    f"{copies.clock(theirs + n)} there ({n} s)" for mine, theirs, n in runs))
                out.setdefault(me, []).append({"other": other, "other_title": title, "kind": r["kind"],
                                               "runs": runs, "said": said})
        return out
