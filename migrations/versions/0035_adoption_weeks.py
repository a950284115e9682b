"""Adoption weeks: usage summed per person and calendar week, for the adoption views

adoption_weeks holds one row per person and week (Monday first) in which they used the
CRM, recounted from adoption_usage whenever an import touches the week, so the adoption
pages read weeks instead of a year of daily rows; adoption_department_weeks sums those
per department and week for the weekly trends. Existing usage is counted here.

Revision ID: 0035_adoption_weeks
Revises: 0033_learner_summaries
Create Date: 2026-12-05 07:00:00

"""

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0035_adoption_weeks"
down_revision = "0033_learner_summaries"
branch_labels = None
depends_on = None

COUNTS = (
    "leads_created",
    "leads_updated",
    "deals_created",
    "deals_updated",
    "tickets_created",
    "tickets_updated",
    "activities_created",
    "activities_updated",
)


def upgrade():
    op.create_table(
        "adoption_weeks",
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("active_days", sa.SmallInteger(), nullable=False),
        sa.Column("sign_ins", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_adoption_weeks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("week_start", "user_id", name=op.f("pk_adoption_weeks")),
    )
    op.create_table(
        "adoption_department_weeks",
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_adoption_department_weeks_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "week_start", "department_id", name=op.f("pk_adoption_department_weeks")
        ),
    )
    _count_existing()


def _count_existing():
    """Sum the usage already imported into its weeks, one week at a time."""
    bind = op.get_bind()
    first, last = bind.execute(
        sa.text("SELECT MIN(period_start), MAX(period_start) FROM adoption_usage")
    ).one()
    if first is None:
        return
    first, last = (
        day if isinstance(day, date) else date.fromisoformat(day) for day in (first, last)
    )
    records = " + ".join(COUNTS)
    week = first - timedelta(days=first.weekday())
    while week <= last:
        bind.execute(
            sa.text(
                "INSERT INTO adoption_weeks "
                "(week_start, user_id, active_days, sign_ins, records, deals) "
                f"SELECT :week, user_id, COUNT(*), SUM(sign_ins), SUM({records}), "
                "SUM(deals_created + deals_updated) FROM adoption_usage "
                f"WHERE period_start >= :week AND period_start < :end "
                f"AND sign_ins + {records} > 0 GROUP BY user_id"
            ),
            {"week": week, "end": week + timedelta(days=7)},
        )
        bind.execute(
            sa.text(
                "INSERT INTO adoption_department_weeks "
                "(week_start, department_id, active, records, deals) "
                "SELECT w.week_start, u.department_id, COUNT(*), SUM(w.records), SUM(w.deals) "
                "FROM adoption_weeks w JOIN users u ON u.id = w.user_id "
                "WHERE w.week_start = :week AND u.department_id IS NOT NULL "
                "GROUP BY w.week_start, u.department_id"
            ),
            {"week": week},
        )
        week += timedelta(days=7)


def downgrade():
    op.drop_table("adoption_department_weeks")
    op.drop_table("adoption_weeks")
