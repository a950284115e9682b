"""The per-course progress report: each learner's status, and which quiz questions and
exercise checks learners miss most, with its CSV export.

The report runs a fixed number of aggregate queries whatever the number of learners.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from portal.accounts.models import Department, User, UserRole
from portal.authoring.models import Assignment
from portal.courseformat import LessonKind
from portal.csvfiles import to_csv
from portal.extensions import db
from portal.learning.models import (
    Certificate,
    Course,
    ExerciseAttempt,
    ExerciseCheck,
    Lesson,
    LessonProgress,
    QuizAttempt,
    QuizQuestion,
)

# A learner is stalled when nothing has moved for this long since the course reached them
# (assigned, or they joined a department it is assigned to) or since they last worked on it.
STALLED_AFTER = timedelta(days=7)
# Not started with the due date this close or closer: behind (see LearnerRow.behind).
DUE_SOON = timedelta(days=7)


@dataclass
class LearnerRow:
    user: User
    department: str
    due_on: date | None = None
    done: int = 0
    total: int = 0
    best_scores: list[int] = field(default_factory=list)
    attempts: int = 0
    last_activity: datetime | None = None
    certificate: Certificate | None = None
    assigned_at: datetime | None = None  # when the course first reached them

    @property
    def status(self) -> str:
        if self.certificate is not None:
            return "completed"
        return "in_progress" if self.last_activity else "not_started"

    @property
    def average_score(self) -> int | None:
        return round(sum(self.best_scores) / len(self.best_scores)) if self.best_scores else None

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today and self.certificate is None

    def stalled(self, now: datetime) -> bool:
        """No progress for STALLED_AFTER since the course reached them or they last
        worked on it."""
        since = self.last_activity or self.assigned_at
        return self.certificate is None and since is not None and now - since > STALLED_AFTER

    def behind(self, today: date, now: datetime) -> bool:
        """Overdue, stalled, or not started with the due date DUE_SOON away or closer:
        the learners "Select those behind" picks for a reminder."""
        due_soon = self.due_on is not None and self.due_on - today <= DUE_SOON
        return self.certificate is None and (
            self.overdue(today) or self.stalled(now) or (self.status == "not_started" and due_soon)
        )


@dataclass
class QuestionStat:
    lesson: str
    prompt: str
    answered: int = 0
    missed: int = 0
    wrong_picks: Counter = field(default_factory=Counter)

    @property
    def miss_rate(self) -> int:
        return round(100 * self.missed / self.answered) if self.answered else 0


@dataclass
class CheckStat:
    """How often one check of a published exercise failed in the learners' runs."""

    lesson: str  # the exercise's title
    key: str
    description: str  # what the check looks for, as the learner reads it
    failed: int
    runs: int
    # Learners by their latest check run of the exercise: how many it passed, failed.
    passing: int = 0
    failing: int = 0


@dataclass
class Report:
    rows: list[LearnerRow]
    questions: list[QuestionStat]
    checks: list[CheckStat]


def _family(course: Course):
    """The ids of the course and its translations: one course for assignments and
    certificates."""
    return select(Course.id).where(
        func.coalesce(Course.translation_of_id, Course.id) == course.family_id
    )


def _learner_ids(course: Course, department_id: int | None):
    """Users reached by the assignments of the course (in any language), or with progress
    in it."""
    assigned_depts = select(Assignment.department_id).where(
        Assignment.course_id.in_(_family(course)), Assignment.department_id.is_not(None)
    )
    assigned_users = select(Assignment.user_id).where(
        Assignment.course_id.in_(_family(course)), Assignment.user_id.is_not(None)
    )
    started = select(LessonProgress.user_id).where(LessonProgress.course_id == course.id)
    query = select(User.id).where(
        or_(
            User.department_id.in_(assigned_depts),
            User.id.in_(assigned_users),
            User.id.in_(started),
        ),
        User.id.in_(select(UserRole.user_id).where(UserRole.role == "learner")),
    )
    if department_id:
        query = query.where(User.department_id == department_id)
    return query


def learner_count(course: Course, department_id: int | None = None) -> int:
    """How many learners the course's progress report lists (its CSV's rows)."""
    ids = _learner_ids(course, department_id).subquery()
    return db.session.scalar(select(func.count()).select_from(ids)) or 0


def progress_report(course: Course, department_id: int | None = None) -> Report:
    """Per-learner status, per-question and per-check statistics for one course."""
    ids = _learner_ids(course, department_id)
    users = db.session.execute(
        select(User, Department.name)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.id.in_(ids))
        .order_by(func.lower(User.name))
    ).all()
    rows = {u.id: LearnerRow(u, dept or "") for u, dept in users}
    lessons = db.session.scalars(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.archived.is_(False))
    ).all()
    required = {lesson.id for lesson in lessons if lesson.required}
    for row in rows.values():
        row.total = len(required)

    for assignment in db.session.scalars(
        select(Assignment).where(Assignment.course_id.in_(_family(course)))
    ):
        for row in rows.values():
            by_name = assignment.user_id == row.user.id
            if not by_name and not (
                assignment.department_id is not None
                and assignment.department_id == row.user.department_id
            ):
                continue
            # A late joiner's due date and stalled clock start when they joined.
            joined = None if by_name else row.user.department_since
            reached = max(assignment.created_at, joined or assignment.created_at)
            if row.assigned_at is None or reached < row.assigned_at:
                row.assigned_at = reached
            due_on = assignment.due_for(joined)
            if due_on and (row.due_on is None or due_on < row.due_on):
                row.due_on = due_on
    for user_id, lesson_id, completed_at, best, last_viewed in db.session.execute(
        select(
            LessonProgress.user_id,
            LessonProgress.lesson_id,
            LessonProgress.completed_at,
            LessonProgress.best_score,
            LessonProgress.last_viewed_at,
        ).where(LessonProgress.course_id == course.id, LessonProgress.user_id.in_(ids))
    ):
        row = rows[user_id]
        if completed_at is not None and lesson_id in required:
            row.done += 1
        if best is not None:
            row.best_scores.append(best)
        row.last_activity = max(filter(None, [row.last_activity, last_viewed, completed_at]))
    lesson_ids = [lesson.id for lesson in lessons]
    for model, stamp in (
        (QuizAttempt, QuizAttempt.submitted_at),
        (ExerciseAttempt, ExerciseAttempt.started_at),
    ):
        for user_id, count, last in db.session.execute(
            select(model.user_id, func.count(), func.max(stamp))
            .where(model.lesson_id.in_(lesson_ids), model.user_id.in_(ids))
            .group_by(model.user_id)
        ):
            row = rows[user_id]
            row.attempts += count
            row.last_activity = max(filter(None, [row.last_activity, last]))
    for certificate in db.session.scalars(  # a certificate in a translation counts too
        select(Certificate)
        .where(Certificate.course_id.in_(_family(course)), Certificate.user_id.in_(ids))
        .order_by(Certificate.course_id != course.id)
    ):
        row = rows[certificate.user_id]
        row.certificate = row.certificate or certificate

    return Report(list(rows.values()), _question_stats(lessons, ids), _check_stats(lessons, ids))


def _question_stats(lessons: list[Lesson], ids) -> list[QuestionStat]:
    quizzes = {lesson.id: lesson for lesson in lessons if lesson.kind == LessonKind.QUIZ}
    if not quizzes:
        return []
    questions = db.session.scalars(
        select(QuizQuestion)
        .where(QuizQuestion.lesson_id.in_(quizzes), QuizQuestion.archived.is_(False))
        .order_by(QuizQuestion.lesson_id, QuizQuestion.position)
    ).all()
    stats = {
        (q.lesson_id, q.key): QuestionStat(quizzes[q.lesson_id].title, q.prompt) for q in questions
    }
    texts = {(q.lesson_id, q.key, c.key): c.text for q in questions for c in q.choices}
    correct = {(q.lesson_id, q.key, c.key) for q in questions for c in q.choices if c.correct}
    for lesson_id, answers in db.session.execute(
        select(QuizAttempt.lesson_id, QuizAttempt.answers).where(
            QuizAttempt.lesson_id.in_(quizzes), QuizAttempt.user_id.in_(ids)
        )
    ):
        for question_key, answer in (answers or {}).items():
            stat = stats.get((lesson_id, question_key))
            if stat is None:
                continue
            stat.answered += 1
            if answer.get("points", 0) < 1:
                stat.missed += 1
            for choice_key in answer.get("chosen", []):
                if (lesson_id, question_key, choice_key) not in correct:
                    stat.wrong_picks[
                        texts.get((lesson_id, question_key, choice_key), choice_key)
                    ] += 1
    return sorted(stats.values(), key=lambda s: -s.miss_rate)


def _check_stats(lessons: list[Lesson], ids) -> list[CheckStat]:
    """Per exercise check: how many of the learners' check runs it failed, of how many."""
    exercises = {lesson.id: lesson for lesson in lessons if lesson.kind == LessonKind.EXERCISE}
    if not exercises:
        return []
    runs = dict(
        db.session.execute(
            select(ExerciseAttempt.lesson_id, func.count(ExerciseCheck.id))
            .join(ExerciseCheck, ExerciseCheck.attempt_id == ExerciseAttempt.id)
            .where(ExerciseAttempt.lesson_id.in_(exercises), ExerciseAttempt.user_id.in_(ids))
            .group_by(ExerciseAttempt.lesson_id)
        ).all()
    )
    failed: Counter = Counter()
    for lesson_id, keys in db.session.execute(
        select(ExerciseAttempt.lesson_id, ExerciseCheck.failed)
        .join(ExerciseCheck, ExerciseCheck.attempt_id == ExerciseAttempt.id)
        .where(ExerciseAttempt.lesson_id.in_(exercises), ExerciseAttempt.user_id.in_(ids))
    ):  # a passing run may still have failed an optional check
        failed.update((lesson_id, key) for key in keys or [])
    latest = _latest_results(exercises, ids)
    rows = [
        CheckStat(
            lesson.title,
            check["key"],
            check.get("description") or check["key"],
            failed[(lesson_id, check["key"])],
            runs[lesson_id],
            latest[(lesson_id, check["key"], True)],
            latest[(lesson_id, check["key"], False)],
        )
        for lesson_id, lesson in exercises.items()
        if runs.get(lesson_id)
        for check in lesson.content.get("checks", [])
    ]
    return sorted(rows, key=lambda row: (-row.failed, row.lesson, row.key))


def _latest_results(exercises: dict, ids) -> Counter:
    """(lesson id, check key, passed) -> learners whose latest checked attempt says so."""
    newest = (
        select(func.max(ExerciseAttempt.id))
        .where(
            ExerciseAttempt.lesson_id.in_(exercises),
            ExerciseAttempt.user_id.in_(ids),
            ExerciseAttempt.checks_run > 0,
        )
        .group_by(ExerciseAttempt.user_id, ExerciseAttempt.lesson_id)
    )
    counts: Counter = Counter()
    for lesson_id, results in db.session.execute(
        select(ExerciseAttempt.lesson_id, ExerciseAttempt.results).where(
            ExerciseAttempt.id.in_(newest)
        )
    ):
        counts.update((lesson_id, r.get("key"), bool(r.get("passed"))) for r in results or [])
    return counts


def report_csv(report: Report, today: date) -> str:
    """The report's learners as CSV, one row each."""
    return to_csv(
        [
            "name",
            "email",
            "department",
            "status",
            "required_done",
            "required_total",
            "average_best_score",
            "attempts",
            "last_activity",
            "due_on",
            "overdue",
            "certificate",
        ],
        [
            [
                row.user.name,
                row.user.email,
                row.department,
                row.status,
                row.done,
                row.total,
                row.average_score,
                row.attempts,
                row.last_activity,
                row.due_on,
                row.overdue(today),
                row.certificate.code if row.certificate else None,
            ]
            for row in report.rows
        ],
    )
