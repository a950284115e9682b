"""The rollout blueprint (/rollout/, executives and admins only) and what its pages share.

Every view needs a signed-in executive or admin (`require_executive` guards the whole
blueprint); a learner or trainer gets 403 on all of them, except that trainers read the
plan read-only (TRAINER_READABLE).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, request
from flask_login import current_user, login_required

from portal.accounts.roles import Role
from portal.domain import transaction
from portal.extensions import db
from portal.rendering import render_form
from portal.rollout import crm_choice
from portal.rollout.metrics import Metric
from portal.rollout.models import GateCriterion, Goal, Milestone, Phase, Plan, Wave
from portal.rollout.queries import load_plan
from portal.rollout.strategy import Priority
from portal.security import roles_required
from sandbox.profiles import BUILT_IN, load

bp = Blueprint("rollout", __name__, template_folder="../templates")

EXECUTIVES = (Role.EXECUTIVE, Role.ADMIN)
# Signing and the selection and mission records: the executive role alone, not admins.
executives_only = roles_required(Role.EXECUTIVE)


@bp.record_once
def _follow_chosen_crm(state) -> None:
    """The sandbox's CRM profile follows the organisation's signed selection."""
    crm_choice.install(state.app)


# Pages trainers read too (read-only: no edit or sign controls on them).
TRAINER_READABLE = frozenset({"rollout.plan_read"})


@bp.before_request
@login_required
def require_executive():
    """Every rollout page needs a signed-in executive or admin; the read-only plan
    (TRAINER_READABLE) a trainer too."""
    allowed = EXECUTIVES
    if request.endpoint in TRAINER_READABLE:
        allowed = (*EXECUTIVES, Role.TRAINER)
    if not current_user.has_role(*allowed):
        abort(403)
    return None


@bp.app_template_filter("metric_label")
def metric_label(code: str) -> str:
    """A metric code as its translated label."""
    return Metric(code).label if code in set(Metric) else code


@bp.app_template_filter("crm_name")
def crm_name(key: str) -> str:
    """A CRM profile's key as the CRM's name ("hubspot" -> "HubSpot")."""
    return load(key).name if key in BUILT_IN else key


@bp.app_template_filter("priority_label")
def priority_label(code: str) -> str:
    """A requirement's priority as its translated label."""
    return Priority(code).label if code in set(Priority) else code


@bp.app_template_filter("objectives_of")
def objectives_of(plan: Plan, goals: list) -> list:
    """The plan's objectives, each with its goals' statuses (the dashboard's section)."""
    from portal.rollout.strategy_queries import objectives_with_goals

    return objectives_with_goals(plan, goals)


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


def form_page(form, template: str, save: Callable[[], tuple[Any, str]], to: Callable, **context):
    """The page of a form that adds or edits one rollout item: on a valid post, `save()`
    returns the item and the message to flash, and the browser goes to `to(item)`."""
    if form.validate_on_submit():
        with transaction(form) as saved:
            item, message = save()
        if saved:
            flash(message, "success")
            return redirect(to(item))
    return render_form(template, form, **context)


def form_on_page(
    form, change: Callable[[], Any], done: str, page: Callable[[], Any], message: str = ""
):
    """A form posted from a page that holds several: on a valid post `change()` is saved
    and the browser goes to `done` (told `message`); else `page()` shows it again (422)."""
    if form.validate_on_submit():
        with transaction(form) as saved:
            change()
        if saved:
            if message:
                flash(message, "success")
            return redirect(done)
    return page()


def removed(remove: Callable[[], Any], to: str, message: str = ""):
    """Run `remove()` (an item off its page: a milestone, goal, criterion...), commit,
    tell `message` if any, and go back to `to`."""
    remove()
    db.session.commit()
    if message:
        flash(message, "success")
    return redirect(to)


def deleted(delete: Callable[[], Any], message: str, gone: str, back: str):
    """Run `delete()` (a phase, a wave: what signing may lock) in a transaction: say
    `message` and go to `gone`, or say what refused it and go `back`."""
    with transaction() as saved:
        delete()
    saved.flash(message)
    return redirect(gone if saved else back)


def criterion_or_404(criterion_id: int) -> GateCriterion:
    """The gate criterion, or 404."""
    return db.get_or_404(GateCriterion, criterion_id)
