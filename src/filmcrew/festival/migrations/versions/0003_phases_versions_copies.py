"""a contest that cannot be cheated (issue 31): phases, the version judged named by every mark, comparison and
decision, "about equal", jurors' comments, copy flags, evidence and fingerprints of checks, password resets

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-12
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CURRENT = ("(SELECT c.id FROM checks c JOIN entries e ON e.id = c.entry_id AND c.version = e.version "
           "WHERE e.id = {})")


def upgrade() -> None:
    with op.batch_alter_table("users") as b:
        b.add_column(sa.Column("reset_hash", sa.String(64), nullable=True))
        b.add_column(sa.Column("reset_until", sa.Float, nullable=True))
    with op.batch_alter_table("contests") as b:
        b.add_column(sa.Column("phase", sa.String(16), nullable=False, server_default="open"))
    op.execute("UPDATE contests SET phase = 'published' WHERE published")
    with op.batch_alter_table("contests") as b:
        b.drop_column("published")
    with op.batch_alter_table("entries") as b:
        b.add_column(sa.Column("reopened", sa.String(300), nullable=True))
        b.add_column(sa.Column("ruling", sa.String(16), nullable=True))
        b.add_column(sa.Column("ruling_note", sa.String(300), nullable=True))
    with op.batch_alter_table("checks") as b:
        b.add_column(sa.Column("evidence", sa.String(16), nullable=True))
        b.add_column(sa.Column("fingerprint", sa.Text, nullable=True))
        b.add_column(sa.Column("title", sa.String(200), nullable=True))
        b.add_column(sa.Column("synopsis", sa.Text, nullable=True))
    # what the current versions said (older versions' words were overwritten before this migration)
    op.execute("UPDATE checks SET title = (SELECT e.title FROM entries e WHERE e.id = checks.entry_id), "
               "synopsis = (SELECT e.synopsis FROM entries e WHERE e.id = checks.entry_id) "
               "WHERE version = (SELECT e.version FROM entries e WHERE e.id = checks.entry_id)")
    with op.batch_alter_table("scores") as b:
        b.add_column(sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id", name="fk_scores_check_id",
                                                                      ondelete="CASCADE"), nullable=True))
    op.execute("UPDATE scores SET check_id = " + CURRENT.format("scores.entry_id"))
    with op.batch_alter_table("comparisons") as b:
        b.alter_column("winner", existing_type=sa.Integer, nullable=True)
        b.add_column(sa.Column("check_a", sa.Integer, sa.ForeignKey("checks.id", name="fk_comparisons_check_a",
                                                                     ondelete="CASCADE"), nullable=True))
        b.add_column(sa.Column("check_b", sa.Integer, sa.ForeignKey("checks.id", name="fk_comparisons_check_b",
                                                                     ondelete="CASCADE"), nullable=True))
    op.execute("UPDATE comparisons SET check_a = " + CURRENT.format("comparisons.entry_a") + ", check_b = "
               + CURRENT.format("comparisons.entry_b"))
    with op.batch_alter_table("decisions") as b:
        b.add_column(sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id", name="fk_decisions_check_id",
                                                                      ondelete="SET NULL"), nullable=True))
    op.execute("UPDATE decisions SET check_id = " + CURRENT.format("decisions.entry_id"))
    op.create_table(
        "comments",
        sa.Column("juror_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False))
    op.create_index("ix_comments_entry_id", "comments", ["entry_id"])
    op.create_table(
        "copies",
        sa.Column("entry_a", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_b", sa.Integer, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("check_a", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("check_b", sa.Integer, sa.ForeignKey("checks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("runs", sa.JSON, nullable=False),
        sa.Column("at", sa.Float, nullable=False))
    op.create_index("ix_copies_entry_b", "copies", ["entry_b"])


def downgrade() -> None:
    op.drop_table("copies")
    op.drop_table("comments")
    with op.batch_alter_table("decisions") as b:
        b.drop_constraint("fk_decisions_check_id", type_="foreignkey")
        b.drop_column("check_id")
    op.execute("DELETE FROM comparisons WHERE winner IS NULL")  # (an older festival knows no 'about equal')
    with op.batch_alter_table("comparisons") as b:
        b.drop_constraint("fk_comparisons_check_a", type_="foreignkey")
        b.drop_constraint("fk_comparisons_check_b", type_="foreignkey")
        b.drop_column("check_a")
        b.drop_column("check_b")
        b.alter_column("winner", existing_type=sa.Integer, nullable=False)
    with op.batch_alter_table("scores") as b:
        b.drop_constraint("fk_scores_check_id", type_="foreignkey")
        b.drop_column("check_id")
    with op.batch_alter_table("checks") as b:
        for name in ("synopsis", "title", "fingerprint", "evidence"):
            b.drop_column(name)
    with op.batch_alter_table("entries") as b:
        for name in ("ruling_note", "ruling", "reopened"):
            b.drop_column(name)
    with op.batch_alter_table("contests") as b:
        b.add_column(sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute("UPDATE contests SET published = (phase = 'published')")
    with op.batch_alter_table("contests") as b:
        b.drop_column("phase")
    with op.batch_alter_table("users") as b:
        b.drop_column("reset_until")
        b.drop_column("reset_hash")
