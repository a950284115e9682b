"""Sandboxes record when they were last used, and when they were cleared for disuse

An organisation clears the sandboxes nobody has practised in for SANDBOX_EXPIRY_DAYS
(sandbox.expiry): sandboxes.used_at is when a change was last logged in one (kept to
within a day), expired_at when its records were cleared (None while in use). Existing
sandboxes count as used at their newest event, else when they were made.

Revision ID: 0029_sandbox_expiry
Revises: 0024_running_clock, 0025_check_kinds
Create Date: 2026-12-05 03:40:00

"""

import sqlalchemy as sa
from alembic import op

from portal.database import UTCDateTime

revision = "0029_sandbox_expiry"
down_revision = ("0024_running_clock", "0025_check_kinds")
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("sandboxes", sa.Column("used_at", UTCDateTime(), nullable=True))
    op.add_column("sandboxes", sa.Column("expired_at", UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE sandboxes SET used_at = COALESCE("
        "(SELECT MAX(sb_events.at) FROM sb_events WHERE sb_events.sandbox_id = sandboxes.id), "
        "created_at)"
    )
    op.create_index("ix_sandboxes_used_at", "sandboxes", ["used_at"])


def downgrade():
    op.drop_index("ix_sandboxes_used_at", table_name="sandboxes")
    with op.batch_alter_table("sandboxes") as batch_op:
        batch_op.drop_column("expired_at")
        batch_op.drop_column("used_at")
