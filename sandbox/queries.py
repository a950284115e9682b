"""What the sandbox pages read: every query scoped to one sandbox, each page a fixed number
of statements however many customers the sandbox holds (lists paginate).

Over 400 lines: every sandbox page's reads in one module, so that what each page costs
(tests/sandbox/test_pages.py counts it at two data sizes) can be read in one place; the
list filters live apart in sandbox.filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Date, case, func, or_, select

from portal.extensions import db
from sandbox import profiles
from sandbox.codes import INTERESTS
from sandbox.filters import CustomerFilters, LeadFilters, TicketFilters
from sandbox.models import (
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
            _count(OutboxEmail, sandbox, OutboxEmail.skipped_reason == "").label("outbox"),
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


def _between(column, first: date | None, last: date | None) -> list:
    """Conditions for a date range, both ends included; on a timestamp (sandbox time, UTC)
    the last day counts until its midnight."""
    moments = not isinstance(column.type, Date)
    if moments:
        first = first and datetime.combine(first, time.min, UTC)
        last = last and datetime.combine(last + timedelta(days=1), time.min, UTC)
    where = []
    if first:
        where.append(column >= first)
    if last:
        where.append(column < last if moments else column <= last)
    return where


def _learner(sandbox: Sandbox):
    """The learner's own colleague record in the sandbox (who "me" is)."""
    return select(Colleague.id).where(
        Colleague.sandbox_id == sandbox.id, Colleague.is_learner.is_(True)
    )


def _colleague(sandbox: Sandbox, owner: str):
    """Ids of the colleague an owner filter names ("me" is the learner)."""
    if owner == "me":
        return _learner(sandbox)
    return select(Colleague.id).where(
        Colleague.sandbox_id == sandbox.id, Colleague.id == int(owner)
    )


def _open_work_of(sandbox: Sandbox, owner: str):
    """Ids of the accounts where the colleague has an open ticket or an open deal."""
    who = _colleague(sandbox, owner)
    tickets = select(Ticket.customer_id).where(
        Ticket.sandbox_id == sandbox.id,
        Ticket.status.in_(open_statuses()),
        Ticket.assignee_id.in_(who),
    )
    deals = select(Opportunity.customer_id).where(
        Opportunity.sandbox_id == sandbox.id,
        Opportunity.stage.in_(profiles.active().open_stages()),
        Opportunity.owner_id.in_(who),
    )
    return tickets.union(deals)


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
    if filters.owner:
        query = query.where(Customer.id.in_(_open_work_of(sandbox, filters.owner)))
    query = query.where(*_between(Customer.customer_since, filters.since_from, filters.since_to))
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
    employer: Customer | None = None  # the company account a person works for
    contacts: list[Customer] = field(default_factory=list)  # a company's people
    offers: list[Product] = field(default_factory=list)  # what their interests bring up

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

    @property
    def contact_names(self) -> dict[int, str]:
        """A company's people by id: who its tickets and deals name as contact."""
        return {c.id: c.name for c in self.contacts}


def customer_profile(sandbox: Sandbox, customer: Customer) -> CustomerProfile:
    """Everything about one customer: purchases, tickets, deals, the activity timeline;
    a company's contacts, or the company a person works for.

    Tickets and deals are the account's (`customer_id`) or name the person as contact.
    """
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
        .where((Ticket.customer_id == customer.id) | (Ticket.contact_id == customer.id))
        .order_by(Ticket.opened_at.desc())
    ).all()
    opportunities = db.session.scalars(
        scoped(Opportunity, sandbox)
        .where((Opportunity.customer_id == customer.id) | (Opportunity.contact_id == customer.id))
        .order_by(Opportunity.close_date.desc())
    ).all()
    contacts = []
    if customer.is_company:
        contacts = db.session.scalars(
            scoped(Customer, sandbox)
            .where(Customer.company_id == customer.id)
            .order_by(Customer.last_name, Customer.first_name, Customer.id)
        ).all()
    employer = customer.company_id and get_in_sandbox(Customer, customer.company_id, sandbox)
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
    return CustomerProfile(
        customer,
        purchases,
        tickets,
        opportunities,
        activities,
        lead,
        employer,
        contacts,
        offers_for(sandbox, customer),
    )


OFFERS_SHOWN = 6


def interests_of(customer: Customer) -> list[str]:
    """The catalogue's product groups (codes.INTERESTS) the customer's preferences name."""
    said = customer.preferences.lower()
    return [interest for interest in INTERESTS if interest in said]


def offers_for(sandbox: Sandbox, customer: Customer) -> list[Product]:
    """The products the shop offers this customer: those of the groups their preferences
    name, cheapest first. Changing the preferences changes the offers."""
    return list(
        db.session.scalars(
            scoped(Product, sandbox)
            .where(func.lower(Product.category).in_(interests_of(customer)))
            .order_by(Product.price, Product.name)
            .limit(OFFERS_SHOWN)
        )
    )


def timeline(sandbox: Sandbox, parent_type: str, parent_id: int) -> list[Activity]:
    """A record's activities, newest first (sandbox time)."""
    return db.session.scalars(
        scoped(Activity, sandbox)
        .where(Activity.parent_type == parent_type, Activity.parent_id == parent_id)
        .order_by(Activity.at.desc(), Activity.id.desc())
    ).all()


def leads(sandbox: Sandbox, filters: LeadFilters, page: int) -> Pagination:
    """A page of leads, newest first; "mine" are the ones the learner's colleague owns."""
    query = scoped(Lead, sandbox).order_by(Lead.created_at.desc(), Lead.id.desc())
    if filters.q:
        query = query.where(
            _search((Lead.first_name + " " + Lead.last_name, Lead.company, Lead.email), filters.q)
        )
    if filters.status:
        query = query.where(Lead.status == filters.status)
    if filters.source:
        query = query.where(Lead.source == filters.source)
    if filters.owner:
        query = query.where(
            Lead.owner_id.is_(None)
            if filters.owner == "none"
            else Lead.owner_id.in_(_colleague(sandbox, filters.owner))
        )
    if filters.open:
        finished = profiles.active().playing("lead_status", ("converted", "dead"))
        query = query.where(Lead.status.not_in(finished))
    query = query.where(*_between(Lead.created_at, filters.created_from, filters.created_to))
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


def ticket_queue(sandbox: Sandbox, filters: TicketFilters, page: int) -> Pagination:
    """Tickets, most urgent first: open ones by their next deadline, finished ones last."""
    query = scoped(Ticket, sandbox)
    if filters.status:
        query = query.where(Ticket.status == filters.status)
    elif filters.show in ("open", "mine"):
        query = query.where(Ticket.status.in_(open_statuses()))
    if filters.show == "mine":
        query = query.where(Ticket.assignee_id.in_(_learner(sandbox)))
    if filters.assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif filters.assignee:
        query = query.where(Ticket.assignee_id.in_(_colleague(sandbox, filters.assignee)))
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.priority:
        query = query.where(Ticket.priority == filters.priority)
    query = query.where(*_between(Ticket.opened_at, filters.opened_from, filters.opened_to))
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
