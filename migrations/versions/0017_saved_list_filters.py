"""Sandbox lists remember each person's last filter

One row per person and list (customers, leads, tickets): the filter as a small JSON object,
kept server-side so it survives signing out and follows the person to another device.

Revision ID: 0017_saved_list_filters
Revises: 0014_accounts_and_contacts
Create Date: 2026-12-05 01:00:00

"""
import sqlalchemy as sa
from alembic import op

import portal.database

revision = '0017_saved_list_filters'
down_revision = '0014_accounts_and_contacts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sb_saved_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('list_name', sa.String(length=16), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=False),
    sa.Column('saved_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sb_saved_filters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sb_saved_filters')),
    sa.UniqueConstraint('user_id', 'list_name', name=op.f('uq_sb_saved_filters_user_id'))
    )


def downgrade():
    op.drop_table('sb_saved_filters')
