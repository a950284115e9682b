"""Named sandbox queries an exercise's answer checks compare the learner's answer with.

A computation has a name ("pipeline.weighted"), the parameters a check may give it and
what kind of value it returns. The course format validates answer checks against
`COMPUTATIONS` (so this module imports no Flask at the top: the queries import what
they read when they run); `sandbox.checks` runs them. Add one with `@computation(...)`;
a value that depends on the portal rather than the sandbox (the learner's rollout wave)
is read from there the same way.

Parameter and result kinds: "record" (a setup record, {setup: key}, or "@learner"),
"number", "money", "percent", "date", "code:<group>" (a code of sandbox.codes.CODES);
a "choice" result is the value of one of a choice answer's options (such as a CRM
profile's key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.models import Sandbox

RESULT_KINDS = ("number", "money", "percent", "date", "record", "choice")


def N_(text: str) -> str:  # noqa: N802 - pybabel's marker for text translated later
    return text


@dataclass(frozen=True)
class Computation:
    """One named query: its parameters (name -> kind), which of them a check must give,
    what it returns, what a learner's hint calls it, and the function that runs it."""

    name: str
    result: str
    label: str
    run: Callable[..., Any]
    params: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)


COMPUTATIONS: dict[str, Computation] = {}


def computation(
    name: str,
    result: str,
    label: str,
    params: dict[str, str] | None = None,
    required: tuple[str, ...] = (),
    defaults: dict[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `run(sandbox, **params)` under `name`, returning a `result` kind value;
    `label` (marked with N_, translated when shown) names it in a learner's hint."""
    assert result in RESULT_KINDS, result

    def register(run: Callable[..., Any]) -> Callable[..., Any]:
        COMPUTATIONS[name] = Computation(
            name, result, label, run, dict(params or {}), required, dict(defaults or {})
        )
        return run

    return register


def compute(name: str, sandbox: Sandbox, params: dict[str, Any]) -> Any:
    """The value of computation `name` in `sandbox`; `params` resolved to ids, dates and
    numbers, with its `defaults` for those a check leaves out. None when the sandbox has
    nothing to say (no target set, say)."""
    return COMPUTATIONS[name].run(sandbox, **params)


def _target_row(sandbox: Sandbox, owner: int | None):
    from sandbox import reports

    return next(
        (row for row in reports.sales_against_target(sandbox) if row.colleague.id == owner),
        None,
    )


_OWNER = {"owner": "record"}
_LEARNER = {"owner": "@learner"}


@computation(
    "pipeline.weighted",
    "money",
    N_("the weighted value of your pipeline"),
    _OWNER,
    defaults=_LEARNER,
)
def weighted_pipeline(sandbox: Sandbox, owner: int | None) -> Decimal:
    """The salesperson's open deals, each amount times its stage's probability."""
    row = _target_row(sandbox, owner)
    return row.weighted if row else Decimal(0)


@computation(
    "sales.won", "money", N_("what you won in the target period"), _OWNER, defaults=_LEARNER
)
def sales_won(sandbox: Sandbox, owner: int | None) -> Decimal:
    """What the salesperson won in their target's period (else this quarter)."""
    row = _target_row(sandbox, owner)
    return row.won if row else Decimal(0)


@computation("sales.target", "money", N_("your target"), _OWNER, defaults=_LEARNER)
def sales_target(sandbox: Sandbox, owner: int | None) -> Decimal | None:
    """The salesperson's current target."""
    row = _target_row(sandbox, owner)
    return row.target.amount if row and row.target else None


@computation("sales.attainment", "percent", N_("your attainment"), _OWNER, defaults=_LEARNER)
def sales_attainment(sandbox: Sandbox, owner: int | None) -> Decimal | None:
    """Won as a percentage of the current target (unrounded)."""
    row = _target_row(sandbox, owner)
    if not row or not row.target or not row.target.amount:
        return None
    return 100 * row.won / row.target.amount


@computation("sales.gap", "money", N_("your gap to target"), _OWNER, defaults=_LEARNER)
def sales_gap(sandbox: Sandbox, owner: int | None) -> Decimal | None:
    """What is still to win against the current target (never below zero)."""
    row = _target_row(sandbox, owner)
    return row.gap if row else None


@computation(
    "customer.lifetime_value",
    "money",
    N_("the customer's lifetime value"),
    {"customer": "record"},
    ("customer",),
)
def lifetime_value(sandbox: Sandbox, customer: int) -> Decimal:
    """Everything the customer bought, added up."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from sandbox.models import Purchase

    total = db.session.scalar(
        select(func.sum(Purchase.amount)).where(
            Purchase.sandbox_id == sandbox.id, Purchase.customer_id == customer
        )
    )
    return Decimal(total or 0)


@computation(
    "customers.top_by_value",
    "record",
    N_("the customer by lifetime value"),
    {"rank": "number"},
    defaults={"rank": 1},
)
def top_by_value(sandbox: Sandbox, rank: int) -> int | None:
    """The customer at `rank` (1 = first) by lifetime value."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from sandbox.models import Purchase

    return db.session.scalar(
        select(Purchase.customer_id)
        .where(Purchase.sandbox_id == sandbox.id)
        .group_by(Purchase.customer_id)
        .order_by(func.sum(Purchase.amount).desc(), Purchase.customer_id)
        .offset(max(int(rank), 1) - 1)
        .limit(1)
    )


@computation(
    "tickets.open_count",
    "number",
    N_("the number of open tickets"),
    {"customer": "record", "category": "code:category"},
)
def open_tickets(sandbox: Sandbox, customer: int | None = None, category: str | None = None):
    """Tickets still being worked, of one customer (account) and category if given."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from sandbox import profiles
    from sandbox.models import Ticket
    from sandbox.reports import OPEN_TICKET

    profile = profiles.active()
    query = select(func.count()).where(
        Ticket.sandbox_id == sandbox.id,
        Ticket.status.in_(profile.playing("ticket_status", OPEN_TICKET)),
    )
    if customer is not None:
        query = query.where(Ticket.customer_id == customer)
    if category is not None:
        query = query.where(Ticket.category.in_(profile.plays("category", category)))
    return db.session.scalar(query)


@computation("leads.open_count", "number", N_("your open leads"), _OWNER, defaults=_LEARNER)
def open_leads(sandbox: Sandbox, owner: int | None) -> int:
    """The salesperson's leads still to work (neither converted nor dead): the leads list's
    My open items."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from sandbox import profiles
    from sandbox.models import Lead

    finished = profiles.active().playing("lead_status", ("converted", "dead"))
    return db.session.scalar(
        select(func.count()).where(
            Lead.sandbox_id == sandbox.id, Lead.owner_id == owner, Lead.status.not_in(finished)
        )
    )


@computation("rollout.wave_go_live", "date", N_("your wave's go-live date"))
def wave_go_live(sandbox: Sandbox) -> date | None:
    """The go-live date of the rollout wave the sandbox's owner's department is in."""
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.rollout.models import Wave, wave_departments

    if sandbox.owner_id is None:
        return None
    department = db.session.scalar(select(User.department_id).where(User.id == sandbox.owner_id))
    if department is None:
        return None
    return db.session.scalar(
        select(Wave.go_live_on)
        .join(wave_departments, wave_departments.c.wave_id == Wave.id)
        .where(wave_departments.c.department_id == department)
        .order_by(Wave.go_live_on)
        .limit(1)
    )


def _rollout_view(sandbox: Sandbox):
    """The rollout plan as the sandbox's owner reads it (portal.learning.rollout_plan)."""
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.learning.rollout_plan import plan_for

    owner = db.session.get(User, sandbox.owner_id) if sandbox.owner_id else None
    return plan_for(owner) if owner is not None else None


@computation("rollout.wave_departments", "number", N_("the departments in your wave"))
def wave_department_count(sandbox: Sandbox) -> int | None:
    """How many departments go live in the owner's wave, theirs included."""
    view = _rollout_view(sandbox)
    return len(view.my_wave.departments) if view and view.my_wave else None


@computation("rollout.short_term_goals", "number", N_("the plan's short-term goals"))
def short_term_goal_count(sandbox: Sandbox) -> int | None:
    """How many short-term goals the plan the owner reads sets."""
    from portal.rollout.models import Horizon

    view = _rollout_view(sandbox)
    return len(view.goals(Horizon.SHORT)) if view else None


@computation("rollout.chosen_crm", "choice", N_("the CRM we chose"))
def chosen_crm(sandbox: Sandbox) -> str | None:
    """The key of the CRM profile the plan's signed selection decision chose."""
    view = _rollout_view(sandbox)
    return view.decision.profile if view and view.decision else None


@computation("rollout.objectives", "number", N_("the objectives of our mission"))
def objective_count(sandbox: Sandbox) -> int | None:
    """How many objectives follow from the mission of the plan the owner reads."""
    view = _rollout_view(sandbox)
    return len(view.objectives) if view else None


@computation("rollout.phases_signed", "number", N_("the phases signed off"))
def phases_signed(sandbox: Sandbox) -> int | None:
    """How many of the plan's phases an executive has signed off (a go)."""
    view = _rollout_view(sandbox)
    return len(view.sign_offs) if view else None
