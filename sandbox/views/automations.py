"""Automations (create, edit, switch on and off, preview) and the outbox they fill."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.extensions import db
from portal.rendering import render
from sandbox import queries
from sandbox.forms import AutomationForm, AutomationSwitchForm
from sandbox.models import Automation, Customer, scoped
from sandbox.services.automations import (
    FIELDS_FOR,
    render_template,
    save_automation,
    set_active,
    unknown_fields,
)
from sandbox.views.base import bp, form_saved, load_or_404, my_sandbox, page_number

# Why an email was held back, as the outbox says it.
SKIP_LABELS = {"no_marketing_consent": _l("no marketing consent")}
# What the preview fills the merge fields with.
SAMPLE = {
    "first_name": "Farah",
    "last_name": "Khan",
    "company": "Khan Traders",
    "product": "Receipt printer RP-80",
    "years": "1",
    "ticket_subject": "Scanner stops working",
    "company_name": "Harbour Retail Systems",
}


def automations_page(sandbox, form: AutomationForm, editing: Automation | None, status=200):
    """The rules on the left, the form (new or editing one) on the right."""
    automations = db.session.scalars(scoped(Automation, sandbox).order_by(Automation.id)).all()
    return render(
        "sandbox/automations.html",
        status=status,
        sandbox=sandbox,
        automations=automations,
        form=form,
        editing=editing,
        placeholders=FIELDS_FOR,
        preview=_preview(form.subject.data or "", form.body.data or ""),
    )


def _preview(subject: str, body: str) -> dict:
    return {
        "subject": render_template(subject[:200], SAMPLE),
        "body": render_template(body[:5000], SAMPLE),
        "unknown": ", ".join(f"{{{name}}}" for name in unknown_fields(subject + body)),
    }


@bp.get("/automations")
def automation_list():
    """All rules, and a form for a new one."""
    return automations_page(my_sandbox(), AutomationForm(formdata=None), None)


@bp.get("/automations/<int:automation_id>")
def automation_edit(automation_id: int):
    """The rules, with this one in the form to edit."""
    sandbox = my_sandbox()
    automation = load_or_404(Automation, automation_id, sandbox)
    return automations_page(sandbox, AutomationForm(formdata=None, obj=automation), automation)


@bp.post("/automations/preview")
def automation_preview():
    """The email as a customer would get it, with sample values (htmx)."""
    # A documented exception to "forms, not request.form": the preview renders what was typed
    # and saves nothing, so there is nothing to validate.
    return render(
        "sandbox/_automation_preview.html",
        preview=_preview(request.form.get("subject", ""), request.form.get("body", "")),
    )


@bp.post("/automations")
@bp.post("/automations/<int:automation_id>")
def automation_save(automation_id: int | None = None):
    """Create a rule, or save changes to one.

    Over 20 lines: the service takes each field by name, one a line.
    """
    sandbox = my_sandbox()
    automation = load_or_404(Automation, automation_id, sandbox) if automation_id else None
    form = AutomationForm()
    return form_saved(
        form,
        lambda: save_automation(
            sandbox,
            current_user,
            automation,
            name=form.name.data,
            trigger=form.trigger.data,
            subject=form.subject.data,
            body=form.body.data,
            active=form.active.data,
        ),
        lambda _saved: url_for("sandbox.automation_list"),
        _("Automation saved."),
        lambda: automations_page(sandbox, form, automation, status=422),
    )


@bp.post("/automations/<int:automation_id>/active")
def automation_toggle(automation_id: int):
    """Switch a rule on or off."""
    sandbox = my_sandbox()
    automation = load_or_404(Automation, automation_id, sandbox)
    set_active(sandbox, current_user, automation, AutomationSwitchForm().active.data == "y")
    db.session.commit()
    flash(_("Automation saved."), "success")
    return redirect(url_for("sandbox.automation_list"))


@bp.get("/outbox")
def outbox():
    """What the automations sent, newest first; nothing ever leaves the machine."""
    sandbox = my_sandbox()
    q = request.args.get("q", "").strip()[:100]
    page = queries.outbox(sandbox, q, page_number())
    return render(
        "sandbox/outbox.html",
        "sandbox/_outbox_rows.html",
        sandbox=sandbox,
        page=page,
        q=q,
        customers=queries.names_of(Customer, [e.customer_id for e in page.items], sandbox),
        skip_reasons=SKIP_LABELS,
    )
