"""The after-sale exercise's checks, each proven able to fail: a variant of the reference
solution that fails it (and states every other check it fails), run with the exercise's
scenario events on the clock. VARIANTS joins the registry that
tests/sandbox/test_exercise_variants.py requires of every built-in check; the over-time
variants of its SLA checks are in tests/learning/test_scenario_events.py too, with the
times their hints say."""

from __future__ import annotations

import copy

import pytest

from portal.extensions import db
from sandbox import checks, scenarios
from sandbox.services import get_or_create_sandbox, scenario_events
from tests.sandbox.test_exercise_variants import (
    Change,
    _all,
    _before,
    _index,
    _move,
    _set,
    exercise_content,
)

KEY = "billing-and-defect-tickets"
BILLING = {"ticket": {"setup": "billing-ticket"}}
DEFECT = {"ticket": {"setup": "defect-ticket"}}


def _wait(minutes: int) -> dict:
    return {"do": "clock.wait", "minutes": minutes}


def _after_statement(minutes: int) -> Change:
    """Sandbox time passes once Sana's statement is in, before the reply to it."""

    def change(steps: list) -> None:
        steps.insert(_index(steps, "clock.wait") + 1, {"step": "Later.", **_wait(minutes)})

    return change


def _without(do: str, **match) -> Change:
    def change(steps: list) -> None:
        del steps[_index(steps, do, **match)]

    return change


def _handed_over(ticket: dict) -> Change:
    def change(steps: list) -> None:
        at = _index(steps, "ticket.close", **ticket)
        steps.insert(at, {"step": "Hand it over.", "do": "ticket.assign", **ticket, "to": "other"})

    return change


# check -> (a change to the reference solution, every check the changed solution fails)
VARIANTS: dict[str, dict[str, tuple[Change, set[str]]]] = {
    KEY: {
        "billing-responded-first": (
            _move("ticket.resolve", "ticket.respond", **BILLING),
            {"billing-responded-first"},
        ),
        "billing-first-response-sla": (
            _before("ticket.respond", _wait(150), **BILLING),
            {"billing-first-response-sla"},
        ),
        "billing-statement-answered": (_after_statement(90), {"billing-statement-answered"}),
        "billing-resolution-note": (
            _set("ticket.resolve", BILLING, expectation=""),
            {"billing-resolution-note"},
        ),
        "billing-resolution-sla": (
            _all(
                _move("ticket.respond", "ticket.respond", **DEFECT),
                _before("ticket.resolve", _wait(480), **BILLING),
            ),
            {"billing-resolution-sla"},
        ),
        "billing-closed": (_without("ticket.close", **BILLING), {"billing-closed"}),
        "billing-assigned": (_handed_over(BILLING), {"billing-assigned"}),
        "defect-responded-first": (
            _move("ticket.resolve", "ticket.close", **DEFECT),
            {"defect-responded-first"},
        ),
        "defect-first-response-sla": (
            _before("ticket.respond", _wait(240), **DEFECT),
            {"defect-first-response-sla"},
        ),
        "defect-resolution-note": (
            _set("ticket.resolve", DEFECT, cause=""),
            {"defect-resolution-note"},
        ),
        "defect-resolution-sla": (
            _before("ticket.resolve", _wait(1440), **DEFECT),
            {"defect-resolution-sla"},
        ),
        "defect-closed": (_without("ticket.close", **DEFECT), {"defect-closed"}),
        "defect-assigned": (_handed_over(DEFECT), {"defect-assigned"}),
    }
}


def _failed(make, content: dict, steps: list) -> set[str]:
    learner = make.user()
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, content["setup"], actor=learner)
    scenario_events.schedule(sandbox, content["scenario_events"], records, records.since)
    scenarios.apply_solution(sandbox, learner, steps, records)
    results = checks.evaluate(sandbox, content["checks"], records)
    db.session.commit()
    return {r.key for r in results if not r.passed}


def test_every_check_has_a_variant():
    assert sorted(VARIANTS[KEY]) == sorted(c["key"] for c in _content_of()["checks"])


def _content_of() -> dict:
    return exercise_content({KEY: "after-sale-service"}, KEY)


@pytest.mark.parametrize("check", sorted(VARIANTS[KEY]))
def test_the_variant_fails_its_check(app_ctx, make, check):
    content = _content_of()
    change, fails = VARIANTS[KEY][check]
    steps = copy.deepcopy(content["solution"])
    change(steps)
    assert _failed(make, content, steps) == fails
