"""Hardening: per-account sign-in lockout; drafts keep their content digest

Revision ID: 0010_hardening
Revises: 0009_late_joiners
Create Date: 2026-12-04 19:00:00

"""
import sqlalchemy as sa
from alembic import op

import portal.database

revision = '0010_hardening'
down_revision = '0009_late_joiners'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('failed_sign_in_at',
                                      portal.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_until',
                                      portal.database.UTCDateTime(timezone=True), nullable=True))
    # Drafts saved before this keep NULL; the course list works theirs out until they are
    # saved again.
    with op.batch_alter_table('course_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('course_drafts', schema=None) as batch_op:
        batch_op.drop_column('content_hash')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_in_at')
        batch_op.drop_column('failed_sign_ins')
