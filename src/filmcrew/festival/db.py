"""The festival's database: its tables (SQLAlchemy Core), where it lives, and its schema migrations (Alembic).

A festival folder holds `festival.toml` (which database; never a password: PostgreSQL's comes from the
environment, PGPASSWORD or ~/.pgpass, as libpq reads it), the films (content-addressed) and, by default, the
SQLite database `festival.db`. `--database postgresql://USER@HOST/NAME` runs it on PostgreSQL (psycopg 3).
The schema is changed only by migrations (`migrations/versions/`); `migrate` brings a database to the newest,
and `filmcrew festival init` and `serve` run it, so an older festival's data is carried forward, never dropped.
Times are seconds since the epoch (a float): the same on both databases.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, FilmcrewError

INSTALL = "pip install 'filmcrew[festival]'"
MIGRATIONS = Path(__file__).parent / "migrations"


def _sa():
    try:
        import sqlalchemy
    except ImportError:
        raise FilmcrewError(f"the festival needs SQLAlchemy, Alembic and Argon2: {INSTALL}") from None
    return sqlalchemy


def tables():
    """The schema as the code reads it (migrations/versions/ builds the same; a test holds them equal)."""
    sa = _sa()
    md = sa.MetaData()
    t = {}
    t["users"] = sa.Table(
        "users", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),  # lower-cased
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("country", sa.String(80), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(200), nullable=False),  # Argon2id; "" until an invited juror sets one
        sa.Column("role", sa.String(16), nullable=False),  # organiser, entrant, juror
        sa.Column("invite_hash", sa.String(64), nullable=True),  # a juror's invitation (sha256 of its token)
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("reset_hash", sa.String(64), nullable=True),  # a password reset link's token (sha256; 0003)
        sa.Column("reset_until", sa.Float, nullable=True))
    t["sessions"] = sa.Table(
        "sessions", md,
        sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the cookie's token
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False))
    t["attempts"] = sa.Table(  # what the rate limits count (logins, uploads), by who or from where
        "attempts", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("who", sa.String(300), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Index("ix_attempts_kind_who_at", "kind", "who", "at"))
    t["contests"] = sa.Table(
        "contests", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),  # the rules: a `filmcrew check` profile, copied at creation
        sa.Column("deadline", sa.Float, nullable=False),
        sa.Column("max_bytes", sa.BigInteger, nullable=False),
        sa.Column("blind", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("scores_open", sa.Boolean, nullable=False, server_default=sa.false()),  # jurors see each other's
        sa.Column("created_at", sa.Float, nullable=False),
        # open -> judging -> decided -> published (0003; it replaced a `published` flag)
        sa.Column("phase", sa.String(16), nullable=False, server_default="open"))
    t["awards"] = sa.Table(
        "awards", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contest_id", sa.Integer, sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),  # scores (weighted categories) or pairwise
        sa.Column("categories", sa.JSON, nullable=False),  # [{"name": ..., "weight": ...}]
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("contest_id", "name", name="uq_awards_contest_name"))
    t["entries"] = sa.Table(
        "entries", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contest_id", sa.Integer, sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("entrant_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("synopsis", sa.Text, nullable=False, server_default=""),
        sa.Column("credits", sa.Text, nullable=False, server_default=""),
        sa.Column("film_sha", sa.String(64), nullable=False),
        sa.Column("film_bytes", sa.BigInteger, nullable=False),
        sa.Column("provenance_sha", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),  # 1, then one more at each resubmission
        sa.Column("submitted_at", sa.Float, nullable=False),
        # (0003) the organiser reopened it during judging for a new version (why), and their ruling on a copy flag
        sa.Column("reopened", sa.String(300), nullable=True),
        sa.Column("ruling", sa.String(16), nullable=True),  # kept, disqualified
        sa.Column("ruling_note", sa.String(300), nullable=True))
    t["checks"] = sa.Table(  # one per entry version: the background job and, once done, its findings
        "checks", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("film_sha", sa.String(64), nullable=False),
        sa.Column("provenance_sha", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),  # queued, running, done, error
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lease_until", sa.Float, nullable=True),  # a running job not finished by then is queued again
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.Column("ai_share", sa.Float, nullable=True),
        sa.Column("findings", sa.JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.Column("evidence", sa.String(16), nullable=True),  # the AI share's: verified, declared, none (0003)
        sa.Column("fingerprint", sa.Text, nullable=True),  # a 64-bit picture hash a second (copies.py; 0003)
        sa.Column("title", sa.String(200), nullable=True),  # the version's own words, kept (0003)
        sa.Column("synopsis", sa.Text, nullable=True),
        sa.UniqueConstraint("entry_id", "version", name="uq_checks_entry_version"))
    t["uploads"] = sa.Table(  # a film arriving in pieces (resumable): uploads/ID.part on disk
        "uploads", md,
        sa.Column("id", sa.String(43), primary_key=True),  # a random token
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("contest_id", sa.Integer, sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),  # what the browser said it will send
        sa.Column("received", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("sha", sa.String(64), nullable=True),  # once whole and stored
        sa.Column("created_at", sa.Float, nullable=False))
    t["audit"] = sa.Table(
        "audit", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False))
    # the jury (migration 0002)
    t["conflicts"] = sa.Table(  # a juror never judges an entrant they are close to (declared by either side)
        "conflicts", md,
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entrant_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("declared_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("reason", sa.String(300), nullable=False, server_default=""),
        sa.Column("at", sa.Float, nullable=False))
    t["assignments"] = sa.Table(
        "assignments", md,
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True, index=True),
        sa.Column("at", sa.Float, nullable=False))
    t["scores"] = sa.Table(
        "scores", md,
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True, index=True),
        sa.Column("award_id", sa.Integer, sa.ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("category", sa.String(60), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        # the version judged (0003): marks of an older version are set aside
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=True))
    t["comparisons"] = sa.Table(
        "comparisons", md,
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("award_id", sa.Integer, sa.ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_a", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_b", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("winner", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=True),  # None:
        sa.Column("at", sa.Float, nullable=False),  # "about equal" (0003)
        # the versions compared (0003)
        sa.Column("check_a", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=True),
        sa.Column("check_b", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=True))
    t["decisions"] = sa.Table(  # the organiser's winner of each award (what the results page shows)
        "decisions", md,
        sa.Column("award_id", sa.Integer, sa.ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("at", sa.Float, nullable=False),
        # the version that won (0003): the results show it (its title, synopsis, check, AI share), whatever comes after
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id", ondelete="SET NULL"), nullable=True))
    # (0003) what a juror says of a film, for the organiser; and the films that look like copies of one another
    t["comments"] = sa.Table(
        "comments", md,
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True, index=True),
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False))
    t["copies"] = sa.Table(  # one row a pair of entries (entry_a < entry_b) of two entrants, each at a version
        "copies", md,
        sa.Column("entry_a", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_b", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True, index=True),
        sa.Column("check_a", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("check_b", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),  # identical (the same bytes) or similar (pictures)
        sa.Column("runs", sa.JSON, nullable=False),  # [[a's start s, b's start s, seconds], ...]
        sa.Column("at", sa.Float, nullable=False))
    return md, t


def url_for(folder: Path, database: str | None) -> str:
    """The SQLAlchemy URL: SQLite in the folder unless `database` names PostgreSQL (postgresql://...)."""
    if not database:
        return f"sqlite:///{Path(folder).resolve() / 'festival.db'}"
    if database.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        rest = database.split("://", 1)[1]
        if "@" in rest and ":" in rest.split("@", 1)[0]:
            raise ConfigError("--database: a password in the address would be written to festival.toml; give it "
                              "in PGPASSWORD (or ~/.pgpass) and leave it out of the address")
        return "postgresql+psycopg://" + rest
    if database.startswith("sqlite:///"):
        return database
    raise ConfigError(f"--database {database!r}: give postgresql://USER@HOST[:PORT]/NAME, or leave it out for SQLite "
                      f"in the festival's folder")


def engine(url: str):
    sa = _sa()
    if url.startswith("sqlite"):
        eng = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(eng, "connect")
        def _pragmas(conn, _):  # foreign keys kept, readers never blocked by the one writer
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
        return eng
    import importlib.util
    if importlib.util.find_spec("psycopg") is None:
        raise FilmcrewError(f"PostgreSQL needs psycopg: {INSTALL}")
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def migrate(url: str, revision: str = "head", down: bool = False) -> None:
    """Bring the database at `url` up to `revision` (the newest by default) with the festival's migrations, or
    down to it (`down`: "base" empties it; for an organiser who must go back to an older filmcrew)."""
    _sa()
    try:
        from alembic import command
        from alembic.config import Config
    except ImportError:
        raise FilmcrewError(f"the festival needs Alembic: {INSTALL}") from None
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    (command.downgrade if down else command.upgrade)(cfg, revision)


def revision(url: str) -> str | None:
    """The database's schema revision (None: an empty database)."""
    from alembic.runtime.migration import MigrationContext
    eng = engine(url)
    try:
        with eng.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        eng.dispose()
