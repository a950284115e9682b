"""An exercise's running clock and scenario events, as the builder edits them: the rate,
business hours, and one row per event (a customer writes on a ticket, a new ticket, a
lead's email), checked by the course format before they are saved."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.authoring.problems import problem_text
from portal.authoring.services import AuthoringError, lesson_in, load, save
from portal.courseformat import validate_exercise
from portal.courseformat.scenario import SCENARIO_RECORD
from portal.learning.models import Course, LessonKind

# A row's fields, as the form names them (event-<i>-<name>).
ROW_FIELDS = ("key", "kind", "record", "minutes", "after_event", "after_record", "subject",
              "body", "category", "priority")  # fmt: skip
# Where a course-format problem at a scenario event's field stands in its row.
_AT = {"ticket": "record", "customer": "record", "lead": "record", "after": "after_event"}


def _event(row: dict[str, str]) -> dict[str, Any] | None:
    """A scenario event from a filled row (None for an empty one)."""
    if not any(str(v).strip() for v in row.values()):
        return None
    kind = row.get("kind", "").strip()
    event: dict[str, Any] = {"key": row.get("key", "").strip(), "kind": kind}
    field = SCENARIO_RECORD.get(kind, ("ticket", ""))[0]
    event[field] = {"setup": row.get("record", "").strip()}
    minutes = row.get("minutes", "").strip() or "0"
    event["minutes"] = int(minutes) if minutes.isdigit() else minutes
    if row.get("after_event", "").strip():
        after = {"event": row["after_event"].strip()}
        if row.get("after_record", "").strip():
            after["setup"] = row["after_record"].strip()
        event["after"] = after
    event["subject"] = row.get("subject", "").strip()
    if row.get("body", "").strip():
        event["body"] = row["body"].strip()
    if kind == "ticket.new":
        for name in ("category", "priority"):
            if row.get(name, "").strip():
                event[name] = row[name].strip()
    return event


def save_scenario(
    course: Course,
    lesson_key: str,
    *,
    rate: str,
    business_hours: bool,
    rows: list[dict[str, str]],
    actor: User,
) -> None:
    """Set the exercise's clock (no rate: it stands still) and its scenario events.

    A refusal names the form field at fault: `rate`, or row i's event-<i>-<name>.
    """
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if lesson.kind != LessonKind.EXERCISE:
        raise AuthoringError(_("Only exercises have a clock and scenario events."))
    content = {k: v for k, v in lesson.content.items() if k not in ("clock", "scenario_events")}
    rate = rate.strip()
    if rate:
        if not rate.isdigit() or not 1 <= int(rate) <= 600:
            raise AuthoringError(_("Give the rate as a number of minutes, 1 to 600."), "rate")
        content["clock"] = {"rate": int(rate)}
        if business_hours:
            content["clock"]["business_hours"] = True
    numbered = [(i, e) for i, row in enumerate(rows) if (e := _event(row)) is not None]
    if numbered:
        content["scenario_events"] = [event for _i, event in numbered]
    _exercise, problems = validate_exercise(content)
    for problem in problems:
        loc = problem.loc
        if problem.code == "setup_key_twice":
            row = next((i for i, e in numbered if e["key"] == problem.params.get("key")), None)
            if row is not None:
                raise AuthoringError(problem_text(problem), f"event-{row}-key")
        if loc and loc[0] == "clock":
            raise AuthoringError(problem_text(problem), "rate")
        if len(loc) >= 2 and loc[0] == "scenario_events" and isinstance(loc[1], int):
            row = numbered[loc[1]][0]
            name = str(loc[2]) if len(loc) > 2 else "kind"
            name = _AT.get(name, name if name in ROW_FIELDS else "kind")
            raise AuthoringError(problem_text(problem), f"event-{row}-{name}")
    lesson.content = content
    save(draft, bundle, actor)
