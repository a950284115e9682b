"""The pipeline board, and one deal: edit it, move it between stages, close it won or
lost, and read its stage history."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import User
from portal.domain import transaction
from portal.extensions import db
from portal.forms import form_data
from portal.rendering import render
from sandbox import profiles, queries, reports
from sandbox.forms import ActivityForm, StageForm
from sandbox.forms.deals import DealForm
from sandbox.models import Colleague, Customer, Opportunity, get_in_sandbox
from sandbox.services import SandboxError
from sandbox.services import opportunities as deals
from sandbox.services.opportunities import move_stage
from sandbox.views.base import bp, form_saved, load_or_404, my_sandbox
from sandbox.vocabulary import label


def board_page(sandbox, *, status: int = 200, board_error: str = ""):
    """The board; from htmx, only the columns (after a move from the board)."""
    columns = reports.pipeline_board(sandbox)
    open_stages = reports.open_stages()
    return render(
        "sandbox/opportunities.html",
        "sandbox/_board.html",
        status=status,
        sandbox=sandbox,
        columns=columns,
        weighted=reports.weighted_pipeline(columns),
        open_stages=open_stages,
        # The stage menu on every open deal's card, labelled once.
        stage_choices=[(stage, label("stage", stage)) for stage in open_stages],
        board_error=board_error,
    )


@bp.get("/opportunities")
def opportunity_board():
    """Deals by stage, with counts, totals, probabilities and the weighted pipeline."""
    return board_page(my_sandbox())


def deal_form(sandbox, opportunity: Opportunity, form: DealForm | None = None) -> DealForm:
    """The edit form, filled from the deal unless it came back with errors; its owner
    choices are the company's salespeople, its contact choices the people at the account."""
    sales = [c for c in queries.colleagues(sandbox) if c.role == "sales"]  # the learner first
    if form is None:
        form = DealForm(formdata=None, obj=opportunity)
        if opportunity.owner_id is None and sales:
            form.owner_id.data = sales[0].id
    you = f" ({_('you')})"
    form.owner_id.choices = [(c.id, c.name + (you if c.is_learner else "")) for c in sales]
    form.contact_id.choices = [("", _("No contact"))] + [
        (person.id, person.name) for person in deals.contacts(sandbox, opportunity)
    ]
    return form


def opportunity_page(
    sandbox, opportunity: Opportunity, *, status=200, form=None, stage_form=None, edit_form=None
):
    """One deal: its figures, the edit and stage forms, its stage history, its notes."""
    customer = (
        get_in_sandbox(Customer, opportunity.customer_id, sandbox)
        if opportunity.customer_id
        else None
    )
    contact_id = opportunity.contact_id
    contact = get_in_sandbox(Customer, contact_id, sandbox) if contact_id else None
    owner = queries.names_of(Colleague, [opportunity.owner_id], sandbox)
    history = deals.changes(sandbox, opportunity)
    actor_ids = {e.actor_id for e in history if e.actor_id}
    actors = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(actor_ids))).all())
        if actor_ids
        else {}
    )
    return render(
        "sandbox/opportunity.html",
        status=status,
        sandbox=sandbox,
        opportunity=opportunity,
        customer=customer,
        contact=contact,
        owner=owner.get(opportunity.owner_id, ""),
        notes=queries.timeline(sandbox, "opportunity", opportunity.id),
        stage_form=stage_form or StageForm(formdata=None, obj=opportunity),
        deal_form=deal_form(sandbox, opportunity, edit_form),
        history=history,
        actors=actors,
        note_form=form or ActivityForm(formdata=None),
        stages=profiles.active().probabilities,
    )


@bp.get("/opportunities/<int:opportunity_id>")
def opportunity_detail(opportunity_id: int):
    """One deal."""
    sandbox = my_sandbox()
    return opportunity_page(sandbox, load_or_404(Opportunity, opportunity_id, sandbox))


@bp.post("/opportunities/<int:opportunity_id>/stage")
def opportunity_stage(opportunity_id: int):
    """Move a deal to another stage; closing it won or lost needs a reason."""
    sandbox = my_sandbox()
    opportunity = load_or_404(Opportunity, opportunity_id, sandbox)
    form = StageForm()
    from_board = form.from_board.data == "1"
    with transaction(None if from_board else form) as saved:  # the board shows no form
        if not form.validate():
            raise SandboxError(_("Choose a stage."), "stage")
        move_stage(sandbox, current_user, opportunity, form.stage.data, form.reason.data or "")
    if not saved and from_board:
        return board_page(sandbox, status=422, board_error=saved.error.message)
    if not saved:
        return opportunity_page(sandbox, opportunity, status=422, stage_form=form)
    if from_board:
        if request.headers.get("HX-Request"):
            return board_page(sandbox)
        return redirect(url_for("sandbox.opportunity_board"))
    flash(_("Stage saved."), "success")
    return redirect(url_for("sandbox.opportunity_detail", opportunity_id=opportunity.id))


@bp.post("/opportunities/<int:opportunity_id>/edit")
def opportunity_edit(opportunity_id: int):
    """Change a deal's name, amount, expected close date, owner, contact or next step."""
    sandbox = my_sandbox()
    opportunity = load_or_404(Opportunity, opportunity_id, sandbox)
    form = DealForm()
    return form_saved(
        form,
        lambda: deals.update_deal(
            sandbox, current_user, opportunity, form_data(deals.DealData, form)
        ),
        lambda _deal: url_for("sandbox.opportunity_detail", opportunity_id=opportunity.id),
        _("Deal saved."),
        lambda: opportunity_page(sandbox, opportunity, status=422, edit_form=form),
    )
