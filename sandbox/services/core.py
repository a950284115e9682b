"""Creating and resetting sandboxes."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, inspect, select

from portal.accounts.models import User
from portal.database import increment
from portal.extensions import db
from sandbox.fill import populate
from sandbox.models import ENTITIES, SANDBOX_TABLES, Activity, Sandbox, SandboxEvent
from sandbox.services.clock import start_of_day, stop_running
from sandbox.services.events import log_event
from sandbox.services.locks import lock_sandbox

# What a reset deletes: every sandbox table but the event log.
CLEARED = tuple(model for model in SANDBOX_TABLES if model is not SandboxEvent)


def sandbox_of(user: User) -> Sandbox | None:
    """The user's sandbox, or None before their first visit."""
    return db.session.scalar(select(Sandbox).where(Sandbox.owner_id == user.id))


def get_or_create_sandbox(user: User, seed: int | None = None) -> Sandbox:
    """The user's sandbox, made and filled with fake customers on first use (and anew
    after it was cleared for disuse).

    Two first requests at once (two tabs) race to create it: the loser's flush fails on
    the unique owner (IntegrityError); the caller rolls back and reads the winner's.
    """
    sandbox = sandbox_of(user)
    if sandbox is not None:
        if sandbox.expired_at is not None:
            renew_expired(sandbox, user)
        return sandbox
    sandbox = Sandbox(
        owner_id=user.id,
        seed=seed if seed is not None else user.id * 7919,
        generation=1,
        clock=start_of_day(),
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


def delete_records(sandbox: Sandbox, entity: str, ids: Collection[int]) -> None:
    """Delete records of one kind (an ENTITIES name) and, in the same transaction, the
    activities logged on them: an activity's parent (`parent_type` + `parent_id`) can be
    any of several tables, so no foreign key removes them. Callers hold the sandbox's lock
    (`lock_sandbox`); a merge or an import undone deletes through here."""
    if not ids:
        return
    model = ENTITIES[entity]
    db.session.execute(
        delete(Activity)
        .where(
            Activity.sandbox_id == sandbox.id,
            Activity.parent_type == entity,
            Activity.parent_id.in_(ids),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(model)
        .where(model.sandbox_id == sandbox.id, model.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    # The deleted rows leave the session (read without loading: they are gone).
    ids = set(ids)
    for record in list(db.session.identity_map.values()):
        state = inspect(record)
        gone = isinstance(record, model) and state.identity[0] in ids
        if isinstance(record, Activity):
            loaded = state.dict
            gone = loaded.get("parent_type") == entity and loaded.get("parent_id") in ids
        if gone:
            db.session.expunge(record)


def renew_expired(sandbox: Sandbox, user: User) -> bool:
    """Fill a sandbox cleared for disuse (sandbox.expiry) anew, as a reset does; False if
    another request renewed it first."""
    sandbox = lock_sandbox(sandbox)
    if sandbox.expired_at is None:
        return False
    reset_sandbox(sandbox, user)
    sandbox.expired_at = None
    return True


def reset_sandbox(sandbox: Sandbox, actor: User) -> None:
    """Back to a freshly seeded state: every record the learner made or changed is gone.

    The sandbox keeps its id, seed and event log; its generation goes up, so exercise
    attempts started before the reset know they are stale. Under the sandbox's lock, so
    two resets at once run one after the other: each deletes what the other seeded, and
    the generation goes up by two.
    """
    sandbox = lock_sandbox(sandbox)
    clear_sandbox(sandbox)
    increment(sandbox, "generation")
    sandbox.clock = start_of_day()
    stop_running(sandbox)  # the exercise it ran for ended with the reset
    owner = db.session.get(User, sandbox.owner_id) if sandbox.owner_id else actor
    populate(sandbox.id, sandbox.seed, sandbox.clock, (owner or actor).name)
    log_event(sandbox, actor, "sandbox.reset", generation=sandbox.generation)
    db.session.flush()
