"""The rollout plan: phases with milestones, goals, department waves, gates, sign-offs.

Sign-offs are evidence: once written they are never changed or deleted (the mapper
events below refuse it, and nothing that owns a sign-off can be deleted either).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Department, User
from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.labels import LabelledEnum
from portal.learning.models import Certificate, ExerciseAttempt, LessonProgress, QuizAttempt
from portal.rollout.strategy import Objective, RaciEntry, Requirement


class PhaseStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    IN_PROGRESS = "in_progress", _l("In progress")
    DONE = "done", _l("Done")


class Horizon(LabelledEnum):
    SHORT = "short", _l("Short term")
    MEDIUM = "medium", _l("Medium term")
    LONG = "long", _l("Long term")


class Decision(LabelledEnum):
    """What a signer decided. `override` is a go given while the gate said no-go."""

    GO = "go", _l("Go")
    NO_GO = "no_go", _l("No-go")
    OVERRIDE = "override", _l("Go, overriding a no-go gate")


def _in(values: type[StrEnum]) -> str:
    return "(" + ", ".join(f"'{v.value}'" for v in values) + ")"


class Plan(db.Model):
    __tablename__ = "rollout_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(5000), default="")
    # The company's mission in a sentence; the plan's objectives follow from it.
    mission: Mapped[str] = mapped_column(String(500), default="", server_default="")
    target_go_live: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()
    phases: Mapped[list[Phase]] = relationship(
        back_populates="plan",
        order_by="Phase.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    goals: Mapped[list[Goal]] = relationship(
        back_populates="plan",
        order_by="Goal.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    objectives: Mapped[list[Objective]] = relationship(
        order_by="Objective.id", cascade="all, delete-orphan", passive_deletes=True
    )
    requirements: Mapped[list[Requirement]] = relationship(
        order_by="Requirement.id", cascade="all, delete-orphan", passive_deletes=True
    )
    waves: Mapped[list[Wave]] = relationship(
        back_populates="plan",
        order_by="(Wave.go_live_on, Wave.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Phase(db.Model):
    __tablename__ = "rollout_phases"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(PhaseStatus)}", name="known_status"),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="ends_after_start"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("rollout_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(5000), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=PhaseStatus.PLANNED.value)
    # The plan enters implementation with this phase: it may start only once the plan
    # is documented (goals per horizon, owners, go-live dates).
    implementation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    budget_planned: Mapped[float | None] = mapped_column(Float)
    budget_approved: Mapped[float | None] = mapped_column(Float)
    budget_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    plan: Mapped[Plan] = relationship(back_populates="phases")
    budget_approved_by: Mapped[User | None] = relationship(foreign_keys=[budget_approved_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="phase",
        order_by="(Milestone.due_on, Milestone.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    raci: Mapped[list[RaciEntry]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def status_label(self) -> str:
        return PhaseStatus(self.status).label


class Milestone(db.Model):
    __tablename__ = "rollout_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(
        ForeignKey("rollout_phases.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    phase: Mapped[Phase] = relationship(back_populates="milestones")
    owner: Mapped[User | None] = relationship()

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def late(self, today: date) -> bool:
        return not self.done and self.due_on is not None and self.due_on < today


class Goal(db.Model):
    __tablename__ = "rollout_goals"
    __table_args__ = (CheckConstraint(f"horizon IN {_in(Horizon)}", name="known_horizon"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("rollout_plans.id", ondelete="CASCADE"), index=True
    )
    horizon: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(32))
    target: Mapped[float] = mapped_column(Float)
    # Only for the "manual" metric: the value someone last measured by hand.
    manual_value: Mapped[float | None] = mapped_column(Float)
    due_on: Mapped[date | None] = mapped_column(Date)
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("rollout_objectives.id", ondelete="SET NULL"), index=True
    )

    plan: Mapped[Plan] = relationship(back_populates="goals")
    objective: Mapped[Objective | None] = relationship()


wave_departments = Table(
    "rollout_wave_departments",
    db.metadata,
    Column("wave_id", ForeignKey("rollout_waves.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "department_id",
        ForeignKey("departments.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Wave(db.Model):
    """Departments that go live together; assignments tied to it are due `lead_days` before."""

    __tablename__ = "rollout_waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("rollout_plans.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    go_live_on: Mapped[date] = mapped_column(Date)
    lead_days: Mapped[int] = mapped_column(Integer, default=14)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="waves")
    departments: Mapped[list[Department]] = relationship(
        secondary=wave_departments, order_by=Department.name
    )
    criteria: Mapped[list[GateCriterion]] = relationship(
        back_populates="wave",
        order_by="GateCriterion.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class GateCriterion(db.Model):
    """One readiness condition of a wave's go-live gate: a metric and its threshold."""

    __tablename__ = "rollout_gate_criteria"
    __table_args__ = (UniqueConstraint("wave_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("rollout_waves.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[float] = mapped_column(Float)

    wave: Mapped[Wave] = relationship(back_populates="criteria")


class SignOff(db.Model):
    """An executive's signed decision on a phase or a wave's gate. Append-only."""

    __tablename__ = "rollout_signoffs"
    __table_args__ = (
        CheckConstraint("(phase_id IS NULL) <> (wave_id IS NULL)", name="phase_or_wave"),
        CheckConstraint(f"decision IN {_in(Decision)}", name="known_decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No ON DELETE: what has been signed keeps its plan, phase or wave.
    plan_id: Mapped[int] = mapped_column(ForeignKey("rollout_plans.id"), index=True)
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("rollout_phases.id"), index=True)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("rollout_waves.id"), index=True)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(String(4000), default="")  # SignOffForm's limit
    # For a gate: what it said when signed ("go" / "no_go") and each criterion's value.
    gate_status: Mapped[str | None] = mapped_column(String(8))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    phase: Mapped[Phase | None] = relationship()
    wave: Mapped[Wave | None] = relationship()

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label


class SignOffImmutable(RuntimeError):
    """Raised when code tries to change or delete a sign-off."""


@event.listens_for(SignOff, "before_update")
def _refuse_update(_mapper, _connection, target: SignOff) -> None:
    raise SignOffImmutable(f"sign-off {target.id} cannot be changed")


@event.listens_for(SignOff, "before_delete")
def _refuse_delete(_mapper, _connection, target: SignOff) -> None:
    raise SignOffImmutable(f"sign-off {target.id} cannot be deleted")


# Indexes on learning tables that the readiness queries read in bulk (created in the
# 0004_rollout migration). Each covers the columns its query needs, so the database
# answers from the index alone: best quiz scores per learner, passed exercises, each
# learner's attempts of the last 14 days (lesson_views already has (user_id, viewed_at)),
# and when certificates were issued (weekly completions, time to proficiency).
_certificates = Certificate.__table__.c
_progress = LessonProgress.__table__.c
_quiz = QuizAttempt.__table__.c
_exercise = ExerciseAttempt.__table__.c
Index(
    "ix_lesson_progress_scored",
    _progress.user_id,
    _progress.lesson_id,
    _progress.best_score,
    _progress.completed_at,
    # Only scored rows (quizzes and exercises): half the size of the table.
    sqlite_where=_progress.best_score.is_not(None),
    postgresql_where=_progress.best_score.is_not(None),
)
Index(
    "ix_exercise_attempts_passed_user_lesson",
    _exercise.passed,
    _exercise.user_id,
    _exercise.lesson_id,
)
Index("ix_quiz_attempts_user_id_submitted_at", _quiz.user_id, _quiz.submitted_at)
Index(
    "ix_certificates_user_issued_course",
    _certificates.user_id,
    _certificates.issued_at,
    _certificates.course_id,
)
Index("ix_exercise_attempts_user_id_started_at", _exercise.user_id, _exercise.started_at)
