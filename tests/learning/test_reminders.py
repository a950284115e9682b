"""Daily reminder emails about assigned courses: the job decides who needs one, writes it
in their language with a link to the next lesson, and sends it once a day at most."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.authoring.models import Assignment
from portal.clock import today
from portal.extensions import db
from portal.mailqueue import OutgoingMail
from portal.reminders import send_daily_reminders


def _due_in(course, days: int, **target) -> None:
    db.session.add(
        Assignment(
            course_id=course.id, required=True, due_on=today() + timedelta(days=days), **target
        )
    )
    db.session.commit()


def _sent(inbox) -> dict[str, str]:
    return {m.rcpt_tos[0]: m.content.decode("utf-8", "replace") for m in inbox.messages}


@pytest.mark.parametrize(
    ("days", "started", "reminded"),
    [
        (7, False, "due in a week"),
        (7, True, None),  # started: a week is enough warning
        (6, False, None),
        (2, True, "due in two days"),
        (-1, True, "is overdue"),
        (-4, False, None),  # weekly after the first day overdue
        (-8, False, "is overdue"),
    ],
)
def test_who_is_reminded_and_why(make, sample_course, smtp_inbox, client, days, started, reminded):
    learner = make.user(email="omar@example.com")
    _due_in(sample_course, days, user_id=learner.id)
    if started:
        client.login(learner)
        client.get("/courses/sample-course/intro/")
        client.post("/courses/sample-course/intro/done")
    assert send_daily_reminders() == (1 if reminded else 0)
    sent = _sent(smtp_inbox)
    if reminded is None:
        assert sent == {}
        return
    assert reminded in sent["omar@example.com"]
    # Straight to what is next: the first lesson not yet done.
    next_key = "basics-quiz" if started else "intro"
    assert f"http://127.0.0.1:5000/courses/sample-course/{next_key}/" in sent["omar@example.com"]


def test_one_reminder_a_day_in_the_learners_language_unless_switched_off(
    make, sample_course, smtp_inbox
):
    urdu = make.user(email="aisha@example.com", locale="ur")
    quiet = make.user(email="quiet@example.com")
    quiet.reminder_emails = False
    db.session.commit()
    department_mate = make.user(email="bilal@example.com")
    _due_in(sample_course, 2, department_id=department_mate.department_id)
    assert send_daily_reminders() == 2  # aisha and bilal share Sales; quiet opted out
    assert send_daily_reminders() == 0  # a second run the same day sends nothing more
    sent = _sent(smtp_inbox)
    assert set(sent) == {"aisha@example.com", "bilal@example.com"}
    assert "due in two days" in sent["bilal@example.com"]
    assert "due in two days" not in sent["aisha@example.com"]  # written in Urdu
    keys = db.session.scalars(select(OutgoingMail.key)).all()
    assert len(keys) == 2 and all(k.endswith(today().isoformat()) for k in keys)
    assert urdu.id and quiet.id


def test_the_account_page_switches_reminders_off(client, make):
    learner = make.user()
    client.login(learner)
    response = client.post("/account/email", data={"reminder_emails": "", "digest_emails": "y"})
    assert response.status_code == 302
    db.session.refresh(learner)
    assert learner.reminder_emails is False and learner.digest_emails is True
    assert 'name="reminder_emails"' in client.get("/account").text
