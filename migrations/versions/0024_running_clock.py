"""A sandbox clock that runs while an exercise is open, and scenario events

sandboxes gets the running clock's state: its rate (sandbox seconds per real second), the
real time the stored clock was last read at while running, the open exercise's last
heartbeat, and whether it runs only in the SLA policy's business hours. Existing
sandboxes keep a clock that moves only when the learner moves it.

sb_scenario_events holds what an exercise makes happen on that clock (a customer writes
back, a new ticket arrives), and when it was played.

Revision ID: 0024_running_clock
Revises: 0027_translation_sources
Create Date: 2026-12-05 03:30:00

"""

import sqlalchemy as sa
from alembic import op

from portal.database import UTCDateTime

revision = "0024_running_clock"
down_revision = "0027_translation_sources"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sandboxes") as batch_op:
        batch_op.add_column(sa.Column("clock_rate", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("clock_running_since", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("clock_heartbeat_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "clock_business_hours", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "sb_scenario_events",
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("after_event", sa.String(length=40), nullable=True),
        sa.Column("after_setup", sa.String(length=80), nullable=True),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("since_event_id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("played_at", UTCDateTime(), nullable=True),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sandbox_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sandbox_id"],
            ["sandboxes.id"],
            name=op.f("fk_sb_scenario_events_sandbox_id_sandboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sb_scenario_events")),
    )
    op.create_index(
        "ix_sb_scenario_events_sandbox_id_id", "sb_scenario_events", ["sandbox_id", "id"]
    )


def downgrade():
    op.drop_index("ix_sb_scenario_events_sandbox_id_id", table_name="sb_scenario_events")
    op.drop_table("sb_scenario_events")
    with op.batch_alter_table("sandboxes") as batch_op:
        batch_op.drop_column("clock_business_hours")
        batch_op.drop_column("clock_heartbeat_at")
        batch_op.drop_column("clock_running_since")
        batch_op.drop_column("clock_rate")
