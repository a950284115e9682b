"""Email goes through the job queue, and people are invited to choose their password

outgoing_mail records each email the portal sends and what became of it (the job queue
delivers it; its key makes a repeated job send once). users.token_version numbers
one-time password links (an invitation or a reset), so a link works once and a newer
one replaces it; users.invited_at says when the last invitation went out. Reminder
emails go out by the queue too: users.reminder_emails is the person's choice, and a
trainer's nudge points at the email that carries it (nudges.mail_id).

Revision ID: 0018_mail_queue_and_invitations
Revises: 0016_sandbox_import_uploads
Create Date: 2026-12-05 01:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_mail_queue_and_invitations'
down_revision = '0016_sandbox_import_uploads'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outgoing_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('to', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.String(length=10000), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
        sa.UniqueConstraint('key', name=op.f('uq_outgoing_mail_key')),
    )
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('token_version', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_emails', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('nudges') as batch_op:
        batch_op.add_column(sa.Column('mail_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_nudges_mail_id_outgoing_mail', 'outgoing_mail',
                                    ['mail_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('nudges') as batch_op:
        batch_op.drop_constraint('fk_nudges_mail_id_outgoing_mail', type_='foreignkey')
        batch_op.drop_column('mail_id')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('reminder_emails')
        batch_op.drop_column('invited_at')
        batch_op.drop_column('token_version')
    op.drop_table('outgoing_mail')
