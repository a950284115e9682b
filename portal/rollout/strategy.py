"""The strategy around a rollout plan: choosing the CRM, the mission, buy-in from the top.

A plan's selection lists requirements (must / should / could, per department) that
executives score for each candidate CRM after its demo; the signed decision names the
chosen CRM and sets the sandbox's profile for the whole organisation (the newest
decision of any plan wins over configuration). Decisions and phase-start overrides are
evidence, like sign-offs: once written they are never changed or deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Department
from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.labels import LabelledEnum


class Priority(LabelledEnum):
    """How much a requirement matters; its weight multiplies every score it gets."""

    MUST = "must", _l("Must have")
    SHOULD = "should", _l("Should have")
    COULD = "could", _l("Could have")

    @property
    def weight(self) -> int:
        return {"must": 5, "should": 3, "could": 1}[self.value]


class Raci(LabelledEnum):
    RESPONSIBLE = "R", _l("Responsible")
    ACCOUNTABLE = "A", _l("Accountable")
    CONSULTED = "C", _l("Consulted")
    INFORMED = "I", _l("Informed")


MAX_SCORE = 5


def _in(values) -> str:
    return "(" + ", ".join(f"'{v.value}'" for v in values) + ")"


class Objective(db.Model):
    """An objective that follows from the plan's mission; goals say which one they serve."""

    __tablename__ = "rollout_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("rollout_plans.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))


class Requirement(db.Model):
    """What the organisation needs from its CRM, and which department needs it."""

    __tablename__ = "rollout_requirements"
    __table_args__ = (CheckConstraint(f"priority IN {_in(Priority)}", name="known_priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("rollout_plans.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    priority: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))

    department: Mapped[Department | None] = relationship()
    scores: Mapped[list[Score]] = relationship(
        back_populates="requirement", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def weight(self) -> int:
        return Priority(self.priority).weight


class Score(db.Model):
    """One evaluator's score (0–5) of one candidate CRM on one requirement, with a note."""

    __tablename__ = "rollout_scores"
    __table_args__ = (
        UniqueConstraint("requirement_id", "candidate", "evaluator_id"),
        CheckConstraint(f"score BETWEEN 0 AND {MAX_SCORE}", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("rollout_requirements.id", ondelete="CASCADE"), index=True
    )
    candidate: Mapped[str] = mapped_column(String(32))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(1000), default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requirement: Mapped[Requirement] = relationship(back_populates="scores")


class SelectionDecision(db.Model):
    """An executive's signed choice of CRM for a plan. Append-only; the newest counts."""

    __tablename__ = "rollout_selection_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No ON DELETE: a signed decision keeps its plan.
    plan_id: Mapped[int] = mapped_column(ForeignKey("rollout_plans.id"), index=True)
    profile: Mapped[str] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(String(4000))
    # The scorecard's totals when signed: {candidate: total}.
    totals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RaciEntry(db.Model):
    """What one department is for one phase: responsible, accountable, consulted, informed."""

    __tablename__ = "rollout_raci"
    __table_args__ = (
        UniqueConstraint("phase_id", "department_id"),
        CheckConstraint(f"role IN {_in(Raci)}", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(
        ForeignKey("rollout_phases.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(1))

    department: Mapped[Department] = relationship()

    @property
    def role_label(self) -> str:
        return Raci(self.role).label


class StartOverride(db.Model):
    """An executive let a phase start before the previous one was signed off. Append-only."""

    __tablename__ = "rollout_start_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No ON DELETE: what has been overridden keeps its plan and phase.
    plan_id: Mapped[int] = mapped_column(ForeignKey("rollout_plans.id"), index=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("rollout_phases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(4000))
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    phase = relationship("Phase")


class RecordImmutable(RuntimeError):
    """Raised when code tries to change or delete a signed decision or an override."""


for _model in (SelectionDecision, StartOverride):

    @event.listens_for(_model, "before_update")
    def _refuse_update(_mapper, _connection, target) -> None:
        raise RecordImmutable(f"{target.__tablename__} {target.id} cannot be changed")

    @event.listens_for(_model, "before_delete")
    def _refuse_delete(_mapper, _connection, target) -> None:
        raise RecordImmutable(f"{target.__tablename__} {target.id} cannot be deleted")
