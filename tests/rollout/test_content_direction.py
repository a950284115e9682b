"""Plan text typed by people reads in its own direction inside the Urdu UI."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.rollout import services
from portal.rollout.services import GoalData, PhaseData


def test_plan_name_and_goal_text_get_dir_auto_in_the_urdu_ui(client, executive, plan):
    services.save_goal(
        plan,
        GoalData(
            horizon="short", title="Read before you act.", metric="completion_rate", target=90
        ),
    )
    db.session.commit()
    client.login(executive)
    client.post("/language", data={"locale": "ur"})
    page = client.get(f"/rollout/plans/{plan.id}").text
    assert '<html lang="ur" dir="rtl">' in page
    assert '<bdi dir="auto">Read before you act.</bdi>' in page
    assert '<bdi dir="auto">Go-live 2027</bdi>' in page
    dashboard = client.get("/dashboard/").text
    assert '<bdi dir="auto">Go-live 2027</bdi>' in dashboard


def test_typed_text_fields_take_their_direction_from_what_is_typed(client, executive, plan):
    client.login(executive)
    page = client.get(f"/rollout/plans/{plan.id}/goals/new").text
    title = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert 'dir="auto"' in title
    assert 'dir="auto"' not in re.search(r'<input[^>]*name="target"[^>]*>', page).group(0)


def test_phase_names_and_signers_read_in_their_own_direction(client, executive, plan):
    phase = services.add_phase(plan, PhaseData(name="Training", status="in_progress"))
    db.session.commit()
    client.login(executive)
    client.post("/language", data={"locale": "ur"})
    client.post(f"/rollout/phases/{phase.id}/signoff", data={"decision": "go", "comment": "Done."})
    page = client.get(f"/rollout/phases/{phase.id}").text
    assert '<bdi dir="auto">Erum Executive</bdi>' in page
    dashboard = client.get("/dashboard/").text
    assert '<bdi dir="auto">Training</bdi></a>' in dashboard
