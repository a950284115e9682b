"""Structured parts for qualification and resolution; answers and a summary per attempt

Leads get the qualification (BANT) fields: need, authority, budget with how sure it is,
and timing. Tickets get the resolution note in three parts (what was wrong, what we did,
what the customer should expect); `resolution` keeps the note as one text, so notes
written before the parts stay as they were. An exercise attempt keeps the learner's
answers to its answer checks and, once passed, a summary of how they worked.

Revision ID: 0025_check_kinds
Revises: 0023_bulk_jobs
Create Date: 2026-12-05 03:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0025_check_kinds"
down_revision = "0023_bulk_jobs"
branch_labels = None
depends_on = None

TEXT = sa.String(length=5000)


def upgrade():
    with op.batch_alter_table("sb_leads") as batch:
        batch.add_column(sa.Column("need", TEXT, nullable=False, server_default=""))
        batch.add_column(
            sa.Column("authority", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("budget", sa.Numeric(12, 2), nullable=True))
        batch.add_column(
            sa.Column(
                "budget_status", sa.String(length=12), nullable=False, server_default="unknown"
            )
        )
        batch.add_column(sa.Column("timing", sa.Date(), nullable=True))
    with op.batch_alter_table("sb_tickets") as batch:
        for name in ("resolution_cause", "resolution_action", "resolution_expectation"):
            batch.add_column(sa.Column(name, TEXT, nullable=False, server_default=""))
    with op.batch_alter_table("exercise_attempts") as batch:
        batch.add_column(sa.Column("answers", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("summary", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("exercise_attempts") as batch:
        batch.drop_column("summary")
        batch.drop_column("answers")
    with op.batch_alter_table("sb_tickets") as batch:
        for name in ("resolution_expectation", "resolution_action", "resolution_cause"):
            batch.drop_column(name)
    with op.batch_alter_table("sb_leads") as batch:
        for name in ("timing", "budget_status", "budget", "authority", "need"):
            batch.drop_column(name)
