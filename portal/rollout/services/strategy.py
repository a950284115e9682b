"""The strategy around a plan: the CRM selection, the mission and its objectives, RACI,
budgets, and the rules for starting phases (in order, and implementation only once the
plan is documented). Only executives change these records and sign.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import Department, User
from portal.accounts.roles import Role
from portal.database import utcnow
from portal.extensions import db
from portal.rollout import crm_choice
from portal.rollout.models import Decision, Horizon, Phase, PhaseStatus, Plan, SignOff
from portal.rollout.services.common import RolloutError, added, clean_text, find_row, set_row
from portal.rollout.strategy import (
    MAX_SCORE,
    Objective,
    Priority,
    Raci,
    RaciEntry,
    Requirement,
    Score,
    SelectionDecision,
    StartOverride,
)
from sandbox.profiles import BUILT_IN

MIN_REASON = 20  # characters: a sentence, not "ok"


def check_executive(user: User) -> None:
    """Only the executive role signs and edits the selection and mission records."""
    if not user.has_role(Role.EXECUTIVE):
        raise RolloutError(_("Only executives can do this."))


# Mission and objectives


def set_mission(plan: Plan, actor: User, mission: str) -> None:
    """Record the company's mission in a sentence."""
    check_executive(actor)
    plan.mission = clean_text(mission, "mission", 500)
    db.session.flush()


def add_objective(plan: Plan, actor: User, title: str) -> Objective:
    """Add an objective that follows from the mission."""
    check_executive(actor)
    objective = Objective(plan_id=plan.id, title=clean_text(title, "title", 300))
    return added(objective)


def _delete(record: Objective | Requirement, actor: User) -> None:
    """Delete a strategy record: an executive's act."""
    check_executive(actor)
    db.session.delete(record)
    db.session.flush()


def delete_objective(objective: Objective, actor: User) -> None:
    """Remove an objective; the goals that served it are flagged as serving none."""
    _delete(objective, actor)


def objective_or_none(plan: Plan, objective_id: int | None) -> int | None:
    """The id of one of the plan's objectives, or None."""
    if not objective_id:
        return None
    if objective_id not in {o.id for o in plan.objectives}:
        raise RolloutError(_("Choose an objective from the list."), "objective_id")
    return objective_id


# Selection


def add_requirement(
    plan: Plan, actor: User, title: str, priority: str, department_id: int | None
) -> Requirement:
    """Add a requirement of the CRM, for a department (None: the whole organisation)."""
    check_executive(actor)
    if priority not in set(Priority):
        raise RolloutError(_("Choose a priority from the list."), "priority")
    if department_id and db.session.get(Department, department_id) is None:
        raise RolloutError(_("Choose a department from the list."), "department_id")
    requirement = Requirement(
        plan_id=plan.id,
        title=clean_text(title, "title", 300),
        priority=priority,
        department_id=department_id or None,
    )
    return added(requirement)


def delete_requirement(requirement: Requirement, actor: User) -> None:
    """Remove a requirement and its scores."""
    _delete(requirement, actor)


def score_candidate(
    requirement: Requirement, evaluator: User, candidate: str, score: int, note: str
) -> Score:
    """Record (or change) the evaluator's score of a candidate CRM on a requirement."""
    check_executive(evaluator)
    if candidate not in BUILT_IN:
        raise RolloutError(_("Choose a CRM from the list."), "candidate")
    if score is None or not 0 <= score <= MAX_SCORE:
        raise RolloutError(_("Give a score from 0 to %(max)d.", max=MAX_SCORE), "score")
    found = db.session.scalar(
        select(Score).where(
            Score.requirement_id == requirement.id,
            Score.candidate == candidate,
            Score.evaluator_id == evaluator.id,
        )
    ) or Score(requirement_id=requirement.id, candidate=candidate, evaluator_id=evaluator.id)
    found.score = score
    found.note = clean_text(note, "note", 1000)
    found.scored_at = utcnow()
    return added(found)


def decide_crm(
    plan: Plan,
    signer: User,
    profile: str,
    rationale: str,
    *,
    confirmed: bool = False,
    signed_at: datetime | None = None,
) -> SelectionDecision:
    """Sign the choice of CRM; it becomes the sandbox's profile for everyone.

    Replacing a CRM already chosen changes learners' labels and stages, so it needs
    `confirmed`. `signed_at` is for recording history (the demo organisation).
    """
    from portal.rollout.strategy_queries import scorecard

    check_executive(signer)
    if profile not in BUILT_IN:
        raise RolloutError(_("Choose a CRM from the list."), "profile")
    current = crm_choice.chosen_key()
    if current is not None and current != profile and not confirmed:
        raise RolloutError(
            _("This changes the CRM learners practise in: confirm the change."), "confirm"
        )
    decision = SelectionDecision(
        plan_id=plan.id,
        profile=profile,
        rationale=clean_text(rationale, "rationale", 4000),
        totals={row.key: row.total for row in scorecard(plan).candidates},
        signer_id=signer.id,
        signer_name=signer.name,
        signed_at=signed_at or utcnow(),
    )
    added(decision)
    crm_choice.invalidate()
    return decision


# RACI and budgets


def set_raci(phase: Phase, actor: User, department_id: int, role: str) -> RaciEntry | None:
    """Say what a department is for a phase (R, A, C or I); an empty role clears it."""
    check_executive(actor)
    if db.session.get(Department, department_id or 0) is None:
        raise RolloutError(_("Choose a department from the list."), "department_id")
    if role and role not in set(Raci):
        raise RolloutError(_("Choose R, A, C or I."), "role")
    key = {"department_id": department_id}
    if role:
        return set_row(phase.raci, RaciEntry, key, role=role)
    entry = find_row(phase.raci, key)
    if entry is not None:
        phase.raci.remove(entry)
    db.session.flush()
    return None


def approve_budget(phase: Phase, approver: User, amount: float) -> None:
    """Record the budget an executive approved for the phase."""
    check_executive(approver)
    if amount is None or amount < 0:
        raise RolloutError(_("Enter an amount of 0 or more."), "amount")
    phase.budget_approved = amount
    phase.budget_approved_by_id = approver.id
    db.session.flush()


# Starting phases


def implementation_missing(plan: Plan) -> list[str]:
    """What the plan lacks before implementation may start (empty: nothing)."""
    missing = []
    horizons = {goal.horizon for goal in plan.goals}
    for horizon in Horizon:
        if horizon.value not in horizons:
            missing.append(_("a goal for the %(horizon)s", horizon=horizon.label.lower()))
    for phase in plan.phases:
        if phase.owner_id is None:
            missing.append(_("an owner for the phase %(name)s", name=phase.name))
    if not plan.waves:
        missing.append(_("at least one wave"))
    for wave in plan.waves:
        if wave.go_live_on is None:
            missing.append(_("a go-live date for the wave %(name)s", name=wave.name))
    return missing


def previous_phase(phase: Phase) -> Phase | None:
    """The phase before this one in its plan."""
    earlier = [p for p in phase.plan.phases if p.position < phase.position and p.id != phase.id]
    return earlier[-1] if earlier else None


def signed_go(phase: Phase) -> bool:
    """Whether an executive signed a go on the phase."""
    return (
        db.session.scalar(
            select(SignOff.id)
            .where(SignOff.phase_id == phase.id, SignOff.decision == Decision.GO.value)
            .limit(1)
        )
        is not None
    )


def overridden(phase: Phase) -> bool:
    """Whether an executive let this phase start before the previous one was signed."""
    return (
        db.session.scalar(select(StartOverride.id).where(StartOverride.phase_id == phase.id))
        is not None
    )


def check_start(phase: Phase, status: str) -> None:
    """Refuse to mark a phase started until the one before is signed off (or an executive
    overrode that), and an implementation phase until the plan is documented."""
    if status == PhaseStatus.PLANNED.value or phase.status != PhaseStatus.PLANNED.value:
        return
    _check_order(phase.plan, previous_phase(phase), phase.implementation, lambda: overridden(phase))


def check_new_phase(plan: Plan, status: str, implementation: bool) -> None:
    """The same rules for a phase added already started: it goes at the end of the plan,
    so the plan's last phase must be signed off (nothing can override a phase not yet
    added), and an implementation phase needs the documented plan."""
    if status == PhaseStatus.PLANNED.value:
        return
    last = db.session.scalar(
        select(Phase)
        .where(Phase.plan_id == plan.id)
        .order_by(Phase.position.desc(), Phase.id.desc())
        .limit(1)
    )
    if last is not None and not signed_go(last):
        raise RolloutError(
            _(
                "The phase %(name)s before it is not signed off yet: add this one as planned; "
                "it starts once that is signed off, or an executive records why it starts "
                "anyway.",
                name=last.name,
            ),
            "status",
        )
    _check_order(plan, None, implementation, lambda: True)


def _check_order(plan: Plan, before: Phase | None, implementation: bool, overridden_) -> None:
    if before is not None and not signed_go(before) and not overridden_():
        raise RolloutError(
            _(
                "The phase %(name)s before it is not signed off yet: an executive signs it, "
                "or records why this one starts anyway.",
                name=before.name,
            ),
            "status",
        )
    if implementation:
        missing = implementation_missing(plan)
        if missing:
            raise RolloutError(
                _(
                    "Implementation cannot start: the plan needs %(missing)s.",
                    missing="; ".join(missing),
                ),
                "status",
            )


def override_start(phase: Phase, signer: User, reason: str) -> StartOverride:
    """Record an executive's reason to start a phase before the previous one is signed."""
    check_executive(signer)
    reason = clean_text(reason, "reason", 4000)
    if len(reason) < MIN_REASON:
        raise RolloutError(
            _("Write why it starts anyway (at least %(num)d characters).", num=MIN_REASON),
            "reason",
        )
    override = StartOverride(
        plan_id=phase.plan_id,
        phase_id=phase.id,
        reason=reason,
        signer_id=signer.id,
        signer_name=signer.name,
        signed_at=utcnow(),
    )
    return added(override)
