"""Every built-in exercise, checked against a real sandbox: the reference solution
passes, an untouched scenario fails with the documented hints, and the wrong order fails
the order checks."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.learning.models import Lesson
from sandbox import checks, scenarios
from sandbox.services import get_or_create_sandbox
from seed.learning_demo import import_builtin_courses

EXERCISES = [
    "trade-show-lead",
    "billing-and-defect-tickets",
    "anniversary-and-birthday",
    "move-deals",
]


@pytest.fixture
def exercise(app_ctx):
    import_builtin_courses()
    db.session.commit()

    def load(key: str) -> Lesson:
        return db.session.scalar(select(Lesson).where(Lesson.key == key))

    return load


def _run(make, lesson, steps=None):
    learner = make.user()
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, lesson.content["setup"], actor=learner)
    if steps is not None:
        scenarios.apply_solution(sandbox, learner, steps, records)
    results = checks.evaluate(sandbox, lesson.content["checks"], records)
    db.session.commit()
    return {r.key: r for r in results}


@pytest.mark.parametrize("key", EXERCISES)
def test_reference_solution_passes_every_check(exercise, make, key):
    lesson = exercise(key)
    results = _run(make, lesson, lesson.content["solution"])
    failed = {k: r.message for k, r in results.items() if not r.passed}
    assert failed == {}


@pytest.mark.parametrize("key", EXERCISES)
def test_untouched_scenario_fails_with_the_hints(exercise, make, key):
    lesson = exercise(key)
    results = _run(make, lesson)
    hints = {c["key"]: c["hint"] for c in lesson.content["checks"]}
    required = [c["key"] for c in lesson.content["checks"] if c.get("required", True)]
    failing_required = [k for k in required if not results[k].passed]
    assert failing_required, "an empty attempt must not pass"
    for k in failing_required:
        assert results[k].message == hints[k]


def _reordered(steps, first_do, second_do, nth=(0, 0)):
    """The solution with two actions swapped, or with the first dropped (second_do None).

    `nth` picks which occurrence of each action: (1, 0) is the second `first_do` and the
    first `second_do`; -1 is the last.
    """
    steps = copy.deepcopy(steps)

    def where(do: str, n: int) -> int:
        found = [i for i, s in enumerate(steps) if isinstance(s, dict) and s.get("do") == do]
        return found[n]

    a = where(first_do, nth[0])
    if second_do is None:
        del steps[a]
        return steps
    b = where(second_do, nth[1])
    steps[a], steps[b] = steps[b], steps[a]
    return steps


ORDER_MISTAKES = [
    # Resolving before responding: both happen, in the wrong order; once per ticket.
    ("billing-and-defect-tickets", "ticket.respond", "ticket.resolve", (0, 0),
     "billing-responded-first"),
    ("billing-and-defect-tickets", "ticket.respond", "ticket.resolve", (1, 1),
     "defect-responded-first"),
    # Responding before taking the ticket, once per ticket.
    ("billing-and-defect-tickets", "ticket.assign", "ticket.respond", (0, 0), "billing-assigned"),
    ("billing-and-defect-tickets", "ticket.assign", "ticket.respond", (1, 1), "defect-assigned"),
    # Converting without qualifying first (the CRM refuses In Process after Converted).
    ("trade-show-lead", "lead.status", None, (0, 0), "worked-in-order"),
    # Advancing the clock before each automation exists.
    ("anniversary-and-birthday", "automation.create", "clock.advance", (0, 0),
     "anniversary-before-clock"),
    ("anniversary-and-birthday", "automation.create", "clock.advance", (1, 0),
     "birthday-before-clock"),
    # Reading the target report only before closing the deal, not after.
    ("move-deals", "report.view", None, (-1, 0), "report-read"),
]


def test_every_order_check_of_the_built_in_exercises_has_a_wrong_order_case(exercise):
    ordered = {
        (key, check["key"])
        for key in EXERCISES
        for check in exercise(key).content["checks"]
        if check["type"] == "events_in_order"
    }
    assert ordered == {(key, check) for key, *_, check in ORDER_MISTAKES}


@pytest.mark.parametrize(
    ("key", "first", "second", "nth", "order_check"),
    ORDER_MISTAKES,
    ids=[f"{key}-{check}" for key, *_, check in ORDER_MISTAKES],
)
def test_solution_in_the_wrong_order_fails_the_order_check(
    exercise, make, key, first, second, nth, order_check
):
    lesson = exercise(key)
    results = _run(make, lesson, _reordered(lesson.content["solution"], first, second, nth))
    assert not results[order_check].passed
    assert results[order_check].message == next(
        c["hint"] for c in lesson.content["checks"] if c["key"] == order_check
    )
