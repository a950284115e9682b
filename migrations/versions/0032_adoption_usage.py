"""Adoption usage: per-user CRM usage rows, their imports, and API tokens with a purpose

adoption_usage holds one row per user and day or week (smallint counts, keyed by
period_start and user_id); adoption_imports records each accepted import, and
adoption_uploads keeps an uploaded CSV between mapping and preview. The SCIM
tokens become api_tokens with a purpose ('scim' or 'adoption'), so one API cannot be
used with another's token; existing tokens keep working as SCIM tokens.

Revision ID: 0032_adoption_usage
Revises: 0030_rollout_strategy
Create Date: 2026-12-05 06:45:00

"""

import sqlalchemy as sa
from alembic import op

from portal.database import UTCDateTime

revision = "0032_adoption_usage"
down_revision = "0030_rollout_strategy"
branch_labels = None
depends_on = None

COUNTS = (
    "sign_ins",
    "leads_created",
    "leads_updated",
    "deals_created",
    "deals_updated",
    "tickets_created",
    "tickets_updated",
    "activities_created",
    "activities_updated",
)
TOKEN_COLUMNS = "id, name, token_hash, created_at, created_by_id, last_used_at, revoked_at"


def _token_table(name, purpose=True):
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        *([sa.Column("purpose", sa.String(length=16), nullable=False)] if purpose else []),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        *(
            [
                sa.CheckConstraint(
                    "purpose IN ('scim', 'adoption')", name=op.f("ck_api_tokens_known_purpose")
                )
            ]
            if purpose
            else []
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f(f"fk_{name}_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{name}_token_hash")),
    )


def _restart_ids(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )


def upgrade():
    _token_table("api_tokens")
    op.execute(
        f"INSERT INTO api_tokens (purpose, {TOKEN_COLUMNS}) "
        f"SELECT 'scim', {TOKEN_COLUMNS} FROM scim_tokens"
    )
    _restart_ids("api_tokens")
    op.drop_table("scim_tokens")
    op.create_table(
        "adoption_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("preset", sa.String(length=32), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("period_first", sa.Date(), nullable=False),
        sa.Column("period_last", sa.Date(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("replaced_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "source IN ('csv', 'api')", name=op.f("ck_adoption_imports_known_source")
        ),
        sa.CheckConstraint(
            "period_first <= period_last", name=op.f("ck_adoption_imports_period_order")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["users.id"],
            name=op.f("fk_adoption_imports_imported_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_adoption_imports_token_id_api_tokens"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adoption_imports")),
    )
    op.create_index(
        op.f("ix_adoption_imports_imported_at"), "adoption_imports", ["imported_at"], unique=False
    )
    op.create_table(
        "adoption_usage",
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.SmallInteger(), nullable=False),
        *[sa.Column(column, sa.SmallInteger(), nullable=False) for column in COUNTS],
        sa.CheckConstraint("days IN (1, 7)", name=op.f("ck_adoption_usage_day_or_week")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_adoption_usage_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("period_start", "user_id", name=op.f("pk_adoption_usage")),
    )
    op.create_index(
        "ix_adoption_usage_user_period",
        "adoption_usage",
        ["user_id", "period_start"],
        unique=False,
    )

    op.create_table(
        "adoption_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_adoption_uploads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adoption_uploads")),
        sa.UniqueConstraint("token", name=op.f("uq_adoption_uploads_token")),
    )
    op.create_index(
        op.f("ix_adoption_uploads_user_id"), "adoption_uploads", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_adoption_uploads_user_id"), table_name="adoption_uploads")
    op.drop_table("adoption_uploads")
    op.drop_index("ix_adoption_usage_user_period", table_name="adoption_usage")
    op.drop_table("adoption_usage")
    op.drop_index(op.f("ix_adoption_imports_imported_at"), table_name="adoption_imports")
    op.drop_table("adoption_imports")
    _token_table("scim_tokens", purpose=False)
    op.execute(
        f"INSERT INTO scim_tokens ({TOKEN_COLUMNS}) "
        f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE purpose = 'scim'"
    )
    _restart_ids("scim_tokens")
    op.drop_table("api_tokens")
