"""the jury: conflicts of interest, assignments, scores, pairwise comparisons, the organiser's decisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conflicts",
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entrant_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("declared_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("reason", sa.String(300), nullable=False, server_default=""),
        sa.Column("at", sa.Float, nullable=False))
    op.create_table(
        "assignments",
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("at", sa.Float, nullable=False))
    op.create_index("ix_assignments_entry_id", "assignments", ["entry_id"])
    op.create_table(
        "scores",
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("award_id", sa.Integer, sa.ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("category", sa.String(60), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("at", sa.Float, nullable=False))
    op.create_index("ix_scores_entry_id", "scores", ["entry_id"])
    op.create_table(
        "comparisons",
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("award_id", sa.Integer, sa.ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_a", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_b", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("winner", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.Float, nullable=False))
    op.create_table(
        "decisions",
        sa.Column("award_id", sa.Integer, sa.ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("at", sa.Float, nullable=False))


def downgrade() -> None:
    for name in ("decisions", "comparisons", "scores", "assignments", "conflicts"):
        op.drop_table(name)
