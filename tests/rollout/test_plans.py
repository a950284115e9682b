"""Plans, phases, milestones and goals: create, edit, reorder, tick; bad input is refused."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.rollout import services
from portal.rollout.models import Goal, Milestone, Phase, Plan
from portal.rollout.services import PhaseData
from tests.rollout.conftest import post_wave


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _refused(client, url: str, data: dict) -> str:
    """Posts a form that must be refused with 422; returns the page."""
    response = client.post(url, data=data)
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_executive_creates_a_plan_with_phases_goals_and_a_wave(client, executive, make):
    sales = make.department("Sales")
    client.login(executive)
    target = date.today() + timedelta(days=90)
    response = client.post(
        "/rollout/plans/new",
        data={
            "name": "CRM go-live",
            "target_go_live": target.isoformat(),
            "description": "Pilot first.",
        },
    )
    plan = db.session.scalar(select(Plan))
    assert response.headers["Location"].endswith(f"/rollout/plans/{plan.id}")
    assert (plan.name, plan.target_go_live, plan.created_by_id) == (
        "CRM go-live",
        target,
        executive.id,
    )

    for name in ("Strategy", "Pilot", "Training"):
        assert (
            client.post(
                f"/rollout/plans/{plan.id}/phases/new",
                data={
                    "name": name,
                    "status": "planned",
                    "owner_id": executive.id,
                    "starts_on": "2027-01-01",
                    "ends_on": "2027-02-01",
                },
            ).status_code
            == 302
        )
    assert (
        client.post(
            f"/rollout/plans/{plan.id}/goals/new",
            data={
                "horizon": "short",
                "title": "Pilot trained",
                "metric": "completion_rate",
                "target": "90",
            },
        ).status_code
        == 302
    )
    assert (
        post_wave(
            client, f"/rollout/plans/{plan.id}/waves/new", target, [sales], name="Pilot: Sales"
        ).status_code
        == 302
    )

    page = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    for text in (
        "Strategy",
        "Pilot",
        "Training",
        "Pilot trained",
        "Pilot: Sales",
        "Owner: " + executive.name,
        "Sign-off history",
    ):
        assert text in page, text
    assert [p.name for p in plan.phases] == ["Strategy", "Pilot", "Training"]
    assert [p.position for p in plan.phases] == [0, 1, 2]


def test_phases_move_up_and_down_through_htmx(client, executive, plan):
    for name in ("One", "Two", "Three"):
        services.add_phase(plan, PhaseData(name=name))
    db.session.commit()
    two = db.session.scalar(select(Phase).where(Phase.name == "Two"))
    client.login(executive)
    response = client.post(
        f"/rollout/phases/{two.id}/move", data={"direction": "up"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and fragment.index("Two") < fragment.index("One")
    assert 'hx-post="/rollout/phases/' in fragment
    names = list(db.session.scalars(select(Phase.name).order_by(Phase.position)))
    assert names == ["Two", "One", "Three"]
    client.post(f"/rollout/phases/{two.id}/move", data={"direction": "up"})  # already first
    response = client.post(f"/rollout/phases/{two.id}/move", data={"direction": "down"})
    assert response.status_code == 302  # without htmx: back to the plan
    assert list(db.session.scalars(select(Phase.name).order_by(Phase.position))) == [
        "One",
        "Two",
        "Three",
    ]


def test_milestones_are_added_and_ticked_with_htmx(client, executive, plan):
    phase = services.add_phase(plan, PhaseData(name="Training"))
    db.session.commit()
    client.login(executive)
    response = client.post(
        f"/rollout/phases/{phase.id}/milestones",
        data={"title": "Billing certified", "owner_id": "0", "due_on": "2027-03-01"},
    )
    assert response.status_code == 302
    milestone = db.session.scalar(select(Milestone))
    response = client.post(
        f"/rollout/milestones/{milestone.id}/toggle", headers={"HX-Request": "true"}
    )
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and row.lstrip().startswith("<li")
    assert 'data-done="yes"' in row and db.session.get(Milestone, milestone.id).done
    client.post(f"/rollout/milestones/{milestone.id}/toggle", headers={"HX-Request": "true"})
    assert not db.session.get(Milestone, milestone.id).done
    response = client.post(f"/rollout/phases/{phase.id}/milestones", data={"title": ""})
    assert response.status_code == 422 and "This field is required." in (
        response.get_data(as_text=True)
    )
    assert _count(Milestone) == 1


def test_bad_plan_and_phase_input_is_422_and_nothing_is_saved(client, executive, plan):
    client.login(executive)
    page = _refused(client, "/rollout/plans/new", {"name": "x" * 201, "target_go_live": ""})
    assert "Field cannot be longer than 200 characters." in page
    assert "This field is required." in page
    assert _count(Plan) == 1

    phases = f"/rollout/plans/{plan.id}/phases/new"
    page = _refused(
        client,
        phases,
        {
            "name": "Pilot",
            "status": "planned",
            "owner_id": "0",
            "starts_on": "2027-03-01",
            "ends_on": "2027-02-01",
        },
    )
    assert "The phase cannot end before it starts." in page
    page = _refused(client, phases, {"name": "Pilot", "status": "finished", "owner_id": "12345"})
    assert page.count("Not a valid choice") == 2
    assert _count(Phase) == 0


def test_goals_are_checked_against_their_metric(client, executive, plan):
    client.login(executive)
    goals = f"/rollout/plans/{plan.id}/goals/new"
    short = {"horizon": "short", "title": "Everyone", "metric": "completion_rate"}
    page = _refused(client, goals, {**short, "target": "120"})
    assert "Enter a number between 0 and 100." in page
    page = _refused(
        client,
        goals,
        {
            **short,
            "title": "Quiz",
            "metric": "avg_quiz_score",
            "target": "80",
            "manual_value": "55",
        },
    )
    assert "Only a goal measured by hand takes a measured value." in page
    assert _count(Goal) == 0
    assert (
        client.post(
            f"/rollout/plans/{plan.id}/goals/new",
            data={
                "horizon": "long",
                "title": "Deals in the CRM (%)",
                "metric": "manual",
                "target": "95",
                "manual_value": "40",
            },
        ).status_code
        == 302
    )
    goal = db.session.scalar(select(Goal))
    page = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    assert "Now 40 of 95" in page
    assert (
        client.post(
            f"/rollout/goals/{goal.id}/edit",
            data={
                "horizon": "long",
                "title": "Deals in the CRM (%)",
                "metric": "manual",
                "target": "95",
                "manual_value": "96",
            },
        ).status_code
        == 302
    )
    assert db.session.get(Goal, goal.id).manual_value == 96


def test_goal_values_are_computed_live(client, executive, plan, make, evidence):
    sales = make.department("Sales")
    learner = make.user(roles=("learner",), department="Sales")
    make.user(roles=("learner",), department="Sales")
    evidence.assign(department=sales)
    evidence.certify(learner)
    services.save_goal(plan, services.GoalData("short", "Half trained", "completion_rate", 50))
    services.save_goal(plan, services.GoalData("long", "Certificates", "certificates_issued", 10))
    db.session.commit()
    client.login(executive)
    page = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    assert "Now 50% of 50%" in page and "Now 1 of 10" in page


def test_plans_can_be_edited_and_deleted_until_signed(client, executive, plan):
    client.login(executive)
    response = client.post(
        f"/rollout/plans/{plan.id}/edit",
        data={"name": "Renamed", "target_go_live": "2027-06-30", "description": ""},
    )
    assert response.status_code == 302
    assert db.session.get(Plan, plan.id).name == "Renamed"
    assert client.get(f"/rollout/plans/{plan.id}/edit").status_code == 200
    assert client.post(f"/rollout/plans/{plan.id}/delete").status_code == 302
    assert _count(Plan) == 0
