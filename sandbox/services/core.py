"""Creating, resetting and timekeeping for sandboxes, and the event log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from portal.accounts.models import User
from portal.database import utcnow
from portal.domain import DomainError
from portal.extensions import db
from sandbox.models import SANDBOX_TABLES, Sandbox, SandboxEvent


class SandboxError(DomainError):
    """A change the CRM's rules refuse; `field` names the form field at fault."""


MAX_DAYS = 31
# What a reset deletes: every sandbox table but the event log.
CLEARED = tuple(model for model in SANDBOX_TABLES if model is not SandboxEvent)


def _start_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(9, 0), tzinfo=moment.tzinfo)


def sandbox_of(user: User) -> Sandbox | None:
    """The user's sandbox, or None before their first visit."""
    return db.session.scalar(select(Sandbox).where(Sandbox.owner_id == user.id))


def get_or_create_sandbox(user: User, seed: int | None = None) -> Sandbox:
    """The user's sandbox, made and filled with fake customers on first use.

    Two first requests at once (two tabs) race to create it: the loser's flush fails on
    the unique owner (IntegrityError); the caller rolls back and reads the winner's.
    """
    sandbox = sandbox_of(user)
    if sandbox is not None:
        return sandbox
    from sandbox.fill import populate

    sandbox = Sandbox(
        owner_id=user.id,
        seed=seed if seed is not None else user.id * 7919,
        generation=1,
        clock=_start_of_day(utcnow()),
    )
    db.session.add(sandbox)
    db.session.flush()
    populate(sandbox.id, sandbox.seed, sandbox.clock, user.name)
    return sandbox


def clear_sandbox(sandbox: Sandbox) -> None:
    """Delete the sandbox's CRM data, one DELETE per table; its event log stays.

    The log is the learner's practice history: readiness reports count it, and a reset
    must not wipe it. Checks only read events logged after their exercise started.
    """
    connection = db.session.connection()
    for model in reversed(CLEARED):
        table = model.__table__
        connection.execute(delete(table).where(table.c.sandbox_id == sandbox.id))
    # Nothing loaded from the deleted rows may linger in the session.
    for record in list(db.session.identity_map.values()):
        if isinstance(record, CLEARED) and record.sandbox_id == sandbox.id:
            db.session.expire(record)


def reset_sandbox(sandbox: Sandbox, actor: User) -> None:
    """Back to a freshly seeded state: every record the learner made or changed is gone.

    The sandbox keeps its id, seed and event log; its generation goes up, so exercise
    attempts started before the reset know they are stale.
    """
    from sandbox.fill import populate

    clear_sandbox(sandbox)
    sandbox.generation += 1
    sandbox.clock = _start_of_day(utcnow())
    owner = db.session.get(User, sandbox.owner_id) if sandbox.owner_id else actor
    populate(sandbox.id, sandbox.seed, sandbox.clock, (owner or actor).name)
    log_event(sandbox, actor, "sandbox.reset", generation=sandbox.generation)
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
    if not 1 <= days <= MAX_DAYS:
        raise SandboxError(
            _("The clock moves on by 1 to %(days)d days at a time.", days=MAX_DAYS), "days"
        )
    from sandbox.services.automations import run_due_automations

    sent = 0
    for _day in range(days):
        sandbox.clock = sandbox.clock + timedelta(days=1)
        sent += run_due_automations(sandbox, actor)
    log_event(sandbox, actor, "clock.advanced", days=days)
    db.session.flush()
    return sent
