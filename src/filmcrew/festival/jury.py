"""The jury: invitations, conflicts of interest, assignments, scores and pairwise comparisons, rankings, the
organiser's decisions, and the published results.

Two ways to judge an award, chosen per award:
- **scores**: each juror scores each film assigned to them from 1 to 10 in each of the award's categories; a film's
  mark is the weighted mean of its categories' means over its jurors (most festivals work this way);
- **pairwise**: a juror is shown two of their films at a time and says which is better; the films' strengths are
  the Bradley-Terry model's maximum-likelihood fit (Hunter's MM iterations), with one virtual draw against an
  average film each so that a film never preferred still gets a finite strength. Many jurors who each see a few
  films then still rank the whole field, as long as the comparisons connect it.
"""

from __future__ import annotations

import hashlib
import itertools

from . import accounts, db
from .accounts import Refusal, require_role

SCORE_RANGE = (1, 10)
PAIRS_PER_FILM = 4  # how many other films each film of a juror's is compared with, at most


class Jury:
    def __init__(self, fest):
        self.fest, self.t = fest, fest.t

    # ---- jurors ------------------------------------------------------------------------------------------
    def invite(self, organiser: dict, email: str, name: str) -> str:
        """A juror's account, waiting for its password: the invitation's token (the organiser sends the link).
        Inviting a juror who has not joined yet issues a new link, and the old one no longer works."""
        require_role(organiser, "organiser")
        email = accounts.check_new_account(email, name, "x" * accounts.MIN_PASSWORD)
        sa = db._sa()
        u = self.t["users"]
        token = accounts.new_token()
        with self.fest.engine.begin() as c:
            old = c.execute(sa.select(u.c.id, u.c.role, u.c.invite_hash).where(u.c.email == email)).first()
            if old is not None and old.role == "juror" and old.invite_hash is not None:
                c.execute(u.update().where(u.c.id == old.id).values(invite_hash=accounts.token_hash(token)))
                self.fest._audit(c, organiser["id"], "juror invitation re-issued", {"juror": old.id, "email": email})
                return token
            if old is not None:
                raise Refusal(409, "e-mail: an account with this address exists" + (
                    " (a juror who has joined: they can reset their password)" if old.role == "juror" else ""))
            uid = c.execute(u.insert().values(email=email, name=name.strip(), password_hash="", role="juror",
                                              invite_hash=accounts.token_hash(token),
                                              created_at=accounts.now())).inserted_primary_key[0]
            self.fest._audit(c, organiser["id"], "juror invited", {"juror": uid, "email": email})
        return token

    def reinvite(self, organiser: dict, juror_id: int) -> tuple[str, str, str]:
        """A new invitation for a juror who has not joined yet (the old link dies): (token, e-mail, name)."""
        require_role(organiser, "organiser")
        sa = db._sa()
        u = self.t["users"]
        with self.fest.engine.connect() as c:
            row = c.execute(sa.select(u.c.email, u.c.name, u.c.invite_hash).where(u.c.id == juror_id,
                                                                                  u.c.role == "juror")).first()
        if row is None:
            raise Refusal(404, "no such juror")
        if row.invite_hash is None:
            raise Refusal(409, f"{row.email} has joined already; a lost password is reset, not re-invited")
        return self.invite(organiser, row.email, row.name), row.email, row.name

    def invited(self, token: str) -> dict | None:
        """{email, name} of the juror an invitation is for while it works (None: used, re-issued or mistyped)."""
        sa = db._sa()
        u = self.t["users"]
        with self.fest.engine.connect() as c:
            row = c.execute(sa.select(u.c.email, u.c.name).where(u.c.invite_hash == accounts.token_hash(token or ""),
                                                                 u.c.role == "juror")).mappings().first()
        return dict(row) if row else None

    def accept(self, token: str, password: str) -> str:
        """The juror behind an invitation sets a password; their e-mail (to sign in with)."""
        sa = db._sa()
        u = self.t["users"]
        if len(password or "") < accounts.MIN_PASSWORD:
            raise Refusal(400, f"password: at least {accounts.MIN_PASSWORD} characters")
        with self.fest.engine.begin() as c:
            row = c.execute(sa.select(u.c.id, u.c.email).where(u.c.invite_hash == accounts.token_hash(token or ""),
                                                               u.c.role == "juror")).first()
            if row is None:
                raise Refusal(404, "this invitation is not valid (used already, replaced by a newer one, or "
                                   "mistyped): ask the organiser")
            c.execute(u.update().where(u.c.id == row.id).values(password_hash=accounts.hash_password(password),
                                                                invite_hash=None))
            self.fest._audit(c, row.id, "juror joined", {})
        return row.email

    def jurors(self, organiser: dict) -> list[dict]:
        """Each juror with what they have done: assigned films, films scored, comparisons made."""
        require_role(organiser, "organiser")
        sa = db._sa()
        u, a, s, cmp = self.t["users"], self.t["assignments"], self.t["scores"], self.t["comparisons"]
        with self.fest.engine.connect() as c:  # (four queries, however many jurors)
            rows = [dict(r) for r in c.execute(sa.select(u.c.id, u.c.email, u.c.name, u.c.invite_hash)
                                               .where(u.c.role == "juror").order_by(u.c.id)).mappings()]
            assigned = dict(c.execute(sa.select(a.c.juror_id, sa.func.count()).group_by(a.c.juror_id)).all())
            scored = dict(c.execute(sa.select(s.c.juror_id, sa.func.count(sa.distinct(s.c.entry_id)))
                                    .group_by(s.c.juror_id)).all())
            compared = dict(c.execute(sa.select(cmp.c.juror_id, sa.func.count()).group_by(cmp.c.juror_id)).all())
        for r in rows:
            r["assigned"], r["scored"], r["compared"] = (d.get(r["id"], 0) for d in (assigned, scored, compared))
            r["joined"] = r.pop("invite_hash") is None
        return rows

    # ---- conflicts and assignments -----------------------------------------------------------------------
    def declare_conflict(self, user: dict, juror_id: int, entrant_id: int | None = None, entry_id: int | None = None,
                         reason: str = "") -> None:
        """A juror (about themselves) or the organiser records that a juror must not judge an entrant (given
        directly, or as the entrant of `entry_id`); that juror's assignments to the entrant's films go."""
        require_role(user, "juror", "organiser")
        if user["role"] == "juror" and juror_id != user["id"]:
            raise Refusal(403, "a juror declares their own conflicts")
        sa = db._sa()
        e, a, cf = self.t["entries"], self.t["assignments"], self.t["conflicts"]
        with self.fest.engine.begin() as c:
            if entry_id is not None:
                if user["role"] == "juror" and not self._assigned(c, juror_id, entry_id):
                    raise Refusal(404, "no such entry")
                entrant_id = c.execute(sa.select(e.c.entrant_id).where(e.c.id == entry_id)).scalar()
            if entrant_id is None:
                raise Refusal(404, "no such entry or entrant")
            exists = c.execute(sa.select(cf.c.juror_id).where(cf.c.juror_id == juror_id,
                                                              cf.c.entrant_id == entrant_id)).first()
            if not exists:
                c.execute(cf.insert().values(juror_id=juror_id, entrant_id=entrant_id, declared_by=user["id"],
                                             reason=(reason or "")[:300], at=accounts.now()))
            theirs = sa.select(e.c.id).where(e.c.entrant_id == entrant_id)
            c.execute(a.delete().where(a.c.juror_id == juror_id, a.c.entry_id.in_(theirs)))
            self.fest._audit(c, user["id"], "conflict declared", {"juror": juror_id, "entrant": entrant_id,
                                                                  "reason": (reason or "")[:300]})

    def _assigned(self, c, juror_id: int, entry_id: int) -> bool:
        sa = db._sa()
        a = self.t["assignments"]
        return c.execute(sa.select(a.c.juror_id).where(a.c.juror_id == juror_id, a.c.entry_id == entry_id)).first() is not None

    def assign(self, organiser: dict, cid: int, per_entry: int = 3) -> dict:
        """Give each eligible entry (its latest check passed) `per_entry` jurors, the least loaded first, never one
        with a conflict with its entrant; entries that have enough keep theirs. {"assigned": n, "short": [entry
        ids that could not get enough jurors]}."""
        require_role(organiser, "organiser")
        self._judging_open(cid, "jurors are assigned")
        sa = db._sa()
        e, ch, a, cf, u = self.t["entries"], self.t["checks"], self.t["assignments"], self.t["conflicts"], self.t["users"]
        with self.fest.engine.begin() as c:
            jurors = [r.id for r in c.execute(sa.select(u.c.id).where(u.c.role == "juror").order_by(u.c.id))]
            eligible = c.execute(sa.select(e.c.id, e.c.entrant_id).join(
                ch, sa.and_(ch.c.entry_id == e.c.id, ch.c.version == e.c.version))
                .where(e.c.contest_id == cid, ch.c.state == "done", ch.c.passed.is_(True), e.c.reopened.is_(None),
                       sa.or_(e.c.ruling.is_(None), e.c.ruling != "disqualified")).order_by(e.c.id)).all()
            have: dict[int, set] = {}
            for r in c.execute(sa.select(a.c.juror_id, a.c.entry_id)):
                have.setdefault(r.entry_id, set()).add(r.juror_id)
            load = {j: 0 for j in jurors}
            for js in have.values():
                for j in js:
                    load[j] = load.get(j, 0) + 1
            conflicted = {(r.juror_id, r.entrant_id) for r in c.execute(sa.select(cf.c.juror_id, cf.c.entrant_id))}
            new, short = [], []
            for ent in eligible:
                mine = have.setdefault(ent.id, set())
                free = sorted((j for j in jurors if j not in mine and (j, ent.entrant_id) not in conflicted
                               and j != ent.entrant_id), key=lambda j: (load[j], _spread(j, ent.id)))
                for j in free[:max(0, per_entry - len(mine))]:
                    mine.add(j)
                    load[j] += 1
                    new.append({"juror_id": j, "entry_id": ent.id, "at": accounts.now()})
                if len(mine) < per_entry:
                    short.append(ent.id)
            if new:
                c.execute(a.insert(), new)
            self.fest._audit(c, organiser["id"], "jurors assigned", {"per_entry": per_entry, "new": len(new),
                                                                    "short": short[:50]})
        return {"assigned": len(new), "short": short}

    def assigned(self, juror: dict, cid: int) -> list[dict]:
        """A juror's films (without the entrants' names when judging is blind), with what they gave each."""
        require_role(juror, "juror")
        sa = db._sa()
        e, a, u, s, ch = self.t["entries"], self.t["assignments"], self.t["users"], self.t["scores"], self.t["checks"]
        blind = self.fest.contest(cid)["blind"]
        with self.fest.engine.connect() as c:
            rows = [dict(r) for r in c.execute(
                sa.select(e.c.id, e.c.title, e.c.synopsis, e.c.version, e.c.reopened, u.c.name.label("entrant"),
                          u.c.country)
                .join(a, a.c.entry_id == e.c.id).join(u, u.c.id == e.c.entrant_id)
                .where(a.c.juror_id == juror["id"], e.c.contest_id == cid).order_by(e.c.id)).mappings()]
            done = {r.entry_id for r in c.execute(  # (marks of the version now judged; older ones are set aside)
                sa.select(s.c.entry_id).join(ch, ch.c.id == s.c.check_id).join(e, e.c.id == s.c.entry_id)
                .where(s.c.juror_id == juror["id"], ch.c.version == e.c.version))}
        for r in rows:
            r["scored"] = r["id"] in done
            if blind:
                r["entrant"] = r["country"] = None
        return rows

    # ---- judging -----------------------------------------------------------------------------------------
    def score(self, juror: dict, entry_id: int, award_id: int, values: dict[str, float]) -> None:
        """A juror's marks for one of their films in a scores award (every category, 1 to 10); again replaces."""
        require_role(juror, "juror")
        aw = self.award(award_id)
        if aw["method"] != "scores":
            raise Refusal(400, f"{aw['name']} is judged by comparing films, not by scores")
        self._judging_open(aw["contest_id"])
        names = [cat["name"] for cat in aw["categories"]]
        lo, hi = SCORE_RANGE
        for n in names:
            v = values.get(n)
            if not isinstance(v, (int, float)) or not lo <= v <= hi:
                raise Refusal(400, f"{aw['name']}, {n}: a mark from {lo} to {hi}")
        s = self.t["scores"]
        with self.fest.engine.begin() as c:
            if not self._assigned(c, juror["id"], entry_id):
                raise Refusal(404, "no such entry")
            check_id = self._judged_version(c, entry_id)
            c.execute(s.delete().where(s.c.juror_id == juror["id"], s.c.entry_id == entry_id, s.c.award_id == award_id))
            c.execute(s.insert(), [{"juror_id": juror["id"], "entry_id": entry_id, "award_id": award_id, "category": n,
                                    "value": float(values[n]), "at": accounts.now(), "check_id": check_id}
                                   for n in names])

    def _judged_version(self, c, entry_id: int) -> int:
        """The check (so the version, its film's SHA-256) a mark given now is for; Refusal when the entry is not
        to be judged now (reopened for a new version, its new version not checked or not eligible, disqualified)."""
        sa = db._sa()
        e, ch = self.t["entries"], self.t["checks"]
        row = c.execute(sa.select(ch.c.id, ch.c.state, ch.c.passed, e.c.reopened, e.c.ruling)
                        .join(ch, sa.and_(ch.c.entry_id == e.c.id, ch.c.version == e.c.version))
                        .where(e.c.id == entry_id)).first()
        if row is None:
            raise Refusal(404, "no such entry")
        if row.reopened is not None:
            raise Refusal(409, "this entry is reopened for a new version: it is judged again once that is checked")
        if row.ruling == "disqualified":
            raise Refusal(409, "this entry is disqualified: it is judged no more")
        if row.state != "done" or not row.passed:
            raise Refusal(409, "this version of the film is not eligible (or not checked yet): it is not judged")
        return row.id

    def comment(self, juror: dict, entry_id: int, text: str) -> None:
        """A juror's comment on one of their films, for the organiser (again replaces; empty removes)."""
        require_role(juror, "juror")
        text = (text or "").strip()
        if len(text) > 2000:
            raise Refusal(400, "comment: at most 2000 characters")
        cm = self.t["comments"]
        with self.fest.engine.begin() as c:
            if not self._assigned(c, juror["id"], entry_id):
                raise Refusal(404, "no such entry")
            cid = c.execute(db._sa().select(self.t["entries"].c.contest_id)
                            .where(self.t["entries"].c.id == entry_id)).scalar()
            self._judging_open(cid)
            check_id = self._judged_version(c, entry_id)
            c.execute(cm.delete().where(cm.c.juror_id == juror["id"], cm.c.entry_id == entry_id))
            if text:
                c.execute(cm.insert().values(juror_id=juror["id"], entry_id=entry_id, check_id=check_id, text=text,
                                             at=accounts.now()))

    def comments(self, user: dict, entry_id: int) -> list[dict]:
        """The comments on a film: every juror's for the organiser (with the version each was for), a juror's own."""
        require_role(user, "organiser", "juror")
        sa = db._sa()
        cm, u, ch = self.t["comments"], self.t["users"], self.t["checks"]
        q = (sa.select(cm.c.text, cm.c.at, u.c.name.label("juror"), ch.c.version)
             .join(u, u.c.id == cm.c.juror_id).outerjoin(ch, ch.c.id == cm.c.check_id)
             .where(cm.c.entry_id == entry_id).order_by(cm.c.at))
        if user["role"] == "juror":
            q = q.where(cm.c.juror_id == user["id"])
        with self.fest.engine.connect() as c:
            return [dict(r) for r in c.execute(q).mappings()]

    def my_scores(self, juror: dict, entry_id: int) -> dict:
        """{award id: {category: mark}} this juror gave the film."""
        sa = db._sa()
        s = self.t["scores"]
        with self.fest.engine.connect() as c:
            rows = c.execute(sa.select(s.c.award_id, s.c.category, s.c.value)
                             .join(self.t["checks"], self.t["checks"].c.id == s.c.check_id)
                             .join(self.t["entries"], self.t["entries"].c.id == s.c.entry_id)
                             .where(s.c.juror_id == juror["id"], s.c.entry_id == entry_id,
                                    self.t["checks"].c.version == self.t["entries"].c.version)).all()
        out: dict = {}
        for r in rows:
            out.setdefault(r.award_id, {})[r.category] = r.value
        return out

    def others_scores(self, juror: dict, entry_id: int) -> list[dict] | None:
        """The other jurors' marks for a film of this juror's, once the organiser has opened them (None before)."""
        require_role(juror, "juror")
        sa = db._sa()
        s, e = self.t["scores"], self.t["entries"]
        with self.fest.engine.connect() as c:
            if not self._assigned(c, juror["id"], entry_id):
                raise Refusal(404, "no such entry")
            cid = c.execute(sa.select(e.c.contest_id).where(e.c.id == entry_id)).scalar()
            if not self.fest.contest(cid)["scores_open"]:
                return None
            return [dict(r) for r in c.execute(sa.select(s.c.award_id, s.c.category, s.c.value).where(
                s.c.entry_id == entry_id, s.c.juror_id != juror["id"])).mappings()]

    def pairs(self, juror: dict, award_id: int) -> list[tuple[int, int]]:
        """The pairs of this juror's films to compare for a pairwise award, each film against at most
        PAIRS_PER_FILM others (a fixed order per juror, so two jurors do not all see the same pairs)."""
        require_role(juror, "juror")
        aw = self.award(award_id)
        films = [r["id"] for r in self.assigned(juror, aw["contest_id"])]
        films.sort(key=lambda i: _spread(juror["id"], i))
        n = len(films)
        if n < 2:
            return []
        if n <= PAIRS_PER_FILM + 1:
            return [tuple(sorted(p)) for p in itertools.combinations(films, 2)]
        out = set()
        for step in range(1, PAIRS_PER_FILM // 2 + 1):  # a ring and its chords: every film in PAIRS_PER_FILM pairs
            for i in range(n):
                out.add(tuple(sorted((films[i], films[(i + step) % n]))))
        return sorted(out, key=lambda p: _spread(juror["id"] + award_id, p[0] * 100003 + p[1]))

    def next_pair(self, juror: dict, award_id: int) -> tuple[int, int] | None:
        done = self.compared(juror, award_id)
        return next((p for p in self.pairs(juror, award_id) if p not in done), None)

    def compared(self, juror: dict, award_id: int) -> set:
        sa = db._sa()
        cmp = self.t["comparisons"]
        with self.fest.engine.connect() as c:
            return {(r.entry_a, r.entry_b) for r in c.execute(self._current_comparisons(
                sa.select(cmp.c.entry_a, cmp.c.entry_b)).where(cmp.c.juror_id == juror["id"],
                                                              cmp.c.award_id == award_id))}

    def _current_comparisons(self, q):
        """`q` over comparisons, kept to those of both films' versions now judged (an older version's are set aside)."""
        sa = db._sa()
        cmp, e, ch = self.t["comparisons"], self.t["entries"], self.t["checks"]
        ea, eb, ca, cb = e.alias("ea"), e.alias("eb"), ch.alias("ca"), ch.alias("cb")
        return (q.join(ca, ca.c.id == cmp.c.check_a).join(cb, cb.c.id == cmp.c.check_b)
                .join(ea, ea.c.id == cmp.c.entry_a).join(eb, eb.c.id == cmp.c.entry_b)
                .where(ca.c.version == ea.c.version, cb.c.version == eb.c.version, ea.c.reopened.is_(None),
                       eb.c.reopened.is_(None), sa.or_(ea.c.ruling.is_(None), ea.c.ruling != "disqualified"),
                       sa.or_(eb.c.ruling.is_(None), eb.c.ruling != "disqualified")))

    def compare(self, juror: dict, award_id: int, a: int, b: int, winner: int | None) -> None:
        """A juror's comparison of two of their films: `winner` the better one, or None: about equal."""
        require_role(juror, "juror")
        aw = self.award(award_id)
        if aw["method"] != "pairwise":
            raise Refusal(400, f"{aw['name']} is judged by scores, not by comparing films")
        self._judging_open(aw["contest_id"])
        a, b = sorted((a, b))
        if (winner is not None and winner not in (a, b)) or a == b:
            raise Refusal(400, "the better film is one of the two shown (or they are about equal)")
        cmp = self.t["comparisons"]
        with self.fest.engine.begin() as c:
            if not (self._assigned(c, juror["id"], a) and self._assigned(c, juror["id"], b)):
                raise Refusal(404, "no such entry")
            check_a, check_b = self._judged_version(c, a), self._judged_version(c, b)
            c.execute(cmp.delete().where(cmp.c.juror_id == juror["id"], cmp.c.award_id == award_id,
                                         cmp.c.entry_a == a, cmp.c.entry_b == b))
            c.execute(cmp.insert().values(juror_id=juror["id"], award_id=award_id, entry_a=a, entry_b=b, winner=winner,
                                          at=accounts.now(), check_a=check_a, check_b=check_b))

    def award(self, award_id: int) -> dict:
        sa = db._sa()
        aw = self.t["awards"]
        with self.fest.engine.connect() as c:
            row = c.execute(sa.select(aw).where(aw.c.id == award_id)).mappings().first()
        if row is None:
            raise Refusal(404, "no such award")
        return dict(row)

    def _judging_open(self, cid: int, what: str = "jurors mark and compare films") -> None:
        phase = self.fest.contest(cid)["phase"]
        if phase != "judging":
            raise Refusal(409, f"{what} only while the contest is judging; it is {phase}"
                               + (" (the organiser moves it on when entries are in)" if phase == "open" else ""))

    # ---- rankings, decisions, results --------------------------------------------------------------------
    def ranking(self, organiser: dict | None, award_id: int) -> list[dict]:
        """The award's films, best first: {entry, title, mark, jurors} (mark: the weighted mean for scores, the
        Bradley-Terry strength for pairwise). The organiser's view (`organiser` None: the published results use it)."""
        if organiser is not None:
            require_role(organiser, "organiser")
        sa = db._sa()
        aw = self.award(award_id)
        e = self.t["entries"]
        with self.fest.engine.connect() as c:
            titles = {r.id: r.title for r in c.execute(sa.select(e.c.id, e.c.title).where(e.c.contest_id == aw["contest_id"]))}
            if aw["method"] == "scores":  # (the database averages: 2,300 films x 3 jurors x 5 marks stay there)
                s, ch = self.t["scores"], self.t["checks"]
                rows = c.execute(sa.select(s.c.entry_id, s.c.category, sa.func.avg(s.c.value),
                                           sa.func.count(sa.distinct(s.c.juror_id)))
                                 .join(ch, ch.c.id == s.c.check_id).join(e, e.c.id == s.c.entry_id)
                                 .where(s.c.award_id == award_id, ch.c.version == e.c.version,  # (the version
                                        e.c.reopened.is_(None),  # now judged: marks of an older one are set aside)
                                        sa.or_(e.c.ruling.is_(None), e.c.ruling != "disqualified"))
                                 .group_by(s.c.entry_id, s.c.category)).all()
                marks = weighted_marks(rows, aw["categories"])
            else:
                cmp = self.t["comparisons"]
                rows = c.execute(self._current_comparisons(
                    sa.select(cmp.c.entry_a, cmp.c.entry_b, cmp.c.winner, cmp.c.juror_id))
                    .where(cmp.c.award_id == award_id)).all()
                marks = bradley_terry([(r.entry_a, r.entry_b, r.winner) for r in rows])
                jurors: dict = {}
                for r in rows:
                    for x in (r.entry_a, r.entry_b):
                        jurors.setdefault(x, set()).add(r.juror_id)
                marks = {k: (v, len(jurors[k])) for k, v in marks.items()}
        out = [{"entry": k, "title": titles.get(k, "?"), "mark": round(v, 4), "jurors": n} for k, (v, n) in marks.items()]
        return ranks(sorted(out, key=lambda r: (-r["mark"], -r["jurors"], r["entry"])))

    def decide(self, organiser: dict, award_id: int, entry_id: int) -> None:
        """The organiser's winner of an award: an eligible entry the jury judged, at the version judged (the
        decision names its check, so its film's SHA-256: the results show that version whatever comes after)."""
        require_role(organiser, "organiser")
        sa = db._sa()
        aw = self.award(award_id)
        self._judging_open(aw["contest_id"], "winners are chosen")
        e, ch, d = self.t["entries"], self.t["checks"], self.t["decisions"]
        if entry_id not in {r["entry"] for r in self.ranking(organiser, award_id)}:
            with self.fest.engine.connect() as c:
                ok = c.execute(sa.select(e.c.id).join(ch, sa.and_(ch.c.entry_id == e.c.id, ch.c.version == e.c.version))
                               .where(e.c.id == entry_id, e.c.contest_id == aw["contest_id"],
                                      ch.c.passed.is_(True))).first()
            raise Refusal(400, "this film has no marks of the version now judged for this award: only a film the jury "
                               "judged can win" if ok else "only an eligible entry of this contest can win (its latest "
                                                           "check passed)")
        with self.fest.engine.begin() as c:
            check_id = self._judged_version(c, entry_id)
            sha = c.execute(sa.select(ch.c.film_sha).where(ch.c.id == check_id)).scalar()
            c.execute(d.delete().where(d.c.award_id == award_id))
            c.execute(d.insert().values(award_id=award_id, entry_id=entry_id, decided_by=organiser["id"],
                                        at=accounts.now(), check_id=check_id))
            self.fest._audit(c, organiser["id"], "award decided", {"award": aw["name"], "entry": entry_id,
                                                                  "check": check_id, "film": sha})

    def set_contest(self, organiser: dict, cid: int, **flags) -> None:
        """The organiser's switches: blind, scores_open (the phases move in phases.Phases.move)."""
        require_role(organiser, "organiser")
        bad = set(flags) - {"blind", "scores_open"}
        if bad:
            raise Refusal(400, f"{', '.join(sorted(bad))}: not a contest switch")
        with self.fest.engine.begin() as c:
            c.execute(self.t["contests"].update().where(self.t["contests"].c.id == cid).values(**{k: bool(v) for k, v in flags.items()}))
            self.fest._audit(c, organiser["id"], "contest changed", {k: bool(v) for k, v in flags.items()})

    def decisions(self, cid: int) -> dict[int, int]:
        sa = db._sa()
        d, aw = self.t["decisions"], self.t["awards"]
        with self.fest.engine.connect() as c:
            return {r.award_id: r.entry_id for r in c.execute(sa.select(d.c.award_id, d.c.entry_id)
                                                               .join(aw, aw.c.id == d.c.award_id).where(aw.c.contest_id == cid))}

    def results(self, cid: int) -> list[dict] | None:
        """The published results (None before): each award's winner with its entrant, AI share and disclosure
        (what the checker measured: the share and where it came from, the labels, the credentials)."""
        con = self.fest.contest(cid)
        if not con["published"]:
            return None
        sa = db._sa()
        e, u, d, ch = self.t["entries"], self.t["users"], self.t["decisions"], self.t["checks"]
        out = []
        with self.fest.engine.connect() as c:
            for aw in self.fest.awards(cid):
                # the version that won, from its check (its own title, synopsis, film and findings), never the
                # entry's latest
                row = c.execute(sa.select(e.c.id, ch.c.title, ch.c.synopsis, ch.c.version, ch.c.film_sha,
                                          ch.c.ai_share, ch.c.evidence, ch.c.findings, u.c.name, u.c.country)
                                .join(ch, ch.c.id == d.c.check_id).join(e, e.c.id == d.c.entry_id)
                                .join(u, u.c.id == e.c.entrant_id).where(d.c.award_id == aw["id"])).mappings().first()
                if row is None:
                    continue
                shown = {f["check"]: f["detail"] for f in row["findings"] or []
                         if f["check"] in ("ai_share", "visible_label", "aigc_tag", "c2pa")}
                out.append({"award": aw["name"], "entry": dict(row), "ai_share": row["ai_share"],
                            "evidence": row["evidence"] or "none", "disclosure": shown})
        return out


def weighted_marks(rows, categories: list[dict]) -> dict[int, tuple[float, int]]:
    """{entry: (weighted mean of its categories' means, how many jurors)} from (entry, category, mean of its
    marks, how many jurors marked it) rows; a category no juror marked counts as missing, and the weights of the
    marked ones are scaled to sum to one."""
    weights = {c["name"]: float(c["weight"]) for c in categories}
    by: dict = {}
    for entry, cat, mean, jurors in rows:
        if cat in weights:
            by.setdefault(entry, {})[cat] = (float(mean), int(jurors))
    out = {}
    for entry, means in by.items():
        total = sum(weights[k] for k in means)
        out[entry] = (sum(weights[k] * m for k, (m, _) in means.items()) / total, max(n for _, n in means.values()))
    return out


def bradley_terry(results: list[tuple[int, int, int | None]], iterations: int = 1000, tol: float = 1e-9) -> dict[int, float]:
    """Bradley-Terry strengths (geometric mean 1) from (a, b, winner) comparisons, by Hunter's MM algorithm, each
    film also drawing once with a virtual average film (strength 1): a film never preferred keeps a finite
    strength, and the fit exists whatever the comparisons' graph looks like. A comparison whose winner is None
    ("about equal") counts as half a win for each film (the usual treatment of ties in the MM fit: two films
    judged equal every time end with equal strengths). (numpy: 2,300 films and 14,000 comparisons fit in a
    fraction of a second.)"""
    import numpy as np
    films = sorted({x for a, b, _ in results for x in (a, b)})
    if not films:
        return {}
    index = {f: i for i, f in enumerate(films)}
    a = np.array([index[r[0]] for r in results])
    b = np.array([index[r[1]] for r in results])
    wins = np.full(len(films), 0.5)  # the virtual draw: half a win
    decided = [index[r[2]] for r in results if r[2] is not None]
    if decided:
        np.add.at(wins, np.array(decided), 1.0)
    for r in results:
        if r[2] is None:
            wins[index[r[0]]] += 0.5
            wins[index[r[1]]] += 0.5
    p = np.ones(len(films))
    for _ in range(iterations):
        share = 1.0 / (p[a] + p[b])
        denom = 1.0 / (p + 1.0)  # the virtual game against strength 1
        np.add.at(denom, a, share)
        np.add.at(denom, b, share)
        new = wins / denom
        new /= np.exp(np.log(new).mean())
        done = np.max(np.abs(new - p)) < tol
        p = new
        if done:
            break
    return {f: float(p[i]) for f, i in index.items()}


def ranks(rows: list[dict], rel: float = 1e-6) -> list[dict]:
    """Rows sorted best first (by "mark") with their "rank" and whether it is "tied": films whose marks are equal
    (within `rel`, the fit's own precision) share a rank, and the next one skips as many places (1, 1, 3: the
    competition ranking), instead of being ranked 1 and 2 as if one were better."""
    out, prev = [], None
    for i, r in enumerate(rows):
        same = prev is not None and abs(r["mark"] - prev["mark"]) <= rel * max(1.0, abs(prev["mark"]))
        rank = prev["rank"] if same else i + 1
        r = {**r, "rank": rank, "tied": False}
        if same:
            r["tied"] = True
            out[-1]["tied"] = True
        out.append(r)
        prev = r
    return out


def _spread(a: int, b: int) -> int:
    """A fixed pseudo-random order (ties broken the same way every time, differently per juror)."""
    return int.from_bytes(hashlib.sha256(f"{a}:{b}".encode()).digest()[:8], "big")
