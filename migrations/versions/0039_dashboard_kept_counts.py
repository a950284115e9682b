"""Dashboard kept counts: days to proficiency per department and whole day, certificates
per course

The dashboard reads a department's median days to proficiency where this histogram puts
it (a few rows of the ordered index) and the certificates issued from a few rows instead
of counting every certificate. Filled here from the rows already kept.

Revision ID: 0039_dashboard_kept_counts
Revises: 0038_compact_sandbox_rows
Create Date: 2026-12-05 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0039_dashboard_kept_counts"
down_revision = "0038_compact_sandbox_rows"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "department_proficiency",
        sa.Column("department_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("department_key", "day", name=op.f("pk_department_proficiency")),
    )
    op.create_table(
        "course_certificates",
        sa.Column("course_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_course_certificates")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    day = (
        "CAST(proficiency_days AS INTEGER)"
        if sqlite
        else "CAST(floor(proficiency_days) AS INTEGER)"
    )
    op.execute(
        "INSERT INTO department_proficiency (department_key, day, learners) "
        f"SELECT coalesce(department_id, 0), {day}, count(*) FROM learner_summaries "
        f"WHERE proficiency_days IS NOT NULL GROUP BY coalesce(department_id, 0), {day}"
    )
    op.execute(
        "INSERT INTO course_certificates (course_id, certificates) "
        "SELECT course_id, count(*) FROM certificates GROUP BY course_id"
    )


def downgrade():
    op.drop_table("course_certificates")
    op.drop_table("department_proficiency")
