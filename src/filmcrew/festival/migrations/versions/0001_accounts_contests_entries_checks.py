"""accounts, contests and their awards, entries, checks, uploads, the audit log

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("country", sa.String(80), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("invite_hash", sa.String(64), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False))
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False))
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("who", sa.String(300), nullable=False),
        sa.Column("at", sa.Float, nullable=False))
    op.create_index("ix_attempts_kind_who_at", "attempts", ["kind", "who", "at"])
    op.create_table(
        "contests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("deadline", sa.Float, nullable=False),
        sa.Column("max_bytes", sa.BigInteger, nullable=False),
        sa.Column("blind", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("scores_open", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Float, nullable=False))
    op.create_table(
        "awards",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contest_id", sa.Integer, sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("contest_id", "name", name="uq_awards_contest_name"))
    op.create_index("ix_awards_contest_id", "awards", ["contest_id"])
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contest_id", sa.Integer, sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("entrant_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("synopsis", sa.Text, nullable=False, server_default=""),
        sa.Column("credits", sa.Text, nullable=False, server_default=""),
        sa.Column("film_sha", sa.String(64), nullable=False),
        sa.Column("film_bytes", sa.BigInteger, nullable=False),
        sa.Column("provenance_sha", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("submitted_at", sa.Float, nullable=False))
    op.create_index("ix_entries_contest_id", "entries", ["contest_id"])
    op.create_index("ix_entries_entrant_id", "entries", ["entrant_id"])
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("film_sha", sa.String(64), nullable=False),
        sa.Column("provenance_sha", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("passed", sa.Boolean, nullable=True),
        sa.Column("ai_share", sa.Float, nullable=True),
        sa.Column("findings", sa.JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.UniqueConstraint("entry_id", "version", name="uq_checks_entry_version"))
    op.create_index("ix_checks_entry_id", "checks", ["entry_id"])
    op.create_index("ix_checks_state", "checks", ["state"])
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(43), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("contest_id", sa.Integer, sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("sha", sa.String(64), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False))
    op.create_index("ix_uploads_user_id", "uploads", ["user_id"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False))


def downgrade() -> None:
    for name in ("audit", "uploads", "checks", "entries", "awards", "contests", "attempts", "sessions", "users"):
        op.drop_table(name)
