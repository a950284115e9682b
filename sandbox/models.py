"""The practice CRM's tables. Every row belongs to one sandbox (sandbox_id first in its
indexes), and every query goes through `scoped()` so none can cross sandboxes.

Over 400 lines: every practice table is here, so the one scoping rule above is seen to
hold for all of them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from sandbox import profiles
from sandbox.codes import (  # noqa: F401 - the codes the tables store, defined once
    ACTIVITY_KINDS,
    ACTIVITY_PARENTS,
    CATEGORIES,
    CHANNELS,
    LEAD_SOURCES,
    LEAD_STATUSES,
    PRIORITIES,
    STAGES,
    TICKET_STATUSES,
    TIERS,
    TRIGGERS,
)
from sandbox.models_storage import SandboxDate, SandboxTime, SeededText, ShortCode

# Free text a person writes in the CRM (notes, descriptions, replies): the forms' limit.
TEXT_LIMIT = 5000
# An email an automation sent: its body with merge fields filled in, cut to fit.
OUTBOX_LIMIT = 10000


class Sandbox(db.Model):
    """One learner's private practice CRM, with its own simulated clock."""

    __tablename__ = "sandboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No owner: a scratch sandbox, as a trainer's dry run uses and throws away.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    seed: Mapped[int] = mapped_column(Integer)
    # Bumped by every reset: exercise attempts started before a reset are stale.
    generation: Mapped[int] = mapped_column(Integer, default=1)
    clock: Mapped[datetime] = mapped_column(UTCDateTime)  # the sandbox's "now"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A running clock (sandbox.services.clock): sandbox seconds per real second, the real
    # time `clock` was last read at while running (None: stopped), and the last heartbeat
    # of an open exercise (None with a rate: paused by the learner).
    clock_rate: Mapped[int | None] = mapped_column(Integer)
    clock_running_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_business_hours: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # When a change was last logged in it (at most a day off: see sandbox.expiry), and when
    # its records were cleared for being unused that long (None: in use).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def today(self) -> date:
        """The sandbox clock's date."""
        return self.clock.date()


class SandboxRow:
    """Columns every sandbox table has; `sandbox_id` leads each table's indexes.

    The index on `sandbox_id` alone keeps a sandbox's rows in id order all the same (the
    row id ends every SQLite index entry; PostgreSQL sorts a few hundred rows), and takes
    a quarter less on SQLite than (sandbox_id, id), two thirds less on PostgreSQL, which
    stores a repeated key once.
    """

    id: Mapped[int] = mapped_column(primary_key=True)

    @declared_attr
    def sandbox_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(ForeignKey("sandboxes.id", ondelete="CASCADE"))

    @declared_attr.directive
    def __table_args__(cls):  # noqa: N805
        return (Index(f"ix_{cls.__tablename__}_sandbox_id", "sandbox_id"),)


def _where_set(name: str, column: str) -> Index:
    """An index of a link many rows leave empty (a person's company, a lead's contact), on
    the rows that have it: what finds a record's linked rows, and what ON DELETE SET NULL
    looks up (`column = ?` implies it is set, so both databases use the index)."""
    where = text(f"{column} IS NOT NULL")
    return Index(name, column, sqlite_where=where, postgresql_where=where)


class Colleague(SandboxRow, db.Model):
    """A fake salesperson or service agent working in the sandbox company."""

    __tablename__ = "sb_colleagues"
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))  # sales | service
    is_learner: Mapped[bool] = mapped_column(Boolean, default=False)


class Customer(SandboxRow, db.Model):
    """An account or a contact, as Odoo's partners are: a company (`is_company`) or a
    person; a person may work at a company account (`company_id`). A person with no
    company is an account of their own, as most retail customers are.

    Deals and tickets belong to an account (`customer_id`) and name a person
    (`contact_id`). Consent to marketing email is a person's, with when and how given.
    """

    __tablename__ = "sb_customers"
    is_company: Mapped[bool] = mapped_column(Boolean, default=False)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("sb_customers.id", ondelete="SET NULL")
    )
    first_name: Mapped[str] = mapped_column(String(80))  # "" for a company
    last_name: Mapped[str] = mapped_column(String(80), default="")
    # A company's own name; for a person, where they work as they told us (free text).
    company: Mapped[str] = mapped_column(String(160), default="")
    title: Mapped[str] = mapped_column(SeededText(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    birthday: Mapped[date | None] = mapped_column(SandboxDate)
    customer_since: Mapped[date | None] = mapped_column(SandboxDate)
    loyalty_card: Mapped[str] = mapped_column(String(20), default="")
    tier: Mapped[str] = mapped_column(ShortCode(12, TIERS), default="bronze")
    preferences: Mapped[str] = mapped_column(SeededText(255), default="")
    # May we email them for marketing? Since when (sandbox time), by which channel.
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(SandboxTime)
    consent_channel: Mapped[str] = mapped_column(ShortCode(8, CHANNELS), default="")
    lead_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(SandboxTime, default=utcnow)

    __table_args__ = (
        Index("ix_sb_customers_sandbox_id", "sandbox_id"),
        _where_set("ix_sb_customers_company_id", "company_id"),
    )

    @property
    def name(self) -> str:
        """A company's name, or a person's first and last name."""
        if self.is_company:
            return self.company
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_account(self) -> bool:
        """A company, or a person who buys for themselves: what deals and tickets belong to."""
        return self.is_company or self.company_id is None


class Product(SandboxRow, db.Model):
    """An item of the sandbox company's catalogue."""

    __tablename__ = "sb_products"
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(60), default="")
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0)


class Purchase(SandboxRow, db.Model):
    """A customer's purchase of a product (behind the loyalty card)."""

    __tablename__ = "sb_purchases"
    customer_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0)
    purchased_on: Mapped[date] = mapped_column(SandboxDate)

    # One index, not one per sandbox and another per customer: every query of purchases
    # names the sandbox, most a customer too (a second index on a sandbox's 800
    # purchases took about 10 KB of it).
    __table_args__ = (Index("ix_sb_purchases_sandbox_id_customer_id", "sandbox_id", "customer_id"),)


class Lead(SandboxRow, db.Model):
    """A possible customer, not yet qualified; converting makes a customer."""

    __tablename__ = "sb_leads"
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), default="")
    company: Mapped[str] = mapped_column(String(160), default="")
    title: Mapped[str] = mapped_column(SeededText(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(24), default="other")
    status: Mapped[str] = mapped_column(String(16), default="new")
    description: Mapped[str] = mapped_column(SeededText(TEXT_LIMIT), default="")
    converted_customer_id: Mapped[int | None] = mapped_column(Integer)  # the account
    converted_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("sb_customers.id", ondelete="SET NULL")
    )
    converted_opportunity_id: Mapped[int | None] = mapped_column(Integer)
    # The colleague working the lead (EspoCRM's "Assigned User"); nobody while it is New.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("sb_colleagues.id", ondelete="SET NULL")
    )
    # Qualification (BANT): what they need, who decides, the budget and how sure it is,
    # and by when they want it.
    need: Mapped[str] = mapped_column(String(TEXT_LIMIT), default="", server_default="")
    authority: Mapped[str] = mapped_column(String(200), default="", server_default="")
    budget: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    budget_status: Mapped[str] = mapped_column(
        String(12), default="unknown", server_default="unknown"
    )
    timing: Mapped[date | None] = mapped_column(SandboxDate)
    created_at: Mapped[datetime] = mapped_column(SandboxTime)

    __table_args__ = (
        Index("ix_sb_leads_sandbox_id", "sandbox_id"),
        _where_set("ix_sb_leads_owner_id", "owner_id"),
        _where_set("ix_sb_leads_converted_contact_id", "converted_contact_id"),
    )

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def status_role(self) -> str | None:
        """The role its status plays in the active CRM profile ("converted", "dead", ...)."""
        return profiles.active().role("lead_status", self.status)


class Opportunity(SandboxRow, db.Model):
    """A deal in the pipeline; its stage carries a probability."""

    __tablename__ = "sb_opportunities"
    name: Mapped[str] = mapped_column(SeededText(160))
    customer_id: Mapped[int | None] = mapped_column(Integer)  # the account
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("sb_customers.id", ondelete="SET NULL"), index=True
    )  # the person we deal with there
    owner_id: Mapped[int | None] = mapped_column(Integer)  # a Colleague
    stage: Mapped[str] = mapped_column(String(16), default="prospecting")
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0)
    close_date: Mapped[date | None] = mapped_column(SandboxDate)
    closed_reason: Mapped[str] = mapped_column(SeededText(255), default="")
    next_step: Mapped[str] = mapped_column(String(255), default="")
    lead_id: Mapped[int | None] = mapped_column(Integer)
    closed_on: Mapped[date | None] = mapped_column(SandboxDate)

    @property
    def probability(self) -> int:
        """The stage's probability in the active CRM profile, in percent."""
        return profiles.active().probability(self.stage)

    @property
    def is_closed(self) -> bool:
        """Won or lost, whatever the CRM profile calls its closing stages."""
        return profiles.active().is_closed(self.stage)


class Ticket(SandboxRow, db.Model):
    """An after-sale case with first-response and resolution deadlines (sandbox time)."""

    __tablename__ = "sb_tickets"
    customer_id: Mapped[int | None] = mapped_column(Integer)  # the account
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("sb_customers.id", ondelete="SET NULL"), index=True
    )  # the person who got in touch
    purchase_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(SeededText(200))
    description: Mapped[str] = mapped_column(SeededText(TEXT_LIMIT), default="")
    channel: Mapped[str] = mapped_column(String(8), default="email", server_default="email")
    category: Mapped[str] = mapped_column(String(12), default="technical")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="new")
    assignee_id: Mapped[int | None] = mapped_column(Integer)  # a Colleague
    opened_at: Mapped[datetime] = mapped_column(SandboxTime)
    first_response_due: Mapped[datetime | None] = mapped_column(SandboxTime)
    resolution_due: Mapped[datetime | None] = mapped_column(SandboxTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(SandboxTime)
    resolved_at: Mapped[datetime | None] = mapped_column(SandboxTime)
    # The resolution note as one text (the three parts joined, or as written before them).
    resolution: Mapped[str] = mapped_column(SeededText(TEXT_LIMIT), default="")
    # Its parts: what was wrong, what we did, what the customer should expect now.
    resolution_cause: Mapped[str] = mapped_column(String(TEXT_LIMIT), default="", server_default="")
    resolution_action: Mapped[str] = mapped_column(
        String(TEXT_LIMIT), default="", server_default=""
    )
    resolution_expectation: Mapped[str] = mapped_column(
        String(TEXT_LIMIT), default="", server_default=""
    )
    satisfaction: Mapped[int | None] = mapped_column(Integer)

    @property
    def status_role(self) -> str | None:
        """The role its status plays in the active CRM profile ("pending", "closed", ...)."""
        return profiles.active().role("ticket_status", self.status)

    @property
    def clock_paused(self) -> bool:
        """Pending and unresolved, under an SLA policy whose clock stops while pending."""
        pending = self.status_role == "pending" and self.resolved_at is None
        return pending and profiles.active().sla.pending_pauses


class Activity(SandboxRow, db.Model):
    """A call, email, meeting, note or task on any record (parent_type + parent_id)."""

    __tablename__ = "sb_activities"
    kind: Mapped[str] = mapped_column(ShortCode(10, ACTIVITY_KINDS))
    parent_type: Mapped[str] = mapped_column(ShortCode(16, ACTIVITY_PARENTS))
    parent_id: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(SeededText(200))
    body: Mapped[str] = mapped_column(SeededText(TEXT_LIMIT), default="")
    due_on: Mapped[date | None] = mapped_column(SandboxDate)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(SandboxTime)


class Automation(SandboxRow, db.Model):
    """A rule that emails customers on a trigger, from a template."""

    __tablename__ = "sb_automations"
    name: Mapped[str] = mapped_column(String(120))
    trigger: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(TEXT_LIMIT))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OutboxEmail(SandboxRow, db.Model):
    """An email the sandbox 'sent' (it never leaves the machine), or one an automation held
    back, with the reason (a marketing email to someone without consent)."""

    __tablename__ = "sb_outbox"
    customer_id: Mapped[int | None] = mapped_column(Integer)
    automation_id: Mapped[int | None] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(24), default="")
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(OUTBOX_LIMIT))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Why it was not sent (a code of sandbox.codes.SKIP_REASONS); "" when it was sent.
    skipped_reason: Mapped[str] = mapped_column(String(40), default="", server_default="")


class SalesTarget(SandboxRow, db.Model):
    """What a salesperson should win in a period."""

    __tablename__ = "sb_sales_targets"
    owner_id: Mapped[int] = mapped_column(Integer)  # a Colleague
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class SandboxEvent(SandboxRow, db.Model):
    """Every change in a sandbox: what process-graded checks and practice analytics read."""

    __tablename__ = "sb_events"
    actor_id: Mapped[int | None] = mapped_column(Integer)
    verb: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(20), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer)
    sandbox_at: Mapped[datetime] = mapped_column(UTCDateTime)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_sb_events_sandbox_id_id", "sandbox_id", "id"),
        Index("ix_sb_events_actor_id_at", "actor_id", "at"),
    )


class ScenarioEvent(SandboxRow, db.Model):
    """Something an exercise makes happen on the sandbox clock: a customer writes back on
    a ticket, a new ticket or a lead's email arrives (sandbox.services.scenario_events).

    Due `offset_minutes` of sandbox time after the exercise started, or after the first
    `after_event` on the setup record `after_setup`; `due_at` is set once that is known.
    """

    __tablename__ = "sb_scenario_events"
    attempt_id: Mapped[int | None] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(24))
    after_event: Mapped[str | None] = mapped_column(String(40))
    after_setup: Mapped[str | None] = mapped_column(String(80))
    offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    since_event_id: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    played_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entity: Mapped[str] = mapped_column(String(20), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ImportUpload(SandboxRow, db.Model):
    """A CSV a learner uploaded to import, kept between mapping, preview and commit.

    Its cells are stored as read (header and rows of text), so the file itself is never
    kept and no path comes from the user; the random `token` names it in URLs, and only
    its uploader in its sandbox finds it. Deleted by the import, or an hour after upload.
    Not a CRM record: resets leave it, and it is not in SANDBOX_TABLES.
    """

    __tablename__ = "sb_import_uploads"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(43), unique=True)
    entity: Mapped[str] = mapped_column(String(12))  # "lead" or "customer"
    filename: Mapped[str] = mapped_column(String(255), default="")
    header: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ENTITIES: dict[str, type] = {
    "customer": Customer,
    "product": Product,
    "purchase": Purchase,
    "lead": Lead,
    "opportunity": Opportunity,
    "ticket": Ticket,
    "activity": Activity,
    "automation": Automation,
    "outbox_email": OutboxEmail,
    "sales_target": SalesTarget,
    "colleague": Colleague,
}
SANDBOX_TABLES = [
    Colleague,
    Customer,
    Product,
    Purchase,
    Lead,
    Opportunity,
    Ticket,
    Activity,
    Automation,
    OutboxEmail,
    SalesTarget,
    ScenarioEvent,
    SandboxEvent,
]


def scoped(model: type, sandbox: Sandbox):
    """A SELECT of `model` limited to one sandbox.

    Code that reads sandbox rows says which sandbox, with this or `Model.sandbox_id ==
    sandbox.id`; on /sandbox pages sandbox.scoping also adds the request's sandbox to
    every statement, so a mistake there cannot show another learner's rows.
    """
    return select(model).where(model.sandbox_id == sandbox.id)


def get_in_sandbox(model: type, record_id: int, sandbox: Sandbox):
    """The row with this id in this sandbox, or None (another sandbox's id finds nothing)."""
    return db.session.scalar(scoped(model, sandbox).where(model.id == record_id))
