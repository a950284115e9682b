"""Leads: list, create and edit (with a duplicate warning), qualify inline, convert."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.domain import transaction
from portal.rendering import render, render_form
from sandbox import profiles, queries
from sandbox.forms import ActivityForm, ConvertForm, LeadForm, LeadStatusForm
from sandbox.models import LEAD_SOURCES, Lead
from sandbox.services import SandboxError
from sandbox.services import leads as lead_services
from sandbox.views.base import bp, load_or_404, my_sandbox, page_number


@bp.get("/leads")
def lead_list():
    """Leads, newest first, with search and status and source filters (htmx live)."""
    sandbox = my_sandbox()
    filters = queries.LeadFilters.from_args(request.args)
    return render(
        "sandbox/leads.html",
        "sandbox/_lead_rows.html",
        sandbox=sandbox,
        page=queries.leads(sandbox, filters, page_number()),
        filters=filters,
        statuses=profiles.active().codes("lead_status"),
        sources=LEAD_SOURCES,
    )


def _lead_data(form: LeadForm) -> lead_services.LeadData:
    return lead_services.LeadData(
        **{name: form[name].data or "" for name in lead_services.LeadData.__dataclass_fields__}
    )


def _save_lead(sandbox, form: LeadForm, lead: Lead | None):
    """Validate, warn about duplicates once, then create or update.

    Returns the saved lead (None when the form goes back) and the duplicates to show.
    """
    if not form.validate_on_submit():
        return None, []
    duplicates = lead_services.possible_duplicates(
        sandbox, form.email.data, form.company.data, exclude_lead=lead.id if lead else None
    )
    fresh = lead is None or (form.email.data, form.company.data) != (lead.email, lead.company)
    if duplicates and fresh and form.confirm_duplicate.data != "1":
        form.confirm_duplicate.data = "1"
        return None, duplicates
    with transaction(form) as saved:
        if lead is None:
            lead = lead_services.create_lead(sandbox, current_user, _lead_data(form))
        else:
            lead = lead_services.update_lead(sandbox, current_user, lead, _lead_data(form))
    return (lead if saved else None), []


@bp.route("/leads/new", methods=["GET", "POST"])
def lead_new():
    """Log a new lead; a likely duplicate is shown first and can be confirmed past."""
    sandbox = my_sandbox()
    form = LeadForm()
    saved, duplicates = _save_lead(sandbox, form, None)
    if saved is not None:
        flash(_("Lead logged."), "success")
        return redirect(url_for("sandbox.lead_detail", lead_id=saved.id))
    return render_form(
        "sandbox/lead_form.html", form, sandbox=sandbox, lead=None, duplicates=duplicates
    )


@bp.route("/leads/<int:lead_id>/edit", methods=["GET", "POST"])
def lead_edit(lead_id: int):
    """Correct or complete a lead's details."""
    sandbox = my_sandbox()
    lead = load_or_404(Lead, lead_id, sandbox)
    form = LeadForm(obj=lead)
    saved, duplicates = _save_lead(sandbox, form, lead)
    if saved is not None:
        flash(_("Lead saved."), "success")
        return redirect(url_for("sandbox.lead_detail", lead_id=lead.id))
    return render_form(
        "sandbox/lead_form.html", form, sandbox=sandbox, lead=lead, duplicates=duplicates
    )


def lead_page(
    sandbox,
    lead: Lead,
    *,
    status: int = 200,
    form: ActivityForm | None = None,
    status_form: LeadStatusForm | None = None,
    convert_form: ConvertForm | None = None,
    status_saved: bool = False,
):
    """A lead with its status, conversion form and notes; failed forms keep their errors."""
    suggested_name = f"{lead.company}: " if lead.company else ""
    return render(
        "sandbox/lead.html",
        "sandbox/_lead_status.html",
        status=status,
        sandbox=sandbox,
        lead=lead,
        notes=queries.timeline(sandbox, "lead", lead.id),
        status_form=status_form or LeadStatusForm(formdata=None, obj=lead),
        convert_form=convert_form or ConvertForm(formdata=None, opportunity_name=suggested_name),
        note_form=form or ActivityForm(formdata=None),
        status_saved=status_saved,
    )


@bp.get("/leads/<int:lead_id>")
def lead_detail(lead_id: int):
    """One lead."""
    sandbox = my_sandbox()
    return lead_page(sandbox, load_or_404(Lead, lead_id, sandbox))


@bp.post("/leads/<int:lead_id>/status")
def lead_status(lead_id: int):
    """Change the status inline (htmx swaps the status block)."""
    sandbox = my_sandbox()
    lead = load_or_404(Lead, lead_id, sandbox)
    form = LeadStatusForm()
    with transaction(form) as saved:
        if not form.validate():
            raise SandboxError(_("Choose a status."), "status")
        lead_services.set_lead_status(sandbox, current_user, lead, form.status.data)
    if not saved:
        return lead_page(sandbox, lead, status=422, status_form=form)
    return lead_page(sandbox, lead, status_saved=True)


@bp.post("/leads/<int:lead_id>/convert")
def lead_convert(lead_id: int):
    """Turn the lead into a customer, and optionally an opportunity, linked back to it.

    Over 20 lines: the service takes each field by name, one a line, and where to go next
    depends on whether an opportunity was made.
    """
    sandbox = my_sandbox()
    lead = load_or_404(Lead, lead_id, sandbox)
    form = ConvertForm()
    if form.validate():
        with transaction(form) as saved:
            customer, opportunity = lead_services.convert_lead(
                sandbox,
                current_user,
                lead,
                create_opportunity=form.create_opportunity.data,
                opportunity_name=form.opportunity_name.data or "",
                amount=str(form.amount.data if form.amount.data is not None else ""),
                stage=form.stage.data,
                close_date=form.close_date.data,
            )
        if saved:
            flash(_("Converted: %(name)s is now a customer.", name=customer.name), "success")
            if opportunity is not None:
                return redirect(
                    url_for("sandbox.opportunity_detail", opportunity_id=opportunity.id)
                )
            return redirect(url_for("sandbox.customer_detail", customer_id=customer.id))
    return lead_page(sandbox, lead, status=422, convert_form=form)
