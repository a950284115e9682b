"""Rollout forms refuse an unknown metric at its field (422), whatever number comes with it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.rollout import services
from portal.rollout.models import GateCriterion, Goal
from portal.rollout.services import GoalData
from tests.rollout.conftest import make_wave

BOGUS_GOAL = {"horizon": "short", "title": "Everyone", "metric": "bogus", "target": "-1"}


@pytest.mark.parametrize("target", ["-1", "50", "1e12"])
def test_a_new_goal_with_an_unknown_metric_is_refused_at_the_field(client, executive, plan, target):
    client.login(executive)
    response = client.post(
        f"/rollout/plans/{plan.id}/goals/new", data={**BOGUS_GOAL, "target": target}
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Goal.id))) == 0


def test_an_edited_goal_with_an_unknown_metric_is_refused_and_kept(client, executive, plan):
    goal = services.save_goal(
        plan, GoalData(horizon="short", title="Everyone", metric="completion_rate", target=90)
    )
    db.session.commit()
    client.login(executive)
    response = client.post(f"/rollout/goals/{goal.id}/edit", data=BOGUS_GOAL)
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Goal, goal.id)
    assert (kept.metric, kept.target) == ("completion_rate", 90)


def test_a_gate_criterion_of_an_unknown_kind_is_refused_at_the_field(client, executive, plan, make):
    wave = make_wave(plan, [make.department("Sales")])
    client.login(executive)
    response = client.post(
        f"/rollout/waves/{wave.id}/criteria", data={"kind": "bogus", "threshold": "-1"}
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(GateCriterion.id))) == 0
