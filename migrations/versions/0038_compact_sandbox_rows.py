"""Compact sandbox rows: integer times and dates on SQLite, partial link indexes

A standard sandbox took about 170 KB on SQLite, most of it in customers, activities and
purchases. On SQLite the practice tables' sandbox-time timestamps become whole seconds
since 1970 and their dates days since 1970, both INTEGER (sandbox.models_storage), in
place of 26 and 10 characters of text; the rows already there are converted. PostgreSQL
keeps timestamptz and date, which take 8 and 4 bytes already.

The indexes of a person's company and of a lead's converted contact and owner cover only
the rows that have one (many have none); they still serve `column = ?`, as lookups and ON DELETE
SET NULL use them.

Seeded sentences stored as codes (sandbox.models_storage.SeededText) need no change
here: plain text reads back as it is, so existing sandboxes' notes stay as written.

Revision ID: 0038_compact_sandbox_rows
Revises: 0037_department_summaries
Create Date: 2026-12-05 10:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0038_compact_sandbox_rows"
down_revision = "0037_department_summaries"
branch_labels = None
depends_on = None

TIMES = {
    "sb_customers": ("consent_at", "created_at"),
    "sb_leads": ("created_at",),
    "sb_tickets": (
        "opened_at",
        "first_response_due",
        "resolution_due",
        "first_responded_at",
        "resolved_at",
    ),
    "sb_activities": ("at",),
}
DATES = {
    "sb_customers": ("birthday", "customer_since"),
    "sb_purchases": ("purchased_on",),
    "sb_leads": ("timing",),
    "sb_opportunities": ("close_date", "closed_on"),
    "sb_activities": ("due_on",),
}
PARTIAL = (
    ("ix_sb_customers_company_id", "sb_customers", "company_id"),
    ("ix_sb_leads_converted_contact_id", "sb_leads", "converted_contact_id"),
    ("ix_sb_leads_owner_id", "sb_leads", "owner_id"),
)


def _retype(table: str, to_integer: bool) -> None:
    """Rebuild `table` (SQLite) with its times and dates declared INTEGER, or back."""
    stamp, day = sa.DateTime(timezone=True), sa.Date()
    with op.batch_alter_table(table) as batch:
        for columns, typed in ((TIMES.get(table, ()), stamp), (DATES.get(table, ()), day)):
            old, new = (typed, sa.Integer()) if to_integer else (sa.Integer(), typed)
            for column in columns:
                batch.alter_column(column, existing_type=old, type_=new)


def _converted(column: str, expression: str, kind: str) -> str:
    """`column = expression` for the rows whose value is still of the other kind."""
    return f"{column} = CASE WHEN typeof({column}) = '{kind}' THEN {expression} ELSE {column} END"


def _partial_indexes(partial: bool) -> None:
    for name, table, column in PARTIAL:
        op.drop_index(name, table_name=table)
        where = sa.text(f"{column} IS NOT NULL") if partial else None
        op.create_index(name, table, [column], sqlite_where=where, postgresql_where=where)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table in sorted(set(TIMES) | set(DATES)):
            times, dates = TIMES.get(table, ()), DATES.get(table, ())
            # Text as SQLAlchemy wrote it ("2026-12-05 09:00:00.000000"), to numbers first:
            # the rebuild below copies the values as they are.
            sets = [_converted(c, f"CAST(strftime('%s', {c}) AS INTEGER)", "text") for c in times]
            sets += [
                _converted(c, f"CAST(julianday({c}) - 2440587.5 AS INTEGER)", "text")
                for c in dates
            ]
            op.execute(f"UPDATE {table} SET {', '.join(sets)}")
            _retype(table, to_integer=True)
    _partial_indexes(partial=True)


def downgrade():
    _partial_indexes(partial=False)
    if op.get_bind().dialect.name == "sqlite":
        for table in sorted(set(TIMES) | set(DATES)):
            times, dates = TIMES.get(table, ()), DATES.get(table, ())
            _retype(table, to_integer=False)
            sets = [
                _converted(c, f"strftime('%Y-%m-%d %H:%M:%S.000000', {c}, 'unixepoch')", "integer")
                for c in times
            ]
            sets += [_converted(c, f"date({c} * 86400, 'unixepoch')", "integer") for c in dates]
            op.execute(f"UPDATE {table} SET {', '.join(sets)}")
