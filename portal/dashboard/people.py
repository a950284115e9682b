"""Drill-down: a department's learners, and one learner's training record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from portal.accounts.models import Department, User, UserRole
from portal.accounts.roles import Role
from portal.extensions import db
from portal.learning import queries as learning_queries
from portal.learning.models import (
    Certificate,
    Course,
    ExerciseAttempt,
    Lesson,
    LessonView,
    QuizAttempt,
)
from portal.learning.queries import CourseCard
from portal.rollout import evidence
from portal.rollout.readiness import Aggregate, LearnerEvidence

ORDERS = ("ready", "name")


@dataclass
class DepartmentPage:
    department: Department
    sums: Aggregate
    learners: list[LearnerEvidence]
    page: int
    per_page: int
    order: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.sums.learners // self.per_page))


def _least_ready_first(e) -> tuple:
    return (evidence.is_complete(e), e.c.done_n - e.c.required_n)


def department_page(
    department: Department,
    today: date,
    now: datetime,
    *,
    page: int = 1,
    per_page: int = 50,
    order: str = "ready",
) -> DepartmentPage:
    """One page of a department's learners with their evidence, and the department's sums."""
    order = order if order in ORDERS else "ready"
    catalogue = evidence.load_catalogue()

    def build():
        relation = evidence.learner_evidence(catalogue, [department.id])
        name = func.lower(User.name)
        keys = (
            (name, relation.c.user_id)
            if order == "name"
            else (*_least_ready_first(relation), name, relation.c.user_id)
        )
        chosen = (
            select(relation)
            .join(User, User.id == relation.c.user_id)
            .order_by(*keys)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return evidence.summary(relation, chosen)

    key = ("department", catalogue.key, department.id, order, page, per_page)
    found = evidence.read_summary(evidence.cached(key, build), today, now)
    sums, learners = found.departments, found.learners
    if order == "name":
        learners.sort(key=lambda e: (e.name.lower(), e.user_id))
    else:
        learners.sort(
            key=lambda e: (e.complete, e.done_n - e.required_n, e.name.lower(), e.user_id)
        )
    return DepartmentPage(
        department, sums.get(department.id, Aggregate()), learners, page, per_page, order
    )


def all_department_learners(
    department: Department, today: date, now: datetime
) -> list[LearnerEvidence]:
    """Every learner of the department, by name (for the CSV export)."""
    catalogue = evidence.load_catalogue()

    def build():
        relation = evidence.learner_evidence(catalogue, [department.id])
        return evidence.summary(relation, select(relation))

    key = ("department-all", catalogue.key, department.id)
    learners = evidence.read_summary(evidence.cached(key, build), today, now).learners
    return sorted(learners, key=lambda e: (e.name.lower(), e.user_id))


def learner_or_none(user_id: int) -> User | None:
    """A user holding the learner role, or None."""
    return db.session.scalar(
        select(User).where(
            User.id == user_id,
            User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.LEARNER.value)),
        )
    )


@dataclass
class AttemptSummary:
    course: str
    lesson: str
    language: str  # the course's, for the lesson and course titles' lang and dir
    best: int
    attempts: int
    passed: bool
    last: datetime


@dataclass
class LearnerRecord:
    user: User
    department: str
    evidence: LearnerEvidence | None
    assigned: list[CourseCard]
    others: list[CourseCard]
    quizzes: list[AttemptSummary]
    exercises: list[AttemptSummary]
    certificates: list[Certificate]
    last_activity: datetime | None


def _summaries(user: User, model, stamp) -> list[AttemptSummary]:
    """Per lesson: best score, attempts, passed or not, when last tried."""
    rows = db.session.execute(
        select(
            Course.title,
            Lesson.title,
            Course.language,
            func.max(model.score),
            func.count(),
            func.max(case((model.passed.is_(True), 1), else_=0)),
            func.max(stamp),
        )
        .join(Lesson, Lesson.id == model.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(model.user_id == user.id)
        .group_by(Course.title, Lesson.title, Course.language, Lesson.course_id, Lesson.position)
        .order_by(Course.title, Lesson.position)
    )
    return [
        AttemptSummary(course, lesson, language, best or 0, count, bool(passed), last)
        for course, lesson, language, best, count, passed, last in rows
    ]


def learner_record(user: User, today: date, now: datetime) -> LearnerRecord:
    """A learner's record: courses with progress, scores, exercises, certificates."""
    catalogue = evidence.load_catalogue()

    def build():
        relation = evidence.learner_evidence(catalogue, user_ids=[user.id])
        return evidence.summary(relation, select(relation))

    key = ("learner", catalogue.key, user.id)
    rows = evidence.read_summary(evidence.cached(key, build), today, now).learners
    assigned, others = learning_queries.learner_home(user, user.locale or "en")
    department = (
        db.session.scalar(select(Department.name).where(Department.id == user.department_id))
        if user.department_id
        else None
    )
    certificates = list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc())
        )
    )
    last_activity = db.session.scalar(
        select(func.max(LessonView.viewed_at)).where(LessonView.user_id == user.id)
    )
    return LearnerRecord(
        user=user,
        department=department or "",
        evidence=rows[0] if rows else None,
        assigned=assigned,
        others=others,
        quizzes=_summaries(user, QuizAttempt, QuizAttempt.submitted_at),
        exercises=_summaries(user, ExerciseAttempt, ExerciseAttempt.started_at),
        certificates=certificates,
        last_activity=last_activity,
    )
