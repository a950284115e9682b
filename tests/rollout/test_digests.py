"""Weekly digests: a department's manager hears who is behind; an executive hears the
readiness by department, the gates that changed, and the next go-live."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import select

from portal.authoring.models import Assignment
from portal.clock import today
from portal.digests import send_weekly_digests
from portal.extensions import db
from portal.mailqueue import OutgoingMail
from tests.learning.conftest import sample_course  # noqa: F401 - fixture
from tests.rollout.conftest import make_wave


def _mail(inbox, to: str) -> str:
    found = [m for m in inbox.messages if m.rcpt_tos == [to]]
    assert len(found) == 1, [m.rcpt_tos for m in inbox.messages]
    return message_from_bytes(found[0].content, policy=policy.default).get_content()


def test_a_manager_hears_who_is_behind_once_a_week(client, make, sample_course, smtp_inbox):  # noqa: F811
    manager = make.user(email="manager@example.com", roles=("learner",), name="Maha Manager")
    late = make.user(email="late@example.com", name="Lateef Late")
    make.user(email="fine@example.com", name="Fatima Fine")
    department = manager.department
    department.manager_id = manager.id
    db.session.add(
        Assignment(
            course_id=sample_course.id,
            user_id=late.id,
            required=True,
            due_on=today() - timedelta(days=3),
        )
    )
    db.session.commit()
    assert send_weekly_digests() == 1
    body = _mail(smtp_inbox, "manager@example.com")
    assert "Lateef Late: Sample course" in body and "Fatima Fine" not in body
    assert send_weekly_digests() == 0  # the same week: nothing more
    assert len(smtp_inbox.messages) == 1


def test_a_manager_who_switched_it_off_hears_nothing(make, sample_course, smtp_inbox):  # noqa: F811
    manager = make.user(email="manager@example.com")
    manager.department.manager_id = manager.id
    manager.digest_emails = False
    late = make.user()
    db.session.add(
        Assignment(course_id=sample_course.id, user_id=late.id, due_on=today() - timedelta(days=1))
    )
    db.session.commit()
    assert send_weekly_digests() == 0 and smtp_inbox.messages == []


def test_an_executive_hears_readiness_gate_changes_and_the_next_go_live(
    make, plan, smtp_inbox, executive
):
    make.user(department="Sales")  # a learner, so Sales has readiness figures
    make_wave(
        plan,
        [executive.department],
        name="Pilot wave",
        go_live_on=today() + timedelta(days=12),
        criteria={"completion_rate": 0},
    )
    assert send_weekly_digests() == 1
    body = _mail(smtp_inbox, executive.email)
    assert "Readiness by department" in body and "- Sales: Required courses completed 0%" in body
    assert "Go-live gates that changed since last week:\r\n- None." in body
    assert f"Pilot wave goes live on {(today() + timedelta(days=12)).isoformat()}" in body
    assert db.session.scalar(select(OutgoingMail.key)).startswith("digest:executive:")


def test_the_user_form_makes_someone_the_departments_manager(client, make):
    admin = make.user(roles=("admin",), department="IT")
    client.login(admin)
    person = make.user(department="Sales")
    data = {
        "name": person.name,
        "email": person.email,
        "roles": ["learner"],
        "department_id": person.department_id,
        "locale": "",
        "manages_department": "y",
    }
    assert client.post(f"/admin/users/{person.id}", data=data).status_code == 302
    db.session.expire_all()
    assert person.department.manager_id == person.id
    nowhere = {**data, "department_id": 0}
    refused = client.post(f"/admin/users/{person.id}", data=nowhere)
    assert refused.status_code == 422 and "Choose the department they manage first." in refused.text
    db.session.expire_all()
    assert person.department.manager_id == person.id  # nothing half-saved
