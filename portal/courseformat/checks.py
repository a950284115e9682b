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
from pydantic_core import InitErrorDetails, PydanticCustomError

from portal.courseformat.messages import invalid
from portal.courseformat.problems import FieldProblem, field_problems
from portal.courseformat.values import (
    LEARNER,
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
EventVerb = Literal[tuple(codes.EVENT_VERBS)]  # type: ignore[valid-type]


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
            expected = ", ".join(allowed)
            raise invalid("not_a_code", entity=entity, name=field, value=item, expected=expected)


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
                raise _no_field(entity, name)
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


def _no_field(entity: str, name: str) -> PydanticCustomError:
    expected = ", ".join(codes.CHECK_FIELDS[entity])
    return invalid("no_field", entity=entity, name=name, expected=expected)


# What each kind of event data may be compared with: plain values of these types, and
# these operators (sandbox.checks compares them with what the event logged).
_PLAIN_KINDS: dict[str, tuple[type, ...]] = {
    codes.NUMBER: (int, float),
    codes.FLAG: (bool,),
    codes.TEXT: (str,),
}
_OPERATORS = {
    codes.RECORD: ("not_empty", "in"),
    codes.NUMBER: ("not_empty", "in", "at_least", "at_most"),
    codes.FLAG: ("not_empty",),
    codes.TEXT: ("not_empty", "in", "contains"),
    codes.NAMES: ("not_empty", "contains"),
    codes.MAPPING: (),
}
_KIND_CODES = {
    codes.RECORD: "event_data_record",
    codes.NUMBER: "event_data_number",
    codes.FLAG: "event_data_flag",
    codes.TEXT: "event_data_text",
    codes.NAMES: "event_data_list",
    codes.MAPPING: "event_data_mapping",
}


def _event_value(event: str, name: str, value: Any) -> PydanticCustomError | None:
    """What is wrong with comparing an event's data `name` with `value`, if anything."""
    carries = codes.EVENT_VERBS[event]
    if name not in carries:
        if not carries:
            return invalid("event_no_data", event=event)
        return invalid("event_data_key", event=event, name=name, expected=", ".join(carries))
    if isinstance(value, EntityTarget):
        return invalid("event_data_target", event=event, name=name)
    allowed = codes.event_codes(event, name)
    kind = "<code>" if allowed is not None else carries[name]
    items: list[Any] = [value]
    if isinstance(value, Operator):
        if value.name not in _OPERATORS.get(kind, ("not_empty", "in")):
            return invalid("event_data_operator", event=event, name=name, operator=value.name)
        items = list(value.operand) if value.name == "in" else []
        if value.name in ("at_least", "at_most"):
            items = [value.operand]
    for item in items:
        if allowed is not None:
            if not isinstance(item, str) or item not in allowed:
                expected = ", ".join(allowed)
                return invalid(
                    "event_data_code", event=event, name=name, value=item, expected=expected
                )
        elif kind == codes.RECORD:
            if not isinstance(item, SetupRef) and item != LEARNER:
                return invalid("event_data_record", event=event, name=name)
        elif isinstance(item, SetupRef) or kind in (codes.NAMES, codes.MAPPING):
            return invalid(_KIND_CODES[kind], event=event, name=name)
        elif kind in _PLAIN_KINDS and (
            not isinstance(item, _PLAIN_KINDS[kind])
            or (kind == codes.NUMBER and isinstance(item, bool))
        ):
            return invalid(_KIND_CODES[kind], event=event, name=name)
    return None


def event_data(event: str | None, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """`data` of a check on events of the verb `event`, refused key by key: a key its
    events do not carry (sandbox.codes.EVENT_VERBS), or a value that key cannot hold."""
    if event is None or not data:
        return data
    errors = [
        InitErrorDetails(type=problem, loc=(name,), input=value)
        for name, value in data.items()
        if (problem := _event_value(event, name, value)) is not None
    ]
    if errors:
        raise ValidationError.from_exception_data("data", errors)
    return data


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
            raise invalid("value_or_not_empty")
        entity = target_entity(self.target, setup_entities(info))
        if entity and self.field not in codes.CHECK_FIELDS[entity]:
            raise _no_field(entity, self.field)
        check_codes(entity, self.field, self.value)
        return self


class CountAtLeast(BaseCheck):
    """At least `min` records match the target."""

    type: Literal["count_at_least"]
    target: Target
    min: int = Field(ge=1, strict=True)


class EventStep(Model):
    """One event of an events_in_order check (on its own record, if a target), and what
    an event_happened check names: the verb, its record, and the data it must carry."""

    event: EventVerb
    target: Target | None = None
    data: dict[str, FilterValue] | None = None

    @field_validator("data")
    @classmethod
    def _data(cls, data: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        return event_data(info.data.get("event"), data)


class EventHappened(BaseCheck, EventStep):
    """The learner did something: an event since the exercise started, with this data."""

    type: Literal["event_happened"]


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
            raise invalid("sla_ticket")
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
