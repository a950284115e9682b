"""SCIM provisioning: the directory's bearer tokens and its ids for users and departments

scim_tokens holds the tokens an admin makes for the HR directory (only a SHA-256 of each
secret, which is shown once), when each was last used and whether it was revoked.
scim_records holds, for a user or a department the directory manages, the directory's
externalId and when SCIM last changed it.

Revision ID: 0020_scim_provisioning
Revises: 0019_manager_digests
Create Date: 2026-12-05 01:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020_scim_provisioning"
down_revision = "0019_manager_digests"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_scim_tokens_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_tokens_token_hash")),
    )
    op.create_table(
        "scim_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (department_id IS NULL)",
            name=op.f("ck_scim_records_user_or_department"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_scim_records_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scim_records_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_records")),
        sa.UniqueConstraint("department_id", name=op.f("uq_scim_records_department_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_scim_records_user_id")),
    )


def downgrade():
    op.drop_table("scim_records")
    op.drop_table("scim_tokens")
