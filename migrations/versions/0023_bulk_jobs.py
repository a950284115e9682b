"""Background roster imports and CSV exports

bulk_jobs keeps the state of a large roster import or CSV export done by a job: who asked
(only they see it), a random token for its page, its status, the roster waiting to be
applied or the CSV made, and the import's report. Rows are removed after a day.

Revision ID: 0023_bulk_jobs
Revises: 0022_lead_owner
Create Date: 2026-12-05 02:05:00

"""

import sqlalchemy as sa
from alembic import op

from portal.database import UTCDateTime

revision = "0023_bulk_jobs"
down_revision = "0022_lead_owner"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bulk_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_bulk_jobs_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_jobs")),
        sa.UniqueConstraint("token", name=op.f("uq_bulk_jobs_token")),
    )
    op.create_index(op.f("ix_bulk_jobs_owner_id"), "bulk_jobs", ["owner_id"])


def downgrade():
    op.drop_index(op.f("ix_bulk_jobs_owner_id"), table_name="bulk_jobs")
    op.drop_table("bulk_jobs")
