"""Reference-solution steps are typed per action: every action, misspelt or given an
unknown argument, is refused at its file and line; each action's own example reads."""

from __future__ import annotations

import copy

import pytest
import yaml

from portal.courseformat import FormatError, read_course, validate_exercise
from portal.courseformat.solution import ACTIONS
from tests.learning.exercise_course import EXERCISE, broken_line, exercise_files

LEAD, TICKET = {"setup": "lead"}, {"setup": "ticket"}
EXAMPLES = {
    "lead.create": {"as": "asha", "first_name": "Asha", "source": "web_site"},
    "lead.status": {"lead": LEAD, "status": "in_process"},
    "note": {"parent": LEAD, "body": "Called her."},
    "lead.convert": {"lead": LEAD, "opportunity_name": "Cards", "amount": 100},
    "ticket.assign": {"ticket": TICKET},
    "ticket.respond": {"ticket": TICKET, "message": "On it."},
    "ticket.resolve": {"ticket": TICKET, "resolution": "Replaced it."},
    "ticket.close": {"ticket": TICKET, "satisfaction": 5},
    "opportunity.stage": {"opportunity": "opportunity", "stage": "proposal"},
    "automation.create": {
        "name": "Birthday",
        "trigger": "birthday",
        "subject": "Happy birthday",
        "body": "Dear {first_name}",
    },
    "clock.advance": {"days": 3},
    "clock.wait": {"minutes": 90},
    "report.view": {"report": "sales_targets"},
    "lead.assign": {"lead": LEAD},
    "consent.give": {"customer": LEAD, "channel": "phone"},
    "consent.withdraw": {"customer": LEAD, "channel": "email"},
    "import.sample": {"sample": "lead", "columns": "Works at=company", "skip": "5, 6"},
    "duplicates.merge": {"survivor": LEAD, "take": "email, phone"},
    "customer.preferences": {"customer": LEAD, "preferences": "supplies, software"},
    "lead.qualify": {"lead": LEAD, "need": "Cards", "budget_status": "confirmed"},
    "answer": {"check": "lead-logged", "value": "13,900"},
    "task": {"parent": LEAD, "subject": "Send the proposal", "due": "@today+2d"},
}


def _content(step: dict) -> dict:
    exercise = copy.deepcopy(EXERCISE)
    return {part: exercise.get(part, []) for part in ("setup", "checks", "hints")} | {
        "solution": [step]
    }


def _files(step: dict) -> dict[str, str]:
    files, _marker = exercise_files()
    exercise = copy.deepcopy(EXERCISE) | {"solution": ["Open the lead.", step]}
    files["drill.exercise.yaml"] = yaml.safe_dump(exercise, sort_keys=False, width=100)
    return files


def test_every_action_has_an_example():
    assert tuple(EXAMPLES) == ACTIONS


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_reads_alone_and_among_a_steps_actions(action):
    alone = {"step": "Do it.", "do": action, **EXAMPLES[action]}
    among = {"step": "Do it.", "actions": [{"do": action, **EXAMPLES[action]}]}
    for step in (alone, among):
        exercise, problems = validate_exercise(_content(step))
        assert problems == []
        assert exercise.dump()["solution"] == [step]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_misspelt_action_is_refused_at_its_line(action):
    misspelt = action.replace(".", "_") + "x"
    files = _files({"step": "Do it.", "do": misspelt, **EXAMPLES[action]})
    with pytest.raises(FormatError) as refused:
        read_course(files)
    (problem,) = refused.value.problems
    assert problem.line == broken_line(files, f"do: {misspelt}")
    assert f"do '{misspelt}' is not one of" in problem.message


@pytest.mark.parametrize("action", ACTIONS)
def test_an_unknown_argument_is_refused_at_its_line(action):
    files = _files({"step": "Do it.", "do": action, **EXAMPLES[action], "colour": "red"})
    with pytest.raises(FormatError) as refused:
        read_course(files)
    (problem,) = refused.value.problems
    assert problem.line == broken_line(files, "colour: red")
    assert "unknown field 'colour'" in problem.message


def test_arguments_are_typed():
    cases = [
        ({"do": "ticket.close", "ticket": TICKET, "satisfaction": 9}, "satisfaction"),
        ({"do": "lead.status", "lead": LEAD, "status": "won"}, "status"),
        ({"do": "note", "parent": {"setup": "nobody"}}, "setup"),
        ({"do": "ticket.respond", "ticket": TICKET}, "message"),
        ({"do": "clock.advance", "days": 400}, "days"),
    ]
    for action, field in cases:
        _exercise, problems = validate_exercise(_content({"step": "Do it.", **action}))
        assert [p.loc[-1] for p in problems] == [field], action


def test_an_action_on_its_own_says_what_the_learner_does():
    _exercise, problems = validate_exercise(_content({"do": "ticket.assign", "ticket": TICKET}))
    assert [p.message for p in problems] == ["'step' is missing: say what the learner does"]
