"""Quizzes through HTTP: scoring, partial credit, retakes, pass marks, tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.learning.models import LessonProgress, QuizAttempt, QuizQuestion

QUIZ_URL = "/courses/sample-course/basics-quiz/quiz"


def _ids(lesson_key="basics-quiz"):
    questions = db.session.scalars(select(QuizQuestion)).all()
    return {
        q.key: (q.id, {c.key: c.id for c in q.choices})
        for q in questions
        if q.lesson.key == lesson_key
    }


def _answers(ids, picks: dict[str, list[str]]) -> dict:
    """The quiz form's rows: answers-<n>-question (its id) and answers-<n>-choices."""
    data = {}
    for row, (q, chosen) in enumerate(picks.items()):
        data[f"answers-{row}-question"] = ids[q][0]
        data[f"answers-{row}-choices"] = [ids[q][1][c] for c in chosen]
    return data


ALL_RIGHT = {"what-is-crm": ["history"], "benefits": ["offers", "pricing"], "older": ["true"]}


@pytest.fixture
def learner(client, make, sample_course):
    user = make.user(roles=("learner",))
    client.login(user)
    return user


def _attempts() -> int:
    return db.session.scalar(select(func.count(QuizAttempt.id)))


def test_all_right_scores_100_and_completes_the_lesson(client, learner):
    ids = _ids()
    response = client.post(QUIZ_URL, data=_answers(ids, ALL_RIGHT), headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You scored 100%." in page
    assert "<html" not in page  # htmx gets the fragment only
    attempt = db.session.scalar(select(QuizAttempt))
    assert (attempt.score, attempt.passed) == (100, True)
    assert attempt.answers["benefits"]["chosen"] == ["offers", "pricing"]
    progress = db.session.scalar(select(LessonProgress))
    assert progress.completed_at is not None and progress.best_score == 100


@pytest.mark.parametrize(
    ("benefits", "expected_points"),
    [
        (["offers"], 0.5),  # half the right answers
        (["offers", "pricing", "spam"], 0.5),  # a wrong pick costs one right one
        (["spam"], 0.0),  # never below zero
        (["offers", "pricing"], 1.0),
    ],
)
def test_multiple_choice_gets_partial_credit(client, learner, benefits, expected_points):
    ids = _ids()
    picks = dict(ALL_RIGHT, benefits=benefits)
    client.post(QUIZ_URL, data=_answers(ids, picks))
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt.answers["benefits"]["points"] == expected_points
    assert attempt.score == round(100 * (2 + expected_points) / 3)


def test_below_pass_mark_fails_then_a_retake_passes_and_best_score_counts(client, learner):
    ids = _ids()
    wrong = {"what-is-crm": ["payroll"], "benefits": ["spam"], "older": ["true"]}
    response = client.post(QUIZ_URL, data=_answers(ids, wrong))
    assert "Not passed yet" in response.get_data(as_text=True)
    assert "Payroll" not in response.get_data(as_text=True)  # the text shown is the choice's
    assert "That is HR software." in response.get_data(as_text=True)
    progress = db.session.scalar(select(LessonProgress))
    assert progress.completed_at is None and progress.best_score == 33

    client.post(QUIZ_URL, data=_answers(ids, ALL_RIGHT))
    client.post(QUIZ_URL, data=_answers(ids, wrong))  # a worse retake later
    db.session.expire_all()
    progress = db.session.scalar(select(LessonProgress))
    assert progress.best_score == 100 and progress.completed_at is not None
    assert _attempts() == 3
    page = client.get("/courses/sample-course/basics-quiz/").get_data(as_text=True)
    assert "3 attempts so far; best score 100%." in page


def test_unanswered_question_asks_for_it_and_records_nothing(client, learner):
    ids = _ids()
    response = client.post(QUIZ_URL, data=_answers(ids, {"what-is-crm": ["history"]}))
    assert response.status_code == 422
    assert "Answer every question before submitting: 2 left." in response.get_data(as_text=True)
    assert _attempts() == 0


def test_tampered_submissions_get_400_and_record_nothing(client, learner, app_ctx):
    from portal.courseformat import read_course
    from portal.learning.importer import apply_bundle
    from tests.learning.conftest import course_files

    other = course_files(**{"course.yaml": None})
    other["course.yaml"] = (
        "slug: other\ntitle: Other\nmodules:\n  - key: m\n    title: M\n"
        "    lessons: [basics-quiz]\n"
    )
    del other["intro.md"], other["wrap-up.md"]
    apply_bundle(read_course(other))
    db.session.commit()
    ids = _ids()
    good = _answers(ids, ALL_RIGHT)
    foreign_question = next(
        q for q in db.session.scalars(select(QuizQuestion)) if q.lesson.course.slug == "other"
    )
    what = "answers-0-choices"  # the row of what-is-crm, the first in ALL_RIGHT
    foreign = {"answers-3-question": foreign_question.id}
    tampered = [
        dict(good, **{what: [999999]}),  # unknown choice
        dict(good, **{what: [ids["older"][1]["true"]]}),  # another question's choice
        dict(good, **foreign, **{"answers-3-choices": [foreign_question.choices[0].id]}),
        dict(good, **{what: ["abc"]}),  # not a number
        dict(good, **{"answers-0-question": "abc"}),  # not a question id
        dict(
            good, **{what: [ids["what-is-crm"][1]["history"], ids["what-is-crm"][1]["payroll"]]}
        ),  # two on single
    ]
    for data in tampered:
        response = client.post(QUIZ_URL, data=data)
        assert response.status_code == 400
    assert _attempts() == 0
    assert db.session.scalar(select(func.count(LessonProgress.id))) <= 1  # only the view, if any


def test_quiz_post_without_csrf_token_is_refused(client, learner):
    ids = _ids()
    response = client.post(QUIZ_URL, data=_answers(ids, ALL_RIGHT), csrf=False)
    assert response.status_code == 400
    assert _attempts() == 0


def test_a_passed_quiz_updates_the_lesson_list_in_the_same_response(client, learner):
    response = client.post(
        QUIZ_URL, data=_answers(_ids(), ALL_RIGHT), headers={"HX-Request": "true"}
    )
    page = response.get_data(as_text=True)
    nav = page[page.index('id="lesson-nav" hx-swap-oob="true"') :]
    item = nav[nav.index('data-lesson="basics-quiz"') :]
    assert item.split('data-status="', 1)[1].startswith('done"')
