"""Departments have a manager, and managers and executives get a weekly digest

departments.manager_id names the person who hears each week who in the department is
behind; users.digest_emails is each person's choice to get that digest (or, for
executives, the readiness summary).

Revision ID: 0019_manager_digests
Revises: 0015_outbox_skipped_reason
Create Date: 2026-12-05 01:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019_manager_digests'
down_revision = '0015_outbox_skipped_reason'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('digest_emails', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('departments') as batch_op:
        batch_op.add_column(sa.Column('manager_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_departments_manager_id_users', 'users',
                                    ['manager_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('departments') as batch_op:
        batch_op.drop_constraint('fk_departments_manager_id_users', type_='foreignkey')
        batch_op.drop_column('manager_id')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('digest_emails')
