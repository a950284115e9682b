"""The strategy around the plan, through HTTP: choosing the CRM, the documented plan
before implementation, the mission and objectives, buy-in (ordered starts, overrides,
budgets) and who may change what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.authoring.models import Assignment
from portal.extensions import db
from portal.rollout import services
from portal.rollout.models import Goal, Phase
from portal.rollout.services import GoalData, PhaseData
from portal.rollout.strategy import (
    RecordImmutable,
    Requirement,
    Score,
    SelectionDecision,
    StartOverride,
)
from sandbox.profiles import active
from tests.rollout.conftest import make_wave


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def requirement(plan, executive):
    found = services.add_requirement(plan, executive, "Pipeline by stage", "must", None)
    db.session.commit()
    return found


# Choosing the system


def test_requirements_are_grouped_by_department_and_checked(client, executive, plan, make):
    sales = make.department("Sales")
    client.login(executive)
    url = f"/rollout/plans/{plan.id}/requirements"
    refused = client.post(url, data={"title": "", "priority": "must", "department_id": "0"})
    assert refused.status_code == 422
    assert "This field is required." in refused.get_data(as_text=True)
    assert _count(Requirement) == 0
    data = {"title": "Quotes from deals", "priority": "should", "department_id": sales.id}
    assert client.post(url, data=data).status_code == 302
    page = client.get(f"/rollout/plans/{plan.id}/selection").get_data(as_text=True)
    assert "Quotes from deals" in page and "Should have" in page and ">Sales<" in page


def test_the_scorecard_weighs_each_score_by_priority(client, executive, plan, requirement, make):
    could = services.add_requirement(plan, executive, "Dark mode", "could", None)
    other = make.user(roles=("executive",), name="Omar Officer")
    db.session.commit()
    client.login(executive)
    url = f"/rollout/requirements/{requirement.id}/scores"
    bad = client.post(url, data={"candidate": "hubspot", "score": "7", "note": "great"})
    assert bad.status_code == 422 and _count(Score) == 0
    unknown = client.post(url, data={"candidate": "zoho", "score": "3", "note": "n/a"})
    assert unknown.status_code == 422 and _count(Score) == 0
    data = {"candidate": "hubspot", "score": "4", "note": "Clear pipeline"}
    assert client.post(url, data=data).status_code == 302
    # Scoring again changes the evaluator's score rather than adding one.
    data = {"candidate": "hubspot", "score": "5", "note": "Clearer on a second look"}
    assert client.post(url, data=data).status_code == 302
    services.score_candidate(requirement, other, "hubspot", 3, "Fine")
    services.score_candidate(could, other, "hubspot", 5, "Has it")
    services.score_candidate(requirement, other, "odoo", 2, "Clunky")
    db.session.commit()
    page = client.get(f"/rollout/plans/{plan.id}/selection").get_data(as_text=True)
    # hubspot: must (5) x average 4 + could (1) x 5 = 25; odoo: 5 x 2 = 10; of 30.
    assert 'data-total="hubspot">25.0' in page
    assert 'data-total="odoo">10.0' in page
    assert "Clearer on a second look" in page and "Weighted total (of 30.0)" in page


def test_the_decision_sets_the_sandbox_profile_and_a_change_asks_first(
    client, executive, plan, requirement
):
    assert active().key == "espocrm"
    client.login(executive)
    url = f"/rollout/plans/{plan.id}/selection/decide"
    missing = client.post(url, data={"profile": "hubspot", "rationale": ""})
    assert missing.status_code == 422 and _count(SelectionDecision) == 0
    data = {"profile": "hubspot", "rationale": "Free to start and the sales team knows it."}
    assert client.post(url, data=data).status_code == 302
    assert active().key == "hubspot"
    page = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    assert "Chosen: HubSpot" in page
    change = {"profile": "salesforce", "rationale": "The group standard after the merger."}
    asked = client.post(url, data=change)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 422 and 'data-testid="crm-changes"' in text
    assert "confirm the change" in text and "Deal stages" in text
    assert active().key == "hubspot" and _count(SelectionDecision) == 1
    assert client.post(url, data={**change, "confirm": "y"}).status_code == 302
    assert active().key == "salesforce"
    assert _count(SelectionDecision) == 2


def test_the_chosen_profile_costs_no_query_per_look_up(app, executive, plan, count_queries):
    services.decide_crm(plan, executive, "odoo", "Runs our invoicing already.")
    db.session.commit()
    assert active().key == "odoo"
    with count_queries() as counter:
        for _ in range(20):
            assert active().key == "odoo"
    assert counter.count == 0


def test_admins_read_the_selection_but_only_executives_change_it(client, make, plan, requirement):
    admin = make.user(roles=("admin",))
    client.login(admin)
    page = client.get(f"/rollout/plans/{plan.id}/selection").get_data(as_text=True)
    assert "Pipeline by stage" in page and 'data-testid="decision-form"' not in page
    data = {"profile": "hubspot", "rationale": "An admin's choice."}
    assert client.post(f"/rollout/plans/{plan.id}/selection/decide", data=data).status_code == 403
    assert (
        client.post(f"/rollout/plans/{plan.id}/mission", data={"mission": "x"}).status_code == 403
    )
    assert _count(SelectionDecision) == 0


# A documented plan before implementation; phases start in order


def _phase(plan, name, **fields) -> Phase:
    found = services.add_phase(plan, PhaseData(name=name, **fields))
    db.session.commit()
    return found


def _edit(client, phase, status, **fields):
    data = {"name": phase.name, "owner_id": phase.owner_id or 0, "status": status, **fields}
    if phase.implementation:
        data.setdefault("implementation", "y")
    return client.post(f"/rollout/phases/{phase.id}/edit", data=data)


def test_implementation_waits_for_a_documented_plan(client, executive, plan, make):
    phase = _phase(plan, "Go-live", implementation=True)
    client.login(executive)
    refused = _edit(client, phase, "in_progress")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Implementation cannot start" in text and "a goal for the short term" in text
    assert "an owner for the phase" in text and "at least one wave" in text
    assert db.session.get(Phase, phase.id).status == "planned"
    page = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    assert "Implementation cannot start yet" in page
    for horizon in ("short", "medium", "long"):
        services.save_goal(plan, GoalData(horizon, f"{horizon} goal", "manual", 50))
    phase.owner_id = executive.id
    make_wave(plan, [make.department("Sales")])
    assert _edit(client, phase, "in_progress").status_code == 302
    assert db.session.get(Phase, phase.id).status == "in_progress"


def test_a_phase_starts_after_the_previous_is_signed_or_overridden(client, executive, plan):
    first = _phase(plan, "Strategy")
    second = _phase(plan, "Selection")
    client.login(executive)
    refused = _edit(client, second, "in_progress")
    assert refused.status_code == 422
    assert "is not signed off yet" in refused.get_data(as_text=True)
    short = client.post(f"/rollout/phases/{second.id}/override", data={"reason": "urgent"})
    assert short.status_code == 422 and _count(StartOverride) == 0
    reason = "The vendor demo slots are this week only; strategy signs off Friday."
    assert (
        client.post(f"/rollout/phases/{second.id}/override", data={"reason": reason}).status_code
        == 302
    )
    assert _edit(client, second, "in_progress").status_code == 302
    third = _phase(plan, "Pilot")
    assert _edit(client, third, "in_progress").status_code == 422
    services.sign_phase(second, executive, "go", "Selected.")
    db.session.commit()
    assert _edit(client, third, "in_progress").status_code == 302
    printed = client.get(f"/rollout/plans/{plan.id}/history/print").get_data(as_text=True)
    assert reason in printed and "Phase: <bdi" in printed and 'media="print"' in printed
    assert first.status == "planned"


def test_a_phase_added_already_started_keeps_the_order(client, executive, plan):
    first = _phase(plan, "Strategy")
    client.login(executive)

    def add(name, status, **fields):
        data = {"name": name, "owner_id": executive.id, "status": status, **fields}
        return client.post(f"/rollout/plans/{plan.id}/phases/new", data=data)

    refused = add("Selection", "in_progress")
    assert refused.status_code == 422
    assert "is not signed off yet" in refused.get_data(as_text=True)
    assert add("Selection", "done").status_code == 422
    assert [p.name for p in db.session.get(type(plan), plan.id).phases] == ["Strategy"]
    services.sign_phase(first, executive, "go", "Strategy agreed.")
    db.session.commit()
    assert add("Selection", "in_progress").status_code == 302
    services.sign_phase(db.session.get(type(plan), plan.id).phases[-1], executive, "go", "Done.")
    db.session.commit()
    refused = add("Go-live", "in_progress", implementation="y")
    assert refused.status_code == 422
    assert "Implementation cannot start" in refused.get_data(as_text=True)
    assert add("Go-live", "planned", implementation="y").status_code == 302


def test_overrides_and_decisions_cannot_be_changed(executive, plan):
    phase = _phase(plan, "Pilot")
    override = services.override_start(phase, executive, "Started early for the trade fair.")
    decision = services.decide_crm(plan, executive, "suitecrm", "Open source, self-hosted.")
    db.session.commit()
    for record in (override, decision):
        record.signer_name = "Someone else"
        with pytest.raises(RecordImmutable):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.merge(record))
        with pytest.raises(RecordImmutable):
            db.session.flush()
        db.session.rollback()


# Mission and objectives


def test_goals_link_to_objectives_and_an_unlinked_goal_is_flagged(client, executive, plan):
    client.login(executive)
    url = f"/rollout/plans/{plan.id}/mission"
    assert client.post(url, data={"mission": ""}).status_code == 422
    mission = "Every customer feels known, whoever they speak to."
    assert client.post(url, data={"mission": mission}).status_code == 302
    empty = client.post(f"/rollout/plans/{plan.id}/objectives", data={"title": ""})
    assert empty.status_code == 422
    data = {"title": "One customer record across departments"}
    assert client.post(f"/rollout/plans/{plan.id}/objectives", data=data).status_code == 302
    objective = plan.objectives[0]
    goal = {"horizon": "short", "title": "Deals in the CRM", "metric": "manual", "target": "90"}
    assert (
        client.post(
            f"/rollout/plans/{plan.id}/goals/new", data={**goal, "objective_id": objective.id}
        ).status_code
        == 302
    )
    wrong = client.post(f"/rollout/plans/{plan.id}/goals/new", data={**goal, "objective_id": 9999})
    assert wrong.status_code == 422
    loose = {**goal, "title": "Calls logged", "objective_id": "0"}
    assert client.post(f"/rollout/plans/{plan.id}/goals/new", data=loose).status_code == 302
    page = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    assert mission in page
    assert f'data-objective="{objective.id}"' in page and 'data-objective="none"' in page
    assert "Goals that serve no objective" in page and "No objective" in page
    linked = db.session.scalar(select(Goal).where(Goal.title == "Deals in the CRM"))
    assert linked.objective_id == objective.id


# RACI and budgets


def test_raci_one_row_per_department_and_budget_approved_against_planned(
    client, executive, plan, make
):
    sales, it = make.department("Sales"), make.department("IT")
    phase = _phase(plan, "Pilot", budget_planned=10000)
    _phase(plan, "Training", budget_planned=5000)
    client.login(executive)
    url = f"/rollout/phases/{phase.id}/raci"
    assert client.post(url, data={"department_id": sales.id, "role": "X"}).status_code == 422
    assert client.post(url, data={"department_id": sales.id, "role": "R"}).status_code == 302
    assert client.post(url, data={"department_id": sales.id, "role": "A"}).status_code == 302
    assert client.post(url, data={"department_id": it.id, "role": "C"}).status_code == 302
    assert {(e.department.name, e.role) for e in db.session.get(Phase, phase.id).raci} == {
        ("Sales", "A"),
        ("IT", "C"),
    }
    assert client.post(url, data={"department_id": it.id, "role": ""}).status_code == 302
    budget = f"/rollout/phases/{phase.id}/budget"
    assert client.post(budget, data={"amount": "-5"}).status_code == 422
    assert client.post(budget, data={"amount": "8000"}).status_code == 302
    page = client.get(f"/rollout/phases/{phase.id}").get_data(as_text=True)
    raci = page.split('data-testid="raci"')[1].split("</table>")[0]
    assert "Accountable" in raci and "Consulted" not in raci
    assert "Erum Executive</bdi>)" in page
    plan_page = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    assert 'data-testid="budget-approved">8,000' in plan_page
    assert "53% of planned approved" in plan_page


def test_only_executives_change_raci_and_budgets(client, make, plan):
    phase = _phase(plan, "Pilot")
    client.login(make.user(roles=("admin",)))
    sales = make.department("Sales")
    url = f"/rollout/phases/{phase.id}/raci"
    assert client.post(url, data={"department_id": sales.id, "role": "R"}).status_code == 403
    assert (
        client.post(f"/rollout/phases/{phase.id}/budget", data={"amount": "1"}).status_code == 403
    )
    page = client.get(f"/rollout/phases/{phase.id}").get_data(as_text=True)
    assert "Approve budget" not in page


def test_learners_and_the_dashboard_see_the_mission_and_objectives(client, executive, plan, make):
    services.set_mission(plan, executive, "Every customer feels known.")
    objective = services.add_objective(plan, executive, "One record per customer")
    services.save_goal(
        plan, GoalData("short", "Deals in the CRM", "manual", 90, objective_id=objective.id)
    )
    sales = make.department("Sales")
    make_wave(plan, [sales])
    learner = make.user(roles=("learner",), department="Sales")
    db.session.commit()
    client.login(executive)
    response = client.get(f"/dashboard/?plan={plan.id}")
    assert response.status_code == 200
    assert f'data-objective="{objective.id}"' in response.get_data(as_text=True)
    client.post("/logout")
    client.login(learner)
    page = client.get("/learn/rollout").get_data(as_text=True)
    assert "Every customer feels known." in page and "One record per customer" in page


def test_the_selection_page_runs_the_same_statements_at_ten_times_the_requirements(
    client, executive, plan, make, count_queries
):
    client.login(executive)
    counts = []
    for total in (2, 20):
        while len(plan.requirements) < total:
            requirement = services.add_requirement(
                plan, executive, f"Need {len(plan.requirements)}", "should", None
            )
            services.score_candidate(requirement, executive, "odoo", 3, "Fine")
            db.session.commit()
            db.session.expire(plan, ["requirements"])
        with count_queries() as counter:
            assert client.get(f"/rollout/plans/{plan.id}/selection").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_trainers_read_the_plan_without_edit_or_sign_controls(
    client, executive, plan, make, evidence
):
    services.add_phase(plan, PhaseData(name="Training", owner_id=executive.id))
    services.save_goal(plan, GoalData("short", "Half certified", "completion_rate", 50))
    billing = make.department("Billing")
    make_wave(plan, [billing], name="Wave 2")
    trainer = make.user(roles=("trainer",), department="Support")
    evidence.assign(department=billing)
    assignment = db.session.scalars(select(Assignment)).one()
    assignment.assigned_by_id = trainer.id
    learner = make.user(roles=("learner",), department="Billing")
    evidence.certify(learner)
    db.session.commit()

    client.login(trainer)
    page = client.get("/rollout/overview")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Training" in text and "Wave 2" in text and "Half certified" in text
    readiness = text[text.index('data-testid="own-departments"') :]
    assert "Billing" in readiness and "Support" in readiness
    assert re.search(r'data-metric="completion_rate">100%<', readiness)
    assert 'action="/rollout' not in text and "/edit" not in text
    assert "/signoff" not in text
    assert client.get(f"/rollout/plans/{plan.id}").status_code == 403
    assert client.get(f"/rollout/overview?plan={plan.id + 99}").status_code == 404


def test_admins_cannot_sign_a_phase_or_a_gate(client, make, plan):
    phase = services.add_phase(plan, PhaseData(name="Strategy"))
    wave = make_wave(plan, [make.department("Sales")])
    db.session.commit()
    client.login(make.user(roles=("admin",)))
    data = {"decision": "go", "comment": "An admin's go."}
    assert client.post(f"/rollout/phases/{phase.id}/signoff", data=data).status_code == 403
    assert client.post(f"/rollout/waves/{wave.id}/signoff", data=data).status_code == 403
    assert client.get(f"/rollout/phases/{phase.id}").status_code == 200


@pytest.mark.parametrize(
    ("page", "heading"),
    [("selection", "Choosing the CRM"), ("mission", "Mission and objectives")],
)
def test_strategy_pages_name_themselves_in_title_and_heading(
    client, executive, plan, page, heading
):
    client.login(executive)
    html = client.get(f"/rollout/plans/{plan.id}/{page}").get_data(as_text=True)
    assert f"<title>{heading} · {plan.name}" in html
    assert f'<h1 class="h3">{heading}</h1>' in html
