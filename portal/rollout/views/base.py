"""The rollout blueprint (/rollout/, executives and admins only) and what its pages share.

Every view needs a signed-in executive or admin (`require_executive` guards the whole
blueprint); a learner or trainer gets 403 on all of them.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

from portal.accounts.roles import Role
from portal.extensions import db
from portal.rollout.metrics import Metric
from portal.rollout.models import GateCriterion, Goal, Milestone, Phase, Plan, Wave
from portal.rollout.queries import load_plan
from portal.security import roles_required

bp = Blueprint("rollout", __name__, template_folder="../templates")

EXECUTIVES = (Role.EXECUTIVE, Role.ADMIN)


@bp.before_request
@login_required
@roles_required(*EXECUTIVES)
def require_executive():
    """Every rollout page needs a signed-in executive or admin."""
    return None


@bp.app_template_filter("metric_label")
def metric_label(code: str) -> str:
    """A metric code as its translated label."""
    return Metric(code).label if code in set(Metric) else code


def plan_or_404(plan_id: int) -> Plan:
    """The plan, loaded with everything its pages show, or 404."""
    plan = load_plan(plan_id)
    if plan is None:
        abort(404)
    return plan


def phase_or_404(phase_id: int) -> Phase:
    """The phase, or 404."""
    return db.get_or_404(Phase, phase_id)


def wave_or_404(wave_id: int) -> Wave:
    """The wave, or 404."""
    return db.get_or_404(Wave, wave_id)


def goal_or_404(goal_id: int) -> Goal:
    """The goal, or 404."""
    return db.get_or_404(Goal, goal_id)


def milestone_or_404(milestone_id: int) -> Milestone:
    """The milestone, or 404."""
    return db.get_or_404(Milestone, milestone_id)


def criterion_or_404(criterion_id: int) -> GateCriterion:
    """The gate criterion, or 404."""
    return db.get_or_404(GateCriterion, criterion_id)
