"""Course statistics kept at publish

courses get `lesson_count` and `minutes`: the published version's current lessons and
their reading minutes, which the importer sets on every publish so that the learner's
course cards read two numbers instead of every lesson row. Courses already there are
counted from their current (not archived) lessons.

Revision ID: 0031_course_statistics
Revises: 0029_sandbox_expiry
Create Date: 2026-12-05 03:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0031_course_statistics"
down_revision = "0029_sandbox_expiry"
branch_labels = None
depends_on = None

COLUMNS = ("lesson_count", "minutes")


def upgrade():
    with op.batch_alter_table("courses") as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default="0", nullable=False))
    op.execute(
        """
        UPDATE courses SET
          lesson_count = (SELECT count(*) FROM lessons
                          WHERE lessons.course_id = courses.id AND NOT lessons.archived),
          minutes = (SELECT coalesce(sum(lessons.minutes), 0) FROM lessons
                     WHERE lessons.course_id = courses.id AND NOT lessons.archived)
        """
    )


def downgrade():
    with op.batch_alter_table("courses") as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
