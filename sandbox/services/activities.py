"""Activities: calls, emails, meetings, notes and tasks logged on any record."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.extensions import db
from sandbox.models import (
    ACTIVITY_KINDS,
    Activity,
    Customer,
    Lead,
    Opportunity,
    Sandbox,
    Ticket,
    get_in_sandbox,
)
from sandbox.services.events import SandboxError, add_logged, log_event

# The records an activity can be logged on, by the code stored in Activity.parent_type.
PARENTS: dict[str, type] = {
    "customer": Customer,
    "lead": Lead,
    "opportunity": Opportunity,
    "ticket": Ticket,
}


def add_activity(
    sandbox: Sandbox,
    actor: User | None,
    parent_type: str,
    parent_id: int,
    *,
    kind: str,
    subject: str = "",
    body: str = "",
    due_on: date | None = None,
) -> Activity:
    """Log a call, email, meeting, note or task on a customer, lead, deal or ticket."""
    if (
        parent_type not in PARENTS
        or get_in_sandbox(PARENTS[parent_type], parent_id, sandbox) is None
    ):
        raise SandboxError(_("That record is not in your sandbox."))
    if kind not in ACTIVITY_KINDS:
        raise SandboxError(_("Choose what kind of activity this is."), "kind")
    if not subject.strip() and not body.strip():
        raise SandboxError(_("Write a subject or what happened."), "body")
    if kind == "task" and due_on is None:
        raise SandboxError(_("A task needs a due date."), "due_on")
    activity = Activity(
        sandbox_id=sandbox.id,
        kind=kind,
        parent_type=parent_type,
        parent_id=parent_id,
        subject=(subject.strip() or body.strip().splitlines()[0])[:200],
        body=body.strip(),
        due_on=due_on if kind == "task" else None,
        done=kind != "task",
        at=sandbox.clock,
    )
    return add_logged(
        sandbox,
        actor,
        activity,
        "activity.created",
        kind=kind,
        parent=parent_type,
        parent_id=parent_id,
    )


def complete_task(sandbox: Sandbox, actor: User, task: Activity) -> Activity:
    """Tick a task off; a task done is done (completing it again changes nothing)."""
    if task.kind != "task":
        raise SandboxError(_("Only tasks can be completed."))
    if task.done:
        return task
    task.done = True
    overdue = task.due_on is not None and task.due_on < sandbox.today
    log_event(
        sandbox,
        actor,
        "task.completed",
        "activity",
        task.id,
        parent=task.parent_type,
        parent_id=task.parent_id,
        overdue=overdue,
    )
    db.session.flush()
    return task
