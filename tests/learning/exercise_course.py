"""A course with one exercise that uses every check type, and ways to break each check:
shared by the format tests (files, CLI) and the zip upload tests (HTTP)."""

from __future__ import annotations

import copy

import yaml

from tests.learning.conftest import course_files

EXERCISE = {
    "key": "drill",
    "title": "Drill",
    "minutes": 10,
    "task": "Convert the lead and answer the ticket.",
    "setup": [
        {
            "key": "lead",
            "entity": "lead",
            "fields": {"first_name": "Asha", "status": "new", "created_at": "@today-1d"},
        },
        {
            "key": "ticket",
            "entity": "ticket",
            "fields": {
                "subject": "Broken",
                "assignee": "@learner",
                "first_response_due": "@now+2h",
            },
        },
    ],
    "checks": [
        {
            "key": "exists",
            "type": "record_exists",
            "required": True,
            "target": {"entity": "lead", "filter": {"first_name": "Asha"}},
            "hint": "Keep the lead.",
        },
        {
            "key": "converted",
            "type": "field_equals",
            "required": True,
            "target": {"setup": "lead"},
            "field": "status",
            "value": "converted",
            "hint": "Convert the lead.",
        },
        {
            "key": "counted",
            "type": "count_at_least",
            "required": False,
            "target": {"entity": "lead", "filter": {"status": "converted"}},
            "min": 1,
            "hint": "Convert a lead.",
        },
        {
            "key": "happened",
            "type": "event_happened",
            "required": False,
            "event": "lead.status_changed",
            "target": {"setup": "lead"},
            "data": {"to": "converted"},
            "hint": "Change the status.",
        },
        {
            "key": "in-order",
            "type": "events_in_order",
            "required": False,
            "target": {"setup": "ticket"},
            "events": [{"event": "ticket.responded"}, {"event": "ticket.resolved"}],
            "hint": "Respond before you resolve.",
        },
        {
            "key": "on-time",
            "type": "within_sla",
            "required": False,
            "target": {"setup": "ticket"},
            "measure": "first_response",
            "hint": "Respond in time.",
        },
    ],
    "hints": ["Open the lead first."],
    "solution": ["Convert the lead.", "Respond to the ticket."],
}
BAD_DATE = "@today+9999y"
# Per check type: the check's index, a misspelling of its type, and where (a path in the
# check) a relative date out of bounds goes.
BREAKS = {
    "record_exists": (0, "record_exist", ("target", "filter", "created_at")),
    "field_equals": (1, "feild_equals", ("value",)),
    "count_at_least": (2, "count_at_lest", ("target", "filter", "created_at")),
    "event_happened": (3, "event_happend", ("data", "to")),
    "events_in_order": (4, "events_in_ordr", ("events", 0, "data")),
    "within_sla": (5, "within_slaa", ("target", "filter", "opened_at")),
}
HOW = ("misspelt type", "unknown field", "bad relative date")


def _set(check: dict, path: tuple, value: str) -> None:
    if path[-1] == "opened_at":  # an SLA check on any ticket opened then
        check["target"] = {"entity": "ticket", "filter": {"opened_at": value}}
        return
    if path == ("events", 0, "data"):
        check["events"][0]["data"] = {"at": value}
        return
    for part in path[:-1]:
        check = check.setdefault(part, {})
    check[path[-1]] = value


def exercise_files(kind: str | None = None, how: str | None = None):
    """The course's files, with one check broken; and the broken line's text."""
    exercise = copy.deepcopy(EXERCISE)
    marker = None
    if kind is not None:
        index, misspelt, path = BREAKS[kind]
        check = exercise["checks"][index]
        if how == "misspelt type":
            check["type"], marker = misspelt, f"type: {misspelt}"
        elif how == "unknown field":
            check["feild"], marker = "status", "feild: status"
        else:
            _set(check, path, BAD_DATE)
            marker = BAD_DATE
    files = course_files()
    files["course.yaml"] = files["course.yaml"].replace(
        "lessons: [wrap-up]", "lessons: [drill, wrap-up]"
    )
    files["drill.exercise.yaml"] = yaml.safe_dump(exercise, sort_keys=False, width=100)
    return files, marker


def broken_line(files: dict[str, str], marker: str) -> int:
    """The 1-based line of the exercise file that holds `marker`."""
    lines = files["drill.exercise.yaml"].splitlines()
    return next(n for n, line in enumerate(lines, start=1) if marker in line)
