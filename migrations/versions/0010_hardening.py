"""Hardening: sign-in lockout, draft digests, bounded text columns

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


# Text columns that get the limit their forms and the course format already enforce.
BOUNDED = [
    ('courses', 'summary', 2000),
    ('courses', 'cover', 20000),
    ('lessons', 'body', 50000),
    ('quiz_questions', 'prompt', 2000),
    ('quiz_questions', 'explanation', 4000),
    ('quiz_choices', 'text', 1000),
    ('quiz_choices', 'feedback', 2000),
    ('rollout_plans', 'description', 5000),
    ('rollout_phases', 'description', 5000),
]


def _check_existing_text_fits(bind):
    """Refuse to upgrade (changing nothing) if stored text is longer than its new limit."""
    too_long = []
    for table, column, limit in BOUNDED:
        longest = bind.execute(sa.text(f'SELECT max(length({column})) FROM {table}')).scalar()
        if longest and longest > limit:
            too_long.append(f'{table}.{column}: {longest} characters (limit {limit})')
    if too_long:
        raise RuntimeError('Text too long for its new limit; shorten it and upgrade again: '
                           + '; '.join(too_long))


def upgrade():
    _check_existing_text_fits(op.get_bind())
    for table, column, limit in BOUNDED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=limit))
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
    for table, column, limit in reversed(BOUNDED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=limit), type_=sa.Text())
