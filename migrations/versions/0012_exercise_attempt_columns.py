"""Exercise attempts: the sandbox generation and first event id get columns of their own

Until now both travelled inside the setup-record map (records["_generation"] and
records["_since"], each a [label, value] pair). They move to columns, and the map keeps
only setup keys. Downgrading puts them back into the map.

Revision ID: 0012_exercise_attempt_columns
Revises: 0011_bounded_sandbox_text
Create Date: 2026-12-04 22:40:00

"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0012_exercise_attempt_columns'
down_revision = '0011_bounded_sandbox_text'
branch_labels = None
depends_on = None

attempts = sa.table(
    'exercise_attempts',
    sa.column('id', sa.Integer),
    sa.column('records', sa.JSON),
    sa.column('sandbox_generation', sa.Integer),
    sa.column('first_event_id', sa.Integer),
)


def _records(value):
    if isinstance(value, str):  # some drivers hand JSON back as text
        value = json.loads(value)
    return dict(value or {})


def _second(pair):
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def upgrade():
    with op.batch_alter_table('exercise_attempts') as batch_op:
        batch_op.add_column(sa.Column('sandbox_generation', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_event_id', sa.Integer(), nullable=False,
                                      server_default='0'))
    bind = op.get_bind()
    for row in bind.execute(sa.select(attempts.c.id, attempts.c.records)).all():
        records = _records(row.records)
        generation = _second(records.pop('_generation', None))
        since = _second(records.pop('_since', None)) or 0
        bind.execute(
            attempts.update()
            .where(attempts.c.id == row.id)
            .values(records=records, sandbox_generation=generation, first_event_id=since)
        )


def downgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(attempts.c.id, attempts.c.records,
                                  attempts.c.sandbox_generation,
                                  attempts.c.first_event_id)).all()
    for row in rows:
        records = _records(row.records)
        records['_since'] = ['event', row.first_event_id]
        if row.sandbox_generation is not None:
            records['_generation'] = ['sandbox', row.sandbox_generation]
        bind.execute(attempts.update().where(attempts.c.id == row.id).values(records=records))
    with op.batch_alter_table('exercise_attempts') as batch_op:
        batch_op.drop_column('first_event_id')
        batch_op.drop_column('sandbox_generation')
