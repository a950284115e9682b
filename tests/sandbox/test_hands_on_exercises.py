"""The hands-on exercises of the foundations, five-step and rollout courses: the
reference solution passes, an empty attempt fails every check, and every check has a
variant of the solution that fails it (with every other check that variant fails,
stated)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from portal.extensions import db
from portal.rollout.models import Goal, Phase, Plan, SignOff, Wave
from portal.rollout.strategy import Objective, SelectionDecision
from tests.sandbox.test_exercise_variants import ExerciseChecks
from tests.sandbox.test_exercise_variants import _run as run_exercise

COURSES = {
    "reward-card-history": "crm-foundations",
    "portfolio-in-the-reports": "crm-five-steps",
    "read-our-rollout-plan": "why-our-rollout-works",
}


def _step(steps: list, check: str | None = None, do: str | None = None) -> int:
    """The index of the solution step answering `check`, or doing `do`."""
    return next(
        i
        for i, s in enumerate(steps)
        if isinstance(s, dict) and (s.get("check") == check if check else s.get("do") == do)
    )


def _answer(check: str, value: str) -> Callable[[list], None]:
    def change(steps: list) -> None:
        steps[_step(steps, check=check)]["value"] = value

    return change


def _set(do: str, **values) -> Callable[[list], None]:
    def change(steps: list) -> None:
        steps[_step(steps, do=do)].update(values)

    return change


def _without(do: str) -> Callable[[list], None]:
    def change(steps: list) -> None:
        del steps[_step(steps, do=do)]

    return change


# check -> (a change to the reference solution, and every check the changed one fails)
VARIANTS = {
    "reward-card-history": {
        "lifetime-value": (_answer("lifetime-value", "1165"), {"lifetime-value"}),
        "usual-product": (_answer("usual-product", "1"), {"usual-product"}),
        "software-interest": (
            _set("customer.preferences", preferences="supplies, hardware"),
            {"software-interest"},
        ),
        "supplies-kept": (_set("customer.preferences", preferences="software"), {"supplies-kept"}),
    },
    "portfolio-in-the-reports": {
        "top-customer": (_answer("top-customer", "1"), {"top-customer"}),
        "top-value": (_answer("top-value", "76000"), {"top-value"}),
        "at-risk-customer": (_answer("at-risk-customer", "2"), {"at-risk-customer"}),
        "at-risk-tickets": (_answer("at-risk-tickets", "3"), {"at-risk-tickets"}),
        "report-read": (_without("report.view"), {"report-read"}),
    },
    "read-our-rollout-plan": {
        "go-live-date": (_answer("go-live-date", "2027-03-01"), {"go-live-date"}),
        "wave-departments": (_answer("wave-departments", "3"), {"wave-departments"}),
        "short-term-goals": (_answer("short-term-goals", "3"), {"short-term-goals"}),
        "chosen-crm": (_answer("chosen-crm", "1"), {"chosen-crm"}),
        "objectives": (_answer("objectives", "2"), {"objectives"}),
        "phases-signed": (_answer("phases-signed", "4"), {"phases-signed"}),
    },
}


def _rollout_plan(make, department: str) -> None:
    """The plan the rollout exercise's solution reads: the learner's department goes live
    in Wave 2 on 12 April 2027 with one other department; two short-term goals; EspoCRM
    chosen (after a SuiteCRM decision); three objectives; three of five phases signed off
    (one twice), and a no-go on the fourth, as in the demo organisation."""
    plan = Plan(name="CRM go-live 2027", target_go_live=date(2027, 5, 3), mission="Know them")
    plan.objectives = [Objective(title=f"Objective {n}") for n in range(3)]
    plan.phases = [Phase(position=n, name=f"Phase {n}", status="planned") for n in range(5)]
    plan.goals = [
        Goal(horizon="short", title="Every department trained", metric="manual", target=100),
        Goal(horizon="short", title="All new leads in the CRM", metric="manual", target=100),
        Goal(horizon="medium", title="Tickets within their SLA", metric="manual", target=90),
    ]
    plan.waves = [
        Wave(name="Pilot", go_live_on=date(2027, 3, 1), departments=[make.department("Sales")]),
        Wave(
            name="Wave 2",
            go_live_on=date(2027, 4, 12),
            departments=[make.department(department), make.department("Billing")],
        ),
    ]
    db.session.add(plan)
    db.session.flush()
    for profile in ("suitecrm", "espocrm"):
        chosen = SelectionDecision(plan_id=plan.id, profile=profile, rationale="Fit")
        chosen.signer_name = "E"
        db.session.add(chosen)
        db.session.flush()
    signed = [*plan.phases[:3], plan.phases[0]]
    for phase, decision in [*((p, "go") for p in signed), (plan.phases[3], "no_go")]:
        db.session.add(
            SignOff(plan_id=plan.id, phase_id=phase.id, decision=decision, signer_name="E")
        )
    db.session.flush()


def _run(make, content: dict, steps: list | None) -> dict:
    """As the other exercises run, by a learner whose wave the plan holds."""
    learner = make.user(department="Customer Service")
    _rollout_plan(make, "Customer Service")
    return run_exercise(make, content, steps, learner)


class TestExercises(ExerciseChecks):
    courses = COURSES
    variants = VARIANTS

    def run(self, make, content: dict, steps: list | None) -> dict:
        return _run(make, content, steps)
