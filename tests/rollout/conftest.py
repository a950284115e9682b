"""Fixtures for the rollout and dashboard tests: a course with a quiz and a hands-on
exercise, and a builder that writes known training evidence for learners."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pytest
from sqlalchemy import select

from portal.authoring.models import Assignment
from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import (
    Certificate,
    Course,
    ExerciseAttempt,
    Lesson,
    LessonProgress,
    LessonView,
    QuizAttempt,
)
from portal.learning.services import new_certificate_code
from portal.rollout import services
from portal.rollout.models import Plan, Wave
from portal.rollout.services import PhaseData, WaveData
from sandbox.models import Sandbox, SandboxEvent
from tests.learning.conftest import course_files


def post_wave(client, url: str, go_live_on: date, departments, name: str = "Pilot"):
    """Posts the wave form (new or edit) with a 14-day lead for the given departments."""
    return client.post(
        url,
        data={
            "name": name,
            "go_live_on": go_live_on.isoformat(),
            "lead_days": "14",
            "department_ids": [d.id for d in departments],
        },
    )


def add_phase(plan: Plan, name: str, status: str, first: int, last: int):
    """Adds a phase to `plan` running from `first` to `last` days from today."""
    starts_on, ends_on = (date.today() + timedelta(days=days) for days in (first, last))
    phase = services.add_phase(plan, PhaseData(name=name, starts_on=starts_on, ends_on=ends_on))
    phase.status = status  # a fixture's history: the order of starts is not what it tests
    return phase


@cache
def _bundle():
    return read_course(course_files())


def add_course(slug: str = "sample-course", *, exercise: bool = True, **changes) -> Course:
    """The tests' sample course (a reading, a quiz, a reading), with a hands-on exercise."""
    bundle = copy.deepcopy(_bundle())
    bundle.slug = slug
    for name, value in changes.items():
        setattr(bundle, name, value)
    apply_bundle(bundle)
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if exercise:
        db.session.add(
            Lesson(
                course_id=course.id,
                key="hands-on",
                title="Hands-on",
                kind="exercise",
                position=10,
                content={},
            )
        )
    db.session.commit()
    return course


@dataclass
class Evidence:
    """Writes training evidence directly, so tests know every number exactly."""

    course: Course

    def lesson(self, kind: str) -> Lesson:
        return db.session.scalar(
            select(Lesson)
            .where(Lesson.course_id == self.course.id, Lesson.kind == kind)
            .order_by(Lesson.position)
        )

    def assign(
        self,
        *,
        department=None,
        user=None,
        due_on: date | None = None,
        required: bool = True,
        course: Course | None = None,
    ) -> Assignment:
        assignment = Assignment(
            course_id=(course or self.course).id,
            required=required,
            due_on=due_on,
            department_id=department.id if department else None,
            user_id=user.id if user else None,
        )
        db.session.add(assignment)
        db.session.commit()
        return assignment

    def certify(self, user, course: Course | None = None, when: datetime | None = None) -> None:
        course = course or self.course
        db.session.add(
            Certificate(
                code=new_certificate_code(),
                user_id=user.id,
                course_id=course.id,
                learner_name=user.name,
                course_title=course.title,
                issued_at=when or datetime.now(UTC),
            )
        )
        db.session.commit()

    def quiz(self, user, *scores: int, when: datetime | None = None) -> None:
        """Quiz attempts with these scores (pass mark 70); progress keeps the best."""
        lesson = self.lesson("quiz")
        when = when or datetime.now(UTC) - timedelta(days=1)
        for score in scores:
            db.session.add(
                QuizAttempt(
                    user_id=user.id,
                    lesson_id=lesson.id,
                    score=score,
                    passed=score >= 70,
                    answers={},
                    submitted_at=when,
                )
            )
        db.session.add(
            LessonProgress(
                user_id=user.id,
                lesson_id=lesson.id,
                course_id=lesson.course_id,
                first_viewed_at=when,
                last_viewed_at=when,
                best_score=max(scores),
                completed_at=when if max(scores) >= 70 else None,
            )
        )
        db.session.commit()

    def exercise(self, user, passed: bool = True, when: datetime | None = None) -> None:
        lesson = self.lesson("exercise")
        when = when or datetime.now(UTC) - timedelta(days=1)
        db.session.add(
            ExerciseAttempt(
                user_id=user.id,
                lesson_id=lesson.id,
                records={},
                started_at=when,
                checks_run=1,
                score=100 if passed else 40,
                passed=passed,
                results=[],
            )
        )
        db.session.commit()

    def practice(
        self, user, count: int = 0, days_ago: int = 1, *, times: list[datetime] | None = None
    ) -> None:
        """`count` events in the learner's practice sandbox, `days_ago` days ago (or one at
        each of `times`), through the session as the portal logs them; committed."""
        when = datetime.now(UTC) - timedelta(days=days_ago)
        times = [when] * count if times is None else times
        sandbox = db.session.scalar(select(Sandbox).where(Sandbox.owner_id == user.id))
        if sandbox is None:
            sandbox = Sandbox(
                owner_id=user.id, seed=user.id, generation=1, clock=min(times, default=when)
            )
            db.session.add(sandbox)
            db.session.flush()
        db.session.add_all(
            SandboxEvent(
                sandbox_id=sandbox.id,
                actor_id=user.id,
                verb="lead.created",
                entity="lead",
                entity_id=n,
                sandbox_at=at,
                at=at,
                data={},
            )
            for n, at in enumerate(times)
        )
        db.session.commit()

    def views(self, user, count: int, days_ago: int = 1) -> None:
        lesson = self.lesson("reading")
        when = datetime.now(UTC) - timedelta(days=days_ago)
        db.session.add_all(
            LessonView(user_id=user.id, lesson_id=lesson.id, viewed_at=when) for _ in range(count)
        )
        db.session.commit()


@pytest.fixture
def course(app_ctx) -> Course:
    return add_course()


@pytest.fixture
def evidence(course) -> Evidence:
    return Evidence(course)


@pytest.fixture
def executive(make):
    return make.user(roles=("executive",), department="Sales", name="Erum Executive")


@pytest.fixture
def plan(executive) -> Plan:
    plan = services.create_plan("Go-live 2027", date.today() + timedelta(days=60), "", executive)
    db.session.commit()
    return plan


def make_wave(
    plan: Plan,
    departments,
    *,
    go_live_on: date | None = None,
    lead_days: int = 14,
    criteria: dict[str, float] | None = None,
    name: str = "Pilot",
) -> Wave:
    """A wave of `departments` with the given gate criteria, committed."""
    wave = services.create_wave(
        plan,
        WaveData(
            name=name,
            go_live_on=go_live_on or date.today() + timedelta(days=30),
            lead_days=lead_days,
            department_ids=[d.id for d in departments],
        ),
    )
    for kind, threshold in (criteria or {}).items():
        services.set_criterion(wave, kind, threshold)
    db.session.commit()
    return wave
