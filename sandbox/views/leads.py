"""Leads: list, create (with a duplicate warning), qualify inline, note, convert."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_

from portal.extensions import db
from portal.rendering import render
from sandbox.models import LEAD_SOURCES, LEAD_STATUSES, STAGES, Activity, Lead, scoped
from sandbox.services import SandboxError
from sandbox.services import leads as lead_services
from sandbox.views import bp, load_or_404, my_sandbox

FIELDS = ("first_name", "last_name", "company", "title", "email", "phone", "source", "description")


@bp.get("/leads")
def lead_list():
    sandbox = my_sandbox()
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    query = scoped(Lead, sandbox).order_by(Lead.created_at.desc(), Lead.id.desc())
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(
                *(
                    func.lower(c).like(pattern)
                    for c in (Lead.first_name, Lead.last_name, Lead.company, Lead.email)
                )
            )
        )
    if status in LEAD_STATUSES:
        query = query.where(Lead.status == status)
    page = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=25, error_out=False
    )
    db.session.commit()
    return render(
        "sandbox/leads.html",
        "sandbox/_lead_rows.html",
        sandbox=sandbox,
        page=page,
        q=q,
        status_filter=status,
        statuses=LEAD_STATUSES,
    )


def _lead_data() -> lead_services.LeadData:
    return lead_services.LeadData(**{name: request.form.get(name, "")[:5000] for name in FIELDS})


@bp.route("/leads/new", methods=["GET", "POST"])
def lead_new():
    sandbox = my_sandbox()
    values = {name: request.form.get(name, "") for name in FIELDS}
    errors: dict[str, str] = {}
    duplicates: list[str] = []
    if request.method == "POST":
        duplicates = lead_services.possible_duplicates(sandbox, values["email"], values["company"])
        if duplicates and request.form.get("confirm_duplicate") != "1":
            db.session.commit()
            return render(
                "sandbox/lead_form.html",
                status=422,
                sandbox=sandbox,
                values=values,
                errors=errors,
                duplicates=duplicates,
                sources=LEAD_SOURCES,
            )
        try:
            lead = lead_services.create_lead(sandbox, current_user, _lead_data())
        except SandboxError as error:
            db.session.rollback()
            errors[error.field or "form"] = error.message
        else:
            db.session.commit()
            flash(_("Lead logged."), "success")
            return redirect(url_for("sandbox.lead_detail", lead_id=lead.id))
    db.session.commit()
    return render(
        "sandbox/lead_form.html",
        status=422 if errors else 200,
        sandbox=sandbox,
        values=values,
        errors=errors,
        duplicates=[],
        sources=LEAD_SOURCES,
    )


def _lead_page(sandbox, lead, *, status: int = 200, **extra):
    notes = db.session.scalars(
        scoped(Activity, sandbox)
        .where(Activity.parent_type == "lead", Activity.parent_id == lead.id)
        .order_by(Activity.at.desc())
    ).all()
    return render(
        "sandbox/lead.html",
        "sandbox/_lead_status.html",
        status=status,
        sandbox=sandbox,
        lead=lead,
        notes=notes,
        statuses=LEAD_STATUSES,
        stages=[s for s in STAGES if not s.startswith("closed")],
        **extra,
    )


@bp.get("/leads/<int:lead_id>")
def lead_detail(lead_id: int):
    sandbox = my_sandbox()
    return _lead_page(sandbox, load_or_404(Lead, lead_id, sandbox))


@bp.post("/leads/<int:lead_id>/status")
def lead_status(lead_id: int):
    """Change the status inline (htmx swaps the status block)."""
    sandbox = my_sandbox()
    lead = load_or_404(Lead, lead_id, sandbox)
    try:
        lead_services.set_lead_status(sandbox, current_user, lead, request.form.get("status", ""))
    except SandboxError as error:
        db.session.rollback()
        return _lead_page(
            sandbox, load_or_404(Lead, lead_id, sandbox), status=422, status_error=error.message
        )
    db.session.commit()
    return _lead_page(sandbox, lead, status_saved=True)


@bp.post("/leads/<int:lead_id>/convert")
def lead_convert(lead_id: int):
    sandbox = my_sandbox()
    lead = load_or_404(Lead, lead_id, sandbox)
    close_date = request.form.get("close_date") or None
    try:
        customer, opportunity = lead_services.convert_lead(
            sandbox,
            current_user,
            lead,
            create_opportunity=request.form.get("create_opportunity") == "1",
            opportunity_name=request.form.get("opportunity_name", ""),
            amount=request.form.get("amount", "").replace(",", ""),
            stage=request.form.get("stage", "prospecting"),
            close_date=date.fromisoformat(close_date) if close_date else None,
        )
    except ValueError as error:
        db.session.rollback()
        message = getattr(error, "message", _("Enter the close date as a date."))
        return _lead_page(
            sandbox,
            load_or_404(Lead, lead_id, sandbox),
            status=422,
            convert_error=message,
            form=request.form,
        )
    db.session.commit()
    flash(_("Converted: %(name)s is now a customer.", name=customer.name), "success")
    if opportunity is not None:
        return redirect(url_for("sandbox.opportunity_detail", opportunity_id=opportunity.id))
    return redirect(url_for("sandbox.customer_detail", customer_id=customer.id))
