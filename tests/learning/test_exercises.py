"""Hands-on exercises through HTTP: start, work in the sandbox, check my work, pass."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.learning.models import (
    Course,
    ExerciseAttempt,
    ExerciseCheck,
    Lesson,
    LessonProgress,
)
from sandbox import scenarios
from sandbox.models import Sandbox
from sandbox.services import get_or_create_sandbox, reset_sandbox
from tests.learning.conftest import sign_in_learner

URL = "/courses/after-sale-service/billing-and-defect-tickets"


@pytest.fixture
def learner(client, make, app_ctx):
    return sign_in_learner(client, make, "Customer Service")


def _lesson() -> Lesson:
    """The English course's exercise (its translations share the key)."""
    return db.session.scalar(
        select(Lesson)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug == "after-sale-service", Lesson.key == "billing-and-defect-tickets")
    )


def test_start_then_check_shows_hints_then_passes_after_the_work(client, learner):
    page = client.get(f"{URL}/").get_data(as_text=True)
    assert "Start the exercise" in page
    response = client.post(f"{URL}/start", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Check my work" in response.get_data(as_text=True)

    response = client.post(f"{URL}/check", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'data-check="billing-closed" data-passed="no"' in html
    assert "Close the ticket once Sana has the answer." in html
    attempt = db.session.scalar(select(ExerciseAttempt))
    assert attempt.checks_run == 1 and not attempt.passed

    # Do the work in the sandbox (the services the sandbox pages call).
    sandbox = db.session.scalar(select(Sandbox).where(Sandbox.owner_id == learner.id))
    records = {k: tuple(v) for k, v in attempt.records.items()}
    scenarios.apply_solution(sandbox, learner, _lesson().content["solution"], records)
    db.session.commit()

    html = client.post(f"{URL}/check", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-passed="no"' not in html
    assert "Passed: every required check is met." in html
    progress = db.session.scalar(
        select(LessonProgress).where(LessonProgress.lesson_id == _lesson().id)
    )
    assert progress.completed_at is not None and progress.best_score == 100
    # Every check is kept, not only the last: the learner sees how they got there.
    runs = db.session.scalars(select(ExerciseCheck).order_by(ExerciseCheck.id)).all()
    assert [(r.passed, r.score == 100) for r in runs] == [(False, False), (True, True)]
    assert "billing-closed" in runs[0].failed and runs[1].failed == []
    history = client.get(f"{URL}/").get_data(as_text=True)
    assert f"{runs[0].score}%</span> → " in history and 'data-testid="check-history"' in history


def test_check_before_start_and_after_reset_asks_to_start(client, learner):
    response = client.post(f"{URL}/check")
    assert response.status_code == 422
    assert "Start the exercise first." in response.get_data(as_text=True)
    client.post(f"{URL}/start")
    sandbox = get_or_create_sandbox(learner)
    reset_sandbox(sandbox, learner)
    db.session.commit()
    response = client.post(f"{URL}/check")
    assert response.status_code == 422
    assert "start the exercise again" in response.get_data(as_text=True)


def test_a_learner_cannot_check_or_see_another_learners_attempt(client, learner, make, app):
    client.post(f"{URL}/start")
    other = make.user(roles=("learner",))
    other_client = app.test_client()
    other_client.login(other)
    response = other_client.post(f"{URL}/check")
    assert response.status_code == 422  # their own: none started
    page = other_client.get(f"{URL}/").get_data(as_text=True)
    assert "Start the exercise" in page and "Your last check" not in page
    assert db.session.scalar(select(func.count(ExerciseAttempt.id))) == 1
    assert db.session.scalar(select(ExerciseAttempt.user_id)) == learner.id


def _do_the_work(learner) -> None:
    """Carry out the reference solution in the learner's sandbox (what the pages would do)."""
    attempt = db.session.scalar(select(ExerciseAttempt).order_by(ExerciseAttempt.id.desc()))
    sandbox = db.session.scalar(select(Sandbox).where(Sandbox.owner_id == learner.id))
    records = {k: tuple(v) for k, v in attempt.records.items()}
    scenarios.apply_solution(sandbox, learner, _lesson().content["solution"], records)
    db.session.commit()


def _nav_status(html: str) -> str:
    """The status the out-of-band lesson list gives the exercise."""
    nav = html[html.index('id="lesson-nav" hx-swap-oob="true"') :]
    item = nav[nav.index('data-lesson="billing-and-defect-tickets"') :]
    return item.split('data-status="', 1)[1].split('"', 1)[0]


def test_passing_updates_the_lesson_list_in_the_same_response(client, learner):
    client.post(f"{URL}/start")
    failing = client.post(f"{URL}/check", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert _nav_status(failing) == "started"
    _do_the_work(learner)
    passing = client.post(f"{URL}/check", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert _nav_status(passing) == "done"
    assert passing.count('id="lesson-nav"') == 1
    # Without htmx the whole page comes back, with one lesson list and nothing out of band.
    page = client.post(f"{URL}/check").get_data(as_text=True)
    assert page.count('id="lesson-nav"') == 1 and "hx-swap-oob" not in page


def test_open_my_sandbox_stays_in_the_same_tab(client, learner):
    page = client.post(f"{URL}/start", headers={"HX-Request": "true"}).get_data(as_text=True)
    link = page[page.index('href="/sandbox/"') :].split(">", 1)[0]
    assert "Open my sandbox" in page and "_blank" not in link


def test_an_open_exercise_shows_its_task_and_check_on_every_sandbox_page(client, learner):
    assert 'data-testid="exercise-panel"' not in client.get("/sandbox/").get_data(as_text=True)
    client.post(f"{URL}/start")
    for url in ("/sandbox/", "/sandbox/tickets", "/sandbox/customers"):
        page = client.get(url).get_data(as_text=True)
        assert 'data-testid="exercise-panel"' in page, url
        assert "Hands-on: a billing complaint and a defective product" in page
        assert "Two after-sale problems are waiting in your sandbox." in page  # the task
        assert "Work on one ticket at a time" in page  # a hint
        assert f'hx-post="{URL}/check"' in page and f'href="{URL}/"' in page

    # Check my work from the panel answers with the results only, for the panel.
    panel = {"HX-Request": "true", "HX-Target": "exercise-panel-result"}
    html = client.post(f"{URL}/check", headers=panel).get_data(as_text=True)
    assert 'data-check="billing-closed" data-passed="no"' in html
    assert "Close the ticket once Sana has the answer." in html
    assert "checks met" in html and 'id="exercise"' not in html and "<html" not in html
    _do_the_work(learner)
    html = client.post(f"{URL}/check", headers=panel).get_data(as_text=True)
    assert "Passed: every required check is met." in html and 'data-passed="no"' not in html
    # Passed: the exercise is no longer open, so the panel is gone.
    assert 'data-testid="exercise-panel"' not in client.get("/sandbox/").get_data(as_text=True)


def test_the_learner_can_leave_the_exercise_and_start_it_again(client, learner):
    client.post(f"{URL}/start")
    response = client.post(f"{URL}/leave", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert 'data-testid="exercise-panel"' not in client.get("/sandbox/").get_data(as_text=True)
    client.post(f"{URL}/start")
    assert 'data-testid="exercise-panel"' in client.get("/sandbox/").get_data(as_text=True)
    # Without JavaScript: back to the page the learner was on, never to another site.
    response = client.post(f"{URL}/leave", data={"next": "/sandbox/tickets"})
    assert response.status_code == 302 and response.headers["Location"] == "/sandbox/tickets"
    response = client.post(f"{URL}/leave", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == f"{URL}/"
    assert client.post("/courses/after-sale-service/no-such-lesson/leave").status_code == 404


def test_a_reset_sandbox_closes_the_panel(client, learner):
    client.post(f"{URL}/start")
    reset_sandbox(get_or_create_sandbox(learner), learner)
    db.session.commit()
    assert 'data-testid="exercise-panel"' not in client.get("/sandbox/").get_data(as_text=True)


def test_the_panel_costs_no_query_beyond_its_one_lookup(client, learner, count_queries):
    """Sandbox pages look for an open exercise once, whether or not there is one."""
    client.get("/sandbox/tickets")  # the sandbox is made on the first visit
    with count_queries() as without:
        client.get("/sandbox/tickets")
    client.post(f"{URL}/start")
    with count_queries() as with_panel:
        page = client.get("/sandbox/tickets").get_data(as_text=True)
    assert 'data-testid="exercise-panel"' in page
    assert with_panel.count == without.count, with_panel.statements
