"""An executive runs the strategy in a real browser: completes the CRM selection, links
goals to the mission's objectives, signs the phases off in order, imports a week of CRM
usage and sees the wave's adoption beside its training."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from portal import clock
from portal.extensions import db
from portal.rollout import services
from portal.rollout.services import GoalData, PhaseData, WaveData
from tests.e2e.conftest import login


def test_executive_selects_the_crm_links_goals_and_signs_phases_in_order(page, make):
    executive = make.user(roles=("executive",), department="Sales", name="Erum Executive")
    make.department("Sales")
    plan = services.create_plan("CRM go-live", date.today() + timedelta(days=60), "", executive)
    strategy = services.add_phase(plan, PhaseData(name="Strategy", owner_id=executive.id))
    selection = services.add_phase(plan, PhaseData(name="Selection", owner_id=executive.id))
    goal = services.save_goal(plan, GoalData("short", "Deals logged in the CRM", "manual", 90))
    for name in ("ann", "bob"):
        make.user(roles=("learner",), department="Sales", email=f"{name}@example.com")
    today = clock.today()
    week = today - timedelta(days=today.weekday() + 7)  # last week's Monday
    wave = services.create_wave(
        plan, WaveData("Pilot", week - timedelta(days=7), 14, [make.department("Sales").id])
    )
    db.session.commit()
    login(page, executive)

    # Choosing the system: a requirement, scores after the demos, the signed decision.
    page.goto(f"/rollout/plans/{plan.id}/selection")
    form = page.get_by_test_id("requirement-form")
    form.get_by_label("Requirement").fill("Pipeline by stage")
    form.get_by_label("Department").select_option(label="Sales")
    form.get_by_role("button", name="Add requirement").click()
    expect(page.get_by_test_id("scorecard")).to_contain_text("Pipeline by stage")
    for crm, score, note in (("hubspot", "5", "Clear board"), ("espocrm", "3", "Dated look")):
        scoring = page.get_by_test_id("score-form")
        scoring.get_by_label("CRM").select_option(crm)
        scoring.get_by_label("Score (0–5)").fill(score)
        scoring.get_by_label("Note from the demo").fill(note)
        scoring.get_by_role("button", name="Score").click()
        expect(page.get_by_test_id("scorecard")).to_contain_text(note)
    expect(page.locator('[data-total="hubspot"]')).to_have_text("25.0")
    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("Chosen CRM").select_option("hubspot")
    decision.get_by_label("Rationale").fill("Highest score on what Sales must have.")
    decision.get_by_role("button", name="Sign the decision").click()
    expect(page.get_by_test_id("decisions")).to_contain_text("HubSpot")

    # The mission, an objective, and the goal linked to it.
    page.goto(f"/rollout/plans/{plan.id}/mission")
    page.get_by_label("Mission in a sentence").fill("Every customer feels known.")
    page.get_by_role("button", name="Save mission").click()
    page.get_by_label("Objective", exact=True).fill("One record per customer")
    page.get_by_role("button", name="Add objective").click()
    expect(page.get_by_test_id("objective-list")).to_contain_text("One record per customer")
    page.goto(f"/rollout/goals/{goal.id}/edit")
    page.get_by_label("Serves the objective").select_option(label="One record per customer")
    page.get_by_role("button", name="Save").click()
    objectives = page.get_by_test_id("objectives")
    expect(objectives).to_contain_text("One record per customer")
    expect(objectives).to_contain_text("Deals logged in the CRM")
    expect(page.get_by_test_id("chosen-crm")).to_contain_text("HubSpot")

    # Phases in order: Selection cannot start before Strategy is signed off.
    page.goto(f"/rollout/phases/{selection.id}/edit")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_contain_text(
        "is not signed off yet"
    )
    page.goto(f"/rollout/phases/{strategy.id}")
    page.get_by_label("Go", exact=True).check()
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_test_id("signoffs")).to_contain_text("Erum Executive")
    page.goto(f"/rollout/phases/{selection.id}/edit")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selection")
    expect(page.get_by_test_id("start-blocked")).to_have_count(0)
    page.goto(f"/rollout/plans/{plan.id}/history/print")
    expect(page.get_by_test_id("signoff-document")).to_contain_text("HubSpot")
    expect(page.get_by_test_id("signoff-document")).to_contain_text("Phase: Strategy")

    # A week of usage from the CRM, imported as a CSV, then the wave's page shows the
    # adoption after go-live beside the training before it.
    page.goto("/adoption/import")
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "usage.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "Email,Week start,Sign-ins,Deals created\n"
                    f"ann@example.com,{week.isoformat()},5,8\n"
                    f"bob@example.com,{week.isoformat()},2,4\n"
                ).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("ready")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("imports")).to_contain_text("usage.csv")
    page.goto(f"/rollout/waves/{wave.id}")
    page.get_by_test_id("adoption-link").click()
    expect(page.get_by_test_id("training")).to_contain_text("Training before go-live")
    total = page.get_by_test_id("adoption-departments").locator('tr[data-department="all"]')
    expect(total.locator('[data-cell="active"]')).to_contain_text("2")
    expect(total.locator('[data-cell="per-active"]')).to_have_text("6.0")
