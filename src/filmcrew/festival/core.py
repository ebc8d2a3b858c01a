"""The festival's folder and what is done in it: contests, accounts, sessions, films, entries, the audit log.

Every operation that shows or changes something takes the acting user and refuses what their role may not do
(the web pages ask the same functions: roles are enforced here, not only by hiding links).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from ..engine import atomic
from ..errors import ConfigError
from ..provenance import check as check_mod
from . import accounts, db
from .accounts import Refusal, require_role
from .films import Films, _open

CONFIG = "festival.toml"
DEFAULT_AWARDS = [  # what `init` sets up when no awards file is given (the organiser changes them before judging)
    {"name": "Best Film", "method": "scores",
     "categories": [{"name": "story", "weight": 0.4}, {"name": "craft", "weight": 0.3}, {"name": "creativity", "weight": 0.3}]},
    {"name": "Best Creativity", "method": "pairwise", "categories": [{"name": "creativity", "weight": 1.0}]},
    {"name": "Best Narration", "method": "scores",
     "categories": [{"name": "narration", "weight": 0.7}, {"name": "voices", "weight": 0.3}]},
]


class Festival(Films):
    """A festival folder: festival.toml, films/ (content-addressed), uploads/ (pieces arriving), store/ (the
    checks' results, by content key), and the database."""

    def __init__(self, folder: Path, database: str | None = None):
        self.folder = Path(folder).resolve()
        cfg = self.folder / CONFIG
        if not cfg.is_file():
            raise ConfigError(f"{self.folder}: no {CONFIG}; make the festival first: filmcrew festival init "
                              f"{self.folder} --profile iqiyi-2025")
        import tomllib
        try:
            conf = tomllib.loads(cfg.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{cfg}: {err}") from None
        self.url = db.url_for(self.folder, database) if database else conf.get("database") or db.url_for(self.folder, None)
        from .mail import Mailer
        self.mailer = Mailer.from_config(conf, str(cfg))  # None: no e-mail; the organiser passes links on
        self.public_url = conf.get("public_url") if isinstance(conf.get("public_url"), str) else None
        self.md, self.t = db.tables()
        self.engine = db.engine(self.url)
        self.films = self.folder / "films"
        self.uploads = self.folder / "uploads"
        self._guard = threading.Lock()
        self._piece_locks: dict[str, threading.Lock] = {}  # one piece at a time per upload

    # ---- set-up ------------------------------------------------------------------------------------------
    @staticmethod
    def init(folder: Path, profile: str, database: str | None = None, organiser: str = "", password: str = "",
             title: str = "", deadline: float | None = None, max_mb: int = 500, awards: list | None = None) -> tuple[
                 "Festival", str]:
        """Make the festival folder, its database (migrated to the newest schema), the contest from `profile`
        and its organiser's account. (the festival, the organiser's password: `password`, or a new random one)."""
        folder = Path(folder).resolve()
        if (folder / CONFIG).exists():
            raise ConfigError(f"{folder / CONFIG} exists: this folder is a festival already (serve it, or choose "
                              f"another folder)")
        rules = check_mod.load_profile(profile, path=profile.endswith(".json"))
        email = accounts.check_new_account(organiser or "organiser@localhost.localdomain", "Organiser",
                                           password or "x" * accounts.MIN_PASSWORD)
        password = password or accounts.new_token()[:20]
        url = db.url_for(folder, database)
        folder.mkdir(parents=True, exist_ok=True)
        for sub in ("films", "uploads", "store"):
            (folder / sub).mkdir(exist_ok=True)
        db.migrate(url)
        atomic.write_text(folder / CONFIG, f'# the festival\'s database (a PostgreSQL password comes from PGPASSWORD '
                                           f'or ~/.pgpass, never from here)\ndatabase = "{url}"\n')
        fest = Festival(folder)
        with fest.engine.begin() as c:
            uid = c.execute(fest.t["users"].insert().values(
                email=email, name="Organiser", password_hash=accounts.hash_password(password), role="organiser",
                created_at=accounts.now())).inserted_primary_key[0]
            cid = c.execute(fest.t["contests"].insert().values(
                slug=_slug(rules["name"]), title=title or (rules.get("title") or rules["name"]).split(":")[0], profile=rules,
                deadline=deadline or accounts.now() + 30 * 86400, max_bytes=int(max_mb) * 1024 * 1024,
                created_at=accounts.now())).inserted_primary_key[0]
            for i, a in enumerate(awards or DEFAULT_AWARDS):
                _check_award(a, i)
                c.execute(fest.t["awards"].insert().values(contest_id=cid, name=a["name"], method=a["method"],
                                                           categories=a["categories"], position=i))
            fest._audit(c, uid, "festival created", {"profile": rules["name"], "contest": cid})
        return fest, password

    def close(self) -> None:
        self.engine.dispose()

    def trust_anchors(self) -> str | None:
        """The PEM certificates of the signers this festival trusts (its own authority, keys/ca.pem, made by
        `filmcrew festival keys`, and any CA.pem put in trust/): a film whose C2PA manifest one of them signed
        has a "verified" AI share here."""
        files = [self.folder / "keys" / "ca.pem", *sorted((self.folder / "trust").glob("*.pem"))]
        pems = [f.read_text(encoding="ascii").strip() for f in files if f.is_file()]
        return "\n".join(pems) or None

    def _audit(self, c, user_id, action: str, detail: dict) -> None:
        c.execute(self.t["audit"].insert().values(at=accounts.now(), user_id=user_id, action=action, detail=detail))

    # ---- accounts ----------------------------------------------------------------------------------------
    def register(self, email: str, name: str, password: str, country: str = "", ip: str = "") -> int:
        """An entrant's new account (its id); Refusal when the e-mail is taken or a field is wrong."""
        email = accounts.check_new_account(email, name, password)
        if ip:
            self.limit("register-ip", ip)
        sa = db._sa()
        with self.engine.begin() as c:
            if c.execute(sa.select(self.t["users"].c.id).where(self.t["users"].c.email == email)).first():
                raise Refusal(409, "e-mail: an account with this address exists; sign in instead")
            uid = c.execute(self.t["users"].insert().values(
                email=email, name=name.strip(), country=(country or "").strip()[:80],
                password_hash=accounts.hash_password(password), role="entrant",
                created_at=accounts.now())).inserted_primary_key[0]
            if ip:
                self._count(c, "register-ip", ip)
        return uid

    def limit(self, kind: str, who: str) -> None:
        """Refusal (429, with when to try again) when `who` has used up `kind`'s allowance (accounts.LIMITS)."""
        sa = db._sa()
        most, window = accounts.LIMITS[kind]
        a = self.t["attempts"]
        since = accounts.now() - window
        with self.engine.connect() as c:
            rows = c.execute(sa.select(a.c.at).where(a.c.kind == kind, a.c.who == who, a.c.at > since)
                             .order_by(a.c.at).limit(most)).all()
        if len(rows) >= most:
            wait = int(rows[0].at + window - accounts.now()) + 1
            raise Refusal(429, f"too many tries; try again in {wait // 60 + 1} minute(s)", retry_after=wait)

    def _count(self, c, kind: str, who: str) -> None:
        c.execute(self.t["attempts"].insert().values(kind=kind, who=who, at=accounts.now()))

    def login(self, email: str, password: str, ip: str = "") -> tuple[str, dict]:
        """(the session's token for the cookie, the user) or Refusal; failures count against the e-mail and the
        address, and an unknown e-mail takes as long to refuse as a wrong password."""
        sa = db._sa()
        email = (email or "").strip().lower()
        self.limit("login-user", email)
        if ip:
            self.limit("login-ip", ip)
        u = self.t["users"]
        with self.engine.connect() as c:
            row = c.execute(sa.select(u).where(u.c.email == email)).mappings().first()
        ok = accounts.verify_password(row["password_hash"] if row else accounts.dummy_hash(), password or "")
        if not (row and ok):
            with self.engine.begin() as c:
                self._count(c, "login-user", email)
                if ip:
                    self._count(c, "login-ip", ip)
            raise Refusal(401, "the e-mail or the password is wrong")
        token = accounts.new_token()
        with self.engine.begin() as c:
            c.execute(self.t["sessions"].insert().values(
                token_hash=accounts.token_hash(token), user_id=row["id"], csrf=accounts.new_token(),
                created_at=accounts.now(), expires_at=accounts.now() + accounts.SESSION_S))
            c.execute(self.t["sessions"].delete().where(self.t["sessions"].c.expires_at < accounts.now()))
        return token, dict(row)

    def session(self, token: str | None) -> dict | None:
        """The signed-in user of a session token ({id, email, name, role, csrf}), or None."""
        if not token:
            return None
        sa = db._sa()
        s, u = self.t["sessions"], self.t["users"]
        with self.engine.connect() as c:
            row = c.execute(sa.select(u.c.id, u.c.email, u.c.name, u.c.role, s.c.csrf)
                            .join(s, s.c.user_id == u.c.id)
                            .where(s.c.token_hash == accounts.token_hash(token), s.c.expires_at > accounts.now())
                            ).mappings().first()
        return dict(row) if row else None

    def change_password(self, user: dict, current: str, new: str, keep_token: str | None = None) -> None:
        """A signed-in person's new password (the current one asked again); their other sessions end."""
        sa = db._sa()
        u, s = self.t["users"], self.t["sessions"]
        self.limit("login-user", user["email"])  # (a stolen session does not get to guess more than a sign-in)
        with self.engine.connect() as c:
            stored = c.execute(sa.select(u.c.password_hash).where(u.c.id == user["id"])).scalar()
        if not accounts.verify_password(stored or "", current or ""):
            with self.engine.begin() as c:
                self._count(c, "login-user", user["email"])
            raise Refusal(403, "the current password is wrong")
        accounts.check_new_account(user["email"], user["name"], new)
        with self.engine.begin() as c:
            c.execute(u.update().where(u.c.id == user["id"]).values(password_hash=accounts.hash_password(new)))
            c.execute(s.delete().where(s.c.user_id == user["id"],
                                       s.c.token_hash != accounts.token_hash(keep_token or "")))
            self._audit(c, user["id"], "password changed", {})

    def logout(self, token: str) -> None:
        with self.engine.begin() as c:
            c.execute(self.t["sessions"].delete().where(self.t["sessions"].c.token_hash == accounts.token_hash(token)))

    # ---- contests ----------------------------------------------------------------------------------------
    def contests(self) -> list[dict]:
        sa = db._sa()
        with self.engine.connect() as c:
            return [_phased(r) for r in c.execute(sa.select(self.t["contests"]).order_by(self.t["contests"].c.id)).mappings()]

    def contest(self, cid: int | None = None) -> dict:
        """A contest by id (the festival's first when None). (Every request asks: one row, not the list.)"""
        sa = db._sa()
        con = self.t["contests"]
        q = sa.select(con).order_by(con.c.id).limit(1)
        with self.engine.connect() as c:
            row = c.execute(q if cid is None else q.where(con.c.id == cid)).mappings().first()
        if row is None:
            raise Refusal(404, "no such contest")
        return _phased(row)

    def edit_contest(self, organiser: dict, cid: int, title: str, deadline: float, max_mb: int) -> None:
        """The organiser changes the contest's name, deadline (a later or an earlier one) and largest film."""
        require_role(organiser, "organiser")
        title = (title or "").strip()
        if not title or len(title) > 200:
            raise Refusal(400, "title: the contest's name (at most 200 characters)")
        if not 1 <= int(max_mb) <= 100_000:
            raise Refusal(400, "largest film: a size in MB from 1 to 100000")
        old = self.contest(cid)
        with self.engine.begin() as c:
            c.execute(self.t["contests"].update().where(self.t["contests"].c.id == cid).values(
                title=title, deadline=float(deadline), max_bytes=int(max_mb) * 1024 * 1024))
            self._audit(c, organiser["id"], "contest edited", {
                "title": [old["title"], title], "deadline": [old["deadline"], float(deadline)],
                "max_mb": [old["max_bytes"] // 2**20, int(max_mb)]})

    def awards(self, cid: int) -> list[dict]:
        sa = db._sa()
        a = self.t["awards"]
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(sa.select(a).where(a.c.contest_id == cid).order_by(a.c.position)).mappings()]

    # ---- entries -----------------------------------------------------------------------------------------
    def submit(self, user: dict, cid: int, upload_id: str, title: str, synopsis: str = "", credits: str = "",
               provenance: bytes | None = None, entry_id: int | None = None) -> int:
        """A new entry, or a new version of the user's entry `entry_id`, from a whole upload; its check is queued.
        The entry's id."""
        sa = db._sa()
        require_role(user, "entrant")
        con = self.contest(cid)
        if entry_id is None or not self._reopened(user, cid, entry_id):
            _open(con)
        up = self.upload(user, upload_id)
        if not up["sha"] or up["contest_id"] != cid:
            raise Refusal(409, "the film has not all arrived yet: wait for the upload to finish")
        title = (title or "").strip()
        if not title or len(title) > 200:
            raise Refusal(400, "title: the film's title (at most 200 characters)")
        if len(synopsis or "") > 5000 or len(credits or "") > 5000:
            raise Refusal(400, "synopsis and credits: at most 5000 characters each")
        prov_sha = self._keep_provenance(provenance) if provenance else None
        e, ch = self.t["entries"], self.t["checks"]
        now = accounts.now()
        with self.engine.begin() as c:
            if entry_id is None:
                entry_id = c.execute(e.insert().values(
                    contest_id=cid, entrant_id=user["id"], title=title, synopsis=synopsis or "", credits=credits or "",
                    film_sha=up["sha"], film_bytes=up["size"], provenance_sha=prov_sha, version=1,
                    submitted_at=now)).inserted_primary_key[0]
                version = 1
            else:
                old = c.execute(sa.select(e).where(e.c.id == entry_id, e.c.entrant_id == user["id"],
                                                   e.c.contest_id == cid)).mappings().first()
                if old is None:
                    raise Refusal(404, "no such entry of yours")
                if con["phase"] != "open" and not old["reopened"]:
                    raise Refusal(409, f"judging has begun ({con['phase']}): the film judged stays the one judged; "
                                       f"no new version unless the organiser reopens this entry")
                version = old["version"] + 1
                c.execute(e.update().where(e.c.id == entry_id).values(
                    title=title, synopsis=synopsis or "", credits=credits or "", film_sha=up["sha"],
                    film_bytes=up["size"], provenance_sha=prov_sha, version=version, submitted_at=now, reopened=None))
                cp = self.t["copies"]  # (its copy flags were of the old version; the new one's check looks again)
                c.execute(cp.delete().where(sa.or_(cp.c.entry_a == entry_id, cp.c.entry_b == entry_id)))
            c.execute(ch.insert().values(entry_id=entry_id, version=version, film_sha=up["sha"], provenance_sha=prov_sha,
                                         state="queued", attempts=0, created_at=now, title=title,
                                         synopsis=synopsis or ""))
            c.execute(self.t["uploads"].delete().where(self.t["uploads"].c.id == upload_id))
            self._audit(c, user["id"], "entry submitted", {"entry": entry_id, "version": version, "film": up["sha"]})
        return entry_id

    def entry(self, user: dict | None, entry_id: int) -> dict:
        """An entry with its latest check, as `user` may see it; Refusal (404: not a word on whether it exists)
        for an entrant's other entries and for anyone not signed in."""
        sa = db._sa()
        e, u = self.t["entries"], self.t["users"]
        if user is None:
            raise Refusal(404, "no such entry")
        with self.engine.connect() as c:
            row = c.execute(sa.select(e, u.c.name.label("entrant"), u.c.country).join(u, u.c.id == e.c.entrant_id)
                            .where(e.c.id == entry_id)).mappings().first()
        if row is None or not self.may_see(user, dict(row)):
            raise Refusal(404, "no such entry")
        out = dict(row)
        out["check"] = self.latest_check(entry_id)
        if user["role"] == "juror" and self.contest(out["contest_id"])["blind"]:
            out["entrant"] = out["country"] = out["credits"] = None  # (credits name people too)
            out["entrant_id"] = None
        return out

    def _reopened(self, user: dict, cid: int, entry_id: int | None = None) -> bool:
        """Whether the organiser has reopened this entrant's entry (`entry_id`, or any of theirs) for a new version."""
        sa = db._sa()
        e = self.t["entries"]
        q = sa.select(e.c.id).where(e.c.entrant_id == user["id"], e.c.contest_id == cid, e.c.reopened.is_not(None))
        if entry_id is not None:
            q = q.where(e.c.id == entry_id)
        with self.engine.connect() as c:
            return c.execute(q.limit(1)).first() is not None

    def set_aside(self, entry_id: int) -> int:
        """How many marks and comparisons of this entry are set aside: given to a version no longer judged (the
        organiser reopened it, and a new version came), or while it is reopened."""
        sa = db._sa()
        e, ch, s, cmp = self.t["entries"], self.t["checks"], self.t["scores"], self.t["comparisons"]
        with self.engine.connect() as c:
            row = c.execute(sa.select(e.c.version, e.c.reopened).where(e.c.id == entry_id)).first()
            if row is None:
                return 0
            old = sa.select(ch.c.id).where(ch.c.entry_id == entry_id, ch.c.version != row.version)
            marks = c.execute(sa.select(sa.func.count()).select_from(s).where(
                s.c.entry_id == entry_id, *(() if row.reopened else (s.c.check_id.in_(old),)))).scalar()
            pairs = c.execute(sa.select(sa.func.count()).select_from(cmp).where(
                sa.or_(cmp.c.entry_a == entry_id, cmp.c.entry_b == entry_id),
                *(() if row.reopened else (sa.or_(cmp.c.check_a.in_(old), cmp.c.check_b.in_(old)),)))).scalar()
        return int(marks or 0) + int(pairs or 0)

    def may_see(self, user: dict, entry: dict) -> bool:
        """The organiser sees every entry, an entrant their own, a juror those assigned to them (jury.py)."""
        if user["role"] == "organiser":
            return True
        if user["role"] == "entrant":
            return entry["entrant_id"] == user["id"]
        sa = db._sa()
        a = self.t["assignments"]
        with self.engine.connect() as c:
            return c.execute(sa.select(a.c.juror_id).where(a.c.juror_id == user["id"], a.c.entry_id == entry["id"])
                             ).first() is not None

    def latest_check(self, entry_id: int) -> dict | None:
        sa = db._sa()
        ch = self.t["checks"]
        with self.engine.connect() as c:
            row = c.execute(sa.select(ch).where(ch.c.entry_id == entry_id).order_by(ch.c.version.desc()).limit(1)
                            ).mappings().first()
        return dict(row) if row else None

    def my_entries(self, user: dict, cid: int) -> list[dict]:
        require_role(user, "entrant")
        return self._entries(cid, user["id"])

    def all_entries(self, user: dict, cid: int) -> list[dict]:
        require_role(user, "organiser")
        return self._entries(cid, None)

    def _entries(self, cid: int, entrant: int | None) -> list[dict]:
        sa = db._sa()
        e, u, ch = self.t["entries"], self.t["users"], self.t["checks"]
        q = (sa.select(e, u.c.name.label("entrant"), u.c.country, ch.c.state, ch.c.passed, ch.c.ai_share, ch.c.error,
                       ch.c.evidence)
             .join(u, u.c.id == e.c.entrant_id)
             .outerjoin(ch, sa.and_(ch.c.entry_id == e.c.id, ch.c.version == e.c.version))
             .where(e.c.contest_id == cid).order_by(e.c.id))
        if entrant is not None:
            q = q.where(e.c.entrant_id == entrant)
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(q).mappings()]

    def audit_log(self, user: dict, limit: int = 500) -> list[dict]:
        sa = db._sa()
        require_role(user, "organiser")
        a, u = self.t["audit"], self.t["users"]
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(sa.select(a, u.c.email).outerjoin(u, u.c.id == a.c.user_id)
                                               .order_by(a.c.id.desc()).limit(limit)).mappings()]


def _phased(row) -> dict:
    """A contest row with what its phase means: `published`, and whether `entries_open` (the phase is open and
    the deadline has not passed: the deadline closes entries by itself)."""
    out = dict(row)
    out["published"] = out["phase"] == "published"
    out["entries_open"] = out["phase"] == "open" and accounts.now() <= out["deadline"]
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "contest"


def _check_award(a: dict, i: int) -> None:
    where = f"awards[{i}]"
    if not isinstance(a, dict) or not str(a.get("name", "")).strip():
        raise ConfigError(f"{where}: an award is an object with a name, a method (scores or pairwise) and categories")
    if a.get("method") not in ("scores", "pairwise"):
        raise ConfigError(f"{where} ({a['name']}): method must be scores (weighted categories) or pairwise")
    cats = a.get("categories")
    if not isinstance(cats, list) or not cats or not all(
            isinstance(c, dict) and str(c.get("name", "")).strip() and isinstance(c.get("weight"), (int, float))
            and c["weight"] > 0 for c in cats):
        raise ConfigError(f"{where} ({a['name']}): categories is a list of {{\"name\": ..., \"weight\": > 0}}")

