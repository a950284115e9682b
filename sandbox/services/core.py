"""Creating, resetting and timekeeping for sandboxes, and the event log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from portal.accounts.models import User
from portal.database import utcnow
from portal.extensions import db
from sandbox.models import SANDBOX_TABLES, Sandbox, SandboxEvent


class SandboxError(ValueError):
    """A change the CRM's rules refuse; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _start_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(9, 0), tzinfo=moment.tzinfo)


def sandbox_of(user: User) -> Sandbox | None:
    return db.session.scalar(select(Sandbox).where(Sandbox.owner_id == user.id))


def get_or_create_sandbox(user: User, seed: int | None = None) -> Sandbox:
    """The user's sandbox, made and filled with fake customers on first use."""
    sandbox = sandbox_of(user)
    if sandbox is not None:
        return sandbox
    from seed.sandbox import populate

    sandbox = Sandbox(
        owner_id=user.id,
        seed=seed if seed is not None else user.id * 7919,
        generation=1,
        clock=_start_of_day(utcnow()),
    )
    db.session.add(sandbox)
    db.session.flush()
    populate(sandbox.id, sandbox.seed, sandbox.clock, user.name)
    db.session.flush()
    return sandbox


def reset_sandbox(sandbox: Sandbox, actor: User) -> None:
    """Back to a freshly seeded state: everything the learner did is gone."""
    from seed.sandbox import populate

    for model in reversed(SANDBOX_TABLES):
        db.session.execute(delete(model).where(model.sandbox_id == sandbox.id))
    sandbox.generation += 1
    sandbox.clock = _start_of_day(utcnow())
    populate(sandbox.id, sandbox.seed, sandbox.clock, actor.name)
    log_event(sandbox, actor, "sandbox.reset")
    db.session.flush()


def log_event(
    sandbox: Sandbox,
    actor: User | None,
    verb: str,
    entity: str = "",
    entity_id: int | None = None,
    **data,
) -> SandboxEvent:
    """Append one event: who did what to which record, on both clocks."""
    event = SandboxEvent(
        sandbox_id=sandbox.id,
        actor_id=actor.id if actor else None,
        verb=verb,
        entity=entity,
        entity_id=entity_id,
        sandbox_at=sandbox.clock,
        at=utcnow(),
        data=data,
    )
    db.session.add(event)
    return event


def advance_clock(sandbox: Sandbox, actor: User, days: int) -> int:
    """Move the simulated clock on; runs the automations due each day passed.

    Returns the number of emails the automations put in the outbox.
    """
    if days not in (1, 7):
        raise SandboxError(_("The clock moves on by a day or a week."))
    from sandbox.services.automations import run_due_automations

    sent = 0
    for _day in range(days):
        sandbox.clock = sandbox.clock + timedelta(days=1)
        sent += run_due_automations(sandbox, actor)
    log_event(sandbox, actor, "clock.advanced", days=days)
    db.session.flush()
    return sent
