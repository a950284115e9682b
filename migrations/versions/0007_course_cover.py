"""courses.cover: the Markdown text a course page opens with

Revision ID: 0007_course_cover
Revises: 0006_exercise_checks
Create Date: 2026-11-30 02:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_course_cover'
down_revision = '0006_exercise_checks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('cover')
