"""The pipeline board and the reports: sales against target, pipeline by stage, tickets
by category with SLA compliance, and the customer portfolio (top customers by lifetime
value, with their open tickets). Read-only, scoped to one sandbox, fixed statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Integer, and_, func, or_, select

from portal.extensions import db
from sandbox import profiles
from sandbox.models import (
    Colleague,
    Customer,
    Opportunity,
    Purchase,
    SalesTarget,
    Sandbox,
    Ticket,
)

CLOSED_SHOWN = 8  # the most recent won and lost deals on the board
OPEN_TICKET = ("new", "assigned", "pending")  # ticket status roles still being worked


@dataclass
class Column:
    """One stage of the board: its deals shown, and the count and total of all."""

    stage: str
    probability: int
    deals: list  # (Opportunity, company, owner name)
    count: int
    total: Decimal

    @property
    def weighted(self) -> Decimal:
        """The stage's total times its probability."""
        return self.total * self.probability / 100

    @property
    def closed(self) -> bool:
        """A won or lost stage (no weighted value)."""
        return profiles.active().is_closed(self.stage)


def open_stages() -> list[str]:
    """The active CRM profile's stages that are neither won nor lost, in pipeline order."""
    return profiles.active().open_stages()


def pipeline_board(sandbox: Sandbox) -> list[Column]:
    """One column per stage of the CRM profile: open deals in full, the latest closed ones,
    totals of all."""
    profile = profiles.active()
    base = (
        select(Opportunity, Customer.company, Colleague.name)
        .outerjoin(
            Customer,
            and_(Customer.id == Opportunity.customer_id, Customer.sandbox_id == sandbox.id),
        )
        .outerjoin(
            Colleague,
            and_(Colleague.id == Opportunity.owner_id, Colleague.sandbox_id == sandbox.id),
        )
        .where(Opportunity.sandbox_id == sandbox.id)
    )
    deals = {stage: [] for stage in profile.codes("stage")}
    for row in db.session.execute(
        base.where(Opportunity.stage.in_(profile.open_stages())).order_by(
            Opportunity.close_date, Opportunity.id
        )
    ):
        deals[row[0].stage].append(tuple(row))
    for stage in [code for code in deals if profile.is_closed(code)]:
        deals[stage] = [
            tuple(row)
            for row in db.session.execute(
                base.where(Opportunity.stage == stage)
                .order_by(Opportunity.close_date.desc(), Opportunity.id.desc())
                .limit(CLOSED_SHOWN)
            )
        ]
    totals = {
        stage: (count, Decimal(total or 0))
        for stage, count, total in db.session.execute(
            select(Opportunity.stage, func.count(), func.sum(Opportunity.amount))
            .where(Opportunity.sandbox_id == sandbox.id)
            .group_by(Opportunity.stage)
        )
    }
    return [
        Column(stage, chance, deals[stage], *totals.get(stage, (0, Decimal(0))))
        for stage, chance in profile.probabilities.items()
    ]


def weighted_pipeline(columns: list[Column]) -> Decimal:
    """Open deals' amounts, each times its stage's probability."""
    profile = profiles.active()
    return sum((c.weighted for c in columns if not profile.is_closed(c.stage)), Decimal(0))


@dataclass
class SalesRow:
    """One salesperson's line of the target report."""

    colleague: Colleague
    target: SalesTarget | None
    period: tuple[date, date]
    won: Decimal
    weighted: Decimal

    @property
    def percent(self) -> int | None:
        """Won as a share of the target, or None without a target."""
        if not self.target or not self.target.amount:
            return None
        return round(100 * self.won / self.target.amount)

    @property
    def gap(self) -> Decimal | None:
        """What is still to win (never below zero), or None without a target."""
        return max(self.target.amount - self.won, Decimal(0)) if self.target else None


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter `day` falls in."""
    start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    end = (start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    return start, end


def sales_against_target(sandbox: Sandbox) -> list[SalesRow]:
    """Per salesperson: won in the target's period (else this quarter), target, gap,
    and the weighted value of their open pipeline."""
    today = sandbox.today
    profile = profiles.active()
    current = and_(
        SalesTarget.owner_id == Colleague.id,
        SalesTarget.sandbox_id == sandbox.id,
        SalesTarget.period_start <= today,
        SalesTarget.period_end >= today,
    )
    people = db.session.execute(
        select(Colleague, SalesTarget)
        .outerjoin(SalesTarget, current)
        .where(Colleague.sandbox_id == sandbox.id, Colleague.role == "sales")
        .order_by(Colleague.is_learner.desc(), Colleague.name)
    ).all()
    won_rows = db.session.execute(
        select(Opportunity.owner_id, Opportunity.close_date, Opportunity.amount).where(
            Opportunity.sandbox_id == sandbox.id,
            Opportunity.stage.in_(profile.plays("stage", "closed_won")),
            Opportunity.close_date >= today - timedelta(days=400),
        )
    ).all()
    weighted: dict[int, Decimal] = {}
    for owner, stage, amount in db.session.execute(
        select(Opportunity.owner_id, Opportunity.stage, func.sum(Opportunity.amount))
        .where(Opportunity.sandbox_id == sandbox.id, Opportunity.stage.in_(profile.open_stages()))
        .group_by(Opportunity.owner_id, Opportunity.stage)
    ):
        chance = profile.probability(stage)
        weighted[owner] = weighted.get(owner, Decimal(0)) + Decimal(amount) * chance / 100
    rows = []
    for colleague, target in people:
        period = (target.period_start, target.period_end) if target else quarter_of(today)
        won = sum(
            (
                Decimal(amount)
                for owner, closed, amount in won_rows
                if owner == colleague.id and closed and period[0] <= closed <= period[1]
            ),
            Decimal(0),
        )
        rows.append(
            SalesRow(colleague, target, period, won, weighted.get(colleague.id, Decimal(0)))
        )
    return rows


@dataclass
class TicketRow:
    """One category's line of the ticket report.

    SLA compliance counts every ticket whose deadline has come: answered (or resolved),
    in time or late, and still waiting past it on the sandbox clock, which is a breach.
    """

    category: str
    count: int
    open: int
    answered: int  # answered, or still unanswered past the first-response deadline
    answered_in_time: int
    resolved: int  # resolved, or still unresolved past the resolution deadline
    resolved_in_time: int
    satisfaction: float | None

    @staticmethod
    def share(part: int, whole: int) -> int | None:
        """`part` of `whole` in percent, or None when there is nothing to share."""
        return round(100 * part / whole) if whole else None


def _flag(condition):
    return func.coalesce(func.sum(condition.cast(Integer)), 0)


def tickets_by_category(sandbox: Sandbox) -> list[TicketRow]:
    """Per category: how many, how many open, and the share answered and resolved in time."""
    profile = profiles.active()
    running = OPEN_TICKET if not profile.sla.pending_pauses else ("new", "assigned")
    waiting = Ticket.status.in_(profile.playing("ticket_status", running))
    late_answer = Ticket.first_responded_at.is_(None) & (Ticket.first_response_due < sandbox.clock)
    late_resolution = Ticket.resolved_at.is_(None) & (Ticket.resolution_due < sandbox.clock)
    rows = db.session.execute(
        select(
            Ticket.category,
            func.count(),
            _flag(Ticket.status.in_(profile.playing("ticket_status", OPEN_TICKET))),
            _flag(or_(Ticket.first_responded_at.is_not(None), waiting & late_answer)),
            _flag(Ticket.first_responded_at <= Ticket.first_response_due),
            _flag(or_(Ticket.resolved_at.is_not(None), waiting & late_resolution)),
            _flag(Ticket.resolved_at <= Ticket.resolution_due),
            func.avg(Ticket.satisfaction),
        )
        .where(Ticket.sandbox_id == sandbox.id)
        .group_by(Ticket.category)
        .order_by(Ticket.category)
    ).all()
    return [
        TicketRow(c, n, o, a, ai, r, ri, float(s) if s is not None else None)
        for c, n, o, a, ai, r, ri, s in rows
    ]


PORTFOLIO_SHOWN = 10  # customers in the portfolio report


@dataclass
class PortfolioRow:
    """One of the most valuable customers: what they bought in all, and their open tickets
    (a valuable customer with problems still open is at risk)."""

    rank: int
    customer: Customer
    lifetime_value: Decimal
    purchases: int
    open_tickets: int


def customer_portfolio(sandbox: Sandbox) -> list[PortfolioRow]:
    """The customers with the highest lifetime value, highest first (ties by id, as the
    `customers.top_by_value` computation ranks them), each with its open tickets."""
    value = func.sum(Purchase.amount)
    top = db.session.execute(
        select(Purchase.customer_id, value, func.count())
        .where(Purchase.sandbox_id == sandbox.id)
        .group_by(Purchase.customer_id)
        .order_by(value.desc(), Purchase.customer_id)
        .limit(PORTFOLIO_SHOWN)
    ).all()
    ids = [customer_id for customer_id, _value, _count in top]
    customers = {
        c.id: c
        for c in db.session.scalars(
            select(Customer).where(Customer.sandbox_id == sandbox.id, Customer.id.in_(ids))
        )
    }
    still_open = profiles.active().playing("ticket_status", OPEN_TICKET)
    open_tickets = dict(
        db.session.execute(
            select(Ticket.customer_id, func.count())
            .where(
                Ticket.sandbox_id == sandbox.id,
                Ticket.customer_id.in_(ids),
                Ticket.status.in_(still_open),
            )
            .group_by(Ticket.customer_id)
        ).all()
    )
    rows = [(i, v, n) for i, v, n in top if i in customers]
    return [
        PortfolioRow(rank, customers[i], Decimal(v or 0), n, open_tickets.get(i, 0))
        for rank, (i, v, n) in enumerate(rows, start=1)
    ]
