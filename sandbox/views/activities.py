"""Activities on any record: log a call, email, meeting, note or task; complete a task."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.domain import transaction
from sandbox.forms import ActivityForm, TaskDoneForm
from sandbox.models import Activity
from sandbox.services.activities import PARENTS, add_activity, complete_task
from sandbox.views.base import bp, form_saved, load_or_404, my_sandbox
from sandbox.views.customers import customer_page
from sandbox.views.leads import lead_page
from sandbox.views.opportunities import opportunity_page
from sandbox.views.tickets import ticket_page


def _parent_page(parent: str, sandbox, record, form: ActivityForm):
    """The parent record's page again, with the activity form's errors (422)."""
    pages = {
        "customer": customer_page,
        "lead": lead_page,
        "opportunity": opportunity_page,
        "ticket": ticket_page,
    }
    return pages[parent](sandbox, record, status=422, form=form)


def detail_url(parent_type: str, parent_id: int) -> str:
    """The page of the record an activity belongs to."""
    return url_for(f"sandbox.{parent_type}_detail", **{f"{parent_type}_id": parent_id})


@bp.post("/activities/<parent>/<int:parent_id>")
def activity_add(parent: str, parent_id: int):
    """Log an activity on a customer, lead, opportunity or ticket.

    Over 20 lines: the service takes each field by name, one a line.
    """
    if parent not in PARENTS:
        abort(404)
    sandbox = my_sandbox()
    record = load_or_404(PARENTS[parent], parent_id, sandbox)
    form = ActivityForm()
    return form_saved(
        form,
        lambda: add_activity(
            sandbox,
            current_user,
            parent,
            record.id,
            kind=form.kind.data,
            subject=form.subject.data,
            body=form.body.data,
            due_on=form.due_on.data,
        ),
        lambda _activity: detail_url(parent, record.id) + "#timeline",
        _("Logged."),
        lambda: _parent_page(parent, sandbox, record, form),
    )


@bp.post("/tasks/<int:activity_id>/done")
def task_complete(activity_id: int):
    """Tick a task off, then go back where the learner was."""
    sandbox = my_sandbox()
    task = load_or_404(Activity, activity_id, sandbox)
    with transaction() as saved:
        complete_task(sandbox, current_user, task)
    saved.flash(_("Task done."))
    if TaskDoneForm().next.data == "home":
        return redirect(url_for("sandbox.home"))
    return redirect(detail_url(task.parent_type, task.parent_id) + "#timeline")
