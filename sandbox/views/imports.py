"""Importing a CSV of leads or customers: upload, map and preview, import, see the result.

The upload lives in the database under a random token (sandbox.services.imports); the
token in the URL finds it only for its uploader, in their sandbox.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.domain import transaction
from portal.extensions import db
from portal.rendering import attachment, render, render_form
from sandbox.forms.imports import ImportUploadForm, review_form
from sandbox.models import Customer, Lead, SandboxEvent, scoped
from sandbox.services import import_preview
from sandbox.services import imports as import_services
from sandbox.views.base import bp, my_sandbox

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SHOWN_RESULTS = 100


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    """Step 1: choose what the file holds and upload it."""
    sandbox = my_sandbox()
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        with transaction(form) as saved:
            stored = import_services.store_upload(
                sandbox, current_user, form.entity.data, upload.filename or "", upload.read()
            )
        if saved:
            return redirect(url_for("sandbox.import_review", token=stored.token))
    return render_form("sandbox/import.html", form, sandbox=sandbox)


@bp.get("/import/sample.csv")
def import_sample():
    """A messy CSV to practise on: odd headers, errors and duplicates."""
    kind = "customers" if request.args.get("entity") == "customer" else "leads"
    body = (SAMPLES / f"{kind}.csv").read_bytes()
    return attachment(body, f"practice-{kind}.csv")


@bp.route("/import/<token>", methods=["GET", "POST"])
def import_review(token: str):
    """Steps 2-4: map the columns, preview the rows, then import them (all or nothing)."""
    sandbox = my_sandbox()
    upload = import_services.find_upload(sandbox, current_user, token)
    if upload is None:
        abort(404)
    lines = [line for line, _cells in upload.rows]
    form = review_form(upload.entity, len(upload.header), lines)
    if not form.is_submitted():
        form.columns.process(None, import_preview.suggest_mapping(upload.entity, upload.header))
    elif form.validate() and form.commit.data:
        with transaction(form) as saved:
            result = import_services.import_rows(
                sandbox,
                current_user,
                upload,
                form.columns.data,
                skip=set(form.skip.data or ()),
                import_duplicates=form.duplicates.data == "import",
            )
        if saved:
            flash(_("Imported %(count)d records.", count=len(result.ids)), "success")
            return redirect(url_for("sandbox.import_done", event_id=result.event_id))
    return _review_page(sandbox, upload, form)


def _review_page(sandbox, upload, form):
    """The mapping and the preview under it; 422 when the form or the import was refused."""
    return render(
        "sandbox/import_review.html",
        status=422 if form.errors or form.form_errors else 200,
        sandbox=sandbox,
        upload=upload,
        form=form,
        preview=import_preview.build_preview(sandbox, upload, form.columns.data),
        skipped=set(form.skip.data or ()),
        field_labels=import_preview.FIELD_LABELS,
        match_reasons=import_preview.MATCH_REASONS,
    )


@bp.get("/import/done/<int:event_id>")
def import_done(event_id: int):
    """What an import made, with a link to each new record."""
    sandbox = my_sandbox()
    event = db.session.scalar(
        scoped(SandboxEvent, sandbox).where(
            SandboxEvent.id == event_id, SandboxEvent.verb == "import.completed"
        )
    )
    if event is None:
        abort(404)
    model = Lead if event.entity == "lead" else Customer
    ids = list(event.data.get("ids", []))[:SHOWN_RESULTS]
    records = db.session.scalars(scoped(model, sandbox).where(model.id.in_(ids)).order_by(model.id))
    return render("sandbox/import_done.html", sandbox=sandbox, event=event, records=list(records))
