"""Every built-in exercise, checked against a real sandbox: the reference solution
passes, an untouched scenario fails with the documented hints, and the wrong order fails
the order checks."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.learning.models import Course, Lesson
from sandbox import checks, scenarios
from sandbox.services import get_or_create_sandbox, scenario_events
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
        """The original (English) course's lesson: its translations share the key."""
        return db.session.scalar(
            select(Lesson)
            .join(Course, Course.id == Lesson.course_id)
            .where(Lesson.key == key, Course.translation_of_id.is_(None))
        )

    return load


def _run(make, lesson, steps=None):
    learner = make.user()
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, lesson.content["setup"], actor=learner)
    events = lesson.content.get("scenario_events") or []
    scenario_events.schedule(sandbox, events, records, records.since)
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
    for k in failing_required:  # the hint, then what the check measured, if anything
        assert results[k].message.startswith(hints[k])


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
    (
        "billing-and-defect-tickets",
        "ticket.respond",
        "ticket.resolve",
        (0, 0),
        "billing-responded-first",
    ),
    (
        "billing-and-defect-tickets",
        "ticket.respond",
        "ticket.resolve",
        (2, 1),  # the billing ticket has two responses: its first, and to Sana's statement
        "defect-responded-first",
    ),
    # Converting without qualifying first (the CRM refuses In Process after Converted).
    ("trade-show-lead", "lead.status", None, (0, 0), "worked-in-order"),
    # Advancing the clock before each automation exists.
    (
        "anniversary-and-birthday",
        "automation.create",
        "clock.advance",
        (0, 0),
        "anniversary-before-clock",
    ),
    (
        "anniversary-and-birthday",
        "automation.create",
        "clock.advance",
        (1, 0),
        "birthday-before-clock",
    ),
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


def _setup(key: str) -> dict:
    return {"setup": key}


def _is(record: str, field: str, value) -> dict:
    return {"type": "field_equals", "target": _setup(record), "field": field, "value": value}


def _exists(entity: str, **conditions) -> dict:
    return {"type": "record_exists", "target": {"entity": entity, "filter": conditions}}


# What each exercise's task text promises the learner will find in the sandbox: a phrase
# of the text, and a check (the exercise check vocabulary) that must hold right after the
# setup ran in a fresh sandbox, before the learner did anything.
FACTS = {
    "billing-and-defect-tickets": [
        ("both are now assigned to you", _is("billing-ticket", "assignee", "@learner")),
        ("both are now assigned to you", _is("defect-ticket", "assignee", "@learner")),
        ("(billing, high priority)", _is("billing-ticket", "category", "billing")),
        ("(billing, high priority)", _is("billing-ticket", "priority", "high")),
        ("(defect, normal", _is("defect-ticket", "category", "defect")),
        ("(defect, normal", _is("defect-ticket", "priority", "normal")),
        ("has been a customer for three years", _is("sana", "customer_since", "@today-3y")),
        (
            "a monthly service plan",
            _exists(
                "purchase",
                customer=_setup("sana"),
                product_id={"entity": "product", "filter": {"name": {"contains": "service plan"}}},
            ),
        ),
        (
            "what they bought from us",
            {
                "type": "count_at_least",
                "min": 2,
                "target": {"entity": "purchase", "filter": {"customer": _setup("sana")}},
            },
        ),
        (
            "**ProScan 200 barcode scanners** for his shop three weeks ago",
            _is("vikram-scanners", "purchased_on", "@today-3w"),
        ),
        ("**first response due**", _is("billing-ticket", "first_response_due", "@now+2h")),
        ("**resolution due**", _is("defect-ticket", "resolution_due", "@now+1d")),
    ],
    "trade-show-lead": [
        ("(You will find something.", _exists("lead", company="Harbour Bakeries")),
    ],
    "anniversary-and-birthday": [
        (
            "Almost a year ago she bought an **Aroma 3 espresso machine**",
            _is("farah-espresso", "purchased_on", "@today+5d-1y"),
        ),
        ("her birthday is coming up this week", _is("farah", "birthday", "@today+3d-34y")),
    ],
    "move-deals": [
        ("Your target for the quarter is **60,000**", _is("my-target", "amount", 60000)),
        ("Your target for the quarter is **60,000**", _is("my-target", "owner", "@learner")),
        ("already won one deal this quarter", _is("opp-lakeside", "stage", "closed_won")),
        (
            "| Harbour Bakeries: loyalty cards | Qualification | 15,000",
            _is("opp-harbour", "stage", "qualification"),
        ),
        (
            "| Northgate Clinic: appointment reminders | Proposal | 8,000",
            _is("opp-northgate", "amount", 8000),
        ),
        (
            "| Riverside Motors: showroom displays | Negotiation | 20,000",
            _is("opp-riverside", "stage", "negotiation"),
        ),
    ],
}


def test_every_built_in_exercise_declares_what_its_text_promises():
    assert set(FACTS) == set(EXERCISES)


@pytest.mark.parametrize("key", EXERCISES)
def test_the_setup_creates_what_the_task_text_describes(exercise, make, key):
    lesson = exercise(key)
    facts = FACTS[key]
    text = " ".join(lesson.body.split())
    for phrase, _fact in facts:
        assert phrase in text, f"the task no longer says {phrase!r}: update FACTS"
    checks_ = [{**fact, "key": f"fact-{n}"} for n, (_phrase, fact) in enumerate(facts)]
    learner = make.user()
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, lesson.content["setup"], actor=learner)
    results = checks.evaluate(sandbox, checks_, records)
    untrue = [facts[n][0] for n, result in enumerate(results) if not result.passed]
    assert untrue == [], f"the sandbox contradicts the task text: {untrue}"
