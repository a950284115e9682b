"""A learner reads the organisation's rollout plan: phases, goals, every wave's go-live
date and their own wave, which is what the rollout course's answer check computes."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.rollout.models import Goal, Phase, Plan, Wave
from sandbox import computations
from sandbox.services import get_or_create_sandbox


def _plan(sales, service) -> Plan:
    plan = Plan(name="CRM go-live 2027", target_go_live=date(2027, 5, 3))
    plan.phases = [
        Phase(position=0, name="Preparation", status="done"),
        Phase(position=1, name="Training", status="in_progress"),
        Phase(position=2, name="Go-live", status="planned"),
    ]
    plan.goals = [
        Goal(horizon="short", title="Every department trained", metric="manual", target=100),
        Goal(horizon="long", title="Returning customers up", metric="manual", target=10),
    ]
    plan.waves = [
        Wave(name="Pilot", go_live_on=date(2027, 3, 1), departments=[sales]),
        Wave(name="Wave 2", go_live_on=date(2027, 4, 12), departments=[service]),
    ]
    db.session.add(plan)
    db.session.commit()
    return plan


def test_a_learner_sees_the_plan_and_their_wave(client, make):
    learner = make.user(roles=("learner",), department="Customer Service")
    _plan(make.department("Sales"), make.department("Customer Service"))
    client.login(learner)
    assert 'data-testid="rollout-plan-link"' in client.get("/learn/").get_data(as_text=True)
    page = client.get("/learn/rollout").get_data(as_text=True)
    assert "CRM go-live 2027" in page
    assert "Your department goes live in Wave 2" in page
    mine = page[page.index('aria-current="true"') :].split("</tr>", 1)[0]
    assert "Wave 2" in mine and "Customer Service" in mine
    assert page.index("Preparation") < page.index("Training") < page.index("Every department")
    sandbox = get_or_create_sandbox(learner)
    assert computations.compute("rollout.wave_go_live", sandbox, {}) == date(2027, 4, 12)


def test_without_a_plan_the_page_says_so(client, make):
    client.login(make.user(roles=("learner",)))
    page = client.get("/learn/rollout").get_data(as_text=True)
    assert "There is no rollout plan yet." in page
