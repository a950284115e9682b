"""Late joiners: when people joined their department, and each assignment's days for them

Revision ID: 0009_late_joiners
Revises: 0008_user_sort_name
Create Date: 2026-12-04 18:45:00

"""
import sqlalchemy as sa
from alembic import op

import portal.database

revision = '0009_late_joiners'
down_revision = '0008_user_sort_name'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_since',
                                      portal.database.UTCDateTime(timezone=True), nullable=True))
    # Until now nobody's move was recorded: everyone joined with their account.
    op.execute('UPDATE users SET department_since = created_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('department_since', nullable=False,
                              existing_type=portal.database.UTCDateTime(timezone=True))
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_joiner_days', sa.Integer(), nullable=False,
                                      server_default='14'))


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('late_joiner_days')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('department_since')
