"""Sandbox storage: one index on purchases, sandbox indexes on sandbox_id alone

A sandbox's purchases (800 of its ~1,500 rows) had two indexes, (sandbox_id, id) and
(customer_id); every query of them names the sandbox, most a customer as well, so one
index on (sandbox_id, customer_id) serves them all and the sandbox takes less space.

The other practice tables' (sandbox_id, id) indexes become (sandbox_id): the same order
on SQLite (the row id ends every index entry) in a quarter less space, and a third of
the space on PostgreSQL, whose B-trees store a repeated key once. The event log keeps
(sandbox_id, id): it is read from an event id on.

Revision ID: 0034_sandbox_storage
Revises: 0032_adoption_usage
Create Date: 2026-12-05 07:00:00

"""

from alembic import op

revision = "0034_sandbox_storage"
down_revision = "0032_adoption_usage"
branch_labels = None
depends_on = None

# Practice tables whose (sandbox_id, id) index becomes (sandbox_id).
TABLES = (
    "sb_colleagues",
    "sb_customers",
    "sb_products",
    "sb_leads",
    "sb_opportunities",
    "sb_tickets",
    "sb_activities",
    "sb_automations",
    "sb_outbox",
    "sb_sales_targets",
    "sb_scenario_events",
    "sb_import_uploads",
)


def upgrade():
    op.create_index(
        "ix_sb_purchases_sandbox_id_customer_id", "sb_purchases", ["sandbox_id", "customer_id"]
    )
    op.drop_index("ix_sb_purchases_sandbox_id_id", table_name="sb_purchases")
    op.drop_index("ix_sb_purchases_customer_id", table_name="sb_purchases")
    for table in TABLES:
        op.create_index(f"ix_{table}_sandbox_id", table, ["sandbox_id"])
        op.drop_index(f"ix_{table}_sandbox_id_id", table_name=table)


def downgrade():
    for table in TABLES:
        op.create_index(f"ix_{table}_sandbox_id_id", table, ["sandbox_id", "id"])
        op.drop_index(f"ix_{table}_sandbox_id", table_name=table)
    op.create_index("ix_sb_purchases_customer_id", "sb_purchases", ["customer_id"])
    op.create_index("ix_sb_purchases_sandbox_id_id", "sb_purchases", ["sandbox_id", "id"])
    op.drop_index("ix_sb_purchases_sandbox_id_customer_id", table_name="sb_purchases")
