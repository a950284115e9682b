"""Department summaries: learner_summaries summed per department, practice per department
and hour, certificates per day and course

The dashboard reads a few rows per department instead of every learner's; the portal
keeps them with learner_summaries in the same transaction. learner_summaries gain
idle_from and proficiency_days (read through their indexes for what depends on the day,
and for medians). Filled here from the rows already kept.

Revision ID: 0037_department_summaries
Revises: 0036_practice_days
Create Date: 2026-12-05 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from portal.database import UTCDateTime

revision = "0037_department_summaries"
down_revision = "0036_practice_days"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_learner_summaries_due_on": ["due_on", "department_id"],
    "ix_learner_summaries_idle_from": ["idle_from", "department_id"],
    "ix_learner_summaries_stuck": ["stuck", "department_id"],
    "ix_learner_summaries_proficiency": ["department_id", "proficiency_days"],
}


def upgrade():
    with op.batch_alter_table("learner_summaries") as batch:
        batch.add_column(sa.Column("idle_from", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("proficiency_days", sa.Float(), nullable=True))
    for name, columns in INDEXES.items():
        op.create_index(name, "learner_summaries", columns)
    op.create_table(
        "department_summaries",
        sa.Column("department_key", sa.Integer(), autoincrement=False, nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "learners",
                "complete",
                "quiz_sum",
                "quiz_n",
                "ex_learners",
                "ex_ok",
                "stuck",
                "certified",
            )
        ),
        sa.PrimaryKeyConstraint("department_key", name=op.f("pk_department_summaries")),
    )
    op.create_table(
        "practice_hours",
        sa.Column("hour", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_practice_hours_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hour", "user_id", name=op.f("pk_practice_hours")),
    )
    op.create_index("ix_practice_hours_user_id_hour", "practice_hours", ["user_id", "hour"])
    op.create_table(
        "department_practice",
        sa.Column("hour", UTCDateTime(), nullable=False),
        sa.Column("department_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "department_key", name=op.f("pk_department_practice")),
    )
    op.create_table(
        "certificate_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("course_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "course_id", name=op.f("pk_certificate_days")),
    )
    _fill()


def _fill():
    sqlite = op.get_bind().dialect.name == "sqlite"
    greatest = "max" if sqlite else "greatest"
    days = (
        "(julianday(first_certificate) - julianday(first_login_at))"
        if sqlite
        else "(EXTRACT(EPOCH FROM (first_certificate - first_login_at)) / 86400.0)"
    )
    issued = "date(issued_at)" if sqlite else "CAST((issued_at AT TIME ZONE 'UTC') AS DATE)"
    hour = (
        "strftime('%Y-%m-%d %H:00:00.000000', at)"
        if sqlite
        else "(date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
    )
    op.execute(
        "UPDATE learner_summaries SET "
        "idle_from = CASE WHEN required_n > 0 AND done_n >= required_n THEN NULL "
        f"ELSE {greatest}(created_at, coalesce(studied_at, created_at), coalesce("
        "(SELECT max(at) FROM sb_events WHERE actor_id = learner_summaries.user_id), "
        "created_at)) END, "
        "proficiency_days = CASE WHEN first_login_at IS NULL OR first_certificate IS NULL "
        f"THEN NULL WHEN {days} < 0 THEN 0.0 ELSE {days} END"
    )
    complete = "CASE WHEN required_n > 0 AND done_n >= required_n THEN 1 ELSE 0 END"
    exercises = "CASE WHEN ex_required > 0 THEN 1 ELSE 0 END"
    exercises_ok = "CASE WHEN ex_required > 0 AND ex_passed >= ex_required THEN 1 ELSE 0 END"
    op.execute(
        "INSERT INTO department_summaries (department_key, learners, complete, quiz_sum, "
        "quiz_n, ex_learners, ex_ok, stuck, certified) "
        f"SELECT coalesce(department_id, 0), count(*), sum({complete}), sum(quiz_sum), "
        f"sum(quiz_n), sum({exercises}), sum({exercises_ok}), "
        "sum(CASE WHEN stuck > 0 THEN 1 ELSE 0 END), count(proficiency_days) "
        "FROM learner_summaries GROUP BY coalesce(department_id, 0)"
    )
    op.execute(
        "INSERT INTO practice_hours (hour, user_id, actions) "
        f"SELECT {hour}, actor_id, count(*) FROM sb_events "
        "WHERE actor_id IN (SELECT id FROM users) "
        f"GROUP BY {hour}, actor_id"
    )
    op.execute(
        "INSERT INTO department_practice (hour, department_key, actions) "
        "SELECT p.hour, coalesce(s.department_id, 0), sum(p.actions) FROM practice_hours p "
        "JOIN learner_summaries s ON s.user_id = p.user_id "
        "GROUP BY p.hour, coalesce(s.department_id, 0)"
    )
    op.execute(
        "INSERT INTO certificate_days (day, course_id, certificates) "
        f"SELECT {issued}, c.course_id, count(*) FROM certificates c "
        "JOIN learner_summaries s ON s.user_id = c.user_id "
        f"GROUP BY {issued}, c.course_id"
    )


def downgrade():
    op.drop_table("certificate_days")
    op.drop_table("department_practice")
    op.drop_index("ix_practice_hours_user_id_hour", table_name="practice_hours")
    op.drop_table("practice_hours")
    op.drop_table("department_summaries")
    for name in INDEXES:
        op.drop_index(name, table_name="learner_summaries")
    with op.batch_alter_table("learner_summaries") as batch:
        batch.drop_column("proficiency_days")
        batch.drop_column("idle_from")
