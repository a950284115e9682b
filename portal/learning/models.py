"""Courses and their content, and every trace of learning.

Content rows keep a stable `key` within their course so that re-importing or
republishing a course updates them in place and learners' progress survives.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.courseformat.course import LessonKind, QuestionKind  # noqa: F401 - re-exported
from portal.database import UTCDateTime, utcnow
from portal.extensions import db


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # Text columns are bounded by the course format's limits (portal.courseformat).
    summary: Mapped[str] = mapped_column(String(2000), default="")
    cover: Mapped[str] = mapped_column(String(20000), default="")  # Markdown, above the outline
    language: Mapped[str] = mapped_column(String(8), default="en")
    # The course this one translates; translations share lesson and question keys.
    translation_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), index=True
    )
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Hash of the files it was last imported or published from: unchanged files, no new version.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    # The fingerprint of the published text (portal.learning.translations) and, for a
    # translation, the original's fingerprint it was made from: they differ when it is stale.
    fingerprint: Mapped[str] = mapped_column(String(64), default="", server_default="")
    source_version: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The published version's current lessons and their minutes, counted when it is
    # published (importer.apply_bundle) so that course cards never read lesson rows for them.
    lesson_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )

    @property
    def family_id(self) -> int:
        """The id shared by a course and all its translations."""
        return self.translation_of_id or self.id


class Module(db.Model):
    __tablename__ = "course_modules"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship(back_populates="modules")


class Lesson(db.Model):
    """A reading, quiz or exercise; `archived` lessons keep their learners' history."""

    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        CheckConstraint("kind IN ('reading', 'quiz', 'exercise')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_modules.id", ondelete="SET NULL"), index=True
    )
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer, default=5)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(String(50000), default="")
    # Quiz: {"pass_mark": 70}; exercise: {"setup": [...], "checks": [...], "hints": [...],
    # "solution": [...]}.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    course: Mapped[Course] = relationship()
    module: Mapped[Module | None] = relationship()
    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="lesson", order_by="QuizQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def pass_mark(self) -> int:
        return int(self.content.get("pass_mark", 70))


class QuizQuestion(db.Model):
    __tablename__ = "quiz_questions"
    __table_args__ = (
        UniqueConstraint("lesson_id", "key"),
        CheckConstraint("kind IN ('single', 'multiple', 'true_false')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(String(2000))
    explanation: Mapped[str] = mapped_column(String(4000), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    lesson: Mapped[Lesson] = relationship(back_populates="questions")
    choices: Mapped[list[QuizChoice]] = relationship(
        back_populates="question", order_by="QuizChoice.position", cascade="all, delete-orphan"
    )


class QuizChoice(db.Model):
    __tablename__ = "quiz_choices"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(String(1000))
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    feedback: Mapped[str] = mapped_column(String(2000), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[QuizQuestion] = relationship(back_populates="choices")


class LessonProgress(db.Model):
    """Where one learner stands on one lesson; attempts keep the full history."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    first_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    best_score: Mapped[int | None] = mapped_column(Integer)

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


class LessonView(db.Model):
    """Every time a learner opens a lesson: the raw data for time-on-task analytics."""

    __tablename__ = "lesson_views"
    __table_args__ = (Index("ix_lesson_views_user_id_viewed_at", "user_id", "viewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (Index("ix_quiz_attempts_user_id_lesson_id", "user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)  # percent, 0-100
    passed: Mapped[bool] = mapped_column(Boolean)
    # {question key: [choice keys]} and per-question points, kept by key.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExerciseAttempt(db.Model):
    """One go at a hands-on exercise in the learner's sandbox, with every check run."""

    __tablename__ = "exercise_attempts"
    __table_args__ = (Index("ix_exercise_attempts_user_id_lesson_id", "user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    sandbox_id: Mapped[int | None] = mapped_column(Integer)
    # The sandbox's generation when the attempt started: a reset since ends the attempt.
    sandbox_generation: Mapped[int | None] = mapped_column(Integer)
    # The exercise.started event: only events after it count for this attempt's checks.
    first_event_id: Mapped[int] = mapped_column(Integer, default=0)
    # setup key -> [entity, id] in the learner's sandbox
    records: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checks_run: Mapped[int] = mapped_column(Integer, default=0)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The learner's answers to the exercise's answer checks: check key -> what they entered.
    answers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # Once passed: how they worked (sandbox time taken, the order of their actions).
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    checks: Mapped[list[ExerciseCheck]] = relationship(
        order_by="ExerciseCheck.id", cascade="all, delete-orphan", passive_deletes=True
    )

    def recent_checks(self, count: int = 8) -> list[ExerciseCheck]:
        """The last `count` runs of Check my work, oldest first (one query)."""
        latest = db.session.scalars(
            select(ExerciseCheck)
            .where(ExerciseCheck.attempt_id == self.id)
            .order_by(ExerciseCheck.id.desc())
            .limit(count)
        ).all()
        return latest[::-1]


class ExerciseCheck(db.Model):
    """One press of "Check my work": when, the score, and which checks were not met."""

    __tablename__ = "exercise_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exercise_attempts.id", ondelete="CASCADE"), index=True
    )
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    failed: Mapped[list[str]] = mapped_column(JSON, default=list)  # keys of checks not met


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    # What the certificate says, fixed at issue time.
    learner_name: Mapped[str] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
