"""A learner reads the organisation's rollout plan: phases, goals, every wave's go-live
date and their own wave, which is what the rollout course's answer check computes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from portal.extensions import db
from portal.rollout.models import Goal, Phase, Plan, SignOff, Wave
from portal.rollout.strategy import Objective, SelectionDecision
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


def _strategy(plan: Plan, executive, objectives: int) -> None:
    """The plan's mission, `objectives` objectives each served by a goal, the CRM chosen,
    and a go on every phase but the last."""
    plan.mission = "Whoever a customer speaks to knows their story."
    for n in range(objectives):
        objective = Objective(title=f"Objective {n}")
        plan.objectives.append(objective)
        goal = Goal(horizon="medium", title=f"Goal {n}", metric="manual", target=1)
        goal.objective = objective
        plan.goals.append(goal)
    db.session.flush()
    db.session.add(
        SelectionDecision(
            plan_id=plan.id,
            profile="espocrm",
            rationale="Scored highest on what Sales must have.",
            signer_id=executive.id,
            signer_name=executive.name,
        )
    )
    for phase in plan.phases[:-1]:
        db.session.add(
            SignOff(
                plan_id=plan.id,
                phase_id=phase.id,
                decision="go",
                signer_id=executive.id,
                signer_name=executive.name,
            )
        )
    db.session.commit()


def test_a_learner_reads_the_choice_the_mission_and_the_sign_offs(client, make):
    executive = make.user(roles=("executive",), name="Ayesha Khan")
    learner = make.user(roles=("learner",), department="Customer Service")
    plan = _plan(make.department("Sales"), make.department("Customer Service"))
    _strategy(plan, executive, 2)
    client.login(learner)
    page = client.get("/learn/rollout").get_data(as_text=True)
    choice = page[page.index('data-testid="crm-choice"') :].split("</section>", 1)[0]
    assert "EspoCRM" in choice and "Scored highest on what Sales must have." in choice
    assert "Ayesha Khan" in choice
    objectives = page[page.index('data-testid="objectives"') :].split("</ol>", 1)[0]
    assert objectives.count("data-objective=") == 2
    assert (
        objectives.index("Objective 0")
        < objectives.index("Goal 0")
        < objectives.index("Objective 1")
    )
    assert page.count('data-signed="yes"') == 2 and page.count('data-signed="no"') == 1
    signed = page[page.index('data-signed="yes"') :].split("</div>", 1)[0]
    assert "Signed off by" in signed and "Ayesha Khan" in signed
    assert 'action="/rollout' not in page and 'href="/rollout' not in page  # read-only
    sandbox = get_or_create_sandbox(learner)
    assert computations.compute("rollout.chosen_crm", sandbox, {}) == "espocrm"
    assert computations.compute("rollout.objectives", sandbox, {}) == 2
    assert computations.compute("rollout.phases_signed", sandbox, {}) == 2


def test_without_strategy_records_the_page_says_what_is_not_there_yet(client, make):
    learner = make.user(roles=("learner",), department="Sales")
    _plan(make.department("Sales"), make.department("Customer Service"))
    client.login(learner)
    page = client.get("/learn/rollout").get_data(as_text=True)
    assert "The CRM has not been chosen yet." in page
    assert 'data-signed="yes"' not in page
    sandbox = get_or_create_sandbox(learner)
    assert computations.compute("rollout.chosen_crm", sandbox, {}) is None
    assert computations.compute("rollout.phases_signed", sandbox, {}) == 0


def test_the_plan_page_runs_the_same_statements_at_ten_times_the_records(
    client, make, count_queries
):
    executive = make.user(roles=("executive",))
    learner = make.user(roles=("learner",), department="Customer Service")
    client.login(learner)
    plan = _plan(make.department("Sales"), make.department("Customer Service"))
    counts = []
    for size in (2, 20):
        plan.phases.extend(
            Phase(position=len(plan.phases), name=f"Extra {n}", status="planned")
            for n in range(size)
        )
        plan.waves.extend(
            Wave(name=f"W{size}-{n}", go_live_on=date(2027, 6, 1), departments=[])
            for n in range(size)
        )
        db.session.flush()
        _strategy(plan, executive, size)
        with count_queries() as counter:
            assert client.get("/learn/rollout").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_exercise_solution_matches_the_demo_organisation(app_ctx):
    """The strategy answers of the rollout exercise's solution are the demo plan's own."""
    import yaml
    from sqlalchemy import select

    from portal.accounts.models import User
    from seed.rollout_demo import create_demo_rollout

    create_demo_rollout()
    db.session.commit()
    exercise = Path(__file__).parents[2] / (
        "courses/why-our-rollout-works/read-our-rollout-plan.exercise.yaml"
    )
    content = yaml.safe_load(exercise.read_text(encoding="utf-8"))
    solution = {s["check"]: s["value"] for s in content["solution"] if isinstance(s, dict)}
    options = next(c for c in content["checks"] if c["key"] == "chosen-crm")["options"]
    learner = db.session.scalar(select(User).where(User.email == "learner@demo.test"))
    sandbox = get_or_create_sandbox(learner)
    chosen = computations.compute("rollout.chosen_crm", sandbox, {})
    assert options[int(solution["chosen-crm"])]["value"] == chosen
    for check, source in (("objectives", "objectives"), ("phases-signed", "phases_signed")):
        assert computations.compute(f"rollout.{source}", sandbox, {}) == int(solution[check])
