"""What a failing answer, content or consent check tells the learner, with the figures
that matter ("you entered 1,20,000; the weighted value of your pipeline is 1,35,500
(±1%)"), in their language and their locale's number and date formats."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import format_currency, format_date, format_decimal, gettext, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from portal.courseformat.checks import AnswerCheck, MinWords
from portal.extensions import db
from sandbox import computations, vocabulary
from sandbox.codes import CODE_GROUPS, MARKETING_TRIGGERS
from sandbox.models import Customer, Sandbox, SandboxEvent

# How far a figure may be off when the check sets no tolerance: a percentage is read to
# the whole point, money to the cent.
DEFAULT_TOLERANCE = {"percent": Decimal("0.5"), "money": Decimal("0.01"), "number": Decimal(0)}
WORD = re.compile(r"\w+")


@dataclass
class Verdict:
    """What a runner found: passed or not, and for the learner the figures that matter,
    said after the check's hint when it failed."""

    passed: bool
    detail: str = ""


def read_figure(text: str) -> Decimal | None:
    """A figure as a learner types it, in any script's digits: "1,35,500", "$13,900.50",
    "75 %", "٧٥" (grouping, currency signs and spaces are ignored); None if unreadable."""
    plain = []
    for char in text.strip():
        if char.isdigit():
            plain.append(str(unicodedata.digit(char)))
        elif char in ".٫":
            plain.append(".")
        elif char == "-" and not plain:
            plain.append("-")
    try:
        return Decimal("".join(plain)) if any(c.isdigit() for c in plain) else None
    except InvalidOperation:
        return None


def _shown(kind: str, value: Any) -> str:
    if isinstance(value, datetime | date):
        return format_date(value, "medium")
    if kind == "money":
        return format_currency(value, current_app.config["CURRENCY"])
    if kind == "percent":
        return format_decimal(round(Decimal(value), 1)) + "%"
    return format_decimal(value)


def _tolerance(check: AnswerCheck, expected: Decimal) -> tuple[Decimal, str]:
    """How far off an answer may be, and how the hint says it ("" when exact)."""
    if check.tolerance is None:
        allowed = DEFAULT_TOLERANCE.get(check.answer, Decimal(0))
        return allowed, ""
    if check.tolerance.percent is not None:
        percent = Decimal(str(check.tolerance.percent))
        return abs(expected) * percent / 100, f" (±{format_decimal(percent)}%)"
    allowed = Decimal(str(check.tolerance.absolute))
    return allowed, f" (±{_shown(check.answer, allowed)})"


def _what(check: AnswerCheck) -> str:
    if check.source is None:
        return _("the answer")
    return gettext(computations.COMPUTATIONS[check.source].label)


def judge(check: AnswerCheck, given: str, expected: Any, options: list[Any]) -> Verdict:
    """Whether the learner's answer `given` (as typed, or an option's position) is
    `expected`, and if not what they entered beside what it should be."""
    given = (given or "").strip()
    if not given:
        return Verdict(False, _("You have not entered an answer yet."))
    if expected is None:
        return Verdict(
            False, _("Your sandbox has nothing to work %(what)s out from.", what=_what(check))
        )
    if check.answer == "choice":
        return _judge_choice(check, given, expected, options)
    if check.answer == "date":
        return _judge_date(check, given, expected)
    figure = read_figure(given)
    if figure is None:
        return Verdict(
            False, _("“%(given)s” is not a figure: enter digits only, such as 12500.", given=given)
        )
    expected = Decimal(str(expected))
    allowed, margin = _tolerance(check, expected)
    if abs(figure - expected) <= allowed:
        return Verdict(True)
    return Verdict(
        False,
        _(
            "You entered %(given)s; %(what)s is %(expected)s%(margin)s.",
            given=_shown(check.answer, figure),
            what=_what(check),
            expected=_shown(check.answer, expected),
            margin=margin,
        ),
    )


def _judge_date(check: AnswerCheck, given: str, expected: Any) -> Verdict:
    try:
        day = date.fromisoformat(given)
    except ValueError:
        return Verdict(
            False, _("“%(given)s” is not a date: pick one in the calendar.", given=given)
        )
    if isinstance(expected, datetime):
        expected = expected.date()
    if day == expected:
        return Verdict(True)
    return Verdict(
        False,
        _(
            "You entered %(given)s; %(what)s is %(expected)s.",
            given=_shown("date", day),
            what=_what(check),
            expected=_shown("date", expected),
        ),
    )


def _same(option: Any, expected: Any) -> bool:
    if isinstance(option, str) and isinstance(expected, str):
        return option.strip().lower() == expected.strip().lower()
    return option == expected


def _judge_choice(check: AnswerCheck, given: str, expected: Any, options: list[Any]) -> Verdict:
    index = int(given) if given.isdigit() else -1
    if not 0 <= index < len(options):
        return Verdict(False, _("You have not picked one of the options yet."))
    if _same(options[index], expected):
        return Verdict(True)
    label = check.options[index].label if check.options else given
    return Verdict(
        False,
        _("You picked “%(given)s”; that is not what your sandbox shows.", given=label),
    )


def _part_label(name: str) -> str:
    return str(vocabulary.PART_LABELS.get(name, name.replace("_", " ").capitalize()))


def part_missing(entity: str, name: str, rule: Any, value: Any, matched: bool) -> str | None:
    """What is missing from one part of a record for a content check, or None if it holds."""
    part = _part_label(name)
    if isinstance(rule, MinWords):
        count = len(WORD.findall(str(value or "")))
        if count >= rule.min_words:
            return None
        return ngettext(
            "%(part)s has %(num)d word, at least %(least)s needed",
            "%(part)s has %(num)d words, at least %(least)s needed",
            count,
            part=part,
            least=rule.min_words,
        )
    if matched:
        return None
    if value in (None, ""):
        return _("%(part)s is not filled in", part=part)
    group = CODE_GROUPS.get((entity, name))
    shown = vocabulary.label(group, value) if group else value
    if isinstance(value, date):
        shown = format_date(value, "medium")
    return _("%(part)s is “%(value)s”, not what the case calls for", part=part, value=shown)


def missing_parts(missing: list[str] | None) -> str:
    """The learner's summary of what a content check found missing on the closest record."""
    if missing is None:
        return _("There is no such record yet.")
    return _("Still missing: %(parts)s.", parts="; ".join(missing))


def _names(sandbox: Sandbox, ids: set[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    return {
        c.id: c
        for c in db.session.scalars(
            select(Customer).where(Customer.sandbox_id == sandbox.id, Customer.id.in_(ids))
        )
    }


def _name(customer: Customer | None) -> str:
    if customer is None:
        return "?"
    return (
        customer.company
        if customer.is_company
        else f"{customer.first_name} {customer.last_name}".strip()
    )


def marketing_problems(
    sandbox: Sandbox, events: list[SandboxEvent], customers: set[int] | None
) -> list[str]:
    """Who got a marketing email since the exercise started, among `customers` (None:
    anyone): each one is a problem for a `marketing: none` check."""
    reached: dict[int, int] = {}
    for event in events:
        if event.verb != "outbox.sent" or event.data.get("trigger") not in MARKETING_TRIGGERS:
            continue
        customer = event.data.get("customer")
        if customers is None or customer in customers:
            reached[customer] = reached.get(customer, 0) + 1
    people = _names(sandbox, set(reached))
    return [
        ngettext(
            "%(num)d marketing email went to %(name)s, who had not agreed to it.",
            "%(num)d marketing emails went to %(name)s, who had not agreed to them.",
            count,
            name=_name(people.get(customer)),
        )
        for customer, count in reached.items()
    ]


def consent_problems(
    sandbox: Sandbox,
    events: list[SandboxEvent],
    customers: set[int] | None,
    consent: bool | None,
    channel: str | None,
) -> list[str]:
    """What is not as a consent check expects of the target customers: consent on or
    off, and a change recorded during the exercise with `channel`."""
    people = _names(sandbox, customers or set())
    if not people:
        return [_("There is no such customer.")]
    problems = []
    for customer in people.values():
        name = _name(customer)
        if consent is not None and customer.email_consent != consent:
            problems.append(
                _("%(name)s's marketing consent is on.", name=name)
                if customer.email_consent
                else _("%(name)s's marketing consent is off.", name=name)
            )
        if channel is not None and not any(
            e.verb == "customer.consent_changed"
            and e.entity_id == customer.id
            and e.data.get("channel") == channel
            and (consent is None or e.data.get("to") == consent)
            for e in events
        ):
            problems.append(
                _(
                    "No change to %(name)s's consent was recorded with the channel %(channel)s.",
                    name=name,
                    channel=vocabulary.label("channel", channel),
                )
            )
    return problems
