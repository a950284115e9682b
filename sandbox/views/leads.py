"""Leads: list, create and edit (with a duplicate warning), qualify inline, convert."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.domain import transaction
from portal.forms import form_data
from portal.rendering import render, render_form
from sandbox import profiles, queries
from sandbox.forms import ActivityForm, LeadForm, LeadStatusForm
from sandbox.forms.leads import ConvertForm, QualificationForm
from sandbox.models import LEAD_SOURCES, Colleague, Customer, Lead
from sandbox.remembered import list_filters
from sandbox.rows import lead_rows
from sandbox.services import SandboxError, conversion
from sandbox.services import leads as lead_services
from sandbox.views.base import bp, form_saved, load_or_404, my_sandbox, page_number


@bp.get("/leads")
def lead_list():
    """Leads, newest first, with search, status, source, owner and date filters (htmx live,
    remembered)."""
    sandbox = my_sandbox()
    staff = queries.colleagues(sandbox)
    ids = {c.id for c in staff if c.role == "sales"}
    filters = list_filters("leads", lambda args: queries.LeadFilters.from_args(args, ids))
    page = queries.leads(sandbox, filters, page_number())
    return render(
        "sandbox/leads.html",
        "sandbox/_lead_rows.html",
        sandbox=sandbox,
        page=page,
        rows=lead_rows(page.items),
        staff=[c for c in staff if c.role == "sales"],
        filters=filters,
        statuses=profiles.active().codes("lead_status"),
        sources=LEAD_SOURCES,
    )


def _with_owners(sandbox, form: LeadForm) -> LeadForm:
    """The form with its "Assigned to" choices: nobody, or one of the salespeople."""
    you = f" ({_('you')})"
    form.owner_id.choices = [("", _("Nobody"))] + [
        (str(c.id), c.name + (you if c.is_learner else ""))
        for c in queries.colleagues(sandbox)
        if c.role == "sales"
    ]
    return form


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
    name = f"{form.first_name.data} {form.last_name.data or ''}"
    duplicates = lead_services.possible_duplicates(
        sandbox,
        form.email.data,
        form.company.data,
        exclude_lead=lead.id if lead else None,
        name=name,
    )
    fresh = lead is None or (form.email.data, form.company.data, name.strip()) != (
        lead.email,
        lead.company,
        lead.name,
    )
    if duplicates and fresh and form.confirm_duplicate.data != "1":
        form.confirm_duplicate.data = "1"
        return None, duplicates
    with transaction(form) as saved:
        if lead is None:
            lead = lead_services.create_lead(sandbox, current_user, _lead_data(form))
        else:
            lead = lead_services.update_lead(sandbox, current_user, lead, _lead_data(form))
        lead_services.assign_lead(sandbox, current_user, lead, form.owner())
    return (lead if saved else None), []


def _lead_form_page(sandbox, lead: Lead | None):
    form = _with_owners(sandbox, LeadForm(obj=lead))
    saved, duplicates = _save_lead(sandbox, form, lead)
    if saved is not None:
        flash(_("Lead saved.") if lead else _("Lead logged."), "success")
        return redirect(url_for("sandbox.lead_detail", lead_id=saved.id))
    return render_form(
        "sandbox/lead_form.html", form, sandbox=sandbox, lead=lead, duplicates=duplicates
    )


@bp.route("/leads/new", methods=["GET", "POST"])
def lead_new():
    """Log a new lead; a likely duplicate is shown first and can be confirmed past."""
    return _lead_form_page(my_sandbox(), None)


@bp.route("/leads/<int:lead_id>/edit", methods=["GET", "POST"])
def lead_edit(lead_id: int):
    """Correct or complete a lead's details."""
    sandbox = my_sandbox()
    return _lead_form_page(sandbox, load_or_404(Lead, lead_id, sandbox))


def _conversion_form(sandbox, lead: Lead, form: ConvertForm | None):
    """The convert form, offering the accounts and people the duplicate check finds; with
    those choices as (value, kind, record) for the page."""
    if form is None:
        suggested_name = f"{lead.company}: " if lead.company else ""
        form = ConvertForm(formdata=None, opportunity_name=suggested_name)
    found = []
    if lead.status_role not in ("converted", "dead"):
        found = [
            (f"{kind}-{record.id}", kind, record)
            for kind, record in conversion.conversion_choices(sandbox, lead)
        ]
    form.into.choices += [(value, record.name) for value, _kind, record in found]
    return form, found


def lead_page(
    sandbox,
    lead: Lead,
    *,
    status: int = 200,
    form: ActivityForm | None = None,
    status_form: LeadStatusForm | None = None,
    convert_form: ConvertForm | None = None,
    qualify_form: QualificationForm | None = None,
    status_saved: bool = False,
):
    """A lead with its status, conversion form and notes; failed forms keep their errors."""
    convert_form, conversion_choices = _conversion_form(sandbox, lead, convert_form)
    return render(
        "sandbox/lead.html",
        "sandbox/_lead_status.html",
        status=status,
        sandbox=sandbox,
        lead=lead,
        owner=queries.names_of(Colleague, [lead.owner_id], sandbox).get(lead.owner_id, ""),
        notes=queries.timeline(sandbox, "lead", lead.id),
        status_form=status_form or LeadStatusForm(formdata=None, obj=lead),
        convert_form=convert_form,
        qualify_form=qualify_form or QualificationForm(formdata=None, obj=lead),
        conversion_choices=conversion_choices,
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


@bp.post("/leads/<int:lead_id>/qualification")
def lead_qualify(lead_id: int):
    """Record what qualifying found out: need, authority, budget, timing."""
    sandbox = my_sandbox()
    lead = load_or_404(Lead, lead_id, sandbox)
    form = QualificationForm()
    return form_saved(
        form,
        lambda: lead_services.qualify_lead(
            sandbox, current_user, lead, form_data(lead_services.Qualification, form)
        ),
        lambda _lead: url_for("sandbox.lead_detail", lead_id=lead.id),
        _("Qualification saved."),
        lambda: lead_page(sandbox, lead, status=422, qualify_form=form),
    )


@bp.post("/leads/<int:lead_id>/convert")
def lead_convert(lead_id: int):
    """Turn the lead into an account and a contact (new, or found by the duplicate check),
    and optionally a deal, linked back to it. Another sandbox's record is not found (404).

    Over 20 lines: the service takes each field by name, one a line, and where to go next
    depends on whether a deal was made.
    """
    sandbox = my_sandbox()
    lead = load_or_404(Lead, lead_id, sandbox)
    form = ConvertForm()
    kind, record_id = form.target()
    existing = load_or_404(Customer, record_id, sandbox) if record_id is not None else None
    if form.validate():
        with transaction(form) as saved:
            if not kind:
                raise SandboxError(_("Choose what the lead becomes."), "into")
            made = conversion.convert_lead(
                sandbox,
                current_user,
                lead,
                create_opportunity=form.create_opportunity.data,
                opportunity_name=form.opportunity_name.data or "",
                amount=str(form.amount.data if form.amount.data is not None else ""),
                stage=form.stage.data,
                close_date=form.close_date.data,
                into=kind,
                existing=existing,
            )
        if saved:
            flash(_converted_message(made), "success")
            if made.opportunity is not None:
                return redirect(
                    url_for("sandbox.opportunity_detail", opportunity_id=made.opportunity.id)
                )
            return redirect(url_for("sandbox.customer_detail", customer_id=made.account.id))
    return lead_page(sandbox, lead, status=422, convert_form=form)


def _converted_message(made: conversion.Conversion) -> str:
    if not made.existing:
        return _("Converted: %(name)s is now a customer.", name=made.contact.name)
    if made.account.id == made.contact.id:
        return _("Converted: the lead is linked to %(name)s.", name=made.contact.name)
    return _(
        "Converted: %(name)s is linked to %(account)s.",
        name=made.contact.name,
        account=made.account.name,
    )
