"""Scenario events and the running clock in exercises: the course format, playing them in
a sandbox, and the after-sale exercise against the clock (every SLA check has a variant
that runs over time and fails it, with the times, while the others pass)."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from portal.courseformat import validate_exercise
from portal.courseformat.course import LessonData
from portal.extensions import db
from portal.learning.models import Lesson
from sandbox import checks, scenarios
from sandbox.models import Activity, ScenarioEvent, Ticket
from sandbox.services import get_or_create_sandbox, scenario_events
from seed.learning_demo import import_builtin_courses

COURSES = Path(__file__).resolve().parents[2] / "courses"
AFTER_SALE = "billing-and-defect-tickets"
SETUP = [
    {"key": "sana", "entity": "customer", "fields": {"first_name": "Sana", "last_name": "Malik"}},
    {"key": "asha", "entity": "lead", "fields": {"first_name": "Asha", "company": "Asha Foods"}},
    {
        "key": "t",
        "entity": "ticket",
        "fields": {"customer": {"setup": "sana"}, "subject": "Charged twice", "priority": "high"},
    },
]
CHECK = {"key": "c", "type": "record_exists", "hint": "h", "target": {"setup": "t"}}


def _content(*events, checks_=(CHECK,), **extra):
    return {"setup": SETUP, "checks": list(checks_), "scenario_events": list(events), **extra}


def _problems(content) -> list[tuple[str, str]]:
    _exercise, problems = validate_exercise(content)
    return [(p.code, str(p.loc[-1]) if p.loc else "") for p in problems]


def test_the_format_takes_a_clock_and_scenario_events():
    content = _content(
        {"key": "reply", "kind": "ticket.message", "ticket": {"setup": "t"}, "subject": "Re"},
        {
            "key": "second",
            "kind": "ticket.new",
            "customer": {"setup": "sana"},
            "subject": "Another one",
            "priority": "urgent",
            "after": {"event": "ticket.responded", "setup": "t"},
            "minutes": 45,
        },
        clock={"rate": 30, "business_hours": True},
    )
    exercise, problems = validate_exercise(content)
    assert problems == []
    dumped = exercise.dump()
    assert dumped["clock"] == {"rate": 30, "business_hours": True}
    assert [e["key"] for e in dumped["scenario_events"]] == ["reply", "second"]
    # A check may name the ticket a scenario event makes, like a setup record.
    named = {**CHECK, "key": "d", "target": {"setup": "second"}}
    assert _problems(_content(*content["scenario_events"], checks_=(CHECK, named))) == []


@pytest.mark.parametrize(
    ("event", "code"),
    [
        ({"kind": "ticket.message", "lead": {"setup": "asha"}}, "scenario_record"),
        ({"kind": "ticket.message", "ticket": {"setup": "sana"}}, "scenario_record"),
        ({"kind": "ticket.message", "ticket": {"setup": "nope"}}, "no_setup_record"),
        ({"kind": "lead.call", "lead": {"setup": "asha"}}, "not_one_of"),
        (
            {"kind": "lead.email", "lead": {"setup": "asha"}, "after": {"event": "lead.phoned"}},
            "not_one_of",
        ),
        ({"kind": "lead.email", "lead": {"setup": "asha"}, "minutes": -5}, "invalid"),
    ],
)
def test_a_wrong_scenario_event_is_named(event, code):
    problems = _problems(_content({"key": "e", "subject": "Hello", **event}))
    assert problems and problems[0][0] == code


def test_a_scenario_key_may_not_repeat_a_setup_key():
    event = {"key": "t", "kind": "lead.email", "lead": {"setup": "asha"}, "subject": "Price?"}
    assert _problems(_content(event))[0][0] == "setup_key_twice"


def test_responded_within_names_a_scenario_event_of_the_exercise():
    check = {
        "key": "r",
        "type": "responded_within",
        "hint": "h",
        "target": {"setup": "t"},
        "after": "nothing",
        "minutes": 60,
    }
    assert "no_scenario_event" in [code for code, _loc in _problems(_content(checks_=[check]))]


def test_events_play_at_their_own_time_as_a_crm_shows_them(make):
    learner = make.user()
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, SETUP, actor=learner)
    start = sandbox.clock
    specs = [
        {"key": "price", "kind": "lead.email", "lead": {"setup": "asha"}, "subject": "Price?",
         "body": "What does the plan cost?", "minutes": 20},
        {"key": "second", "kind": "ticket.new", "customer": {"setup": "sana"},
         "subject": "Receipt printer", "priority": "urgent", "minutes": 90},
        {"key": "reply", "kind": "ticket.message", "ticket": {"setup": "t"}, "subject": "Re",
         "after": {"event": "ticket.responded", "setup": "t"}, "minutes": 10},
    ]  # fmt: skip
    scenario_events.schedule(sandbox, specs, records, records.since)
    scenarios.apply_solution(
        sandbox, learner, [{"step": "Wait.", "do": "clock.wait", "minutes": 120}], records
    )
    played = {e.key: e for e in scenario_events.played(sandbox, records.since)}
    assert sorted(played) == ["price", "second"]  # "reply" waits for a response
    email = db.session.scalar(
        select(Activity).where(Activity.sandbox_id == sandbox.id, Activity.subject == "Price?")
    )
    assert email.parent_type == "lead" and email.at == start + timedelta(minutes=20)
    ticket = db.session.get(Ticket, played["second"].entity_id)
    assert ticket.subject == "Receipt printer" and ticket.opened_at == start + timedelta(minutes=90)
    assert records["second"] == ("ticket", ticket.id)  # the solution may name it now
    # Checks find it by its key too, from the attempt's setup records alone.
    setup_only = {r["key"]: records[r["key"]] for r in SETUP}
    result = checks.evaluate(
        sandbox,
        [{"key": "k", "type": "record_exists", "hint": "h", "target": {"setup": "second"}}],
        scenarios.Scenario(setup_only, records.since),
    )
    assert result[0].passed
    pending = db.session.scalars(
        select(ScenarioEvent).where(
            ScenarioEvent.sandbox_id == sandbox.id, ScenarioEvent.played_at.is_(None)
        )
    ).all()
    assert [e.key for e in pending] == ["reply"]


# The after-sale exercise against the clock -------------------------------------------------


@pytest.fixture
def after_sale(app_ctx):
    import_builtin_courses()
    db.session.commit()
    return db.session.scalar(select(Lesson).where(Lesson.key == AFTER_SALE))


def _actions(lesson) -> dict[str, dict]:
    """The reference solution's actions by a short name: B1 (first reply to Sana), W (the
    wait for her statement), B2 (the reply to it), BR, BC, D1, DR, DC."""
    steps = [s for s in lesson.content["solution"] if isinstance(s, dict) and "do" in s]
    names = ["B1", "W", "B2", "BR", "BC", "D1", "DR", "DC"]
    assert [s["do"] for s in steps] == [
        "ticket.respond", "clock.wait", "ticket.respond", "ticket.resolve", "ticket.close",
        "ticket.respond", "ticket.resolve", "ticket.close",
    ]  # fmt: skip
    return dict(zip(names, steps, strict=True))


def _wait(minutes: int) -> dict:
    return {"step": "Take your time.", "do": "clock.wait", "minutes": minutes}


# An over-time variant for every SLA check: the steps (names from _actions, or a wait in
# sandbox minutes), and what the failed check says.
OVER_TIME = {
    "billing-first-response-sla": (
        [150, "B1", "W", "B2", "BR", "BC", "D1", "DR", "DC"],
        "First response 2 hr 30 min after the ticket arrived; the SLA for High priority is 2 hr.",
    ),
    "billing-statement-answered": (
        ["B1", "W", 90, "B2", "BR", "BC", "D1", "DR", "DC"],
        "You replied 1 hr 30 min after the customer wrote; reply within 1 hr.",
    ),
    "billing-resolution-sla": (
        ["D1", "B1", "W", "B2", 480, "BR", "BC", "DR", "DC"],
        "Resolved 8 hr 30 min after the ticket arrived; the SLA for High priority is 8 hr.",
    ),
    "defect-first-response-sla": (
        ["B1", "W", "B2", "BR", "BC", 240, "D1", "DR", "DC"],
        "First response 4 hr 30 min after the ticket arrived; the SLA for Normal priority is 4 hr.",
    ),
    "defect-resolution-sla": (
        ["B1", "W", "B2", "BR", "BC", "D1", 1440, "DR", "DC"],
        "Resolved 1 day 30 min after the ticket arrived; the SLA for Normal priority is 1 day.",
    ),
}


def _run(make, lesson, steps):
    learner = make.user()
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, lesson.content["setup"], actor=learner)
    scenario_events.schedule(sandbox, lesson.content["scenario_events"], records, records.since)
    scenarios.apply_solution(sandbox, learner, steps, records)
    results = checks.evaluate(sandbox, lesson.content["checks"], records)
    db.session.commit()
    return {r.key: r for r in results}


def test_the_after_sale_clock_lets_a_prompt_learner_pass(make, after_sale):
    assert after_sale.content["clock"] == {"rate": 20}
    results = _run(make, after_sale, after_sale.content["solution"])
    assert [k for k, r in results.items() if not r.passed] == []


def test_an_empty_attempt_fails_and_says_how_long_the_tickets_waited(make, after_sale):
    results = _run(make, after_sale, [_wait(180)])
    assert not results["billing-first-response-sla"].passed
    assert "No first response yet, 3 hr after the ticket arrived" in (
        results["billing-first-response-sla"].message
    )
    assert "not written back yet" in results["billing-statement-answered"].message


@pytest.mark.parametrize("check_key", sorted(OVER_TIME))
def test_running_over_time_fails_that_check_with_the_times(make, after_sale, check_key):
    plan, says = OVER_TIME[check_key]
    actions = _actions(after_sale)
    steps = [_wait(s) if isinstance(s, int) else copy.deepcopy(actions[s]) for s in plan]
    results = _run(make, after_sale, steps)
    assert [k for k, r in results.items() if not r.passed] == [check_key]
    assert says in results[check_key].message


def test_every_sla_check_of_the_built_in_exercises_has_an_over_time_variant():
    timed = set()
    for path in COURSES.glob("*/*.exercise.yaml"):
        for check in yaml.safe_load(path.read_text())["checks"]:
            if check["type"] in ("within_sla", "responded_within"):
                assert path.stem == f"{AFTER_SALE}.exercise", f"{path}: add its over-time variants"
                timed.add(check["key"])
    assert timed == set(OVER_TIME)


def test_the_dry_run_plays_the_scenario_events(make, after_sale):
    from portal.authoring.dry_run import dry_run

    lesson = LessonData(
        key=after_sale.key,
        module_key="m",
        title=after_sale.title,
        kind="exercise",
        body=after_sale.body,
        content=after_sale.content,
    )
    report = dry_run(lesson, make.user(roles=("trainer",)))
    assert report.error == ""
    assert [r.key for r in report.solved if not r.passed] == []
    untouched = {r.key: r for r in report.untouched}
    assert not untouched["billing-statement-answered"].passed


# The exercise builder ------------------------------------------------------------------------


def _builder_exercise(course):
    from portal.authoring import services

    _draft, bundle = services.load(course)
    db.session.commit()
    return next(lesson for lesson in bundle.lessons if lesson.kind == "exercise")


def test_the_builder_sets_the_clock_and_adds_scenario_events(client, make, app_ctx):
    client.login(make.user(roles=("trainer",)))
    import_builtin_courses()
    db.session.commit()
    from portal.learning.models import Course

    course = db.session.scalar(select(Course).where(Course.slug == "after-sale-service"))
    base = f"/author/courses/{course.slug}/lessons/{AFTER_SALE}"
    page = client.get(base).get_data(as_text=True)
    assert 'value="sana-statement"' in page and 'id="scenario-rate"' in page
    row = {
        "event-0-key": "sana-statement",
        "event-0-kind": "ticket.message",
        "event-0-record": "billing-ticket",
        "event-0-minutes": "30",
        "event-0-after_event": "ticket.responded",
        "event-0-after_record": "billing-ticket",
        "event-0-subject": "Re: Charged twice",
        "event-0-body": "Here is the statement.",
        "event-1-key": "second-complaint",
        "event-1-kind": "ticket.new",
        "event-1-record": "vikram",
        "event-1-minutes": "45",
        "event-1-subject": "The receipt printer jams",
        "event-1-priority": "high",
    }
    response = client.post(f"{base}/scenario", data={"rate": "30", **row})
    assert response.status_code == 302
    content = _builder_exercise(course).content
    assert content["clock"] == {"rate": 30}
    assert [e["key"] for e in content["scenario_events"]] == ["sana-statement", "second-complaint"]
    assert content["scenario_events"][1]["customer"] == {"setup": "vikram"}

    # A wrong record is refused at its field, and nothing is saved.
    bad = {**row, "event-1-record": "billing-ticket"}
    response = client.post(f"{base}/scenario", data={"rate": "30", **bad})
    assert response.status_code == 422
    assert 'id="scenario-event-1-record"' in response.get_data(as_text=True)
    assert "is-invalid" in response.get_data(as_text=True)
    response = client.post(f"{base}/scenario", data={"rate": "many", **row})
    assert response.status_code == 422
    assert _builder_exercise(course).content["scenario_events"][1]["customer"] == {
        "setup": "vikram"
    }
