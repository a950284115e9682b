"""Duplicates: the people, companies and leads that look entered twice, and the merge screen
where the learner picks the record that survives and, per field, whose value it keeps."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal.domain import transaction
from portal.extensions import db
from portal.rendering import render, render_form
from sandbox.forms.duplicates import MergeForm
from sandbox.models import Customer, Lead, scoped
from sandbox.services import duplicates as duplicate_services
from sandbox.views.base import bp, my_sandbox

MODELS = {"customer": Customer, "lead": Lead}
# What the merge screen calls each field a merge chooses.
FIELD_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "company": _l("Company"),
    "works_for": _l("Works for"),
    "title": _l("Job title"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "city": _l("City"),
    "birthday": _l("Birthday"),
    "loyalty_card": _l("Loyalty card"),
    "tier": _l("Tier"),
    "preferences": _l("Preferences"),
    "consent": _l("Marketing email consent"),
    "source": _l("Source"),
    "description": _l("Description"),
}


@bp.get("/duplicates")
def duplicate_list():
    """Groups of records that share an email, a phone or a close name, by kind."""
    sandbox = my_sandbox()
    return render(
        "sandbox/duplicates.html",
        sandbox=sandbox,
        groups=duplicate_services.find_duplicates(sandbox),
    )


def _records(entity: str, ids: list[int | None], sandbox) -> list:
    """The records to merge, oldest first; one that is not this sandbox's is not found."""
    if any(record_id is None for record_id in ids):
        abort(404)
    model = MODELS[entity]
    wanted = set(ids)
    records = db.session.scalars(
        scoped(model, sandbox).where(model.id.in_(wanted)).order_by(model.id)
    ).all()
    if len(records) != len(wanted):
        abort(404)
    return list(records)


def _defaults(form: MergeForm, records: list, fields) -> None:
    """Start with the oldest record surviving and, per field, the first value that is set."""
    if form.survivor.data is None:
        form.survivor.data = records[0].id
    for name, columns in fields.items():
        if form.keep(name).data is None:
            given = [r for r in records if getattr(r, columns[0]) not in (None, "", False)]
            form.keep(name).data = (given or records)[0].id


def _company_names(records: list, sandbox) -> dict[int, str]:
    """The companies the people merged work for, by id (one query)."""
    ids = {getattr(record, "company_id", None) for record in records} - {None}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Customer.id, Customer.company).where(
            Customer.sandbox_id == sandbox.id, Customer.id.in_(ids)
        )
    )
    return dict(rows.all())


def _merge_screen(form: MergeForm, sandbox, entity: str, records: list, fields):
    """The records side by side, one choice a line (422 once sent back with an error)."""
    if records:
        _defaults(form, records, fields)
    return render_form(
        "sandbox/merge.html",
        form,
        sandbox=sandbox,
        entity=entity,
        records=records,
        fields=fields,
        labels=FIELD_LABELS,
        companies=_company_names(records, sandbox),
    )


@bp.route("/duplicates/<any(customer, lead):entity>/merge", methods=["GET", "POST"])
def duplicate_merge(entity: str):
    """Compare the records side by side, choose the survivor and each field's value, merge."""
    sandbox = my_sandbox()
    form = MergeForm() if request.method == "POST" else MergeForm(formdata=request.args)
    records = _records(entity, form.ids.data or [], sandbox)
    kind = duplicate_services.kind_of(records[0]) if records else entity
    fields = duplicate_services.MERGE_FIELDS.get(kind, {})
    if form.validate_on_submit():
        with transaction(form) as saved:
            survivor = duplicate_services.merge_records(
                sandbox, current_user, records, form.survivor.data, form.kept(fields)
            )
        if saved:
            flash(_("Merged into %(name)s.", name=survivor.name), "success")
            return redirect(url_for(f"sandbox.{entity}_detail", **{f"{entity}_id": survivor.id}))
    elif len(records) < 2 and not form.is_submitted():
        flash(_("Choose at least two records to merge."), "warning")
        return redirect(url_for("sandbox.duplicate_list"))
    return _merge_screen(form, sandbox, entity, records, fields)
