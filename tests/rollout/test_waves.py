"""Waves: courses tied to a wave are due its lead time before go-live, and follow it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.authoring.models import Assignment
from portal.extensions import db
from portal.rollout.models import Wave
from tests.rollout.conftest import make_wave, post_wave

GO_LIVE = date.today() + timedelta(days=40)


def _assignments(course=None) -> list[Assignment]:
    query = select(Assignment).order_by(Assignment.department_id)
    if course is not None:
        query = query.where(Assignment.course_id == course.id)
    return list(db.session.scalars(query))


def _tie(client, wave, course, lead_days: int):
    """Tie `course` to `wave` as required, due `lead_days` before go-live."""
    return client.post(
        f"/rollout/waves/{wave.id}/courses",
        data={"course": course.id, "required": "y", "lead_days": str(lead_days)},
    )


def test_tying_a_course_assigns_it_to_every_department_due_before_go_live(
    client, executive, plan, make, course
):
    sales, billing = make.department("Sales"), make.department("Billing")
    wave = make_wave(plan, [sales, billing], go_live_on=GO_LIVE)
    client.login(executive)
    response = _tie(client, wave, course, 10)
    assert response.status_code == 302
    tied = _assignments(course)
    assert sorted(
        (a.department_id, a.due_on, a.lead_days, a.wave_id, a.required) for a in tied
    ) == sorted(
        [
            (sales.id, GO_LIVE - timedelta(days=10), 10, wave.id, True),
            (billing.id, GO_LIVE - timedelta(days=10), 10, wave.id, True),
        ]
    )
    page = client.get(f"/rollout/waves/{wave.id}").get_data(as_text=True)
    assert course.title in page and (GO_LIVE - timedelta(days=10)).isoformat() in page


def test_moving_go_live_moves_the_tied_due_dates(client, executive, plan, make, course):
    sales = make.department("Sales")
    wave = make_wave(plan, [sales], go_live_on=GO_LIVE)
    client.login(executive)
    _tie(client, wave, course, 14)
    untied = Assignment(course_id=course.id, user_id=make.user().id, due_on=date(2030, 1, 1))
    db.session.add(untied)
    db.session.commit()

    later = GO_LIVE + timedelta(days=21)
    response = post_wave(client, f"/rollout/waves/{wave.id}/edit", later, [sales])
    assert response.status_code == 302
    tied = [a for a in _assignments(course) if a.wave_id == wave.id]
    assert [a.due_on for a in tied] == [later - timedelta(days=14)]
    assert db.session.get(Assignment, untied.id).due_on == date(2030, 1, 1)  # not tied
    assert db.session.get(Wave, wave.id).go_live_on == later


def test_an_existing_assignment_is_tied_not_doubled(client, executive, plan, make, course):
    sales = make.department("Sales")
    existing = Assignment(course_id=course.id, department_id=sales.id, due_on=date(2030, 1, 1))
    db.session.add(existing)
    db.session.commit()
    wave = make_wave(plan, [sales], go_live_on=GO_LIVE)
    client.login(executive)
    _tie(client, wave, course, 7)
    assert [(a.id, a.wave_id, a.due_on) for a in _assignments(course)] == [
        (existing.id, wave.id, GO_LIVE - timedelta(days=7))
    ]


def test_untie_keeps_the_assignment_and_its_date(client, executive, plan, make, course):
    sales = make.department("Sales")
    wave = make_wave(plan, [sales], go_live_on=GO_LIVE)
    client.login(executive)
    _tie(client, wave, course, 14)
    assignment = _assignments(course)[0]
    assert (
        client.post(f"/rollout/waves/{wave.id}/assignments/{assignment.id}/untie").status_code
        == 302
    )
    db.session.refresh(assignment)
    assert assignment.wave_id is None and assignment.due_on == GO_LIVE - timedelta(days=14)
    post_wave(client, f"/rollout/waves/{wave.id}/edit", GO_LIVE + timedelta(days=5), [sales])
    db.session.refresh(assignment)
    assert assignment.due_on == GO_LIVE - timedelta(days=14)
    other = make_wave(plan, [sales], name="Other")
    assert (
        client.post(f"/rollout/waves/{other.id}/assignments/{assignment.id}/untie").status_code
        == 404
    )


def test_departments_joining_a_wave_get_its_courses_and_leaving_ones_keep_theirs(
    client, executive, plan, make, course
):
    sales, billing = make.department("Sales"), make.department("Billing")
    wave = make_wave(plan, [sales], go_live_on=GO_LIVE)
    client.login(executive)
    _tie(client, wave, course, 14)
    post_wave(client, f"/rollout/waves/{wave.id}/edit", GO_LIVE, [billing])
    by_department = {a.department_id: a for a in _assignments(course)}
    assert by_department[billing.id].wave_id == wave.id
    assert by_department[billing.id].due_on == GO_LIVE - timedelta(days=14)
    assert by_department[sales.id].wave_id is None  # still assigned, no longer moving


def test_deleting_a_wave_keeps_its_assignments(client, executive, plan, make, course):
    sales = make.department("Sales")
    wave = make_wave(plan, [sales], go_live_on=GO_LIVE)
    client.login(executive)
    _tie(client, wave, course, 14)
    assert client.post(f"/rollout/waves/{wave.id}/delete").status_code == 302
    assert [(a.wave_id, a.due_on) for a in _assignments(course)] == [
        (None, GO_LIVE - timedelta(days=14))
    ]


def test_bad_wave_input_is_422_with_the_message_at_the_field(client, executive, plan, course, make):
    client.login(executive)
    response = client.post(
        f"/rollout/plans/{plan.id}/waves/new",
        data={"name": "", "go_live_on": "not a date", "lead_days": "400"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("This field is required.") == 2  # the name, and the unreadable date
    assert "Number must be between 0 and 365." in page
    assert "Choose at least one department." in page
    assert db.session.scalar(select(Wave.id)) is None

    wave = make_wave(plan, [make.department("Sales")])
    response = client.post(
        f"/rollout/waves/{wave.id}/courses", data={"course": "999", "lead_days": "-1"}
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _assignments() == []
    response = client.post(
        f"/rollout/waves/{wave.id}/criteria", data={"kind": "completion_rate", "threshold": "150"}
    )
    assert response.status_code == 422
    assert "Enter a number between 0 and 100." in response.get_data(as_text=True)
    assert db.session.get(Wave, wave.id).criteria == []
