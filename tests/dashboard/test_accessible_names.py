"""What the executive's pages say to people who cannot see the icons, and what their
numbers count: every button and link has a name, practice figures carry their unit."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from portal.extensions import db
from portal.rollout import services
from portal.rollout.services import PhaseData
from tests.rollout.conftest import add_phase, make_wave

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Controls(HTMLParser):
    """Collects each <a> and <button> with its accessible name (aria-label, else the
    text outside aria-hidden elements, visually hidden text included)."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[tuple[str, dict, str]] = []
        self._open: list[tuple[str, dict, list[str]]] = []
        self._hidden_depth = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("a", "button"):
            self._open.append((tag, attributes, []))
        if tag not in VOID:
            hidden = attributes.get("aria-hidden") == "true"
            self._stack.append((tag, hidden))
            self._hidden_depth += hidden

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, hidden = self._stack.pop()
            self._hidden_depth -= hidden
            if open_tag == tag:
                break
        if tag in ("a", "button") and self._open:
            open_tag, attributes, text = self._open.pop()
            name = attributes.get("aria-label") or " ".join("".join(text).split())
            self.controls.append((open_tag, attributes, name))

    def handle_data(self, data):
        if not self._hidden_depth:
            for _tag, _attributes, text in self._open:
                text.append(data)


def _controls(page: str) -> list[tuple[str, dict, str]]:
    parser = _Controls()
    parser.feed(page)
    return parser.controls


@pytest.fixture
def organisation(make, plan, evidence):
    sales = make.department("Sales")
    evidence.assign(department=sales, due_on=date.today() + timedelta(days=10))
    learner = make.user(roles=("learner",), department="Sales", name="Lina Learner")
    evidence.practice(learner, 6)
    phase = add_phase(plan, "Training", "in_progress", -5, 20)
    services.add_phase(plan, PhaseData(name="Go-live", status="planned"))
    services.add_milestone(phase, "Trainers booked", None, None)
    services.save_goal(plan, services.GoalData("short", "Half certified", "completion_rate", 50))
    db.session.commit()
    wave = make_wave(plan, [sales], criteria={"completion_rate": 90, "practice_actions_14d": 5})
    return sales, learner, phase, wave


def test_every_button_and_link_on_the_executive_pages_has_a_name(
    client, executive, organisation, plan
):
    sales, learner, phase, wave = organisation
    client.login(executive)
    for path in (
        "/dashboard/",
        f"/dashboard/departments/{sales.id}",
        f"/dashboard/learners/{learner.id}",
        "/rollout/",
        f"/rollout/plans/{plan.id}",
        f"/rollout/phases/{phase.id}",
        f"/rollout/waves/{wave.id}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        controls = _controls(response.get_data(as_text=True))
        assert len(controls) > 5, path
        nameless = [(tag, attributes) for tag, attributes, name in controls if not name]
        assert nameless == [], path


def test_removing_a_gate_criterion_or_a_milestone_names_what_goes(client, executive, organisation):
    _sales, _learner, phase, wave = organisation
    client.login(executive)
    names = {
        name
        for _tag, _attributes, name in _controls(
            client.get(f"/rollout/waves/{wave.id}").get_data(as_text=True)
        )
    }
    assert "Remove the criterion “Required courses completed” from the gate" in names
    assert "Remove the criterion “Practice actions per learner, last 14 days” from the gate" in (
        names
    )
    names = {
        name
        for _tag, _attributes, name in _controls(
            client.get(f"/rollout/phases/{phase.id}").get_data(as_text=True)
        )
    }
    assert "Remove the milestone “Trainers booked”" in names


def test_practice_figures_say_what_they_count(client, executive, organisation):
    sales, *_ = organisation
    client.login(executive)
    home = client.get("/dashboard/").get_data(as_text=True)
    heatmap = home[home.index('data-testid="heatmap"') :]
    assert "sandbox actions per learner, last 14 days" in heatmap
    department = client.get(f"/dashboard/departments/{sales.id}").get_data(as_text=True)
    assert "sandbox actions, last 14 days" in department
    assert "Practice: sandbox actions per learner, last 14 days" in department
    assert "Practice (14 days)" not in home + department
