"""users.sort_name: the key people are ordered by name with, the same in SQL as in Python

Revision ID: 0008_user_sort_name
Revises: 0007_course_cover
Create Date: 2026-11-30 03:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008_user_sort_name'
down_revision = '0007_course_cover'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('sort_name', sa.String(length=240), nullable=False, server_default=''))
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                     sa.column('sort_name', sa.String()))
    bind = op.get_bind()
    rows = [{'user_id': id_, 'key': (name or '').lower()}
            for id_, name in bind.execute(sa.select(users.c.id, users.c.name))]
    if rows:
        bind.execute(
            users.update().where(users.c.id == sa.bindparam('user_id'))
            .values(sort_name=sa.bindparam('key')),
            rows,
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('sort_name')
