"""exercise_checks: every press of "Check my work", not only the last

Existing attempts that were checked get one row each, from their last check.

Revision ID: 0006_exercise_checks
Revises: 0005_signoff_guard
Create Date: 2026-11-30 02:40:00

"""
from alembic import op
import sqlalchemy as sa

import portal.database


revision = '0006_exercise_checks'
down_revision = '0005_signoff_guard'
branch_labels = None
depends_on = None


def upgrade():
    checks = op.create_table('exercise_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('failed', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exercise_attempts.id'], name=op.f('fk_exercise_checks_attempt_id_exercise_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_checks'))
    )
    with op.batch_alter_table('exercise_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_checks_attempt_id'), ['attempt_id'], unique=False)

    attempts = sa.table(
        'exercise_attempts', sa.column('id', sa.Integer()), sa.column('checks_run', sa.Integer()),
        sa.column('last_checked_at', portal.database.UTCDateTime(timezone=True)),
        sa.column('score', sa.Integer()), sa.column('passed', sa.Boolean()),
        sa.column('results', sa.JSON()),
    )
    rows = [
        {'attempt_id': a.id, 'checked_at': a.last_checked_at, 'score': a.score,
         'passed': a.passed, 'failed': [r.get('key') for r in a.results or [] if not r.get('passed')]}
        for a in op.get_bind().execute(
            sa.select(attempts).where(attempts.c.checks_run > 0,
                                      attempts.c.last_checked_at.is_not(None)))
    ]
    if rows:
        op.bulk_insert(checks, rows)


def downgrade():
    with op.batch_alter_table('exercise_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exercise_checks_attempt_id'))

    op.drop_table('exercise_checks')
