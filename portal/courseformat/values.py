"""Values in course files: relative dates, links to setup records, and filter operators.

A relative date is "@today" or "@now" followed by at most three steps such as "-3y" or
"+2h", applied left to right on the sandbox clock. Each step is small enough that no sum
of them leaves the calendar: hours and days up to 9,999, weeks and months up to 999,
years up to 99. "@learner" is the learner's own colleague record.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from portal.courseformat.messages import invalid

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,79}$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
KEY = re.compile(KEY_PATTERN)
SLUG = re.compile(SLUG_PATTERN)
RELATIVE = re.compile(r"^@(today|now)([+-](\d{1,4}[hd]|\d{1,3}[wm]|\d{1,2}y)){0,3}$")
STEP = re.compile(r"([+-])(\d+)([hdwmy])")
RELATIVE_UNITS = ("h", "d", "w", "m", "y")
RELATIVE_MAXIMUM = {"h": 9999, "d": 9999, "w": 999, "m": 999, "y": 99}  # as RELATIVE allows
LEARNER = "@learner"
OPERATORS = ("not_empty", "contains", "in", "at_least", "at_most")

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]


def text_rule(limit: int, *, required: bool = True) -> BeforeValidator:
    """Text of a course file, trimmed: a number reads as text; blank is missing when
    `required`; over `limit` characters is refused. Messages name the field."""

    def check(value: Any, info: ValidationInfo) -> str:
        name = info.field_name
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise invalid("missing", name=name)
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise invalid("not_text", name=name)
        text = str(value).strip()
        if len(text) > limit:
            raise invalid("text_too_long", name=name, limit=limit)
        return text

    return BeforeValidator(check)


class Model(BaseModel):
    """The base of every course-format model: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    KEEP: ClassVar[tuple[str, ...]] = ()  # fields a file states even at their default

    def dump(self) -> dict[str, Any]:
        """Plain data as the course files write it (only what was given)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def as_file(self) -> dict[str, Any]:
        """Plain data as a course file writes it, in the model's field order; a field at
        its default is left out unless KEEP names it. Works on `model_construct`ed
        models too (a draft being checked may hold what the format refuses)."""
        data = self.model_dump(mode="json", by_alias=True, warnings=False)
        for name, info in type(self).model_fields.items():
            key = info.alias or name
            if key in data and name not in self.KEEP and data[key] == info.default:
                del data[key]
        return data


def is_relative(text: str) -> bool:
    """Whether `text` is a relative date the sandbox can resolve."""
    return bool(RELATIVE.match(text))


def _add_months(moment: Any, months: int) -> Any:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def resolve_relative(text: str, clock: datetime) -> date | datetime:
    """'@today-3y' -> a date; '@now+2h' -> a datetime, both from the sandbox `clock`.

    Raises ValueError for text that is not a relative date (see RELATIVE).
    """
    if not RELATIVE.match(text):
        raise ValueError(f"'{text}' is not a relative date like @today-1y+5d or @now+4h")
    is_date = text.startswith("@today")
    moment: Any = clock.date() if is_date else clock
    for sign, number, unit in STEP.findall(text):
        amount = int(number) * (1 if sign == "+" else -1)
        if unit == "h":
            if not isinstance(moment, datetime):
                moment = datetime.combine(moment, clock.timetz())
            moment = moment + timedelta(hours=amount)
        elif unit in "dw":
            moment = moment + timedelta(days=amount * (7 if unit == "w" else 1))
        else:
            moment = _add_months(moment, amount * (12 if unit == "y" else 1))
    return moment


def _plain_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("@") and value != LEARNER:
        if not RELATIVE.match(value):
            raise invalid("relative_date", value=value)
    return value


# A value as written: text, a number, true/false; "@..." text must be a relative date.
Plain = Annotated[str | bool | int | float | None, AfterValidator(_plain_value)]


class SetupRef(Model):
    """{setup: key}: the id of one of the exercise's setup records. Validated with a
    context {"setup": {key: entity}}, the key must be one of them."""

    setup: Key

    @field_validator("setup")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        setup = setup_entities(info)
        if setup is not None and value not in setup:
            raise invalid("no_setup_record", key=value)
        return value


def setup_entities(info: ValidationInfo) -> dict[str, str] | None:
    """The setup records' entities by key, when the validation context gives them."""
    return (info.context or {}).get("setup")


def is_link(value: Any) -> bool:
    """Whether a value is a link to a setup record ({setup: key}), parsed or not yet."""
    return isinstance(value, SetupRef) or (isinstance(value, dict) and "setup" in value)


def link_or_value(value: Any) -> str:
    """The tag of a union of a link and a plain value (Value here, the solution's Ref)."""
    return "<link>" if is_link(value) else "<value>"


# A plain value or a link to a setup record ({setup: key}).
Value = Annotated[
    Annotated[SetupRef, Tag("<link>")] | Annotated[Plain, Tag("<value>")],
    Discriminator(link_or_value),
]


class Operator(Model):
    """One filter operator: {not_empty: true}, {contains: text}, {in: [...]},
    {at_least: n} or {at_most: n}."""

    not_empty: bool | None = None
    contains: str | None = None
    in_: list[Value] | None = Field(default=None, alias="in")
    at_least: Plain = None
    at_most: Plain = None

    @model_validator(mode="after")
    def _one(self) -> Operator:
        if len(self.model_fields_set) != 1:
            raise invalid("one_operator", expected=", ".join(OPERATORS))
        return self

    @property
    def name(self) -> str:
        """The operator's name as written ("in", "contains", ...)."""
        (field,) = self.model_fields_set
        return "in" if field == "in_" else field

    @property
    def operand(self) -> Any:
        """The operator's value."""
        return getattr(self, "in_" if self.name == "in" else self.name)
