"""Exercise checks, evaluated against one sandbox by stable keys, never by labels.

Statuses, stages, priorities and categories are compared by role (sandbox.profiles): a
check's "qualification" matches any stage the organisation's CRM profile lets play it.

Each check is a typed object from `portal.courseformat.checks` (one class per type), run
here by the function registered for its class. Targets are a setup record ({setup: key})
or an entity with a filter; filter values may be plain (text compared trimmed and
case-insensitively), links, nested targets, or operators (not_empty, contains, in,
at_least, at_most). Only events logged after the exercise started count.

Over 400 lines: one runner per check type beside the dispatch that picks it, so a new
type is added in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.courseformat import parse_checks
from portal.courseformat.checks import (
    CHECK_TYPES,
    AnswerCheck,
    BaseCheck,
    ConsentCheck,
    ContentCheck,
    CountAtLeast,
    EntityTarget,
    EventHappened,
    EventsInOrder,
    EventStep,
    FieldEquals,
    MinWords,
    RecordExists,
    RespondedWithin,
    WithinSla,
)
from portal.courseformat.values import Operator, SetupRef
from portal.extensions import db
from sandbox import computations, findings, profiles
from sandbox.codes import CODE_GROUPS, LINK_FIELDS, PROFILED_GROUPS, event_code_group
from sandbox.findings import Verdict
from sandbox.models import ENTITIES, Activity, Sandbox, SandboxEvent, Ticket
from sandbox.models_storage import ShortCode
from sandbox.scenarios import Scenario, learner_colleague, resolve_value
from sandbox.services import scenario_events
from sandbox.services.clock import format_span, sandbox_now

__all__ = ["CHECK_TYPES", "CheckResult", "evaluate"]
Target = SetupRef | EntityTarget


@dataclass
class CheckResult:
    """One check's outcome: the description when it passed, else its hint."""

    key: str
    passed: bool
    required: bool
    message: str


class _Records(dict[str, tuple[str, int]]):
    """The attempt's setup records by key, and, asked for a key they lack, the records its
    scenario events made (a new ticket), read once."""

    def __init__(self, sandbox: Sandbox, scenario: Scenario):
        super().__init__(scenario)
        self.sandbox, self.since, self.loaded = sandbox, scenario.since, False

    def _load(self) -> None:
        if not self.loaded:
            self.loaded = True
            self.update(scenario_events.made_records(self.sandbox, self.since))

    def __missing__(self, key: str) -> tuple[str, int]:
        if self.loaded:
            raise KeyError(key)
        self._load()
        return self[key]

    def __contains__(self, key: object) -> bool:
        if not super().__contains__(key):
            self._load()
        return super().__contains__(key)


class _Context:
    def __init__(self, sandbox: Sandbox, scenario: Scenario, given: dict | None = None):
        self.sandbox = sandbox
        self.given = given if given is not None else getattr(scenario, "answers", {})
        self.records = _Records(sandbox, scenario)
        self.since = scenario.since
        self.colleague = learner_colleague(sandbox)
        self._events: list[SandboxEvent] | None = None
        self.now = sandbox_now(sandbox)
        self.tickets: dict[str, list[Ticket]] = {}  # SLA checks' tickets by setup key

    def value(self, raw: Any) -> Any:
        if isinstance(raw, SetupRef):
            raw = {"setup": raw.setup}
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


def _group(model, field: str) -> str | None:
    """The profiled group a field's codes come from (stage, ticket_status, ...), if any."""
    entity = next((name for name, table in ENTITIES.items() if table is model), "")
    group = CODE_GROUPS.get((entity, field))
    return group if group in PROFILED_GROUPS else None


def _codes(group: str, role: Any) -> tuple[str, ...]:
    """The stored codes that play `role` ("Needs Analysis" plays "qualification")."""
    return profiles.active().plays(group, str(role).strip().lower())


def _operator(ctx: _Context, column, operator: Operator, group: str | None = None):
    name, operand = operator.name, operator.operand
    if name == "not_empty":
        return (
            (column.is_not(None)) & (func.coalesce(func.trim(column), "") != "")
            if column.type.python_type is str
            else column.is_not(None)
        )
    if name == "contains":
        return func.lower(column).contains(str(operand).lower(), autoescape=True)
    if name == "in":
        values = [ctx.value(v) for v in operand]
        if group:
            values = [code for role in values for code in _codes(group, role)]
        return column.in_(values)
    value = ctx.value(operand)
    if isinstance(value, datetime) and column.type.python_type is date:
        value = value.date()
    return column >= value if name == "at_least" else column <= value


def _condition(ctx: _Context, model, field: str, expected: Any):
    column = getattr(model, LINK_FIELDS.get(field, field))
    if isinstance(expected, SetupRef):
        return column == ctx.value(expected)
    if isinstance(expected, EntityTarget):
        inner = ENTITIES[expected.entity]
        linked = column.in_(_query(ctx, inner, expected.filter).with_only_columns(inner.id))
        if model is Activity and field == "parent":
            # Ids are unique per table only: a customer may share a lead's id.
            linked = linked & (Activity.parent_type == expected.entity)
        return linked
    group = _group(model, field)
    if isinstance(expected, Operator):
        return _operator(ctx, column, expected, group)
    value = ctx.value(expected)
    if group and isinstance(value, str):
        return column.in_(_codes(group, value))
    if isinstance(value, str) and isinstance(column.type, ShortCode):
        return column == value.strip().lower()  # stored as a letter: lower() cannot see it
    if isinstance(value, str):
        return func.lower(func.trim(column)) == value.strip().lower()
    if isinstance(value, datetime) and column.type.python_type is date:
        value = value.date()
    return column == value


def _query(ctx: _Context, model, conditions: dict[str, Any]):
    query = select(model).where(model.sandbox_id == ctx.sandbox.id)
    for field, expected in conditions.items():
        query = query.where(_condition(ctx, model, field, expected))
        if model is Activity and field == "parent" and isinstance(expected, SetupRef):
            query = query.where(Activity.parent_type == ctx.records[expected.setup][0])
    return query


def _target(ctx: _Context, target: Target):
    """The model and the query for a check's target (a setup record or a filter)."""
    if isinstance(target, SetupRef):
        entity, record_id = ctx.records[target.setup]
        model = ENTITIES[entity]
        return model, select(model).where(model.sandbox_id == ctx.sandbox.id, model.id == record_id)
    model = ENTITIES[target.entity]
    return model, _query(ctx, model, target.filter)


def _matches(ctx: _Context, actual: Any, expected: Any, group: str | None = None) -> bool:
    """Compare an event's data value with a check's expected value (codes by role)."""
    if group and isinstance(actual, str):
        actual = profiles.active().role(group, actual) or actual
    if isinstance(expected, SetupRef):
        return actual == ctx.value(expected)
    if isinstance(expected, Operator):
        name, operand = expected.name, expected.operand
        if name == "at_least":
            return actual is not None and actual >= operand
        if name == "at_most":
            return actual is not None and actual <= operand
        if name == "in":
            return actual in operand
        if name == "contains":
            return str(operand).lower() in str(actual or "").lower()
        return actual not in (None, "")  # not_empty
    if isinstance(expected, str) and isinstance(actual, str):
        return actual.strip().lower() == expected.strip().lower()
    return actual == expected


def _matching_events(
    ctx: _Context, step: EventHappened | EventStep, target_ids: set[int] | None
) -> list[SandboxEvent]:
    found = []
    for event in ctx.events:
        if event.verb != step.event:
            continue
        if target_ids is not None and event.entity_id not in target_ids:
            continue
        if all(
            _matches(ctx, event.data.get(k), v, event_code_group(event.verb, k))
            for k, v in (step.data or {}).items()
        ):
            found.append(event)
    return found


def _target_ids(ctx: _Context, target: Target | None) -> set[int] | None:
    if target is None:
        return None
    model, query = _target(ctx, target)
    return set(db.session.scalars(query.with_only_columns(model.id)))


def _count(ctx: _Context, target: Target) -> int:
    _model, query = _target(ctx, target)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _record_exists(ctx: _Context, check: RecordExists) -> bool:
    return _count(ctx, check.target) >= 1


def _count_at_least(ctx: _Context, check: CountAtLeast) -> bool:
    return _count(ctx, check.target) >= check.min


def _field_equals(ctx: _Context, check: FieldEquals) -> bool:
    model, query = _target(ctx, check.target)
    expected = Operator(not_empty=True) if check.not_empty else check.value
    matching = query.where(_condition(ctx, model, check.field, expected))
    return db.session.scalar(select(func.count()).select_from(matching.subquery())) > 0


def _event_happened(ctx: _Context, check: EventHappened) -> bool:
    return bool(_matching_events(ctx, check, _target_ids(ctx, check.target)))


def _events_in_order(ctx: _Context, check: EventsInOrder) -> bool:
    shared_ids = _target_ids(ctx, check.target)
    groups = [None] if shared_ids is None else [{i} for i in shared_ids] or [set()]
    for ids in groups:
        last = 0
        for step in check.events:
            own = _target_ids(ctx, step.target) if step.target else ids
            after = [e.id for e in _matching_events(ctx, step, own) if e.id > last]
            if not after:
                break
            last = after[0]
        else:
            return True
    return False


def _tickets(ctx: _Context, target: Target) -> list[Ticket]:
    """The target's tickets, read once per check run (SLA checks ask for them twice)."""
    key = target.setup if isinstance(target, SetupRef) else None
    if key is None or key not in ctx.tickets:
        _model, query = _target(ctx, target)
        found = list(db.session.scalars(query))
        if key is None:
            return found
        ctx.tickets[key] = found
    return ctx.tickets[key]


def _within_sla(ctx: _Context, check: WithinSla) -> Verdict:
    tickets = _tickets(ctx, check.target)
    for ticket in tickets:
        done, due = (
            (ticket.first_responded_at, ticket.first_response_due)
            if check.measure == "first_response"
            else (ticket.resolved_at, ticket.resolution_due)
        )
        if done is not None and (due is None or done <= due):
            return Verdict(True)
    return Verdict(False, sla_figures(tickets[0], check.measure, ctx.now) if tickets else "")


def sla_figures(ticket: Ticket, measure: str, now: datetime) -> str:
    """How long the ticket took (or has waited) against its SLA, in the reader's words:
    "first response 3 hr 10 min after the ticket arrived; the SLA for High priority is 1 hr"."""
    first = measure == "first_response"
    done, due = (
        (ticket.first_responded_at, ticket.first_response_due)
        if first
        else (ticket.resolved_at, ticket.resolution_due)
    )
    allowed = due - ticket.opened_at if due else sla_allowed(ticket, measure) or timedelta(0)
    numbers = {
        "taken": format_span((done or now) - ticket.opened_at),
        "allowed": format_span(allowed),
        "priority": profiles.active().label("priority", ticket.priority) or ticket.priority,
    }
    if done is None:
        if first:
            return _(
                "No first response yet, %(taken)s after the ticket arrived; the SLA for "
                "%(priority)s priority is %(allowed)s.",
                **numbers,
            )
        return _(
            "Not resolved yet, %(taken)s after the ticket arrived; the SLA for %(priority)s "
            "priority is %(allowed)s.",
            **numbers,
        )
    if first:
        return _(
            "First response %(taken)s after the ticket arrived; the SLA for %(priority)s "
            "priority is %(allowed)s.",
            **numbers,
        )
    return _(
        "Resolved %(taken)s after the ticket arrived; the SLA for %(priority)s priority "
        "is %(allowed)s.",
        **numbers,
    )


def sla_allowed(ticket: Ticket, measure: str) -> timedelta | None:
    """What the SLA policy allows for the ticket's priority (None: not a policy priority)."""
    policy = profiles.active().sla
    role = profiles.active().role("priority", ticket.priority)
    target = policy.targets.get(role) if role else None
    return timedelta(hours=getattr(target, measure)) if target else None


def _responded_within(ctx: _Context, check: RespondedWithin) -> Verdict:
    """The first reply on the ticket after the scenario event played, within the time."""
    ids = {ticket.id for ticket in _tickets(ctx, check.target)}
    arrived = next(
        (
            e
            for e in ctx.events
            if e.verb == "scenario.played"
            and e.entity_id in ids
            and e.data.get("key") == check.after
        ),
        None,
    )
    if arrived is None:
        return Verdict(False, _("The customer has not written back yet."))
    reply = next(
        (
            e
            for e in ctx.events
            if e.id > arrived.id
            and e.verb == "ticket.responded"
            and e.entity_id == arrived.entity_id
        ),
        None,
    )
    allowed = timedelta(minutes=check.minutes)
    taken = (reply.sandbox_at if reply else ctx.now) - arrived.sandbox_at
    if reply is not None and taken <= allowed:
        return Verdict(True)
    numbers = {"taken": format_span(taken), "allowed": format_span(allowed)}
    if reply is None:
        text = _("No reply yet, %(taken)s after the customer wrote; reply within %(allowed)s.")
    else:
        text = _("You replied %(taken)s after the customer wrote; reply within %(allowed)s.")
    return Verdict(False, text % numbers)


def _answer(ctx: _Context, check: AnswerCheck) -> Verdict:
    if check.source is not None:
        given = computations.COMPUTATIONS[check.source].defaults | check.params
        params = {name: ctx.value(value) for name, value in given.items()}
        expected = computations.compute(check.source, ctx.sandbox, params)
    else:
        expected = ctx.value(check.value)
    options = [ctx.value(option.value) for option in check.options or []]
    return findings.judge(check, ctx.given.get(check.key, ""), expected, options)


def _content(ctx: _Context, check: ContentCheck) -> Verdict:
    model, query = _target(ctx, check.target)
    entity = next(name for name, table in ENTITIES.items() if table is model)
    names = list(check.parts)
    valued = [n for n in names if not isinstance(check.parts[n], MinWords)]
    conditions = [
        _condition(ctx, model, n, check.parts[n]).label(f"ok_{i}") for i, n in enumerate(valued)
    ]
    columns = [getattr(model, LINK_FIELDS.get(n, n)) for n in names]
    closest: list[str] | None = None
    for row in db.session.execute(query.with_only_columns(*columns, *conditions)):
        values = dict(zip(names, row[: len(names)], strict=True))
        matched = {n for n, ok in zip(valued, row[len(names) :], strict=True) if ok}
        missing = [
            text
            for n in names
            if (text := findings.part_missing(entity, n, check.parts[n], values[n], n in matched))
        ]
        if not missing:
            return Verdict(True)
        if closest is None or len(missing) < len(closest):
            closest = missing
    return Verdict(False, findings.missing_parts(closest))


def _consent(ctx: _Context, check: ConsentCheck) -> Verdict:
    customers = _target_ids(ctx, check.target)
    problems = []
    if check.marketing is not None:
        problems += findings.marketing_problems(ctx.sandbox, ctx.events, customers)
    if check.consent is not None or check.channel is not None:
        problems += findings.consent_problems(
            ctx.sandbox, ctx.events, customers, check.consent, check.channel
        )
    return Verdict(not problems, " ".join(problems))


RUNNERS: dict[type, Callable[[_Context, Any], bool | Verdict]] = {
    RecordExists: _record_exists,
    FieldEquals: _field_equals,
    CountAtLeast: _count_at_least,
    EventHappened: _event_happened,
    EventsInOrder: _events_in_order,
    WithinSla: _within_sla,
    RespondedWithin: _responded_within,
    AnswerCheck: _answer,
    ContentCheck: _content,
    ConsentCheck: _consent,
}


def evaluate(
    sandbox: Sandbox,
    checks: list[dict],
    scenario: Scenario,
    given: dict[str, str] | None = None,
) -> list[CheckResult]:
    """Run every check against the sandbox; a failing check carries its hint and what
    the runner found.

    `checks` are stored checks (plain data, validated when the course was read);
    `scenario` holds the setup records, the event the attempt started at and the
    answers given to answer checks; `given`, when passed, replaces those answers.
    """
    ctx = _Context(sandbox, scenario, given)
    results = []
    for check in parse_checks(checks):
        verdict = RUNNERS[type(check)](ctx, check)
        if not isinstance(verdict, Verdict):
            verdict = Verdict(bool(verdict))
        results.append(
            CheckResult(check.key, verdict.passed, check.required, _message(check, verdict))
        )
    return results


SUMMARY_ACTIONS = 40  # the most actions a summary lists
UNSUMMARISED = ("exercise.started", "scenario.played", "outbox.sent", "outbox.skipped")


def summary(sandbox: Sandbox, scenario: Scenario) -> dict[str, Any]:
    """How the learner worked, for the attempt once passed: sandbox minutes from the
    start to now, and their actions in order (repeats in a row counted once)."""
    started = db.session.scalar(
        select(SandboxEvent.sandbox_at).where(
            SandboxEvent.sandbox_id == sandbox.id, SandboxEvent.id == scenario.since
        )
    )
    verbs: list[str] = []
    for verb in db.session.scalars(
        select(SandboxEvent.verb)
        .where(SandboxEvent.sandbox_id == sandbox.id, SandboxEvent.id > scenario.since)
        .order_by(SandboxEvent.id)
    ):
        if verb not in UNSUMMARISED and (not verbs or verbs[-1] != verb):
            verbs.append(verb)
    minutes = int((sandbox.clock - started).total_seconds() // 60) if started else None
    return {"sandbox_minutes": minutes, "actions": verbs[:SUMMARY_ACTIONS]}


def _message(check: BaseCheck, verdict: Verdict) -> str:
    if verdict.passed:
        return check.description or check.key
    return " ".join(text for text in (check.hint, verdict.detail) if text)
