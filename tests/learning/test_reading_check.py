"""A reading's knowledge check: one or two questions in its front matter, read like a
quiz's, refused at file:line, written back and imported onto the reading."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.courseformat.problems import FormatError
from portal.courseformat.reader import read_course
from portal.courseformat.writer import bundle_to_files
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Lesson, LessonProgress, QuizAttempt
from tests.learning.conftest import course_files

CHECKED_INTRO = """\
---
key: intro
title: Introduction
kind: reading
minutes: 4
check:
  - key: keeps
    kind: single
    prompt: What does a CRM keep?
    explanation: The history of every customer relationship.
    choices:
      - {key: history, text: The customer history, correct: true, feedback: Right.}
      - {key: payroll, text: The payroll, feedback: That is HR software.}
  - key: who
    kind: multiple
    prompt: Who records contacts?
    choices:
      - {key: sales, text: Sales, correct: true, feedback: Yes.}
      - {key: service, text: Customer service, correct: true, feedback: Yes.}
      - {key: nobody, text: Nobody outside IT, feedback: Everyone who talks to customers.}
---
# Welcome

A CRM records **every** contact with a customer.
"""


def checked_files(**overrides: str) -> dict[str, str]:
    return course_files(**{"intro.md": CHECKED_INTRO, **overrides})


def _problems(files: dict[str, str]) -> list[str]:
    with pytest.raises(FormatError) as raised:
        read_course(files)
    return [str(problem) for problem in raised.value.problems]


def test_a_reading_check_is_read_as_questions_and_written_back():
    bundle = read_course(checked_files())
    intro = next(lesson for lesson in bundle.lessons if lesson.key == "intro")
    assert [q.key for q in intro.questions] == ["keeps", "who"]
    assert intro.questions[0].choices[1].feedback == "That is HR software."
    files = bundle_to_files(bundle)
    assert "check:" in files["intro.md"] and "check:" not in files["wrap-up.md"]
    assert read_course(files) == bundle


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("kind: multiple", "kind: single"), "intro.md:14: question 'who' is single but has 2"),
        (("      - {key: payroll", "      - {key: history"), "intro.md:7: choice key 'history'"),
        (("key: who", "key: keeps"), "intro.md:14: question key 'keeps' is used twice"),
        (("check:\n", "check: yes\n"), "intro.md:6: 'check' lists the knowledge check's"),
    ],
)
def test_a_broken_check_is_refused_at_its_line(edit, expected):
    text = CHECKED_INTRO.replace(*edit, 1)
    if edit[1] == "check: yes\n":  # the list that followed is now an unknown field
        text = text.replace("  - key: keeps", "x:\n  - key: keeps", 1)
    problems = _problems(checked_files(**{"intro.md": text}))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_a_check_of_three_questions_is_refused():
    third = CHECKED_INTRO.split("check:\n")[1].split("---")[0].replace("key: keeps", "key: more")
    third = third.replace("key: who", "key: also")
    text = CHECKED_INTRO.replace("---\n# Welcome", third + "---\n# Welcome")
    assert any("at most 2" in p for p in _problems(checked_files(**{"intro.md": text})))


def test_importing_puts_the_check_on_the_reading(app_ctx):
    apply_bundle(read_course(checked_files()))
    db.session.flush()
    intro = db.session.scalar(select(Lesson).where(Lesson.key == "intro"))
    assert [q.key for q in intro.questions] == ["keeps", "who"]
    apply_bundle(read_course(course_files()))  # the check taken out again
    db.session.flush()
    db.session.refresh(intro)
    assert all(q.archived for q in intro.questions)


# Answering it, as a learner

CHECK_URL = "/courses/sample-course/intro/knowledge-check"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def checked_course(app_ctx):
    apply_bundle(read_course(checked_files()))
    db.session.commit()


@pytest.fixture
def learner(client, make, checked_course):
    user = make.user(roles=("learner",))
    client.login(user)
    return user


def _answers(picks: dict[str, list[str]]) -> dict:
    intro = db.session.scalar(select(Lesson).where(Lesson.key == "intro"))
    questions = {q.key: q for q in intro.questions}
    data = {}
    for row, (key, chosen) in enumerate(picks.items()):
        question = questions[key]
        data[f"answers-{row}-question"] = question.id
        data[f"answers-{row}-choices"] = [c.id for c in question.choices if c.key in chosen]
    return data


def _progress(user) -> LessonProgress | None:
    db.session.expire_all()
    return db.session.scalar(
        select(LessonProgress)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.key == "intro", LessonProgress.user_id == user.id)
    )


RIGHT = {"keeps": ["history"], "who": ["sales", "service"]}


def test_the_reading_shows_its_check_instead_of_mark_as_done(client, learner):
    page = client.get("/courses/sample-course/intro/").get_data(as_text=True)
    assert 'id="knowledge-check"' in page and "What does a CRM keep?" in page
    assert "Mark as done and continue" not in page
    plain = client.get("/courses/sample-course/wrap-up/").get_data(as_text=True)
    assert "knowledge-check" not in plain and "Mark as done and continue" in plain


def test_a_wrong_answer_gives_feedback_and_leaves_the_reading_open(client, learner):
    wrong = {"keeps": ["payroll"], "who": ["sales", "nobody"]}
    response = client.post(CHECK_URL, data=_answers(wrong), headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert "That is HR software." in page and "Everyone who talks to customers." in page
    assert "Not all correct yet" in page
    assert "The history of every customer relationship." not in page  # not given away
    progress = _progress(learner)
    assert progress is not None and progress.completed_at is None
    attempt = db.session.scalar(select(QuizAttempt))
    assert attempt.passed is False and attempt.answers["who"]["chosen"] == ["nobody", "sales"]
    assert progress.best_score is None  # a reading's check is not a quiz score
    done = client.post("/courses/sample-course/intro/done")
    assert done.status_code == 302 and _progress(learner).completed_at is None


def test_the_right_answer_completes_the_reading_and_may_follow_retries(client, learner):
    client.post(CHECK_URL, data=_answers({"keeps": ["payroll"], "who": ["sales"]}), headers=HTMX)
    response = client.post(CHECK_URL, data=_answers(RIGHT), headers=HTMX)
    page = response.get_data(as_text=True)
    assert "All correct: this reading is done." in page
    assert 'id="lesson-nav" hx-swap-oob="true"' in page and "Continue" in page
    assert _progress(learner).completed_at is not None
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 2
    reopened = client.get("/courses/sample-course/intro/").get_data(as_text=True)
    assert "You have answered this check correctly" in reopened


def test_an_unanswered_question_is_refused_and_tampering_is_400(client, learner):
    response = client.post(CHECK_URL, data=_answers({"keeps": ["history"], "who": []}))
    assert response.status_code == 422 and "1 left" in response.get_data(as_text=True)
    quiz = db.session.scalar(select(Lesson).where(Lesson.key == "basics-quiz"))
    other = quiz.questions[0]
    forged = {"answers-0-question": other.id, "answers-0-choices": [other.choices[0].id]}
    assert client.post(CHECK_URL, data=forged).status_code == 400
    assert client.post("/courses/sample-course/wrap-up/knowledge-check", data={}).status_code == 400
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0


def test_the_check_needs_the_csrf_token(client, learner):
    response = client.post(CHECK_URL, data=_answers(RIGHT), csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0
