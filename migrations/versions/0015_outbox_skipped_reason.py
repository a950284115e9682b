"""The outbox keeps the emails an automation held back, with the reason

A marketing automation (a birthday greeting, a purchase anniversary) does not email a
person who has not agreed to marketing email; the outbox lists it as skipped, with the
reason, so the learner sees why. Emails already in the outbox were sent: "" for them.

Revision ID: 0015_outbox_skipped_reason
Revises: 0018_mail_queue_and_invitations
Create Date: 2026-12-05 00:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015_outbox_skipped_reason'
down_revision = '0018_mail_queue_and_invitations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sb_outbox', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('skipped_reason', sa.String(length=40), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('sb_outbox', schema=None) as batch_op:
        batch_op.drop_column('skipped_reason')
