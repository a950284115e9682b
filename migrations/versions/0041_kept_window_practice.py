"""Kept practice per learner: practice actions from a kept hour on

learner_summaries.practice counts each learner's practice actions from
learner_summary_state.practice_since on; a gate reads the window's practice from that
column and the few hours between the kept hour and the window's start, instead of
summing each learner's days. Counted here from practice_hours, from the window's start
now.

Revision ID: 0041_kept_window_practice
Revises: 0040_short_sandbox_codes
Create Date: 2026-12-05 22:00:00

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from portal.database import UTCDateTime

revision = "0041_kept_window_practice"
down_revision = "0040_short_sandbox_codes"
branch_labels = None
depends_on = None

WINDOW = timedelta(days=14)  # the practice window as it stands in this revision


def upgrade():
    with op.batch_alter_table("learner_summaries") as batch:
        batch.add_column(sa.Column("practice", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("learner_summary_state") as batch:
        batch.add_column(sa.Column("practice_since", UTCDateTime(), nullable=True))
    since = (datetime.now(UTC) - WINDOW).replace(minute=0, second=0, microsecond=0)
    state = sa.table("learner_summary_state", sa.column("practice_since", UTCDateTime()))
    op.get_bind().execute(sa.update(state).values(practice_since=since))
    hours = sa.table(
        "practice_hours",
        sa.column("hour", UTCDateTime()),
        sa.column("user_id", sa.Integer()),
        sa.column("actions", sa.Integer()),
    )
    summaries = sa.table("learner_summaries", sa.column("user_id"), sa.column("practice"))
    counted = (
        sa.select(sa.func.coalesce(sa.func.sum(hours.c.actions), 0))
        .where(hours.c.user_id == summaries.c.user_id, hours.c.hour >= since)
        .scalar_subquery()
    )
    op.get_bind().execute(sa.update(summaries).values(practice=counted))


def downgrade():
    with op.batch_alter_table("learner_summary_state") as batch:
        batch.drop_column("practice_since")
    with op.batch_alter_table("learner_summaries") as batch:
        batch.drop_column("practice")
