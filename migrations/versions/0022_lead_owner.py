"""Leads have an owner

A CRM assigns each lead to a user (EspoCRM's "Assigned User"; the status "Assigned" means
it has one). sb_leads.owner_id names the sandbox colleague working the lead; deleting the
colleague leaves the lead with nobody. Existing leads get no owner: the next reset of a
sandbox fills them afresh.

Revision ID: 0022_lead_owner
Revises: 0021_oidc_subject
Create Date: 2026-12-05 01:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0022_lead_owner"
down_revision = "0021_oidc_subject"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sb_leads") as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_sb_leads_owner_id_sb_colleagues",
            "sb_colleagues",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_sb_leads_owner_id", ["owner_id"])


def downgrade():
    with op.batch_alter_table("sb_leads") as batch_op:
        batch_op.drop_index("ix_sb_leads_owner_id")
        batch_op.drop_constraint("fk_sb_leads_owner_id_sb_colleagues", type_="foreignkey")
        batch_op.drop_column("owner_id")
