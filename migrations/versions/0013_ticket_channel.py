"""Tickets record the channel the customer used: phone, email, visit or web

Tickets logged before this came from the seed by email, so existing rows get "email".

Revision ID: 0013_ticket_channel
Revises: 0012_exercise_attempt_columns
Create Date: 2026-12-04 23:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013_ticket_channel'
down_revision = '0012_exercise_attempt_columns'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sb_tickets', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('channel', sa.String(length=8), server_default='email', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('sb_tickets', schema=None) as batch_op:
        batch_op.drop_column('channel')
