"""Learning workflows: viewing and finishing lessons, quizzes, and certificates.

Services flush and never commit; the view commits once per request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.courseformat import LessonKind, QuestionKind
from portal.database import best_effort, utcnow
from portal.domain import DomainError
from portal.extensions import db
from portal.jobs import job
from portal.learning.models import (
    Certificate,
    Course,
    Lesson,
    LessonProgress,
    LessonView,
    QuizAttempt,
    QuizQuestion,
)

# Crockford-style alphabet: no I, L, O or U to misread; 16 characters = 80 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class LearningError(DomainError):
    """A request the learning rules refuse."""


class TamperedSubmission(LearningError):
    """An answer that no honest form could send (unknown ids, another lesson's question)."""


@dataclass
class QuestionResult:
    question: QuizQuestion
    chosen: set[int]
    points: float
    feedback: list[tuple[str, str, bool]] = field(default_factory=list)  # text, feedback, correct

    @property
    def correct(self) -> bool:
        return self.points >= 1


def progress_for(user: User, lesson: Lesson) -> LessonProgress | None:
    return db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id
        )
    )


# Opening a lesson again within this time is the same visit: nothing is written, so
# reading back and forth through a course does not take the database's write lock each time.
VISIT = timedelta(minutes=5)


def record_view(user: User, lesson: Lesson, now: datetime | None = None) -> LessonProgress:
    """Log that the learner opened the lesson (at `now`), and start their progress on it."""
    now = now or utcnow()
    progress = progress_for(user, lesson)
    if progress is not None and progress.last_viewed_at and now - progress.last_viewed_at < VISIT:
        return progress
    db.session.add(LessonView(user_id=user.id, lesson_id=lesson.id, viewed_at=now))
    if progress is None:
        progress = LessonProgress(
            user_id=user.id,
            lesson_id=lesson.id,
            course_id=lesson.course_id,
            first_viewed_at=now,
            last_viewed_at=now,
        )
        db.session.add(progress)
    else:
        progress.last_viewed_at = now
    db.session.flush()
    return progress


@job(retries=0)
def record_view_later(user_id: int, lesson_id: int, viewed_at: datetime) -> None:
    """The job behind queue_view: record the view as record_view does, or log why not."""
    user, lesson = db.session.get(User, user_id), db.session.get(Lesson, lesson_id)
    if user is not None and lesson is not None:
        best_effort(lambda: record_view(user, lesson, viewed_at), "a lesson view")


def queue_view(user: User, lesson: Lesson) -> None:
    """Have the lesson view recorded outside the request (portal.jobs): opening a lesson
    never waits for the database's write lock, and never fails because the view could
    not be kept (the view is then lost and one line logged)."""
    try:
        record_view_later(user.id, lesson.id, utcnow())
    except Exception as error:  # noqa: BLE001 - a queue that is down must not fail the page
        current_app.logger.warning("could not queue a lesson view: %s", error)


def complete_reading(user: User, lesson: Lesson) -> LessonProgress:
    """Mark a reading as done; quizzes and exercises are done by passing them."""
    if lesson.kind != LessonKind.READING:
        raise LearningError(_("Only readings can be marked as done."))
    progress = progress_for(user, lesson) or record_view(user, lesson)
    if progress.completed_at is None and has_check(lesson):
        raise LearningError(_("Answer the check at the end of the reading to finish it."))
    progress.completed_at = progress.completed_at or utcnow()
    db.session.flush()
    return progress


def _score_question(question: QuizQuestion, chosen: set[int]) -> QuestionResult:
    choices = [c for c in question.choices if not c.archived]
    correct = {c.id for c in choices if c.correct}
    if question.kind == QuestionKind.MULTIPLE:
        hits = len(chosen & correct)
        misses = len(chosen - correct)
        points = max(0.0, (hits - misses) / len(correct)) if correct else 0.0
    else:
        points = 1.0 if chosen == correct else 0.0
    feedback = [(c.text, c.feedback, c.correct) for c in choices if c.id in chosen]
    return QuestionResult(question, chosen, points, feedback)


def submit_quiz(
    user: User, lesson: Lesson, answers: dict[int, set[int]]
) -> tuple[QuizAttempt, list[QuestionResult]]:
    """Score one attempt (partial credit on multiple choice) and keep it.

    `answers` maps question ids to chosen choice ids, as the form sent them.
    Raises TamperedSubmission for ids that are not this quiz's, LearningError when a
    question is unanswered; either way nothing is recorded.
    """
    if lesson.kind != LessonKind.QUIZ:
        raise TamperedSubmission("not a quiz")
    results = _scored(lesson, answers)
    score = round(100 * sum(r.points for r in results) / len(results)) if results else 0
    attempt, progress = _keep(user, lesson, results, score, passed=score >= lesson.pass_mark)
    progress.best_score = max(progress.best_score or 0, score)
    db.session.flush()
    return attempt, results


def has_check(lesson: Lesson) -> bool:
    """Whether the reading ends with a knowledge check (questions of its own)."""
    return lesson.kind == LessonKind.READING and any(not q.archived for q in lesson.questions)


def answer_check(
    user: User, lesson: Lesson, answers: dict[int, set[int]]
) -> tuple[QuizAttempt, list[QuestionResult]]:
    """Score an answer to a reading's knowledge check and keep it as a quiz attempt.

    The reading is done when every question is answered right (retries allowed). The
    score is not a quiz score: it is kept on the attempt only, so readiness figures that
    average quiz scores (progress.best_score) are not moved by readings.
    """
    if not has_check(lesson):
        raise TamperedSubmission("no knowledge check")
    results = _scored(lesson, answers)
    score = round(100 * sum(r.points for r in results) / len(results))
    attempt, _progress = _keep(user, lesson, results, score, passed=all(r.correct for r in results))
    db.session.flush()
    return attempt, results


def _scored(lesson: Lesson, answers: dict[int, set[int]]) -> list[QuestionResult]:
    """Each of the lesson's questions scored; raises for answers no honest form sends
    (TamperedSubmission) and for unanswered questions (LearningError)."""
    questions = {q.id: q for q in lesson.questions if not q.archived}
    if set(answers) - set(questions):
        raise TamperedSubmission("question from elsewhere")
    for question_id, chosen in answers.items():
        valid = {c.id for c in questions[question_id].choices if not c.archived}
        if chosen - valid:
            raise TamperedSubmission("unknown choice")
        if questions[question_id].kind != QuestionKind.MULTIPLE and len(chosen) > 1:
            raise TamperedSubmission("several answers to a single-choice question")
    unanswered = [q for q in questions.values() if not answers.get(q.id)]
    if unanswered:
        raise LearningError(
            _("Answer every question before submitting: %(count)d left.", count=len(unanswered))
        )
    return [_score_question(q, answers[q.id]) for q in lesson.questions if q.id in questions]


def _keep(
    user: User, lesson: Lesson, results: list[QuestionResult], score: int, *, passed: bool
) -> tuple[QuizAttempt, LessonProgress]:
    """Record the attempt (answers by key) and complete the lesson when it passed."""
    key_of = {c.id: c.key for r in results for c in r.question.choices}
    attempt = QuizAttempt(
        user_id=user.id,
        lesson_id=lesson.id,
        score=score,
        passed=passed,
        answers={
            r.question.key: {"chosen": sorted(key_of[c] for c in r.chosen), "points": r.points}
            for r in results
        },
    )
    db.session.add(attempt)
    progress = progress_for(user, lesson) or record_view(user, lesson)
    if passed and progress.completed_at is None:
        progress.completed_at = utcnow()
    return attempt, progress


def course_complete(user: User, course: Course) -> bool:
    """True when every required, current lesson of the course is done by the user."""
    required = select(Lesson.id).where(
        Lesson.course_id == course.id, Lesson.archived.is_(False), Lesson.required.is_(True)
    )
    total = db.session.scalar(select(func.count()).select_from(required.subquery()))
    done = db.session.scalar(
        select(func.count(LessonProgress.id)).where(
            LessonProgress.user_id == user.id,
            LessonProgress.completed_at.is_not(None),
            LessonProgress.lesson_id.in_(required),
        )
    )
    return total > 0 and done == total


def new_certificate_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def issue_certificate_if_complete(user: User, course: Course) -> Certificate | None:
    """Issue the course certificate once everything required is done (only once)."""
    existing = db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id, Certificate.course_id == course.id
        )
    )
    if existing is not None:
        return existing
    if not course_complete(user, course):
        return None
    certificate = Certificate(
        code=new_certificate_code(),
        user_id=user.id,
        course_id=course.id,
        learner_name=user.name,
        course_title=course.title,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def find_certificate(code: str) -> Certificate | None:
    """Look a certificate up by its code as a person might type it."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != 16:
        return None
    formatted = "-".join(cleaned[i : i + 4] for i in range(0, 16, 4))
    return db.session.scalar(select(Certificate).where(Certificate.code == formatted))
