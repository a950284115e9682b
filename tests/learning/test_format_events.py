"""Event checks: the `data` a check compares is what events of its verb really carry."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest
import yaml

from portal.courseformat import validate_check
from portal.courseformat.problems import FormatError
from portal.courseformat.reader import read_course
from sandbox import codes
from tests.learning.conftest import course_files
from tests.learning.exercise_course import EXERCISE

ROOT = Path(__file__).resolve().parents[2]


def _check(event: str, data: dict, **more) -> dict:
    return {"key": "c", "type": "event_happened", "event": event, "data": data, **more}


def _problem(event: str, data: dict, setup: dict | None = None):
    check, problems = validate_check(_check(event, data), setup or {"farah": "customer"})
    assert check is None
    (problem,) = problems
    return problem


@pytest.mark.parametrize(
    ("event", "data", "code"),
    [
        ("lead.status_changed", {"colour": "red"}, "event_data_key"),
        ("ticket.pending", {"to": "pending"}, "event_no_data"),
        ("ticket.priority_changed", {"to": "closed"}, "event_data_code"),
        ("report.viewed", {"report": "pipeline"}, "event_data_code"),
        ("lead.created", {"source": "fax"}, "event_data_code"),
        ("clock.advanced", {"days": "five"}, "event_data_number"),
        ("clock.advanced", {"days": True}, "event_data_number"),
        ("ticket.responded", {"late": "no"}, "event_data_flag"),
        ("outbox.sent", {"customer": 5}, "event_data_record"),
        ("outbox.sent", {"customer": {"entity": "customer"}}, "event_data_target"),
        ("lead.updated", {"fields": "email"}, "event_data_list"),
        ("ticket.responded", {"late": {"contains": "x"}}, "event_data_operator"),
        ("lead.status_changed", {"to": {"in": ["converted", "won"]}}, "event_data_code"),
    ],
)
def test_data_a_verb_does_not_carry_or_cannot_hold_is_refused(event, data, code):
    problem = _problem(event, data)
    assert problem.code == code
    assert problem.loc == ("data", next(iter(data)))


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("ticket.priority_changed", {"from": "normal", "to": "high"}),
        ("ticket.category_changed", {"to": "billing"}),
        ("ticket.created", {"channel": "web", "priority": {"in": ["high", "urgent"]}}),
        ("report.viewed", {"report": "sales_targets"}),
        ("clock.advanced", {"days": {"at_least": 5}}),
        ("opportunity.stage_changed", {"to": "closed_won", "amount": {"at_least": 1000}}),
        ("outbox.sent", {"customer": {"setup": "farah"}, "trigger": "birthday"}),
        ("ticket.assigned", {"assignee": "@learner", "to_me": True}),
        ("lead.updated", {"fields": {"contains": "email"}}),
        ("activity.created", {"kind": "call", "parent": "lead"}),
    ],
)
def test_data_as_the_verb_logs_it_is_accepted(event, data):
    check, problems = validate_check(_check(event, data), {"farah": "customer"})
    assert problems == [] and check is not None


def test_a_step_of_events_in_order_is_checked_the_same_way():
    check = {
        "key": "c",
        "type": "events_in_order",
        "events": [{"event": "lead.created"}, {"event": "lead.converted", "data": {"to": "x"}}],
    }
    _check, (problem,) = validate_check(check, {})
    assert (problem.loc, problem.code) == (("events", 1, "data", "to"), "event_data_key")
    assert problem.message == (
        "a lead.converted event has no data 'to' (data: customer, contact, opportunity, existing)"
    )


def test_a_bad_data_key_in_a_course_file_is_reported_at_its_line():
    exercise = copy.deepcopy(EXERCISE)
    exercise["checks"][3]["data"] = {"to": "converted", "colour": "red"}
    files = course_files()
    files["course.yaml"] = files["course.yaml"].replace(
        "lessons: [wrap-up]", "lessons: [drill, wrap-up]"
    )
    files["drill.exercise.yaml"] = yaml.safe_dump(exercise, sort_keys=False, width=100)
    with pytest.raises(FormatError) as error:
        read_course(files)
    (problem,) = error.value.problems
    lines = files["drill.exercise.yaml"].splitlines()
    assert problem.file == "drill.exercise.yaml"
    assert lines[problem.line - 1].strip() == "colour: red"
    assert problem.code == "event_data_key" and problem.params["name"] == "colour"
    assert str(problem).startswith(f"drill.exercise.yaml:{problem.line}: check 'happened'")


def _logged() -> list[tuple[str, set[str], str]]:
    """Each log_event call of the sandbox with a literal verb: verb, data keys, place."""
    found = []
    for path in sorted((ROOT / "sandbox").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "log_event"):
                continue
            verbs = [a for a in node.args[2:3] if isinstance(a, ast.Constant)]
            if isinstance(node.args[2] if len(node.args) > 2 else None, ast.IfExp):
                branch = node.args[2]
                verbs = [b for b in (branch.body, branch.orelse) if isinstance(b, ast.Constant)]
            keys = {k.arg for k in node.keywords if k.arg}
            for keyword in node.keywords:
                if keyword.arg is None and isinstance(keyword.value, ast.Dict):
                    keys |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            found += [(verb.value, keys, where) for verb in verbs]
    return found


def test_every_event_the_sandbox_logs_declares_its_data():
    """EVENT_VERBS says what each verb's data holds; the services log exactly those keys."""
    logged = _logged()
    assert len(logged) > 20
    undeclared = [
        f"{where}: {verb} {sorted(keys - set(codes.EVENT_VERBS.get(verb, {})))}"
        for verb, keys, where in logged
        if verb not in codes.EVENT_VERBS or keys - set(codes.EVENT_VERBS[verb])
    ]
    assert undeclared == []
