"""Adoption after go-live beside the training evidence, through HTTP: the wave page, the
overview, the adoption goal metrics, and who may read them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal import clock
from portal.adoption.importing import UsageRow, save_usage
from portal.adoption.models import COUNTS, ImportSource
from portal.adoption.weeks import UsageWeek, monday
from portal.extensions import db
from portal.rollout import services
from portal.rollout.services import GoalData
from tests.rollout.conftest import course, evidence, make_wave  # noqa: F401, F811


def _row(user, day, days=1, sign_ins=1, deals=0, leads=0):
    counts = dict.fromkeys(COUNTS, 0)
    counts.update(sign_ins=sign_ins, deals_created=deals, leads_updated=leads)
    return UsageRow(0, user.id, day, days, counts)


@pytest.fixture
def boss(make):
    return make.user(roles=("executive",), department=None, name="Erum Executive")


@pytest.fixture
def live_wave(make, boss, evidence):  # noqa: F811 - the rollout tests' fixture
    """Sales went live three weeks ago: two of its four learners are trained."""
    today = clock.today()
    plan = services.create_plan("Go-live", today + timedelta(days=30), "", boss)
    sales = make.department("Sales")
    people = [make.user(roles=("learner",), department="Sales", name=f"P{n}") for n in range(4)]
    evidence.assign(department=sales, due_on=today - timedelta(days=30))
    for person in people[:2]:
        evidence.certify(person)
    wave = make_wave(
        plan,
        [sales],
        go_live_on=monday(today) - timedelta(days=21),
        criteria={"completion_rate": 50},
    )
    db.session.commit()
    return plan, wave, people


def _last_week():
    return monday(clock.today()) - timedelta(days=7)


def test_the_wave_page_shows_adoption_beside_training(client, boss, live_wave):
    plan, wave, people = live_wave
    week = _last_week()
    rows = [
        # a trained person: active on two days, 10 and 4 deals
        _row(people[0], week, deals=10),
        _row(people[0], week + timedelta(days=1), deals=4),
        # another trained person with a week row: 6 leads updated
        _row(people[1], week, days=7, sign_ins=3, leads=6),
        # an untrained person: signed in only; the fourth did nothing
        _row(people[2], week + timedelta(days=2)),
        _row(people[3], week + timedelta(days=3), sign_ins=0),
    ]
    save_usage(rows, source=ImportSource.API)
    db.session.commit()
    assert db.session.query(UsageWeek).count() == 3  # the idle row is nobody active

    client.login(boss)
    page = client.get(f"/rollout/waves/{wave.id}/adoption")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="training"' in text and 'data-criterion="completion_rate"' in text
    departments = text[text.index('data-testid="adoption-departments"') :]
    row = re.search(r'<tr data-department="all">(.*?)</tr>', departments, re.S).group(1)
    cells = dict(re.findall(r'data-cell="([\w-]+)">\s*([^<]+?)\s*<', row))
    assert cells["learners"] == "4" and cells["trained"] == "2"
    assert cells["active"] == "3"  # two trained, one untrained
    assert cells["per-active"] == "6.7"  # 20 records over 3 people
    assert cells["active-trained"] == "100%" and cells["active-untrained"] == "50%"
    assert cells["per-trained"] == "10.0" and cells["per-untrained"] == "0.0"
    weeks = text[text.index('data-testid="adoption-weeks"') :]
    assert f'data-week="{week.isoformat()}"' in weeks
    assert f'data-week="{(week - timedelta(days=21)).isoformat()}"' not in weeks  # before go-live

    # Imported again, the week replaces the first import instead of adding to it.
    save_usage(rows, source=ImportSource.API)
    db.session.commit()
    text = client.get(f"/rollout/waves/{wave.id}/adoption").get_data(as_text=True)
    row = re.search(r'<tr data-department="all">(.*?)</tr>', text, re.S).group(1)
    again = dict(re.findall(r'data-cell="([\w-]+)">\s*([^<]+?)\s*<', row))
    assert again["active"] == "3" and again["per-active"] == "6.7"


def test_a_wave_not_live_yet_shows_no_adoption(client, boss, make, live_wave):
    plan, _wave, _people = live_wave
    later = make_wave(plan, [make.department("Billing")], name="Wave 2")
    client.login(boss)
    text = client.get(f"/rollout/waves/{later.id}/adoption").get_data(as_text=True)
    assert 'data-testid="not-live"' in text
    overview = client.get("/rollout/adoption")
    assert overview.status_code == 200
    body = overview.get_data(as_text=True)
    assert "Goes live on" in body and f"/rollout/waves/{later.id}/adoption" in body


def test_the_overview_runs_the_same_statements_for_one_live_wave_or_four(
    client, boss, make, live_wave, count_queries
):
    plan, wave, people = live_wave
    save_usage([_row(people[0], _last_week(), deals=2)], source=ImportSource.API)
    db.session.commit()
    client.login(boss)

    def statements() -> int:
        client.get("/rollout/adoption")  # warm: the catalogue and the session's user
        with count_queries() as counter:
            page = client.get("/rollout/adoption")
        assert page.status_code == 200
        return counter.count

    one = statements()
    for n in range(3):
        department = make.department(f"Branch {n}")
        make.user(roles=("learner",), department=department.name, name=f"B{n}")
        make_wave(plan, [department], name=f"Wave {n + 2}", go_live_on=wave.go_live_on)
    db.session.commit()
    page = client.get("/rollout/adoption").get_data(as_text=True)
    assert page.count('data-testid="adoption-departments"') == 4
    assert statements() == one


def test_links_from_the_wave_page_and_the_dashboard(client, boss, live_wave):
    _plan, wave, _people = live_wave
    client.login(boss)
    link = f"/rollout/waves/{wave.id}/adoption"
    assert link in client.get(f"/rollout/waves/{wave.id}").get_data(as_text=True)
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert link in dashboard and "/rollout/adoption" in dashboard


def test_adoption_goals_are_measured_from_the_usage(client, boss, live_wave):
    plan, _wave, people = live_wave
    week = _last_week()
    save_usage(
        [_row(people[0], week, deals=30), _row(people[2], week, deals=5)],
        source=ImportSource.API,
    )
    for title, metric, target in (
        ("Half the learners use the CRM", "adoption_active_rate", 50),
        ("Deals logged in the CRM, not spreadsheets", "adoption_deals", 30),
        ("Records per active user", "adoption_records", 20),
    ):
        services.save_goal(plan, GoalData("medium", title, metric, target))
    db.session.commit()
    client.login(boss)
    text = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    goals = text[text.index('id="goals"') :]
    assert "50%" in goals  # two of four active
    assert "35" in goals  # deals
    assert "17.5" in goals  # 35 records over two people: short of 20
    form = client.get(f"/rollout/plans/{plan.id}/goals/new").get_data(as_text=True)
    assert 'value="adoption_deals"' in form


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_cannot_read_adoption(client, make, role, live_wave):
    _plan, wave, _people = live_wave
    client.login(make.user(roles=(role,)))
    assert client.get("/rollout/adoption").status_code == 403
    assert client.get(f"/rollout/waves/{wave.id}/adoption").status_code == 403
