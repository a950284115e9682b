"""Waves of departments going live together: the courses tied to them (due their lead
time before go-live, moving with it) and their gate criteria."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import Department, User
from portal.authoring.models import Assignment
from portal.extensions import db
from portal.learning.models import Course
from portal.rollout.metrics import GATE_METRICS, METRICS, Metric
from portal.rollout.models import GateCriterion, Plan, Wave
from portal.rollout.services.common import RolloutError, added, clean_text, has_signoffs, set_row

MAX_LEAD_DAYS = 365


@dataclass
class WaveData:
    name: str
    go_live_on: date
    lead_days: int = 14
    department_ids: list[int] = field(default_factory=list)


# Waves, their tied assignments, and gate criteria


def _departments(ids: list[int]) -> list[Department]:
    if not ids:
        raise RolloutError(_("Choose at least one department."), "department_ids")
    found = list(db.session.scalars(select(Department).where(Department.id.in_(ids))))
    if len(found) != len(set(ids)):
        raise RolloutError(_("Choose departments from the list."), "department_ids")
    return found


def _check_wave(data: WaveData) -> tuple[str, list[Department]]:
    if not 0 <= data.lead_days <= MAX_LEAD_DAYS:
        raise RolloutError(
            _("Lead time must be between 0 and %(num)d days.", num=MAX_LEAD_DAYS), "lead_days"
        )
    return clean_text(data.name, "name", 120), _departments(data.department_ids)


def create_wave(plan: Plan, data: WaveData) -> Wave:
    """Add a wave of departments going live together."""
    name, departments = _check_wave(data)
    wave = Wave(
        plan_id=plan.id,
        name=name,
        go_live_on=data.go_live_on,
        lead_days=data.lead_days,
        departments=departments,
    )
    return added(wave)


def update_wave(wave: Wave, data: WaveData, actor: User) -> int:
    """Change a wave. Moving its go-live date moves the due dates of the assignments tied
    to it; departments joining it get its tied courses. Returns assignments rescheduled."""
    name, departments = _check_wave(data)
    joining = [d for d in departments if d not in wave.departments]
    leaving = [d for d in wave.departments if d not in departments]
    tied = tied_assignments(wave)
    courses = {(a.course_id, a.required, a.lead_days) for a in tied}
    wave.name, wave.go_live_on, wave.lead_days = name, data.go_live_on, data.lead_days
    wave.departments = departments
    for assignment in tied:
        if assignment.department_id in {d.id for d in leaving}:
            assignment.wave_id = None  # it stays assigned, no longer kept in step
    for course_id, required, lead_days in courses:
        _tie(wave, course_id, required, lead_days, [d.id for d in joining], actor)
    db.session.flush()
    return reschedule(wave)


def delete_wave(wave: Wave) -> None:
    """Delete a wave nobody has signed; its assignments stay, untied."""
    if has_signoffs(wave_id=wave.id):
        raise RolloutError(_("This wave's gate has sign-offs; it is kept as a record."))
    untie_all(wave)
    db.session.delete(wave)
    db.session.flush()


def tied_assignments(wave: Wave) -> list[Assignment]:
    """The assignments kept in step with the wave's go-live date."""
    return list(db.session.scalars(select(Assignment).where(Assignment.wave_id == wave.id)))


def untie_all(wave: Wave) -> None:
    """Stop keeping the wave's assignments in step; they stay assigned."""
    for assignment in tied_assignments(wave):
        assignment.wave_id = None


def due_date(wave: Wave, lead_days: int | None) -> date:
    """When an assignment tied to the wave is due: go-live minus its lead time."""
    return wave.go_live_on - timedelta(days=wave.lead_days if lead_days is None else lead_days)


def reschedule(wave: Wave) -> int:
    """Set every tied assignment's due date from the wave's go-live; returns how many."""
    assignments = tied_assignments(wave)
    for assignment in assignments:
        assignment.due_on = due_date(wave, assignment.lead_days)
    db.session.flush()
    return len(assignments)


def _tie(
    wave: Wave,
    course_id: int,
    required: bool,
    lead_days: int,
    department_ids: list[int],
    actor: User,
) -> int:
    existing = {
        a.department_id: a
        for a in db.session.scalars(
            select(Assignment).where(
                Assignment.course_id == course_id, Assignment.department_id.in_(department_ids)
            )
        )
    }
    for department_id in department_ids:
        assignment = existing.get(department_id) or Assignment(
            course_id=course_id, department_id=department_id, assigned_by_id=actor.id
        )
        assignment.wave_id = wave.id
        assignment.lead_days = lead_days
        assignment.required = required
        assignment.due_on = due_date(wave, lead_days)
        db.session.add(assignment)
    return len(department_ids)


def tie_course(wave: Wave, course_id: int, required: bool, lead_days: int, actor: User) -> int:
    """Assign a published course to every department of the wave, due `lead_days` before
    go-live; an existing assignment of it to one of them is tied rather than doubled."""
    course = db.session.get(Course, course_id)
    if course is None or not course.published:
        raise RolloutError(_("Choose a published course."), "course")
    if not 0 <= lead_days <= MAX_LEAD_DAYS:
        raise RolloutError(
            _("Lead time must be between 0 and %(num)d days.", num=MAX_LEAD_DAYS), "lead_days"
        )
    if not wave.departments:
        raise RolloutError(_("Add departments to the wave first."), "course")
    tied = _tie(wave, course.id, required, lead_days, [d.id for d in wave.departments], actor)
    db.session.flush()
    return tied


def untie_assignment(wave: Wave, assignment: Assignment) -> None:
    """Stop keeping an assignment in step with the wave; it stays assigned as it is."""
    if assignment.wave_id != wave.id:
        raise RolloutError(_("That assignment is not tied to this wave."))
    assignment.wave_id = None
    db.session.flush()


def set_criterion(wave: Wave, kind: str, threshold: float) -> GateCriterion:
    """Add a criterion to the wave's gate, or change the threshold of the one it has."""
    if kind not in {m.value for m in GATE_METRICS}:
        raise RolloutError(_("Choose a criterion from the list."), "kind")
    info = METRICS[Metric(kind)]
    if not 0 <= threshold <= info.maximum:
        raise RolloutError(
            _("The threshold must be between 0 and %(max)s.", max=format_decimal(info.maximum)),
            "threshold",
        )
    return set_row(wave.criteria, GateCriterion, {"kind": kind}, threshold=threshold)


def remove_criterion(criterion: GateCriterion) -> None:
    """Take a criterion off its wave's gate."""
    db.session.delete(criterion)
    db.session.flush()
