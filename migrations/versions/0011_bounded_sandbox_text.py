"""Bounded text: the sandbox's free-text columns and sign-off comments get their limits

Each limit is the one its form already enforces (5,000 characters; 4,000 for a sign-off's
comment). An outbox email is an automation's body with merge fields filled in, so it gets
twice the room and is cut to fit when it is written.

The sign-off table's append-only triggers (0005) name the comment column, so they are
dropped around the change and made again: PostgreSQL refuses to retype a column a trigger
names, and SQLite rebuilds the table, which drops its triggers.

Revision ID: 0011_bounded_sandbox_text
Revises: 0010_hardening
Create Date: 2026-12-04 21:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011_bounded_sandbox_text'
down_revision = '0010_hardening'
branch_labels = None
depends_on = None

BOUNDED = [
    ('sb_leads', 'description', 5000),
    ('sb_tickets', 'description', 5000),
    ('sb_tickets', 'resolution', 5000),
    ('sb_activities', 'body', 5000),
    ('sb_automations', 'body', 5000),
    ('sb_outbox', 'body', 10000),
    ('rollout_signoffs', 'comment', 4000),
]
SIGNED = ("plan_id, phase_id, wave_id, signer_name, signed_at, decision, comment, "
          "gate_status, evidence")
MESSAGE = "sign-offs are append-only: they cannot be changed or deleted"
TRIGGERS = (("no_update", f"UPDATE OF {SIGNED}"), ("no_delete", "DELETE"))


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


def _drop_signoff_triggers(postgresql):
    for name, _event in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS rollout_signoffs_{name}"
                   + (" ON rollout_signoffs" if postgresql else ""))


def _create_signoff_triggers(postgresql):
    # The PostgreSQL function from 0005 stays; only the triggers are made again.
    for name, event in TRIGGERS:
        if postgresql:
            body = "FOR EACH ROW EXECUTE FUNCTION rollout_signoffs_append_only()"
        else:
            body = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        op.execute(f"CREATE TRIGGER rollout_signoffs_{name} BEFORE {event} "
                   f"ON rollout_signoffs {body}")


def _retype(columns, old, new):
    postgresql = op.get_bind().dialect.name == "postgresql"
    _drop_signoff_triggers(postgresql)
    for table, column, limit in columns:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=old(limit), type_=new(limit))
    _create_signoff_triggers(postgresql)


def upgrade():
    _check_existing_text_fits(op.get_bind())
    _retype(BOUNDED, lambda _limit: sa.Text(), sa.String)


def downgrade():
    _retype(list(reversed(BOUNDED)), sa.String, lambda _limit: sa.Text())
