"""Exercise checks, evaluated against one sandbox by stable keys, never by labels.

Six types: record_exists, field_equals, count_at_least, event_happened, events_in_order,
within_sla. Targets are a setup record ({setup: key}) or an entity with a filter; filter
values may be plain (text compared trimmed and case-insensitively), links, nested
targets, or operators (not_empty, contains, in, at_least, at_most). Only events logged
after the exercise started count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from portal.extensions import db
from sandbox.models import ENTITIES, Activity, Sandbox, SandboxEvent
from sandbox.scenarios import LINK_FIELDS, learner_colleague, resolve_value

CHECK_TYPES = (
    "record_exists",
    "field_equals",
    "count_at_least",
    "event_happened",
    "events_in_order",
    "within_sla",
)
LINKS = {**LINK_FIELDS, "parent": "parent_id"}


@dataclass
class CheckResult:
    """One check's outcome: the description when it passed, else its hint."""

    key: str
    passed: bool
    required: bool
    message: str


class _Context:
    def __init__(self, sandbox: Sandbox, records: dict[str, tuple]):
        self.sandbox = sandbox
        self.records = {k: v for k, v in records.items() if not k.startswith("_")}
        self.since = records.get("_since", ("event", 0))[1]
        self.colleague = learner_colleague(sandbox)
        self._events: list[SandboxEvent] | None = None

    def value(self, raw: Any) -> Any:
        return resolve_value(raw, self.sandbox, self.records, self.colleague)

    @property
    def events(self) -> list[SandboxEvent]:
        if self._events is None:
            self._events = list(
                db.session.scalars(
                    select(SandboxEvent)
                    .where(SandboxEvent.sandbox_id == self.sandbox.id, SandboxEvent.id > self.since)
                    .order_by(SandboxEvent.id)
                )
            )
        return self._events


def _condition(ctx: _Context, model, field: str, expected: Any):
    column = getattr(model, LINKS.get(field, field), None)
    if column is None:
        raise ValueError(f"{model.__tablename__} has no field '{field}'")
    if isinstance(expected, dict) and "setup" in expected:
        return column == ctx.value(expected)
    if isinstance(expected, dict) and "entity" in expected:
        inner = ENTITIES[expected["entity"]]
        linked = column.in_(
            _query(ctx, inner, expected.get("filter") or {}).with_only_columns(inner.id)
        )
        if model is Activity and field == "parent":
            # Ids are unique per table only: a customer may share a lead's id.
            linked = linked & (Activity.parent_type == expected["entity"])
        return linked
    if isinstance(expected, dict):
        ((operator, operand),) = expected.items()
        if operator == "not_empty":
            return (
                (column.is_not(None)) & (func.coalesce(func.trim(column), "") != "")
                if column.type.python_type is str
                else column.is_not(None)
            )
        if operator == "contains":
            return func.lower(column).contains(str(operand).lower(), autoescape=True)
        if operator == "in":
            return column.in_([ctx.value(v) for v in operand])
        if operator == "at_least":
            return column >= operand
        if operator == "at_most":
            return column <= operand
        raise ValueError(f"unknown operator '{operator}'")
    value = ctx.value(expected)
    if isinstance(value, str):
        return func.lower(func.trim(column)) == value.strip().lower()
    if isinstance(value, datetime) and column.type.python_type is date:
        value = value.date()
    return column == value


def _query(ctx: _Context, model, conditions: dict[str, Any]):
    query = select(model).where(model.sandbox_id == ctx.sandbox.id)
    for field, expected in conditions.items():
        query = query.where(_condition(ctx, model, field, expected))
        if (
            model is Activity
            and field == "parent"
            and isinstance(expected, dict)
            and "setup" in expected
        ):
            query = query.where(Activity.parent_type == ctx.records[expected["setup"]][0])
    return query


def _target(ctx: _Context, target: dict | None):
    """The model and the query for a check's target (a setup record or a filter)."""
    if not target:
        return None, None
    if "setup" in target:
        entity, record_id = ctx.records[target["setup"]]
        model = ENTITIES[entity]
        return model, select(model).where(model.sandbox_id == ctx.sandbox.id, model.id == record_id)
    model = ENTITIES[target["entity"]]
    return model, _query(ctx, model, target.get("filter") or {})


def _matches(ctx: _Context, actual: Any, expected: Any) -> bool:
    """Compare an event's data value with a check's expected value."""
    if isinstance(expected, dict) and "setup" in expected:
        return actual == ctx.value(expected)
    if isinstance(expected, dict):
        ((operator, operand),) = expected.items()
        if operator == "at_least":
            return actual is not None and actual >= operand
        if operator == "at_most":
            return actual is not None and actual <= operand
        if operator == "in":
            return actual in operand
        if operator == "contains":
            return str(operand).lower() in str(actual or "").lower()
        if operator == "not_empty":
            return actual not in (None, "")
    if isinstance(expected, str) and isinstance(actual, str):
        return actual.strip().lower() == expected.strip().lower()
    return actual == expected


def _matching_events(ctx: _Context, spec: dict, target_ids: set[int] | None) -> list[SandboxEvent]:
    found = []
    for event in ctx.events:
        if event.verb != spec["event"]:
            continue
        if target_ids is not None and event.entity_id not in target_ids:
            continue
        if all(_matches(ctx, event.data.get(k), v) for k, v in (spec.get("data") or {}).items()):
            found.append(event)
    return found


def _target_ids(ctx: _Context, target: dict | None) -> set[int] | None:
    model, query = _target(ctx, target)
    if query is None:
        return None
    return set(db.session.scalars(query.with_only_columns(model.id)))


def _in_order(ctx: _Context, steps: list[dict], shared: dict | None) -> bool:
    shared_ids = _target_ids(ctx, shared)
    groups = [None] if shared_ids is None else [{i} for i in shared_ids] or [set()]
    for ids in groups:
        last = 0
        for step in steps:
            own = _target_ids(ctx, step["target"]) if step.get("target") else ids
            after = [e.id for e in _matching_events(ctx, step, own) if e.id > last]
            if not after:
                break
            last = after[0]
        else:
            return True
    return False


def _field_equals(ctx: _Context, check: dict) -> bool:
    model, query = _target(ctx, check["target"])
    field = check["field"]
    if check.get("not_empty"):
        expected: Any = {"not_empty": True}
    else:
        expected = check.get("value")
    return (
        db.session.scalar(
            select(func.count()).select_from(
                query.where(_condition(ctx, model, field, expected)).subquery()
            )
        )
        > 0
    )


def _within_sla(ctx: _Context, check: dict) -> bool:
    _model, query = _target(ctx, check["target"])
    for ticket in db.session.scalars(query):
        done, due = (
            (ticket.first_responded_at, ticket.first_response_due)
            if check["measure"] == "first_response"
            else (ticket.resolved_at, ticket.resolution_due)
        )
        if done is not None and (due is None or done <= due):
            return True
    return False


def run_check(ctx: _Context, check: dict) -> bool:
    """Whether one check passes (raises ValueError for an unknown type)."""
    kind = check["type"]
    if kind == "record_exists":
        return _count(ctx, check["target"]) >= 1
    if kind == "count_at_least":
        return _count(ctx, check["target"]) >= int(check["min"])
    if kind == "field_equals":
        return _field_equals(ctx, check)
    if kind == "event_happened":
        return bool(_matching_events(ctx, check, _target_ids(ctx, check.get("target"))))
    if kind == "events_in_order":
        return _in_order(ctx, check["events"], check.get("target"))
    if kind == "within_sla":
        return _within_sla(ctx, check)
    raise ValueError(f"unknown check type '{kind}'")


def _count(ctx: _Context, target: dict) -> int:
    _model, query = _target(ctx, target)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def evaluate(sandbox: Sandbox, checks: list[dict], records: dict[str, tuple]) -> list[CheckResult]:
    """Run every check against the sandbox; a failing check carries its hint."""
    ctx = _Context(sandbox, records)
    results = []
    for check in checks:
        passed = run_check(ctx, check)
        message = check.get("description") or check["key"] if passed else check.get("hint", "")
        results.append(
            CheckResult(check["key"], passed, bool(check.get("required", True)), message)
        )
    return results
