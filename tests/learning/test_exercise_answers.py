"""Answer checks through HTTP: the learner enters figures beside Check my work, is told
what their sandbox says when a figure is off, and, once they pass, the attempt keeps a
summary of how they worked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.learning.models import ExerciseAttempt, Lesson
from sandbox import scenarios
from sandbox.models import Sandbox
from tests.learning.conftest import sign_in_learner

URL = "/courses/pipeline-and-targets/move-deals"


@pytest.fixture
def learner(client, make, app_ctx):
    return sign_in_learner(client, make, "Sales")


def _work_without_answers(learner) -> None:
    lesson = db.session.scalar(select(Lesson).where(Lesson.key == "move-deals"))
    attempt = db.session.scalar(select(ExerciseAttempt))
    sandbox = db.session.scalar(select(Sandbox).where(Sandbox.owner_id == learner.id))
    steps = [
        s
        for s in lesson.content["solution"]
        if not (isinstance(s, dict) and s.get("do") == "answer")
    ]
    scenarios.apply_solution(
        sandbox, learner, steps, {k: tuple(v) for k, v in attempt.records.items()}
    )
    db.session.commit()


def test_answers_are_compared_with_the_learners_sandbox(client, learner):
    page = client.post(f"{URL}/start", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'name="answer-weighted-answer"' in page and 'data-testid="exercise-answers"' in page
    _work_without_answers(learner)
    answers = {
        "answer-attainment-answer": "75 %",
        "answer-gap-answer": "15,000",
        "answer-weighted-answer": "23,000",
    }
    html = client.post(f"{URL}/check", data=answers, headers={"HX-Request": "true"}).text
    assert 'data-check="weighted-answer" data-passed="no"' in html
    assert (
        "You entered $23,000.00; the weighted value of your pipeline is $13,900.00 (±1%)." in html
    )
    assert 'data-check="gap-answer" data-passed="yes"' in html
    attempt = db.session.scalar(select(ExerciseAttempt))
    assert attempt.answers["gap-answer"] == "15,000" and not attempt.passed

    # Only the corrected answer is sent again; the others are kept from before.
    html = client.post(
        f"{URL}/check", data={"answer-weighted-answer": "13900"}, headers={"HX-Request": "true"}
    ).text
    assert "Passed: every required check is met." in html
    db.session.refresh(attempt)
    assert attempt.passed and attempt.summary["actions"][0] == "report.viewed"
    assert "opportunity.stage_changed" in attempt.summary["actions"]
    assert attempt.summary["sandbox_minutes"] >= 0
    assert 'data-testid="exercise-summary"' in html and "Your actions in order:" in html
