"""Translations that know their source

courses and course_versions get `fingerprint`, the digest of the published text
(portal.learning.translations), and `source_version`, which for a translation is the
fingerprint of the original it was made from. Rows already there start empty; the
importer and publishing fill them in.

Revision ID: 0027_translation_sources
Revises: 0023_bulk_jobs
Create Date: 2026-12-05 03:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0027_translation_sources"
down_revision = "0023_bulk_jobs"
branch_labels = None
depends_on = None

TABLES = ("courses", "course_versions")
COLUMNS = ("fingerprint", "source_version")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in COLUMNS:
                batch_op.add_column(
                    sa.Column(column, sa.String(length=64), server_default="", nullable=False)
                )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in reversed(COLUMNS):
                batch_op.drop_column(column)
