"""CSV uploads waiting to be imported into a sandbox

A learner's CSV of leads or customers is read once on upload; its cells wait here while
they map the columns and preview the rows, and are deleted by the import or an hour
later. A table rather than a file, so every app server sees the same upload.

Revision ID: 0016_sandbox_import_uploads
Revises: 0017_saved_list_filters
Create Date: 2026-12-05 00:45:00

"""
import sqlalchemy as sa
from alembic import op

import portal.database

revision = '0016_sandbox_import_uploads'
down_revision = '0017_saved_list_filters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sb_import_uploads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('entity', sa.String(length=12), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sandbox_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sandbox_id'], ['sandboxes.id'], name=op.f('fk_sb_import_uploads_sandbox_id_sandboxes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sb_import_uploads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sb_import_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_sb_import_uploads_token'))
    )
    with op.batch_alter_table('sb_import_uploads', schema=None) as batch_op:
        batch_op.create_index('ix_sb_import_uploads_sandbox_id_id', ['sandbox_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('sb_import_uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_sb_import_uploads_sandbox_id_id')

    op.drop_table('sb_import_uploads')
