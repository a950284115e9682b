"""Exercise checks: one class per check type, told apart by `type`.

    record_exists    a record matching the target exists
    field_equals     a field of the target has a value (or any value: not_empty)
    count_at_least   at least `min` records match the target
    event_happened   the learner did something (an event) since the exercise started
    events_in_order  several events happened in this order (on one record, if a target)
    within_sla       a ticket was answered or resolved before it was due

A target is {setup: key} (a setup record) or {entity: name, filter: {field: value}}.
Filter values are plain (text is compared trimmed and case-insensitively), links
({setup: key}), nested targets (a record the field links to), or one operator.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from portal.courseformat.problems import FieldProblem, field_problems
from portal.courseformat.values import (
    Key,
    Model,
    Operator,
    Plain,
    SetupRef,
    Value,
    setup_entities,
)
from sandbox import codes

CHECK_TYPES = (
    "record_exists",
    "field_equals",
    "count_at_least",
    "event_happened",
    "events_in_order",
    "within_sla",
)
CheckEntity = Literal[codes.CHECK_ENTITIES]  # type: ignore[valid-type]
EventVerb = Literal[codes.EVENT_VERBS]  # type: ignore[valid-type]
# Event data fields that hold a code of the event's entity, or a trigger.
STATUS_FIELD = {"lead": "status", "ticket": "status", "opportunity": "stage"}


def _value_kind(value: Any) -> str:
    if isinstance(value, dict | Model):
        if isinstance(value, SetupRef) or (isinstance(value, dict) and "setup" in value):
            return "<link>"
        if isinstance(value, EntityTarget) or (isinstance(value, dict) and "entity" in value):
            return "<record>"
        return "<operator>"
    return "<value>"


FilterValue = Annotated[
    Annotated[SetupRef, Tag("<link>")]
    | Annotated["EntityTarget", Tag("<record>")]
    | Annotated[Operator, Tag("<operator>")]
    | Annotated[Plain, Tag("<value>")],
    Discriminator(_value_kind),
]
VALUE_TAGS = ("<link>", "<record>", "<operator>", "<value>")  # union tags, not fields


def check_codes(entity: str | None, field: str, value: Any) -> None:
    allowed = codes.codes_for(entity, field)
    if allowed is None:
        return
    values = value.operand if isinstance(value, Operator) and value.name == "in" else [value]
    for item in values:
        if isinstance(item, str | int | float | bool) and item not in allowed:
            raise ValueError(f"{entity}.{field} '{item}' is not one of: {', '.join(allowed)}")


class EntityTarget(Model):
    """{entity: name, filter: {field: value}}: records of one kind that match."""

    entity: CheckEntity
    filter: dict[str, FilterValue] = Field(default_factory=dict)

    @field_validator("filter")
    @classmethod
    def _fields(cls, filters: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        entity = info.data.get("entity")
        if entity is None:
            return filters
        for name, value in filters.items():
            if name not in codes.CHECK_FIELDS[entity]:
                raise ValueError(
                    f"a {entity} has no field '{name}' "
                    f"(fields: {', '.join(codes.CHECK_FIELDS[entity])})"
                )
            check_codes(entity, name, value)
        return filters


def _target_kind(value: Any) -> str:
    if isinstance(value, SetupRef) or (isinstance(value, dict) and "setup" in value):
        return "<link>"
    return "<record>"


Target = Annotated[
    Annotated[SetupRef, Tag("<link>")] | Annotated[EntityTarget, Tag("<record>")],
    Discriminator(_target_kind),
]


def target_entity(target: SetupRef | EntityTarget | None, setup: dict[str, str] | None):
    """The entity a target is about (None when it names an unknown setup record)."""
    if target is None:
        return None
    if isinstance(target, SetupRef):
        return (setup or {}).get(target.setup)
    return target.entity


def _check_data(event: str, data: dict[str, Any] | None, entity: str | None) -> None:
    prefix = event.split(".")[0]
    for name, value in (data or {}).items():
        if name in ("from", "to"):
            check_codes(prefix, STATUS_FIELD.get(prefix, name), value)
        elif name == "trigger":
            check_codes("automation", "trigger", value)
        elif entity:
            check_codes(entity, name, value)


class BaseCheck(Model):
    """What every check has: its key, whether it counts to pass, and what learners read."""

    key: Key
    required: bool = True
    description: str = Field(default="", max_length=500)
    hint: str = Field(default="", max_length=1000)

    ORDER: ClassVar[tuple[str, ...]] = ("key", "description", "type", "required")

    def dump(self) -> dict[str, Any]:
        """Plain data in the order course files write it (key first, hint last)."""
        data = super().dump()
        data["type"] = self.type  # type: ignore[attr-defined]
        first = {k: data.pop(k) for k in self.ORDER if k in data}
        hint = {"hint": data.pop("hint")} if "hint" in data else {}
        return first | data | hint


class RecordExists(BaseCheck):
    """A record matching the target exists."""

    type: Literal["record_exists"]
    target: Target


class FieldEquals(BaseCheck):
    """A field of the target record has this value, or any value (`not_empty: true`)."""

    type: Literal["field_equals"]
    target: Target
    field: str
    value: Value = None
    not_empty: Literal[True] | None = None

    @model_validator(mode="after")
    def _field(self, info: ValidationInfo) -> FieldEquals:
        if ("value" in self.model_fields_set) == bool(self.not_empty):
            raise ValueError("give exactly one of 'value' or 'not_empty: true'")
        entity = target_entity(self.target, setup_entities(info))
        if entity and self.field not in codes.CHECK_FIELDS[entity]:
            raise ValueError(
                f"a {entity} has no field '{self.field}' "
                f"(fields: {', '.join(codes.CHECK_FIELDS[entity])})"
            )
        check_codes(entity, self.field, self.value)
        return self


class CountAtLeast(BaseCheck):
    """At least `min` records match the target."""

    type: Literal["count_at_least"]
    target: Target
    min: int = Field(ge=1, strict=True)


class EventStep(Model):
    """One event of an events_in_order check (on its own record, if a target)."""

    event: EventVerb
    target: Target | None = None
    data: dict[str, FilterValue] | None = None

    @model_validator(mode="after")
    def _data(self, info: ValidationInfo) -> EventStep:
        _check_data(self.event, self.data, target_entity(self.target, setup_entities(info)))
        return self


class EventHappened(BaseCheck):
    """The learner did something: an event since the exercise started, with this data."""

    type: Literal["event_happened"]
    event: EventVerb
    target: Target | None = None
    data: dict[str, FilterValue] | None = None

    @model_validator(mode="after")
    def _data(self, info: ValidationInfo) -> EventHappened:
        _check_data(self.event, self.data, target_entity(self.target, setup_entities(info)))
        return self


class EventsInOrder(BaseCheck):
    """Several events, in this order; with a target, all on one of its records."""

    type: Literal["events_in_order"]
    target: Target | None = None
    events: list[EventStep] = Field(min_length=2)


class WithinSla(BaseCheck):
    """A ticket was first answered (or resolved) before it was due."""

    type: Literal["within_sla"]
    target: Target
    measure: Literal[codes.SLA_MEASURES]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _ticket(self, info: ValidationInfo) -> WithinSla:
        entity = target_entity(self.target, setup_entities(info))
        if entity not in (None, "ticket"):
            raise ValueError("within_sla is about a ticket")
        return self


Check = Annotated[
    RecordExists | FieldEquals | CountAtLeast | EventHappened | EventsInOrder | WithinSla,
    Field(discriminator="type"),
]
CHECK = TypeAdapter(Check)
EntityTarget.model_rebuild()
CHECK_TAGS = {*CHECK_TYPES, *VALUE_TAGS}  # union tags in pydantic's error paths, not fields


def validate_check(
    data: Any, setup: dict[str, str] | None = None
) -> tuple[Check | None, list[FieldProblem]]:
    """One check from plain data, or the problems with it (paths relative to the check)."""
    context = {"setup": setup} if setup is not None else None
    try:
        return CHECK.validate_python(data, context=context), []
    except ValidationError as error:
        return None, field_problems(error, CHECK_TAGS)


def parse_checks(checks: list[dict[str, Any]]) -> list[Check]:
    """Stored checks as typed objects (they were validated when the course was read)."""
    return [CHECK.validate_python(check) for check in checks]
