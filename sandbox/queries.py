"""What the sandbox pages read: every query scoped to one sandbox, each page a fixed number
of statements however many customers the sandbox holds (lists paginate).

Over 400 lines: every sandbox page's reads in one module, so that what each page costs
(tests/sandbox/test_pages.py counts it at two data sizes) can be read in one place; the
list filters live apart in sandbox.filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, lru_cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Date, bindparam, case, false, func, literal, or_, select, true

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


class CountedPage(Pagination):
    """A page of plain rows from a statement built once (see `_counted`), which also
    counts them all: a page costs one statement, not two, past the last page too."""

    def _query_items(self) -> list:
        statement, values = self._query_args["statement"], self._query_args["values"]
        values = {**values, "limit": self.per_page, "offset": (self.page - 1) * self.per_page}
        rows = db.session.connection().execute(statement, values).all()
        self._total = rows[0].total if rows else 0
        return [row for row in rows if row.id is not None]  # none: the count's row alone

    def _query_count(self) -> int:
        return self._total


def _counted_page(statement, values: dict, page: int) -> CountedPage:
    """A page of `statement` (made by `_counted`), run with `values` on the session's
    connection: no ORM objects, and no statement to build."""
    return CountedPage(
        page=max(1, page), per_page=PER_PAGE, error_out=False, statement=statement, values=values
    )


def _counted(model, chosen, order: tuple, columns: tuple, joins: tuple = ()):
    """A page of the rows `chosen` picks (a select of `model`'s id with the list's
    conditions) in `order` (its limit and offset parameters), showing `columns` of
    `model` and of `joins` ((target, on) outer joined), each row with the count of all
    (`total`); past the last page, one row of the count alone (id None).

    Only the ids are sorted, and the columns shown are read for the page's rows alone:
    sorting every matching row with all its columns cost a list's statement more than
    the rest of it."""
    page = (
        chosen.add_columns(func.row_number().over(order_by=order).label("position"))
        .order_by(*order)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    counted = select(func.count().label("total")).select_from(chosen.subquery()).subquery()
    shown = counted.outerjoin(page, true()).outerjoin(
        model, (model.id == page.c.id) & (model.sandbox_id == _parameter("sandbox_id"))
    )
    for target, on in joins:
        shown = shown.outerjoin(target, on)
    return select(*columns, counted.c.total).select_from(shown).order_by(page.c.position)


def _search(columns, text: str):
    pattern = f"%{text.lower()}%"
    return or_(*(func.lower(column).like(pattern) for column in columns))


def _count(model, sandbox_id, *where):
    return (
        select(func.count(model.id)).where(model.sandbox_id == sandbox_id, *where).scalar_subquery()
    )


def home_counts(sandbox: Sandbox, user_id: int) -> dict[str, int]:
    """The home page's figures, in one statement (built once per CRM profile)."""
    profile = profiles.active()
    statement = _home_counts(
        profile.playing("lead_status", ("converted", "dead")),
        tuple(profile.open_stages()),
        open_statuses(),
        _paused(profile),
    )
    values = {"sandbox_id": sandbox.id, "user_id": user_id, "clock": sandbox.clock}
    return dict(db.session.connection().execute(statement, values).one()._mapping)


@lru_cache(maxsize=32)
def _home_counts(finished_leads, open_stages, open_tickets, paused):
    """home_counts' statement for a profile's codes; the sandbox, the user and the sandbox
    clock are its parameters, so a page does not build the statement again."""
    sandbox_id = _parameter("sandbox_id")
    open_ticket = _one_of(Ticket.status, open_tickets)
    return select(
        _count(Customer, sandbox_id).label("customers"),
        _count(Lead, sandbox_id, ~_one_of(Lead.status, finished_leads)).label("leads"),
        _count(Opportunity, sandbox_id, _one_of(Opportunity.stage, open_stages)).label(
            "opportunities"
        ),
        _count(Ticket, sandbox_id, open_ticket).label("tickets"),
        _count(Ticket, sandbox_id, open_ticket, _next_due(paused) < _parameter("clock")).label(
            "overdue"
        ),
        _count(
            Activity,
            sandbox_id,
            Activity.kind == "task",
            Activity.done.is_(False),
            Activity.id.in_(_mine(sandbox_id, _parameter("user_id"))),
        ).label("tasks"),
        _count(OutboxEmail, sandbox_id, OutboxEmail.skipped_reason == "").label("outbox"),
    )


def _one_of(column, codes: tuple):
    """`column IN (codes)`, each code a parameter of its own: the statements here are built
    once per profile, and an IN of a list would be expanded again on every execution. No
    codes match nothing."""
    return column.in_([literal(code) for code in codes]) if codes else false()


def _parameter(name: str):
    """A value a cached statement is executed with (not required when the statement is
    only compiled, as the sandbox scope check does)."""
    return bindparam(name, required=False)


def _mine(sandbox_id, user_id):
    """Ids of the activities this user logged in the sandbox (from the event log)."""
    return select(SandboxEvent.entity_id).where(
        SandboxEvent.sandbox_id == sandbox_id,
        SandboxEvent.verb == "activity.created",
        SandboxEvent.actor_id == user_id,
    )


def open_tasks(sandbox: Sandbox, user_id: int, limit: int = 8) -> list:
    """Tasks this user logged and has not done yet, the most pressing first: rows of the
    id, subject, due day and record of each (one plain statement, built once)."""
    values = {"sandbox_id": sandbox.id, "user_id": user_id, "limit": limit}
    return db.session.connection().execute(_open_tasks(), values).all()


@cache
def _open_tasks():
    sandbox_id = _parameter("sandbox_id")
    return (
        select(Activity.id, Activity.subject, Activity.due_on, Activity.parent_type)
        .add_columns(Activity.parent_id)
        .where(
            Activity.sandbox_id == sandbox_id,
            Activity.kind == "task",
            Activity.done.is_(False),
            Activity.id.in_(_mine(sandbox_id, _parameter("user_id"))),
        )
        .order_by(Activity.due_on, Activity.id)
        .limit(bindparam("limit"))
    )


def _paused(profile: profiles.Profile) -> tuple[str, ...]:
    """Ticket statuses whose SLA clock stops (none unless the policy pauses pending)."""
    return profile.plays("ticket_status", "pending") if profile.sla.pending_pauses else ()


def _next_due(paused: tuple[str, ...] | None = None):
    """A ticket's next deadline: first response while unanswered, then resolution; none
    once resolved (closing it is all that is left), nor while the SLA clock is paused."""
    if paused is None:
        paused = _paused(profiles.active())
    return case(
        (Ticket.resolved_at.is_not(None), None),
        (_one_of(Ticket.status, paused), None),
        (Ticket.first_responded_at.is_(None), Ticket.first_response_due),
        else_=Ticket.resolution_due,
    )


def overdue_tickets(sandbox: Sandbox, limit: int = 8) -> list:
    """Open tickets past their next deadline on the sandbox clock, longest overdue first."""
    statement = _overdue(open_statuses(), _paused(profiles.active()), limit)
    values = {"sandbox_id": sandbox.id, "clock": sandbox.clock}
    return db.session.connection().execute(statement, values).all()


@lru_cache(maxsize=32)
def _overdue(open_tickets, paused, limit: int):
    """overdue_tickets' statement for a profile's codes (the sandbox and clock its
    parameters): plain rows of what the queue shows of a ticket."""
    return (
        select(*_QUEUE_COLUMNS)
        .where(
            Ticket.sandbox_id == _parameter("sandbox_id"),
            _one_of(Ticket.status, open_tickets),
            _next_due(paused) < _parameter("clock"),
        )
        .order_by(_next_due(paused), Ticket.id)
        .limit(limit)
    )


def _midnight(day: date | None, later: timedelta = timedelta(0)) -> datetime | None:
    """The sandbox moment (UTC) a day starts, or `later` than that."""
    return day and datetime.combine(day + later, time.min, UTC)


def _between(column, first: date | None, last: date | None) -> list:
    """Conditions for a date range, both ends included; on a timestamp (sandbox time, UTC)
    the last day counts until its midnight."""
    moments = not isinstance(column.type, Date)
    if moments:
        first, last = _midnight(first), _midnight(last, timedelta(days=1))
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


def customers(sandbox: Sandbox, filters: CustomerFilters, page: int) -> CountedPage:
    """A page of customers, by name, matching the search and filters: plain rows of what
    the list shows (`account_name` names one), from one statement built once for each
    combination of filters in use."""
    owner = filters.owner if filters.owner in ("", "me") else "colleague"
    shape = (
        bool(filters.q),
        filters.kind,
        bool(filters.tier),
        bool(filters.city),
        filters.open_ticket,
        owner,
        filters.since_from is not None,
        filters.since_to is not None,
    )
    profile = profiles.active()
    statement = _customer_list(shape, open_statuses(), tuple(profile.open_stages()))
    values = {
        "sandbox_id": sandbox.id,
        "pattern": f"%{filters.q.lower()}%",
        "tier": filters.tier,
        "city": filters.city,
        "owner": int(filters.owner) if owner == "colleague" else None,
        "since_from": filters.since_from,
        "since_to": filters.since_to,
    }
    return _counted_page(statement, values, page)


# What the customer list shows of a customer.
_CUSTOMER_COLUMNS = (
    Customer.id,
    Customer.is_company,
    Customer.company_id,
    Customer.first_name,
    Customer.last_name,
    Customer.company,
    Customer.title,
    Customer.email,
    Customer.city,
    Customer.tier,
    Customer.loyalty_card,
)


@lru_cache(maxsize=256)
def _customer_list(shape: tuple, open_tickets: tuple, open_stages: tuple):
    """customers' statement for one combination of filters (`shape`) and a profile's
    codes; the sandbox and the filters' values are its parameters."""
    q, kind, tier, city, open_ticket, owner, since, until = shape
    sandbox_id = _parameter("sandbox_id")
    # A company sorts by its name, a person by last name: both read as the row's title.
    title = case((Customer.is_company, Customer.company), else_=Customer.last_name)
    query = select(Customer.id).where(Customer.sandbox_id == sandbox_id)
    if q:
        searched = (
            Customer.first_name + " " + Customer.last_name,
            Customer.company,
            Customer.email,
            Customer.loyalty_card,
        )
        pattern = _parameter("pattern")
        query = query.where(or_(*(func.lower(column).like(pattern) for column in searched)))
    if kind:
        query = query.where(Customer.is_company.is_(kind == "companies"))
    if tier:
        query = query.where(Customer.tier == _parameter("tier"))
    if city:
        query = query.where(Customer.city == _parameter("city"))
    if open_ticket:
        query = query.where(
            Customer.id.in_(
                select(Ticket.customer_id).where(
                    Ticket.sandbox_id == sandbox_id, _one_of(Ticket.status, open_tickets)
                )
            )
        )
    if owner:
        who = select(Colleague.id).where(Colleague.sandbox_id == sandbox_id)
        if owner == "me":
            who = who.where(Colleague.is_learner.is_(True))
        else:
            who = who.where(Colleague.id == _parameter("owner"))
        tickets = select(Ticket.customer_id).where(
            Ticket.sandbox_id == sandbox_id,
            _one_of(Ticket.status, open_tickets),
            Ticket.assignee_id.in_(who),
        )
        deals = select(Opportunity.customer_id).where(
            Opportunity.sandbox_id == sandbox_id,
            _one_of(Opportunity.stage, open_stages),
            Opportunity.owner_id.in_(who),
        )
        query = query.where(Customer.id.in_(tickets.union(deals)))
    if since:
        query = query.where(Customer.customer_since >= _parameter("since_from"))
    if until:
        query = query.where(Customer.customer_since <= _parameter("since_to"))
    return _counted(Customer, query, (title, Customer.first_name, Customer.id), _CUSTOMER_COLUMNS)


def cities(sandbox: Sandbox) -> list[str]:
    """The cities the sandbox's customers are in, for the filter."""
    return db.session.connection().scalars(_cities(), {"sandbox_id": sandbox.id}).all()


@cache
def _cities():
    return (
        select(Customer.city)
        .where(Customer.sandbox_id == _parameter("sandbox_id"), Customer.city != "")
        .distinct()
        .order_by(Customer.city)
    )


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


def colleagues(sandbox: Sandbox) -> list:
    """The sandbox company's people, the learner first: rows of their id, name, role and
    is_learner (every list and form asks; one plain statement, built once)."""
    return db.session.connection().execute(_colleagues(), {"sandbox_id": sandbox.id}).all()


@cache
def _colleagues():
    return (
        select(Colleague.id, Colleague.name, Colleague.role, Colleague.is_learner)
        .where(Colleague.sandbox_id == _parameter("sandbox_id"))
        .order_by(Colleague.is_learner.desc(), Colleague.name)
    )


def ticket_queue(sandbox: Sandbox, filters: TicketFilters, page: int) -> CountedPage:
    """Tickets, most urgent first: open ones by their next deadline, finished ones last.

    The page's rows are plain rows with what the queue shows of a ticket and, for its
    account, the four columns its name needs (`account_name`); one statement, built once
    for each combination of filters in use."""
    mine = filters.show == "mine"
    shape = (
        bool(filters.status),
        filters.show in ("open", "mine") and not filters.status,
        mine,
        filters.assignee if filters.assignee in ("", "me", "none") else "colleague",
        bool(filters.category),
        bool(filters.priority),
        filters.opened_from is not None,
        filters.opened_to is not None,
    )
    statement = _queue(shape, open_statuses(), _paused(profiles.active()))
    values = {
        "sandbox_id": sandbox.id,
        "status": filters.status,
        "assignee": int(filters.assignee) if shape[3] == "colleague" else None,
        "category": filters.category,
        "priority": filters.priority,
        "opened_from": _midnight(filters.opened_from),
        "opened_to": _midnight(filters.opened_to, timedelta(days=1)),
    }
    return _counted_page(statement, values, page)


def account_name(row) -> str:
    """The name of a queue row's account (Customer.name, on the row's columns)."""
    return Customer.name.fget(row)


# What the queue shows of a ticket (the TicketBadges read the SLA columns).
_QUEUE_COLUMNS = (
    Ticket.id,
    Ticket.subject,
    Ticket.category,
    Ticket.priority,
    Ticket.status,
    Ticket.opened_at,
    Ticket.customer_id,
    Ticket.assignee_id,
    Ticket.first_responded_at,
    Ticket.first_response_due,
    Ticket.resolution_due,
    Ticket.resolved_at,
)


@lru_cache(maxsize=256)
def _queue(shape: tuple, open_tickets: tuple, paused: tuple):
    """ticket_queue's statement for one combination of filters (`shape`) and a profile's
    codes; the sandbox and the filters' values are its parameters."""
    status, only_open, mine, assignee, category, priority, since, until = shape
    sandbox_id = _parameter("sandbox_id")
    learner = select(Colleague.id).where(
        Colleague.sandbox_id == sandbox_id, Colleague.is_learner.is_(True)
    )
    account = (Customer.is_company, Customer.company, Customer.first_name, Customer.last_name)
    query = select(Ticket.id).where(Ticket.sandbox_id == sandbox_id)
    if status:
        query = query.where(Ticket.status == _parameter("status"))
    elif only_open:
        query = query.where(_one_of(Ticket.status, open_tickets))
    if mine:
        query = query.where(Ticket.assignee_id.in_(learner))
    if assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif assignee == "me":
        query = query.where(Ticket.assignee_id.in_(learner))
    elif assignee:
        query = query.where(
            Ticket.assignee_id.in_(
                select(Colleague.id).where(
                    Colleague.sandbox_id == sandbox_id, Colleague.id == _parameter("assignee")
                )
            )
        )
    if category:
        query = query.where(Ticket.category == _parameter("category"))
    if priority:
        query = query.where(Ticket.priority == _parameter("priority"))
    if since:
        query = query.where(Ticket.opened_at >= _parameter("opened_from"))
    if until:
        query = query.where(Ticket.opened_at < _parameter("opened_to"))
    customer = (Customer, (Customer.id == Ticket.customer_id) & (Customer.sandbox_id == sandbox_id))
    order = _queue_order(open_tickets, paused)
    return _counted(Ticket, query, order, (*_QUEUE_COLUMNS, *account), (customer,))


@lru_cache(maxsize=32)
def _queue_order(open_tickets, paused) -> tuple:
    """The queue's order for a profile's codes (built once): still to work on first (by
    deadline), then resolved and waiting to close, then done."""
    finished = case(
        (~_one_of(Ticket.status, open_tickets), 2), (Ticket.resolved_at.is_not(None), 1), else_=0
    )
    return finished, _next_due(paused), Ticket.id


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
