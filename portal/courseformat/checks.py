"""Exercise checks: one class per check type, told apart by `type`.

    record_exists    a record matching the target exists
    field_equals     a field of the target has a value (or any value: not_empty)
    count_at_least   at least `min` records match the target
    event_happened   the learner did something (an event) since the exercise started
    events_in_order  several events happened in this order (on one record, if a target)
    within_sla       a ticket was answered or resolved before it was due
    answer           the learner's answer (a figure, a date or a choice) equals what a
                     named computation says of their own sandbox, or a fixed value
    content          structured parts of a record are filled: at least N words of text,
                     or a value (a code, an amount, a date in a period)
    consent          no marketing email reached a customer without consent; a
                     customer's consent is on or off, recorded with a channel

A target is {setup: key} (a setup record) or {entity: name, filter: {field: value}}.
Filter values are plain (text is compared trimmed and case-insensitively), links
({setup: key}), nested targets (a record the field links to), or one operator.

Over 400 lines: the tagged union of check types is one vocabulary, and each class sits
beside the others it is told apart from by `type`.
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
    is_link,
    setup_entities,
)
from sandbox import codes
from sandbox.computations import COMPUTATIONS

CHECK_TYPES = (
    "record_exists",
    "field_equals",
    "count_at_least",
    "event_happened",
    "events_in_order",
    "within_sla",
    "responded_within",
    "answer",
    "content",
    "consent",
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


def check_fields(
    values: dict[str, Any], info: ValidationInfo, vocabulary: dict[str, tuple[str, ...]], error: str
) -> dict[str, Any]:
    """Validate {field: value} of the entity the model names before them: each field one of
    `vocabulary[entity]` (else the message `error`), each code one its field allows."""
    entity = info.data.get("entity")
    if entity is None:
        return values
    for name, value in values.items():
        if name not in vocabulary[entity]:
            expected = ", ".join(vocabulary[entity])
            raise invalid(error, entity=entity, name=name, expected=expected)
        check_codes(entity, name, value)
    return values


class EntityTarget(Model):
    """{entity: name, filter: {field: value}}: records of one kind that match."""

    entity: CheckEntity
    filter: dict[str, FilterValue] = Field(default_factory=dict)

    @field_validator("filter")
    @classmethod
    def _fields(cls, filters: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        return check_fields(filters, info, codes.CHECK_FIELDS, "no_field")


def _target_kind(value: Any) -> str:
    return "<link>" if is_link(value) else "<record>"


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


class RespondedWithin(BaseCheck):
    """The learner answered a scenario event on the ticket (the customer writing back,
    `after` names the event's key) within `minutes` of sandbox time of its arrival."""

    type: Literal["responded_within"]
    target: Target
    after: Key
    minutes: int = Field(ge=1, le=60 * 24 * 30, strict=True)

    @model_validator(mode="after")
    def _ticket(self, info: ValidationInfo) -> RespondedWithin:
        entity = target_entity(self.target, setup_entities(info))
        if entity not in (None, "ticket"):
            raise invalid("sla_ticket")
        scenario = (info.context or {}).get("scenario")
        if scenario is not None and self.after not in scenario:
            raise invalid("no_scenario_event", key=self.after)
        return self


ANSWER_KINDS = ("number", "money", "percent", "date", "choice")
_NUMERIC = ("number", "money", "percent")


class Tolerance(Model):
    """How far a figure may be from the answer: an absolute amount or a percentage."""

    absolute: float | None = Field(default=None, ge=0)
    percent: float | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _one(self) -> Tolerance:
        if len(self.model_fields_set) != 1:
            raise invalid("one_tolerance")
        return self


class AnswerOption(Model):
    """One option of a choice answer: what it stands for, and what the learner reads."""

    value: Value
    label: str = Field(min_length=1, max_length=200)


def _param_ok(kind: str, value: Any) -> bool:
    if kind == "record":
        return isinstance(value, SetupRef) or value == LEARNER
    if kind.startswith("code:"):
        return isinstance(value, str) and value in codes.CODES[kind[5:]]
    if kind in _NUMERIC:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


class AnswerCheck(BaseCheck):
    """The learner answers inside the exercise (a figure, a date, or one of `options`);
    the answer is `value`, or what the computation `source` says of their own sandbox."""

    type: Literal["answer"]
    question: str = Field(min_length=1, max_length=500)
    answer: Literal[ANSWER_KINDS]  # type: ignore[valid-type]
    options: list[AnswerOption] | None = None
    source: str | None = None
    params: dict[str, Value] = Field(default_factory=dict)
    value: Value = None
    tolerance: Tolerance | None = None

    @model_validator(mode="after")
    def _answer(self) -> AnswerCheck:
        if (self.source is None) == ("value" not in self.model_fields_set):
            raise invalid("answer_source_or_value")
        if (self.answer == "choice") != (self.options is not None) or (
            self.options is not None and len(self.options) < 2
        ):
            raise invalid("answer_options")
        if self.tolerance is not None and self.answer not in _NUMERIC:
            raise invalid("answer_tolerance")
        if self.source is not None:
            self._source()
        return self

    def _source(self) -> None:
        spec = COMPUTATIONS.get(self.source or "")
        if spec is None:
            raise invalid("answer_source", value=self.source, expected=", ".join(COMPUTATIONS))
        for name, value in self.params.items():
            if name not in spec.params:
                expected = ", ".join(spec.params) or "none"
                raise invalid("answer_param", source=spec.name, name=name, expected=expected)
            if not _param_ok(spec.params[name], value):
                kind = spec.params[name]
                raise invalid("answer_param_kind", source=spec.name, name=name, kind=kind)
        for name in spec.required:
            if name not in self.params:
                raise invalid("answer_param_missing", source=spec.name, name=name)
        fits = spec.result == self.answer or (self.answer == "choice" and spec.result == "record")
        if not fits:
            raise invalid("answer_kind", source=spec.name, result=spec.result, answer=self.answer)


class MinWords(Model):
    """{min_words: n}: a text part holds at least n words."""

    min_words: int = Field(ge=1, le=200, strict=True)


def _part_kind(value: Any) -> str:
    if isinstance(value, MinWords) or (isinstance(value, dict) and "min_words" in value):
        return "<words>"
    return _value_kind(value)


PartRule = Annotated[
    Annotated[MinWords, Tag("<words>")]
    | Annotated[SetupRef, Tag("<link>")]
    | Annotated[Operator, Tag("<operator>")]
    | Annotated[Plain, Tag("<value>")],
    Discriminator(_part_kind),
]


class ContentCheck(BaseCheck):
    """Structured parts of the target record are filled: text with at least `min_words`
    words, other parts with a value (a code, {in: [...]}, {at_most: "@today+3m"}, ...).
    Every part must hold on one record the target matches."""

    type: Literal["content"]
    target: Target
    parts: dict[str, PartRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _parts(self, info: ValidationInfo) -> ContentCheck:
        entity = target_entity(self.target, setup_entities(info))
        if entity is None:
            return self
        if entity not in codes.TEXT_PARTS:
            raise invalid("content_entity", expected=", ".join(codes.TEXT_PARTS))
        for name, rule in self.parts.items():
            if name not in codes.CHECK_FIELDS[entity]:
                raise _no_field(entity, name)
            if isinstance(rule, MinWords) and name not in codes.TEXT_PARTS[entity]:
                expected = ", ".join(codes.TEXT_PARTS[entity])
                raise invalid("min_words_field", entity=entity, name=name, expected=expected)
            if not isinstance(rule, MinWords):
                check_codes(entity, name, rule)
        return self


class ConsentCheck(BaseCheck):
    """Marketing consent is respected. `marketing: none`: no marketing email reached the
    target customers (all, without a target) since the exercise started; the sandbox
    sends one only with consent, so this fails when consent was recorded that the
    customer never gave. `consent`: the target's stored consent is on (true) or off;
    `channel`: it was changed during the exercise, recorded with this channel."""

    type: Literal["consent"]
    target: Target | None = None
    marketing: Literal["none"] | None = None
    consent: bool | None = None
    channel: Literal[codes.CHANNELS] | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _consent(self, info: ValidationInfo) -> ConsentCheck:
        if self.marketing is None and self.consent is None and self.channel is None:
            raise invalid("consent_nothing")
        if target_entity(self.target, setup_entities(info)) not in (None, "customer"):
            raise invalid("consent_customer")
        return self


Check = Annotated[
    RecordExists
    | FieldEquals
    | CountAtLeast
    | EventHappened
    | EventsInOrder
    | WithinSla
    | RespondedWithin
    | AnswerCheck
    | ContentCheck
    | ConsentCheck,
    Field(discriminator="type"),
]
CHECK = TypeAdapter(Check)
EntityTarget.model_rebuild()
CHECK_TAGS = {*CHECK_TYPES, *VALUE_TAGS, "<words>"}  # union tags in error paths, not fields


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
