"""Single sign-on: the provider's account each user signs in with

users.oidc_subject holds "<issuer> <subject>" of the OpenID Connect account a person first
signed in with, so that another account at the same provider that comes to claim the same
email address cannot sign in as them.

Revision ID: 0021_oidc_subject
Revises: 0020_scim_provisioning
Create Date: 2026-12-05 01:35:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021_oidc_subject"
down_revision = "0020_scim_provisioning"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=512), nullable=True))
        batch_op.create_unique_constraint("uq_users_oidc_subject", ["oidc_subject"])


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("uq_users_oidc_subject", type_="unique")
        batch_op.drop_column("oidc_subject")
