"""Learner summaries: the training evidence kept as one row per active learner

learner_summaries holds, per learner, the counts the readiness dashboard and the gates
read (courses required and certified, exercises, quiz scores, the earliest due date
still open, the last lesson opened); learner_summary_state the digest of the course
library they were counted against. The portal keeps both up to date as it writes; until
they are first counted (on the first change, or by `flask --app portal evidence
recount`), evidence is read from the raw rows as before.

Revision ID: 0033_learner_summaries
Revises: 0034_sandbox_storage
Create Date: 2026-12-05 07:10:00

"""

import sqlalchemy as sa
from alembic import op

from portal.database import UTCDateTime

revision = "0033_learner_summaries"
down_revision = "0034_sandbox_storage"
branch_labels = None
depends_on = None

COUNTS = ("required_n", "done_n", "ex_required", "ex_passed", "quiz_sum", "quiz_n", "stuck")


def upgrade():
    op.create_table(
        "learner_summaries",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS[:2]],
        sa.Column("due_on", sa.Date(), nullable=True),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS[2:]],
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("first_login_at", UTCDateTime(), nullable=True),
        sa.Column("first_certificate", UTCDateTime(), nullable=True),
        sa.Column("studied_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_learner_summaries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_learner_summaries")),
    )
    op.create_index(
        "ix_learner_summaries_department_id",
        "learner_summaries",
        ["department_id", "user_id"],
        unique=False,
    )
    op.create_table(
        "learner_summary_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("catalogue", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_summary_state")),
    )


def downgrade():
    op.drop_table("learner_summary_state")
    op.drop_index("ix_learner_summaries_department_id", table_name="learner_summaries")
    op.drop_table("learner_summaries")
