"""What the sandbox pages read: every query scoped to one sandbox, each page a fixed number
of statements however many customers the sandbox holds (lists paginate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, or_, select

from portal.extensions import db
from sandbox import profiles
from sandbox.models import (
    LEAD_SOURCES,
    TIERS,
    Activity,
    Colleague,
    Customer,
    Lead,
    Opportunity,
    OutboxEmail,
    Product,
    Purchase,
    Sandbox,
    SandboxEvent,
    Ticket,
    get_in_sandbox,
    scoped,
)
from sandbox.services.tickets import open_statuses

PER_PAGE = 25


def _page(query, page: int) -> Pagination:
    return db.paginate(query, page=max(1, page), per_page=PER_PAGE, error_out=False)


def _search(columns, text: str):
    pattern = f"%{text.lower()}%"
    return or_(*(func.lower(column).like(pattern) for column in columns))


def _count(model, sandbox: Sandbox, *where):
    return (
        select(func.count(model.id)).where(model.sandbox_id == sandbox.id, *where).scalar_subquery()
    )


def home_counts(sandbox: Sandbox, user_id: int) -> dict[str, int]:
    """The home page's figures, in one statement."""
    profile = profiles.active()
    finished_lead = Lead.status.in_(profile.playing("lead_status", ("converted", "dead")))
    open_ticket = Ticket.status.in_(open_statuses())
    row = db.session.execute(
        select(
            _count(Customer, sandbox).label("customers"),
            _count(Lead, sandbox, ~finished_lead).label("leads"),
            _count(Opportunity, sandbox, Opportunity.stage.in_(profile.open_stages())).label(
                "opportunities"
            ),
            _count(Ticket, sandbox, open_ticket).label("tickets"),
            _count(Ticket, sandbox, open_ticket, _next_due() < sandbox.clock).label("overdue"),
            _count(
                Activity,
                sandbox,
                Activity.kind == "task",
                Activity.done.is_(False),
                Activity.id.in_(_mine(sandbox, user_id)),
            ).label("tasks"),
            _count(OutboxEmail, sandbox).label("outbox"),
        )
    ).one()
    return dict(row._mapping)


def _mine(sandbox: Sandbox, user_id: int):
    """Ids of the activities this user logged in the sandbox (from the event log)."""
    return select(SandboxEvent.entity_id).where(
        SandboxEvent.sandbox_id == sandbox.id,
        SandboxEvent.verb == "activity.created",
        SandboxEvent.actor_id == user_id,
    )


def open_tasks(sandbox: Sandbox, user_id: int, limit: int = 8) -> list[Activity]:
    """Tasks this user logged and has not done yet, the most pressing first."""
    return db.session.scalars(
        scoped(Activity, sandbox)
        .where(
            Activity.kind == "task",
            Activity.done.is_(False),
            Activity.id.in_(_mine(sandbox, user_id)),
        )
        .order_by(Activity.due_on, Activity.id)
        .limit(limit)
    ).all()


def _next_due():
    """A ticket's next deadline: first response while unanswered, then resolution; none
    once resolved (closing it is all that is left), nor while the SLA clock is paused."""
    profile = profiles.active()
    paused = profile.plays("ticket_status", "pending") if profile.sla.pending_pauses else ()
    return case(
        (Ticket.resolved_at.is_not(None), None),
        (Ticket.status.in_(paused), None),
        (Ticket.first_responded_at.is_(None), Ticket.first_response_due),
        else_=Ticket.resolution_due,
    )


def overdue_tickets(sandbox: Sandbox, limit: int = 8) -> list[Ticket]:
    """Open tickets past their next deadline on the sandbox clock, longest overdue first."""
    return db.session.scalars(
        scoped(Ticket, sandbox)
        .where(Ticket.status.in_(open_statuses()), _next_due() < sandbox.clock)
        .order_by(_next_due(), Ticket.id)
        .limit(limit)
    ).all()


@dataclass
class CustomerFilters:
    """The customer list's search and filters."""

    q: str = ""
    kind: str = ""  # "" everyone, "people" (the contacts), "companies"
    tier: str = ""
    city: str = ""
    open_ticket: bool = False

    KINDS = ("people", "companies")

    @classmethod
    def from_args(cls, args) -> CustomerFilters:
        """Filters from a query string; unknown values are ignored, not errors."""
        tier, kind = args.get("tier", ""), args.get("kind", "")
        return cls(
            q=args.get("q", "").strip()[:100],
            kind=kind if kind in cls.KINDS else "",
            tier=tier if tier in TIERS else "",
            city=args.get("city", "").strip()[:80],
            open_ticket=args.get("open_ticket") in ("1", "y", "on"),
        )


def customers(sandbox: Sandbox, filters: CustomerFilters, page: int) -> Pagination:
    """A page of customers, by name, matching the search and filters."""
    # A company sorts by its name, a person by last name: both read as the row's title.
    title = case((Customer.is_company, Customer.company), else_=Customer.last_name)
    query = scoped(Customer, sandbox).order_by(title, Customer.first_name, Customer.id)
    if filters.q:
        query = query.where(
            _search(
                (
                    Customer.first_name + " " + Customer.last_name,
                    Customer.company,
                    Customer.email,
                    Customer.loyalty_card,
                ),
                filters.q,
            )
        )
    if filters.kind:
        query = query.where(Customer.is_company.is_(filters.kind == "companies"))
    if filters.tier:
        query = query.where(Customer.tier == filters.tier)
    if filters.city:
        query = query.where(Customer.city == filters.city)
    if filters.open_ticket:
        query = query.where(
            Customer.id.in_(
                select(Ticket.customer_id).where(
                    Ticket.sandbox_id == sandbox.id, Ticket.status.in_(open_statuses())
                )
            )
        )
    return _page(query, page)


def cities(sandbox: Sandbox) -> list[str]:
    """The cities the sandbox's customers are in, for the filter."""
    return db.session.scalars(
        select(Customer.city)
        .where(Customer.sandbox_id == sandbox.id, Customer.city != "")
        .distinct()
        .order_by(Customer.city)
    ).all()


@dataclass
class CustomerProfile:
    """Everything the customer page shows."""

    customer: Customer
    purchases: list = field(default_factory=list)  # (Purchase, product name)
    tickets: list[Ticket] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    timeline: list[Activity] = field(default_factory=list)
    lead: Lead | None = None

    def source(self, activity: Activity) -> tuple[str, str, dict] | None:
        """Where a timeline item was logged, when not on the customer: (title, endpoint, args)."""
        if activity.parent_type == "ticket":
            ticket = next((t for t in self.tickets if t.id == activity.parent_id), None)
            return ticket and (ticket.subject, "sandbox.ticket_detail", {"ticket_id": ticket.id})
        if activity.parent_type == "opportunity":
            deal = next((o for o in self.opportunities if o.id == activity.parent_id), None)
            return deal and (deal.name, "sandbox.opportunity_detail", {"opportunity_id": deal.id})
        if activity.parent_type == "lead" and self.lead is not None:
            name = self.lead.company or f"{self.lead.first_name} {self.lead.last_name}"
            return name, "sandbox.lead_detail", {"lead_id": self.lead.id}
        return None

    @property
    def lifetime_value(self) -> Decimal:
        """What the customer has spent with us, all purchases together."""
        return sum((p.amount for p, _name in self.purchases), Decimal(0))

    @property
    def open_tickets(self) -> list[Ticket]:
        """Tickets still being worked on."""
        return [t for t in self.tickets if t.status in open_statuses()]


def customer_profile(sandbox: Sandbox, customer: Customer) -> CustomerProfile:
    """Everything about one customer: purchases, tickets, deals, the activity timeline."""
    purchases = db.session.execute(
        select(Purchase, Product.name)
        .join(
            Product,
            (Product.id == Purchase.product_id) & (Product.sandbox_id == Purchase.sandbox_id),
        )
        .where(Purchase.sandbox_id == sandbox.id, Purchase.customer_id == customer.id)
        .order_by(Purchase.purchased_on.desc(), Purchase.id.desc())
    ).all()
    tickets = db.session.scalars(
        scoped(Ticket, sandbox)
        .where(Ticket.customer_id == customer.id)
        .order_by(Ticket.opened_at.desc())
    ).all()
    opportunities = db.session.scalars(
        scoped(Opportunity, sandbox)
        .where(Opportunity.customer_id == customer.id)
        .order_by(Opportunity.close_date.desc())
    ).all()
    lead = get_in_sandbox(Lead, customer.lead_id, sandbox) if customer.lead_id else None
    # The timeline is everything that happened with this customer: on their own record,
    # on their tickets and deals, and on the lead they were converted from.
    around = [
        (Activity.parent_type == "customer") & (Activity.parent_id == customer.id),
        (Activity.parent_type == "ticket") & Activity.parent_id.in_([t.id for t in tickets]),
        (Activity.parent_type == "opportunity")
        & Activity.parent_id.in_([o.id for o in opportunities]),
    ]
    if lead is not None:
        around.append((Activity.parent_type == "lead") & (Activity.parent_id == lead.id))
    activities = db.session.scalars(
        scoped(Activity, sandbox)
        .where(or_(*around))
        .order_by(Activity.at.desc(), Activity.id.desc())
    ).all()
    return CustomerProfile(customer, purchases, tickets, opportunities, activities, lead)


def timeline(sandbox: Sandbox, parent_type: str, parent_id: int) -> list[Activity]:
    """A record's activities, newest first (sandbox time)."""
    return db.session.scalars(
        scoped(Activity, sandbox)
        .where(Activity.parent_type == parent_type, Activity.parent_id == parent_id)
        .order_by(Activity.at.desc(), Activity.id.desc())
    ).all()


@dataclass
class LeadFilters:
    """The lead list's search and filters."""

    q: str = ""
    status: str = ""
    source: str = ""

    @classmethod
    def from_args(cls, args) -> LeadFilters:
        """Filters from a query string; unknown values are ignored."""
        status, source = args.get("status", ""), args.get("source", "")
        return cls(
            q=args.get("q", "").strip()[:100],
            status=status if status in profiles.active().codes("lead_status") else "",
            source=source if source in LEAD_SOURCES else "",
        )


def leads(sandbox: Sandbox, filters: LeadFilters, page: int) -> Pagination:
    """A page of leads, newest first."""
    query = scoped(Lead, sandbox).order_by(Lead.created_at.desc(), Lead.id.desc())
    if filters.q:
        query = query.where(
            _search((Lead.first_name + " " + Lead.last_name, Lead.company, Lead.email), filters.q)
        )
    if filters.status:
        query = query.where(Lead.status == filters.status)
    if filters.source:
        query = query.where(Lead.source == filters.source)
    return _page(query, page)


def names_of(model, ids, sandbox: Sandbox) -> dict[int, str]:
    """Display names for a page's worth of ids, in one query (none for no ids)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {
        r.id: r.name for r in db.session.scalars(scoped(model, sandbox).where(model.id.in_(wanted)))
    }


def colleagues(sandbox: Sandbox) -> list[Colleague]:
    """The sandbox company's people, the learner first."""
    return db.session.scalars(
        scoped(Colleague, sandbox).order_by(Colleague.is_learner.desc(), Colleague.name)
    ).all()


@dataclass
class TicketFilters:
    """Which tickets the queue shows."""

    show: str = "open"  # open | all | mine
    category: str = ""

    @classmethod
    def from_args(cls, args) -> TicketFilters:
        """Filters from a query string; unknown values are ignored."""
        show, category = args.get("show", "open"), args.get("category", "")
        return cls(
            show=show if show in ("open", "all", "mine") else "open",
            category=category if category in profiles.active().codes("category") else "",
        )


def ticket_queue(sandbox: Sandbox, filters: TicketFilters, page: int) -> Pagination:
    """Tickets, most urgent first: open ones by their next deadline, finished ones last."""
    query = scoped(Ticket, sandbox)
    if filters.show in ("open", "mine"):
        query = query.where(Ticket.status.in_(open_statuses()))
    if filters.show == "mine":
        me = select(Colleague.id).where(
            Colleague.sandbox_id == sandbox.id, Colleague.is_learner.is_(True)
        )
        query = query.where(Ticket.assignee_id.in_(me))
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    # Still to work on first (by deadline), then resolved and waiting to close, then done.
    finished = case(
        (Ticket.status.not_in(open_statuses()), 2), (Ticket.resolved_at.is_not(None), 1), else_=0
    )
    return _page(query.order_by(finished, _next_due(), Ticket.id), page)


def outbox(sandbox: Sandbox, q: str, page: int) -> Pagination:
    """Emails the automations sent, newest first, optionally for one customer."""
    query = scoped(OutboxEmail, sandbox).order_by(OutboxEmail.sent_at.desc(), OutboxEmail.id.desc())
    if q:
        matching = select(Customer.id).where(
            Customer.sandbox_id == sandbox.id,
            _search((Customer.first_name + " " + Customer.last_name, Customer.company), q),
        )
        query = query.where(
            OutboxEmail.customer_id.in_(matching)
            | func.lower(OutboxEmail.to).like(f"%{q.lower()}%")
        )
    return _page(query, page)
