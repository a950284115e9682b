"""The pipeline board, and one deal: move it between stages, close it won or lost."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.extensions import db
from portal.rendering import render
from sandbox.models import STAGES, Activity, Colleague, Customer, Opportunity, scoped
from sandbox.services import SandboxError
from sandbox.services.opportunities import move_stage
from sandbox.views import bp, load_or_404, my_sandbox


@bp.get("/opportunities")
def opportunity_board():
    sandbox = my_sandbox()
    rows = db.session.execute(
        select(Opportunity, Customer.company, Colleague.name)
        .outerjoin(Customer, Customer.id == Opportunity.customer_id)
        .outerjoin(Colleague, Colleague.id == Opportunity.owner_id)
        .where(Opportunity.sandbox_id == sandbox.id)
        .order_by(Opportunity.close_date, Opportunity.id)
    ).all()
    columns = {stage: [] for stage in STAGES}
    for opportunity, company, owner in rows:
        columns[opportunity.stage].append((opportunity, company, owner))
    totals = {stage: sum(o.amount for o, _c, _w in items) for stage, items in columns.items()}
    weighted = sum(
        o.amount * o.probability / 100 for o, _c, _w in rows if not o.stage.startswith("closed")
    )
    db.session.commit()
    return render(
        "sandbox/opportunities.html",
        sandbox=sandbox,
        columns=columns,
        totals=totals,
        weighted=weighted,
        stages=STAGES,
    )


def _opportunity_page(sandbox, opportunity, *, status: int = 200, **extra):
    notes = db.session.scalars(
        scoped(Activity, sandbox)
        .where(Activity.parent_type == "opportunity", Activity.parent_id == opportunity.id)
        .order_by(Activity.at.desc())
    ).all()
    customer = (
        db.session.get(Customer, opportunity.customer_id) if opportunity.customer_id else None
    )
    return render(
        "sandbox/opportunity.html",
        status=status,
        sandbox=sandbox,
        opportunity=opportunity,
        customer=customer,
        notes=notes,
        stages=STAGES,
        **extra,
    )


@bp.get("/opportunities/<int:opportunity_id>")
def opportunity_detail(opportunity_id: int):
    sandbox = my_sandbox()
    return _opportunity_page(sandbox, load_or_404(Opportunity, opportunity_id, sandbox))


@bp.post("/opportunities/<int:opportunity_id>/stage")
def opportunity_stage(opportunity_id: int):
    sandbox = my_sandbox()
    opportunity = load_or_404(Opportunity, opportunity_id, sandbox)
    try:
        move_stage(
            sandbox,
            current_user,
            opportunity,
            request.form.get("stage", ""),
            request.form.get("reason", "")[:255],
        )
    except SandboxError as error:
        db.session.rollback()
        return _opportunity_page(
            sandbox,
            load_or_404(Opportunity, opportunity_id, sandbox),
            status=422,
            stage_error=error.message,
        )
    db.session.commit()
    flash(_("Stage saved."), "success")
    if request.form.get("from_board"):
        return redirect(url_for("sandbox.opportunity_board"))
    return redirect(url_for("sandbox.opportunity_detail", opportunity_id=opportunity.id))
