"""Scenario events: what an exercise makes happen on the sandbox clock while the learner
works (portal.courseformat.scenario): a customer writes back on a ticket, a new ticket
comes in, a lead emails to ask for a price.

Starting an exercise schedules them (`schedule`); they play once the sandbox clock
passes their time (`play_due`, from the open exercise's poll, Check my work and a
solution's wait), each at its own time on the sandbox clock, as a CRM shows them: an
inbound email in the ticket's or lead's timeline, a new ticket in the list, and a
`scenario.played` event that checks refer to by the scenario event's key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_

from portal.accounts.models import User
from portal.extensions import db
from sandbox import profiles
from sandbox.models import (
    Activity,
    Customer,
    Lead,
    Sandbox,
    SandboxEvent,
    ScenarioEvent,
    Ticket,
    get_in_sandbox,
    scoped,
)
from sandbox.services.clock import run_on, start_running
from sandbox.services.events import log_event
from sandbox.services.tickets import TicketData, create_ticket

# The record each kind happens on: the scenario event's field and the entity.
RECORD_FIELD = {"ticket.message": "ticket", "ticket.new": "customer", "lead.email": "lead"}


def start_exercise(
    sandbox: Sandbox,
    content: dict[str, Any],
    records: dict[str, tuple[str, int]],
    since: int,
    attempt_id: int | None = None,
) -> None:
    """An exercise starts: its clock runs at the exercise's rate (or stands still, moved
    only by the learner), and its scenario events replace any an earlier attempt left."""
    settings = content.get("clock") or {}
    start_running(sandbox, settings.get("rate"), bool(settings.get("business_hours")))
    db.session.execute(
        delete(ScenarioEvent).where(
            ScenarioEvent.sandbox_id == sandbox.id, ScenarioEvent.played_at.is_(None)
        )
    )
    schedule(sandbox, content.get("scenario_events") or [], records, since, attempt_id)


def schedule(
    sandbox: Sandbox,
    specs: list[dict[str, Any]],
    records: dict[str, tuple[str, int]],
    since: int,
    attempt_id: int | None = None,
) -> list[ScenarioEvent]:
    """Put an exercise's scenario events on the sandbox clock (stored, validated specs).

    `records` are the setup records by key; `since` the exercise.started event, after
    which a trigger (`after`) counts. Events waiting on no trigger are due `minutes` from
    now; the others once their trigger happens.
    """
    made = []
    for spec in specs:
        field = RECORD_FIELD[spec["kind"]]
        entity, record_id = records[spec[field]["setup"]]
        after = spec.get("after") or {}
        after_setup = after.get("setup")
        event = ScenarioEvent(
            sandbox_id=sandbox.id,
            attempt_id=attempt_id,
            key=spec["key"],
            kind=spec["kind"],
            after_event=after.get("event"),
            after_setup=after_setup,
            offset_minutes=int(spec.get("minutes", 0)),
            since_event_id=since,
            entity=entity,
            entity_id=record_id,
            payload={
                "subject": spec["subject"],
                "body": spec.get("body", ""),
                "category": spec.get("category", "technical"),
                "priority": spec.get("priority", "normal"),
                "after_id": records[after_setup][1] if after_setup in records else None,
            },
        )
        if event.after_event is None:
            event.due_at = _after(sandbox, sandbox.clock, event)
        db.session.add(event)
        made.append(event)
    db.session.flush()
    return made


def _after(sandbox: Sandbox, start: datetime, event: ScenarioEvent) -> datetime:
    return run_on(sandbox, start, timedelta(minutes=event.offset_minutes))


def pending(sandbox: Sandbox) -> list[ScenarioEvent]:
    """The sandbox's scenario events not played yet that may be due now: due by the
    sandbox clock, or waiting for the learner's action (one query)."""
    return list(
        db.session.scalars(
            scoped(ScenarioEvent, sandbox)
            .where(
                ScenarioEvent.played_at.is_(None),
                or_(
                    ScenarioEvent.due_at <= sandbox.clock,
                    ScenarioEvent.due_at.is_(None) & ScenarioEvent.after_event.is_not(None),
                ),
            )
            .order_by(ScenarioEvent.id)
        )
    )


def _trigger(sandbox: Sandbox, event: ScenarioEvent) -> SandboxEvent | None:
    """The first learner's action the scenario event waits for, once it happened."""
    query = scoped(SandboxEvent, sandbox).where(
        SandboxEvent.id > event.since_event_id, SandboxEvent.verb == event.after_event
    )
    if event.payload.get("after_id") is not None:
        query = query.where(SandboxEvent.entity_id == event.payload["after_id"])
    return db.session.scalar(query.order_by(SandboxEvent.id).limit(1))


def play_due(sandbox: Sandbox, actor: User | None = None) -> list[ScenarioEvent]:
    """Play every scenario event whose time the sandbox clock has passed, in time order,
    each stamped with its own time. Callers hold the sandbox's lock."""
    waiting = pending(sandbox)
    for event in waiting:
        if event.due_at is None and event.after_event:
            trigger = _trigger(sandbox, event)
            if trigger is not None:
                event.due_at = _after(sandbox, trigger.sandbox_at, event)
    now = sandbox.clock
    due = sorted((e for e in waiting if e.due_at and e.due_at <= now), key=lambda e: e.due_at)
    try:
        for event in due:
            sandbox.clock = event.due_at  # stamped when it happened, not when noticed
            _play(sandbox, actor, event)
    finally:
        sandbox.clock = now
    db.session.flush()
    return due


def _play(sandbox: Sandbox, actor: User | None, event: ScenarioEvent) -> None:
    payload = event.payload
    if event.kind == "ticket.new":
        ticket = create_ticket(sandbox, actor, _ticket_data(sandbox, event))
        event.entity, event.entity_id = "ticket", ticket.id
    else:
        parent = Ticket if event.kind == "ticket.message" else Lead
        if get_in_sandbox(parent, event.entity_id, sandbox) is None:  # merged meanwhile
            event.played_at = sandbox.clock
            return
        db.session.add(
            Activity(
                sandbox_id=sandbox.id,
                kind="email",
                parent_type=event.entity,
                parent_id=event.entity_id,
                subject=payload["subject"][:200],
                body=payload.get("body", ""),
                at=sandbox.clock,
            )
        )
    event.played_at = sandbox.clock
    log_event(
        sandbox,
        None,
        "scenario.played",
        event.entity,
        event.entity_id,
        key=event.key,
        kind=event.kind,
    )


def _ticket_data(sandbox: Sandbox, event: ScenarioEvent) -> TicketData:
    profile = profiles.active()
    payload = event.payload

    def code(group: str, role: str) -> str:
        return next(iter(profile.plays(group, role)), role)

    customer = get_in_sandbox(Customer, event.entity_id, sandbox)
    return TicketData(
        customer_id=customer.id if customer else None,
        subject=payload["subject"],
        channel="email",
        category=code("category", payload.get("category", "technical")),
        priority=code("priority", payload.get("priority", "normal")),
        description=payload.get("body", ""),
    )


def made_records(sandbox: Sandbox, since: int) -> dict[str, tuple[str, int]]:
    """The records the attempt's played scenario events made (a new ticket), by key, as
    checks and solution steps name them."""
    return {
        event.key: (event.entity, event.entity_id)
        for event in played(sandbox, since)
        if event.kind == "ticket.new" and event.entity_id is not None
    }


def played(sandbox: Sandbox, since: int) -> list[ScenarioEvent]:
    """The scenario events of the attempt that started at event `since` that have played."""
    return list(
        db.session.scalars(
            scoped(ScenarioEvent, sandbox)
            .where(
                ScenarioEvent.since_event_id == since,
                ScenarioEvent.played_at.is_not(None),
            )
            .order_by(ScenarioEvent.played_at, ScenarioEvent.id)
        )
    )
