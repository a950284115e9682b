"""The pipeline: move deals between stages, close them won or lost."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.extensions import db
from sandbox import profiles
from sandbox.models import Opportunity, Sandbox
from sandbox.services.events import SandboxError, log_event


def move_stage(
    sandbox: Sandbox, actor: User, opportunity: Opportunity, stage: str, reason: str = ""
) -> Opportunity:
    """Move a deal to another stage; Closed Won and Closed Lost need a reason and are final.

    Closing stamps today (sandbox time) as the close date, which the target report counts.
    """
    profile = profiles.active()
    if stage not in profile.codes("stage"):
        raise SandboxError(_("Choose a stage."), "stage")
    if profile.is_closed(opportunity.stage):
        raise SandboxError(_("This deal is closed."))
    closing = profile.is_closed(stage)
    if closing and not reason.strip():
        raise SandboxError(_("Say why the deal was won or lost."), "reason")
    if stage == opportunity.stage:
        return opportunity
    old, opportunity.stage = opportunity.stage, stage
    if closing:
        opportunity.closed_reason = reason.strip()[:255]
        opportunity.closed_on = sandbox.today
        opportunity.close_date = sandbox.today
    log_event(
        sandbox,
        actor,
        "opportunity.stage_changed",
        "opportunity",
        opportunity.id,
        **{"from": old, "to": stage},
        amount=float(opportunity.amount or 0),
        probability=profile.probability(stage),
    )
    db.session.flush()
    return opportunity
