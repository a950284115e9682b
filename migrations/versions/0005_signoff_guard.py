"""sign-offs are append-only in the database too: triggers refuse UPDATE and DELETE

The portal refuses to change a sign-off in its models; these triggers refuse it to any
other client of the database as well (a bulk UPDATE, a hand-written DELETE). Only
signer_id may change, so that deleting a user account can set it to NULL.

Revision ID: 0005_signoff_guard
Revises: 0004_rollout
Create Date: 2026-11-30 02:20:00

"""
from alembic import op

revision = '0005_signoff_guard'
down_revision = '0004_rollout'
branch_labels = None
depends_on = None

SIGNED = "plan_id, phase_id, wave_id, signer_name, signed_at, decision, comment, gate_status, evidence"
MESSAGE = "sign-offs are append-only: they cannot be changed or deleted"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION rollout_signoffs_append_only() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        for name, event in (("no_update", f"UPDATE OF {SIGNED}"), ("no_delete", "DELETE")):
            op.execute(
                f"CREATE TRIGGER rollout_signoffs_{name} BEFORE {event} ON rollout_signoffs "
                "FOR EACH ROW EXECUTE FUNCTION rollout_signoffs_append_only()"
            )
    else:
        for name, event in (("no_update", f"UPDATE OF {SIGNED}"), ("no_delete", "DELETE")):
            op.execute(
                f"CREATE TRIGGER rollout_signoffs_{name} BEFORE {event} ON rollout_signoffs "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in ("no_update", "no_delete"):
        op.execute(
            f"DROP TRIGGER IF EXISTS rollout_signoffs_{name}"
            + (" ON rollout_signoffs" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS rollout_signoffs_append_only()")
