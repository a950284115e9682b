"""Accounts and contacts, consent, and a deal's next step

The sandbox had one "customer" row for a business and its contact person. CRMs separate
the company (account) from the people at it (contacts); like Odoo's partners, both live
in sb_customers: a row is a company (`is_company`) or a person, and a person may belong
to a company (`company_id`). A person with no company is an account of their own, as
most retail customers are. Deals and tickets keep their account in `customer_id` and
name the person in `contact_id`; a converted lead records the contact it became.

Consent to marketing email is recorded per person with when and by which channel.

Existing rows are people without a company: each stays an account of its own, and the
deals and tickets on it name that same person as contact. No consent is on record for
them, so none is assumed.

Revision ID: 0014_accounts_and_contacts
Revises: 0013_ticket_channel
Create Date: 2026-12-05 00:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014_accounts_and_contacts'
down_revision = '0013_ticket_channel'
branch_labels = None
depends_on = None


def _contact_fk(batch_op, table, column='contact_id'):
    """A link to a person or company, with the index that deleting one needs: without it
    the database scans the whole child table for every customer row deleted."""
    batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
    batch_op.create_foreign_key(
        f'fk_{table}_{column}_sb_customers', 'sb_customers', [column], ['id'],
        ondelete='SET NULL',
    )
    batch_op.create_index(f'ix_{table}_{column}', [column])


def _drop_link(batch_op, table, column='contact_id'):
    batch_op.drop_index(f'ix_{table}_{column}')
    batch_op.drop_constraint(f'fk_{table}_{column}_sb_customers', type_='foreignkey')
    batch_op.drop_column(column)


def upgrade():
    with op.batch_alter_table('sb_customers') as batch_op:
        batch_op.add_column(sa.Column('is_company', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        _contact_fk(batch_op, 'sb_customers', 'company_id')
        batch_op.add_column(sa.Column('title', sa.String(length=120), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('email_consent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_channel', sa.String(length=8),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('sb_opportunities') as batch_op:
        _contact_fk(batch_op, 'sb_opportunities')
        batch_op.add_column(sa.Column('next_step', sa.String(length=255), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('sb_tickets') as batch_op:
        _contact_fk(batch_op, 'sb_tickets')
    with op.batch_alter_table('sb_leads') as batch_op:
        _contact_fk(batch_op, 'sb_leads', 'converted_contact_id')
    op.execute('UPDATE sb_opportunities SET contact_id = customer_id')
    op.execute('UPDATE sb_tickets SET contact_id = customer_id')
    op.execute('UPDATE sb_leads SET converted_contact_id = converted_customer_id')


def downgrade():
    with op.batch_alter_table('sb_leads') as batch_op:
        _drop_link(batch_op, 'sb_leads', 'converted_contact_id')
    with op.batch_alter_table('sb_tickets') as batch_op:
        _drop_link(batch_op, 'sb_tickets')
    with op.batch_alter_table('sb_opportunities') as batch_op:
        _drop_link(batch_op, 'sb_opportunities')
        batch_op.drop_column('next_step')
    with op.batch_alter_table('sb_customers') as batch_op:
        _drop_link(batch_op, 'sb_customers', 'company_id')
        for column in ('consent_channel', 'consent_at', 'email_consent', 'title',
                       'is_company'):
            batch_op.drop_column(column)
