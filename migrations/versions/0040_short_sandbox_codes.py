"""Sandbox codes of fixed lists stored as their first letter

An activity's kind and the record it is on, a customer's tier and how they gave consent
come from short fixed lists (sandbox.codes); each code in a list has a first letter of its
own, so the column stores that letter (sandbox.models_storage.ShortCode) and reads back
the code. A standard sandbox's 420 activities and 240 customers take about 6 KB less on
SQLite. The columns keep their types; only the values already there change.

Revision ID: 0040_short_sandbox_codes
Revises: 0039_dashboard_kept_counts
Create Date: 2026-12-05 13:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0040_short_sandbox_codes"
down_revision = "0039_dashboard_kept_counts"
branch_labels = None
depends_on = None

# The lists as they stand in this revision (sandbox.codes may grow later).
CODED = {
    ("sb_activities", "kind"): ("call", "email", "meeting", "note", "task"),
    ("sb_activities", "parent_type"): ("customer", "lead", "opportunity", "ticket"),
    ("sb_customers", "tier"): ("bronze", "silver", "gold", "platinum"),
    ("sb_customers", "consent_channel"): ("phone", "email", "visit", "web"),
}


def _recode(shorten: bool) -> None:
    """One UPDATE per column: each code to its letter, or each letter back to its code."""
    for (table, column), codes in CODED.items():
        pairs = [(code, code[0]) if shorten else (code[0], code) for code in codes]
        cases = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in pairs)
        olds = ", ".join(f"'{old}'" for old, _new in pairs)
        op.execute(
            sa.text(
                f"UPDATE {table} SET {column} = CASE {column} {cases} END "
                f"WHERE {column} IN ({olds})"
            )
        )


def upgrade():
    _recode(shorten=True)


def downgrade():
    _recode(shorten=False)
