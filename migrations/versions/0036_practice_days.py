"""Practice days: sandbox events counted per learner and UTC day

The dashboard's practice figure (actions in the last 14 days) sums these rows instead of
scanning the sandbox event log; the portal adds to them as it logs events. Filled here
from the events already logged.

Revision ID: 0036_practice_days
Revises: 0035_adoption_weeks
Create Date: 2026-12-05 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0036_practice_days"
down_revision = "0035_adoption_weeks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "practice_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_practice_days_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "user_id", name=op.f("pk_practice_days")),
    )
    op.create_index(
        "ix_practice_days_user_id_day", "practice_days", ["user_id", "day", "actions"]
    )
    day = (
        "date(at)"
        if op.get_bind().dialect.name == "sqlite"
        else "CAST((at AT TIME ZONE 'UTC') AS DATE)"
    )
    op.execute(
        "INSERT INTO practice_days (day, user_id, actions) "
        f"SELECT {day}, actor_id, count(*) FROM sb_events "
        "WHERE actor_id IN (SELECT id FROM users) "
        f"GROUP BY {day}, actor_id"
    )


def downgrade():
    op.drop_index("ix_practice_days_user_id_day", table_name="practice_days")
    op.drop_table("practice_days")
