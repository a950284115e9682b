"""Hands-on exercises through HTTP: start, work in the sandbox, check my work, pass."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.learning.models import ExerciseAttempt, ExerciseCheck, Lesson, LessonProgress
from sandbox import scenarios
from sandbox.models import Sandbox
from sandbox.services import get_or_create_sandbox, reset_sandbox
from seed.learning_demo import import_builtin_courses

URL = "/courses/after-sale-service/billing-and-defect-tickets"


@pytest.fixture
def learner(client, make, app_ctx):
    import_builtin_courses()
    db.session.commit()
    user = make.user(roles=("learner",), department="Customer Service")
    client.login(user)
    return user


def _lesson() -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.key == "billing-and-defect-tickets"))


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
    progress = db.session.scalar(select(LessonProgress).where(
        LessonProgress.lesson_id == _lesson().id))
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
