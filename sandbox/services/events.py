"""The sandbox's event log and the error its services raise.

Every service logs what it changed here; exercise checks and readiness reports read the
log. This module imports no other service, so every service can import it.
"""

from __future__ import annotations

from datetime import timedelta

from portal.accounts.models import User
from portal.database import utcnow
from portal.domain import DomainError
from portal.extensions import db
from sandbox.models import Sandbox, SandboxEvent, scoped

# How stale a sandbox's `used_at` may be: it is written at most once per this.
USED_WITHIN = timedelta(days=1)


class SandboxError(DomainError):
    """A change the CRM's rules refuse; `field` names the form field at fault."""


def apply_changes(record: object, data: object) -> list[str]:
    """Set on `record` each field of the dataclass `data` whose value differs; returns
    their names, sorted, for the event that says what changed."""
    changed = sorted(name for name, value in vars(data).items() if getattr(record, name) != value)
    for name in changed:
        setattr(record, name, getattr(data, name))
    return changed


def log_event(
    sandbox: Sandbox,
    actor: User | None,
    verb: str,
    entity: str = "",
    entity_id: int | None = None,
    **data,
) -> SandboxEvent:
    """Append one event: who did what to which record, on both clocks; the sandbox counts
    as used (to within a day: sandbox.expiry)."""
    now = utcnow()
    if sandbox.used_at is None or sandbox.used_at < now - USED_WITHIN:
        sandbox.used_at = now
    event = SandboxEvent(
        sandbox_id=sandbox.id,
        actor_id=actor.id if actor else None,
        verb=verb,
        entity=entity,
        entity_id=entity_id,
        sandbox_at=sandbox.clock,
        at=now,
        data=data,
    )
    db.session.add(event)
    return event


def add_logged(sandbox: Sandbox, actor: User | None, row, verb: str, **data):
    """Add a new record and log its creation (`verb` such as "lead.created"; the entity
    is the verb's first word); the row has its id when this returns."""
    db.session.add(row)
    db.session.flush()
    log_event(sandbox, actor, verb, verb.partition(".")[0], row.id, **data)
    return row


def record_events(
    sandbox: Sandbox, entity: str, entity_id: int, verbs: tuple[str, ...]
) -> list[SandboxEvent]:
    """The events with one of `verbs` logged against one record, newest first."""
    return list(
        db.session.scalars(
            scoped(SandboxEvent, sandbox)
            .where(
                SandboxEvent.entity == entity,
                SandboxEvent.entity_id == entity_id,
                SandboxEvent.verb.in_(verbs),
            )
            .order_by(SandboxEvent.id.desc())
        )
    )
