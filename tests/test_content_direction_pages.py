"""Course text and people's own words keep their lang and dir inside the Urdu UI,
and a value of one kind (last activity) reads in one style on every page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course, QuizQuestion
from sandbox.models import Lead
from sandbox.services import get_or_create_sandbox
from tests.factories import quiz_answers
from tests.learning.conftest import course_files


@pytest.fixture
def course(app_ctx) -> Course:
    apply_bundle(read_course(course_files()))
    db.session.commit()
    return db.session.scalar(select(Course))


@pytest.fixture
def learner(app, make, course):
    """A learner who got the sample course's quiz wrong."""
    learner = make.user(
        roles=("learner",), department="Sales", name="Zara Khan", job_title="Account Manager"
    )
    learner_client = app.test_client()
    learner_client.login(learner)
    questions = db.session.scalars(select(QuizQuestion))
    wrong = quiz_answers(
        {q.id: [next(c.id for c in q.choices if not c.correct)] for q in questions}
    )
    learner_client.post(f"/courses/{course.slug}/basics-quiz/quiz", data=wrong)
    return learner


def _in_urdu(client, user) -> None:
    client.login(user)
    client.post("/language", data={"locale": "ur"})


def _last_activity_shown(cell: str) -> str:
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_learner_record_marks_course_text_and_typed_details(client, make, learner):
    _in_urdu(client, make.user(roles=("executive",), department="Sales"))
    page = client.get(f"/dashboard/learners/{learner.id}").text
    assert '<html lang="ur" dir="rtl">' in page
    assert '<span lang="en" dir="ltr">Basics quiz</span>' in page
    assert 'lang="en" dir="ltr">Sample course</div>' in page
    assert '<bdi dir="auto">Account Manager</bdi>' in page
    assert f'<bdi dir="auto">{learner.email}</bdi>' in page
    assert '<bdi dir="auto">Sales</bdi>' in page


def test_progress_report_marks_questions_and_shows_last_activity_as_a_day(
    app, client, make, learner, course
):
    _in_urdu(client, make.user(roles=("trainer",), department="Sales"))
    page = client.get(f"/author/courses/{course.slug}/progress").text
    assert '<span lang="en" dir="ltr">What does a CRM keep?</span>' in page
    assert 'lang="en" dir="ltr">Basics quiz</div>' in page
    assert '<bdi lang="en" dir="ltr">The payroll</bdi>' in page
    row = page[page.index(f'data-learner="{learner.email}"') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    last_activity = [c for c in cells if "<time" in c]
    assert len(last_activity) == 1, cells
    assert ":" not in _last_activity_shown(last_activity[0])  # a day, no time of day

    executive = app.test_client()
    _in_urdu(executive, make.user(roles=("executive",), department="Sales"))
    record = executive.get(f"/dashboard/learners/{learner.id}").text
    assert _last_activity_shown(last_activity[0]) in record


def test_sandbox_lead_details_read_in_their_own_direction(client, make):
    user = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(user)
    db.session.commit()
    lead = db.session.scalar(  # the newest, so it is on the list's first page
        select(Lead)
        .where(Lead.sandbox_id == sandbox.id, Lead.email != "")
        .order_by(Lead.created_at.desc(), Lead.id.desc())
    )
    _in_urdu(client, user)
    page = client.get(f"/sandbox/leads/{lead.id}").text
    assert f'<bdi dir="auto">{lead.email}</bdi>' in page
    listing = client.get("/sandbox/leads").text
    assert f'<bdi dir="auto">{lead.email}</bdi>' in listing
