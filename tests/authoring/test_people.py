"""Assigning courses, the progress report with its CSV, and email reminders over SMTP."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.authoring.models import Assignment, Nudge
from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course, QuizQuestion
from tests.factories import quiz_answers
from tests.learning.conftest import course_files


@pytest.fixture
def course(app_ctx):
    apply_bundle(read_course(course_files()))
    db.session.commit()
    return db.session.scalar(select(Course))


def _assign(client, course, **data):
    return client.post(f"/author/courses/{course.slug}/assignments", data=data)


def _assign_required(client, course, department_id: int, due_in_days: int):
    """Assign the course, required, to one department, due `due_in_days` from today."""
    due_on = (date.today() + timedelta(days=due_in_days)).isoformat()
    return _assign(client, course, departments=[str(department_id)], required="y", due_on=due_on)


def test_assign_to_a_department_reaches_its_learners_with_the_due_date(
    client, trainer, make, app, course
):
    learner = make.user(roles=("learner",), department="Sales")
    sales = learner.department_id
    due = date.today() + timedelta(days=10)
    response = _assign(
        client, course, departments=[str(sales)], due_on=due.isoformat(), required="y"
    )
    assert response.status_code == 302
    page = client.get(f"/author/courses/{course.slug}/assignments").get_data(as_text=True)
    assert "Sales" in page
    learner_client = app.test_client()
    learner_client.login(learner)
    home = learner_client.get("/learn/").get_data(as_text=True)
    assert "Sample course" in home
    assert f"Due {due.strftime('%b')} {due.day}, {due.year}" in re.sub(r"<[^>]+>", "", home)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose at least one department or person."),
        # A stray field of an older form is not read: no 500, the same clear refusal.
        ({"users": ["1"]}, "Choose at least one department or person."),
        ({"emails": "nobody@nowhere.test"}, "No account for: nobody@nowhere.test"),
        ({"emails": "x@y.test", "due_on": "2001-01-01"}, "The due date is in the past."),
        ({"departments": ["999999"]}, "is not a valid choice"),
    ],
)
def test_bad_assignments_are_refused_and_nothing_is_saved(client, trainer, course, data, message):
    response = _assign(client, course, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_assign_to_a_rollout_wave_works_the_due_date_back_from_its_go_live(
    client, trainer, make, course
):
    from portal.rollout import services as rollout
    from tests.rollout.conftest import make_wave

    sales = make.department("Sales")
    plan = rollout.create_plan("CRM go-live", date.today() + timedelta(days=60), "", trainer)
    go_live = date.today() + timedelta(days=40)
    wave = make_wave(plan, [sales], go_live_on=go_live, name="Pilot")
    page = client.get(f"/author/courses/{course.slug}/assignments").get_data(as_text=True)
    assert "CRM go-live · Pilot" in page

    # Choosing the wave and also one of its departments is one assignment, not a refusal.
    response = _assign(
        client, course, wave=str(wave.id), lead_days="10", required="y", departments=[str(sales.id)]
    )
    assert response.status_code == 302
    assert "1 assignment added." in client.get(response.headers["Location"]).text
    assignment = db.session.scalar(select(Assignment))
    assert db.session.scalar(select(func.count(Assignment.id))) == 1
    assert (assignment.department_id, assignment.wave_id) == (sales.id, wave.id)
    assert assignment.due_on == go_live - timedelta(days=10)
    page = client.get(f"/author/courses/{course.slug}/assignments").get_data(as_text=True)
    assert "10 days before Pilot goes live" in page

    # Its due date follows the wave: changing it here is refused, the flag is not.
    url = f"/author/courses/{course.slug}/assignments/{assignment.id}"
    other_day = (date.today() + timedelta(days=5)).isoformat()
    refused = client.post(url, data={"due_on": other_day, "required": "y"})
    assert refused.status_code == 422
    assert "follows its rollout wave" in refused.get_data(as_text=True)
    assert client.post(url, data={"due_on": assignment.due_on.isoformat()}).status_code == 302
    db.session.refresh(assignment)
    assert (assignment.due_on, assignment.required) == (go_live - timedelta(days=10), False)


def test_an_assignment_gets_a_new_due_date_or_becomes_optional(client, trainer, make, course):
    learner = make.user(roles=("learner",), department="Sales")
    _assign_required(client, course, learner.department_id, 3)
    assignment = db.session.scalar(select(Assignment))
    url = f"/author/courses/{course.slug}/assignments/{assignment.id}"
    later = date.today() + timedelta(days=20)
    assert client.post(url, data={"due_on": later.isoformat()}).status_code == 302
    db.session.refresh(assignment)
    assert (assignment.due_on, assignment.required) == (later, False)
    past = client.post(url, data={"due_on": "2001-01-01", "required": "y"})
    assert past.status_code == 422 and "The due date is in the past." in past.get_data(as_text=True)
    db.session.refresh(assignment)
    assert (assignment.due_on, assignment.required) == (later, False)
    other = make.user(roles=("learner",), department="IT")
    _assign(client, course, departments=[str(other.department_id)])
    mine = db.session.scalar(select(Assignment).where(Assignment.id != assignment.id))
    elsewhere = client.post(f"/author/courses/no-such-course/assignments/{mine.id}", data={})
    assert elsewhere.status_code == 404


def test_unpublished_course_cannot_be_assigned(client, trainer, make):
    from tests.authoring.conftest import Author

    draft_course = Author(client).course(title="Not yet")
    learner = make.user(roles=("learner",))
    response = _assign(client, draft_course, emails=learner.email)
    assert "Publish the course before assigning it." in response.get_data(as_text=True)


def _learner_with_attempt(make, app, course, name):
    learner = make.user(roles=("learner",), department="Sales", name=name)
    learner_client = app.test_client()
    learner_client.login(learner)
    question = db.session.scalars(select(QuizQuestion)).all()
    wrong = quiz_answers({q.id: [next(c.id for c in q.choices if not c.correct)] for q in question})
    learner_client.post(f"/courses/{course.slug}/basics-quiz/quiz", data=wrong)
    return learner


def test_progress_report_shows_learners_and_question_statistics(client, trainer, make, app, course):
    learner = _learner_with_attempt(make, app, course, "Zara Khan")
    _assign(
        client, course, emails=learner.email, due_on=(date.today() + timedelta(days=3)).isoformat()
    )
    page = client.get(f"/author/courses/{course.slug}/progress").get_data(as_text=True)
    assert "Zara Khan" in page and "In progress" in page
    assert "What does a CRM keep?" in page and "100%" in page  # everyone missed it
    assert '<bdi lang="en" dir="ltr">The payroll</bdi> (1)' in page  # most picked wrong


def test_csv_export_neutralises_formulas(client, trainer, make, app, course):
    _learner_with_attempt(make, app, course, '=HYPERLINK("http://evil.test")')
    response = client.get(f"/author/courses/{course.slug}/progress?format=csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "name"
    assert rows[1][0] == '\'=HYPERLINK("http://evil.test")'


def test_nudge_emails_the_chosen_learners_through_smtp(
    client, trainer, make, app, course, smtp_inbox
):
    inbox = smtp_inbox
    learner = _learner_with_attempt(make, app, course, "Omar Farooq")
    response = client.post(f"/author/courses/{course.slug}/nudge", data={"user": [str(learner.id)]})
    assert response.status_code == 302
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message.rcpt_tos == [learner.email]
    assert b"Reminder: Sample course" in message.content
    assert b"/courses/sample-course/" in message.content
    db.session.expire_all()
    nudge = db.session.scalar(select(Nudge))
    assert nudge.state == "sent" and nudge.user_id == learner.id
    page = client.get(f"/author/courses/{course.slug}/progress").text
    assert 'data-state="sent"' in page
    # Pressed again the same day: recorded, but the learner gets one email a day.
    client.post(f"/author/courses/{course.slug}/nudge", data={"user": [str(learner.id)]})
    assert len(inbox.messages) == 1


def test_a_nudge_is_written_in_the_learners_language(
    client, trainer, make, app, course, smtp_inbox
):
    learner = _learner_with_attempt(make, app, course, "Aisha Siddiqui")
    learner.locale = "ur"
    db.session.commit()
    client.post(f"/author/courses/{course.slug}/nudge", data={"user": [str(learner.id)]})
    [message] = smtp_inbox.messages
    assert b"Reminder: Sample course" not in message.content  # Urdu, not the trainer's English


def test_nudge_without_a_mail_server_is_recorded_and_said(client, trainer, make, app, course):
    learner = _learner_with_attempt(make, app, course, "Sana Mir")
    response = client.post(
        f"/author/courses/{course.slug}/nudge",
        data={"user": [str(learner.id)]},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "this portal has no mail server set up. Ask your administrator." in page
    assert "MAIL_SERVER" not in page  # no setting names for trainers
    assert db.session.scalar(select(Nudge.status)) == "not_configured"


def test_nudge_refuses_people_outside_the_course(client, trainer, make, course):
    stranger = make.user(roles=("learner",), department="IT")
    response = client.post(
        f"/author/courses/{course.slug}/nudge",
        data={"user": [str(stranger.id)]},
        follow_redirects=True,
    )
    assert "Choose learners of this course to remind." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Nudge.id))) == 0


def test_progress_filters_by_department_and_names_the_checks_that_fail(client, trainer):
    import re

    from portal.accounts.models import Department, User
    from seed.rollout_demo import create_demo_rollout

    create_demo_rollout()  # learners at real, varied stages, some exercises left unfinished
    db.session.commit()
    slug = "after-sale-service"
    everyone = client.get(f"/author/courses/{slug}/progress").get_data(as_text=True)
    stats = everyone[everyone.index('data-testid="check-stats"') :]
    stats = stats[: stats.index("</table>")]
    failures = [int(n) for n in re.findall(r"</span></td><td>(\d+)</td>", stats)]
    assert failures and failures == sorted(failures, reverse=True) and failures[0] > 0
    # Per check, how many learners pass or fail it by their latest check run.
    passing = [int(n) for n in re.findall(r'data-testid="check-passing">(\d+)<', stats)]
    failing = [int(n) for n in re.findall(r'data-testid="check-failing">(\d+)<', stats)]
    assert len(passing) == len(failing) == len(failures) and sum(passing) > 0

    billing = db.session.scalar(select(Department).where(Department.name == "Billing"))
    page = client.get(f"/author/courses/{slug}/progress?department={billing.id}").text
    names = set(db.session.scalars(select(User.name).where(User.department_id == billing.id)))
    listed = re.findall(r"<td>(?:<bdi[^>]*>)?([^<]+)<", everyone)
    others = set(
        db.session.scalars(
            select(User.name).where(User.department_id != billing.id, User.name.in_(listed))
        )
    )
    assert names and any(name in page for name in names)
    assert others and not any(name in page for name in others)


def _after_sale_exercise():
    """The after-sale course's exercise, once the built-in courses are imported."""
    from portal.learning.models import Lesson
    from seed.learning_demo import import_builtin_courses

    import_builtin_courses()
    return db.session.scalar(
        select(Lesson)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug == "after-sale-service", Lesson.key == "billing-and-defect-tickets")
    )


def _progress_after_one_run(client, make, lesson, failed: list[str], score: int, passed: bool):
    """The course's progress page once a learner it is assigned to has run the checks once,
    failing `failed`."""
    from portal.learning.models import ExerciseAttempt, ExerciseCheck

    learner = make.user(roles=("learner",), department="Customer Service")
    attempt = ExerciseAttempt(user_id=learner.id, lesson_id=lesson.id, checks_run=1, passed=passed)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(ExerciseCheck(attempt_id=attempt.id, score=score, passed=passed, failed=failed))
    db.session.commit()
    _assign(client, lesson.course, emails=learner.email)
    return client.get(f"/author/courses/{lesson.course.slug}/progress").get_data(as_text=True)


def test_check_statistics_count_an_optional_check_failed_in_a_passing_run(client, trainer, make):
    lesson = _after_sale_exercise()
    optional = next(c["key"] for c in lesson.content["checks"] if not c.get("required", True))
    page = _progress_after_one_run(client, make, lesson, [optional], score=92, passed=True)
    row = re.search(rf'data-check="{optional}">.*?</span></td><td>(\d+)</td><td>(\d+)</td>', page)
    assert row and row.groups() == ("1", "1")


def _rows(page: str) -> dict[str, str]:
    """Each learner's row of the progress table, by email."""
    import re

    return dict(re.findall(r'<tr data-learner="([^"]+)"(.*?)</tr>', page, re.S))


def test_nobody_is_ticked_for_a_reminder_and_those_behind_are_marked(
    client, trainer, make, app, course
):
    """Nothing is ticked by default: one click cannot remind everybody. The rows that
    "Select those behind" picks (overdue, stalled, not started near the due date) are
    marked, and a learner assigned today is neither stalled nor behind."""
    from portal.database import utcnow

    fresh = make.user(roles=("learner",), department="Sales", name="Fresh Start")
    _assign_required(client, course, fresh.department_id, 30)
    near = make.user(roles=("learner",), department="IT", name="Near Due")
    _assign_required(client, course, near.department_id, 3)
    idle = make.user(roles=("learner",), department="Billing", name="Long Idle")
    _assign_required(client, course, idle.department_id, 30)
    long_ago = db.session.scalar(
        select(Assignment).where(Assignment.department_id == idle.department_id)
    )
    long_ago.created_at = utcnow() - timedelta(days=8)
    db.session.commit()

    page = client.get(f"/author/courses/{course.slug}/progress").get_data(as_text=True)
    assert "no progress for 7 days" in page
    assert 'data-select="behind"' in page and 'data-select="none"' in page
    rows = _rows(page)
    assert not any(" checked" in row for row in rows.values())
    assert "Stalled" not in rows[fresh.email] and "data-behind" not in rows[fresh.email]
    assert "Not started" in rows[fresh.email]
    assert "data-behind" in rows[near.email] and "Stalled" not in rows[near.email]
    assert "Stalled" in rows[idle.email] and "data-behind" in rows[idle.email]


def test_failed_checks_are_named_by_their_description(client, trainer, make):
    lesson = _after_sale_exercise()
    check = lesson.content["checks"][0]
    page = _progress_after_one_run(client, make, lesson, [check["key"]], score=0, passed=False)
    stats = page[page.index('data-testid="check-stats"') :]
    stats = stats[: stats.index("</table>")]
    from markupsafe import escape

    assert str(escape(check["description"])) in stats
    assert f">{check['key']}<" not in stats  # the key is no longer shown as the name


def test_days_for_late_joiners_are_set_when_assigning_and_shown_in_progress(
    client, trainer, make, course
):
    """The form offers the portal's default (14); the trainer sets 5. Someone who joins
    Sales afterwards is due 5 days after joining on the progress page, not overdue."""
    from portal.database import utcnow

    sales = make.department("Sales")
    form = client.get(f"/author/courses/{course.slug}/assignments").get_data(as_text=True)
    assert re.search(r'name="late_joiner_days"[^>]*value="14"', form)
    response = _assign(
        client,
        course,
        departments=[str(sales.id)],
        required="y",
        due_on=date.today().isoformat(),
        late_joiner_days="5",
    )
    assert response.status_code == 302
    assignment = db.session.scalar(select(Assignment))
    assert assignment.late_joiner_days == 5
    assignment.created_at = utcnow() - timedelta(days=20)
    assignment.due_on = date.today() - timedelta(days=10)
    db.session.commit()
    page = client.get(f"/author/courses/{course.slug}/assignments").get_data(as_text=True)
    assert "Who joins later: 5 days after joining" in page

    newcomer = make.user(roles=("learner",), department="Sales", name="Nour New", joined_days_ago=0)
    veteran = make.user(roles=("learner",), department="Sales", name="Vic Veteran")
    page = client.get(f"/author/courses/{course.slug}/progress").get_data(as_text=True)
    rows = _rows(page)
    due = date.today() + timedelta(days=5)
    assert f'datetime="{due.isoformat()}"' in rows[newcomer.email]
    assert "Overdue" not in rows[newcomer.email] and "Stalled" not in rows[newcomer.email]
    assert "Overdue" in rows[veteran.email]

    url = f"/author/courses/{course.slug}/assignments/{assignment.id}"
    assert (
        client.post(
            url,
            data={
                "due_on": assignment.due_on.isoformat(),
                "required": "y",
                "late_joiner_days": "30",
            },
        ).status_code
        == 302
    )
    db.session.refresh(assignment)
    assert assignment.late_joiner_days == 30


@pytest.mark.parametrize("days", ["0", "-3", "400", "soon"])
def test_bad_days_for_late_joiners_are_refused_at_the_field(client, trainer, make, course, days):
    sales = make.department("Sales")
    response = _assign(client, course, departments=[str(sales.id)], late_joiner_days=days)
    assert response.status_code == 422
    assert re.search(
        r'id="late_joiner_days"[^>]*is-invalid|is-invalid[^>]*id="late_joiner_days"',
        response.get_data(as_text=True),
    )
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


@pytest.mark.parametrize("locale", ["ur", "hi"])
def test_reminder_times_on_progress_read_in_the_locale_without_english_am_pm(
    client, trainer, make, app, course, locale
):
    """A reminder sent at 15:49 reads "3:49 PM" in English; in Urdu and Hindi the
    progress page shows 15:49 inside <bdi><time>, with no AM/PM to jump about."""
    learner = _learner_with_attempt(make, app, course, "Sana Mir")
    client.post(f"/author/courses/{course.slug}/nudge", data={"user": [str(learner.id)]})
    nudge = db.session.scalar(select(Nudge))
    nudge.sent_at = datetime.combine(date.today() - timedelta(days=1), time(15, 49), tzinfo=UTC)
    db.session.commit()
    am_pm = re.compile(r"\b[AaPp]\.?[Mm]\b")

    def reminders() -> str:
        page = client.get(f"/author/courses/{course.slug}/progress").get_data(as_text=True)
        listed = page[page.index('data-testid="nudges"') :]
        return listed[: listed.index("</ul>")]

    assert am_pm.search(reminders())
    client.post("/language", data={"locale": locale})
    listed = reminders()
    times = re.findall(r'<bdi><time datetime="([^"]+)">([^<]+)</time></bdi>', listed)
    assert len(times) == 1
    iso, shown = times[0]
    assert "15:49" in shown and not am_pm.search(shown), shown
    assert iso[:4] in shown or iso[2:4] in shown
    assert not am_pm.search(re.sub(r"<[^>]+>", "", listed))
