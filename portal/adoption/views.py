"""Adoption pages for executives and admins: upload a usage CSV, map it, preview, import.

`require_executive` guards the whole blueprint; learners and trainers get 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.roles import Role
from portal.adoption import (
    csvimport,
    importing,
    tokens,  # noqa: F401 - adoption token pages on the admin blueprint
)
from portal.adoption.forms import UsageUploadForm, mapping_form
from portal.adoption.presets import PRESETS, TARGETS, suggest_mapping
from portal.domain import transaction
from portal.rendering import render, render_form
from portal.security import roles_required

bp = Blueprint("adoption", __name__, template_folder="templates")
# Rows shown under the mapping when the file passes; every refused row is shown.
PREVIEW_ROWS = 50
SHOWN_REFUSALS = 1000


@bp.before_request
@login_required
@roles_required(Role.EXECUTIVE, Role.ADMIN)
def require_executive():
    """Every adoption page needs a signed-in executive or admin."""
    return None


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    """Step 1: the file, the report it comes from and the length of a row's period."""
    form = UsageUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        with transaction(form) as saved:
            stored = csvimport.store_upload(current_user, upload.filename or "", upload.read())
        if saved:
            return redirect(
                url_for(
                    "adoption.import_map",
                    token=stored.token,
                    preset=form.preset.data or None,
                    days=form.days.data,
                )
            )
    return render_form(
        "adoption/import.html", form, imports=importing.recent_imports(), presets=PRESETS
    )


@bp.route("/import/<token>", methods=["GET", "POST"])
def import_map(token: str):
    """Steps 2-4: map the columns, preview the rows with their refusals, import (all or none)."""
    upload = csvimport.find_upload(current_user, token)
    if upload is None:
        abort(404)
    preset = request.args.get("preset") if request.args.get("preset") in PRESETS else None
    header, _rows = csvimport.read_csv(upload.text)
    form = mapping_form(header)
    if not form.is_submitted():
        form.days.data = request.args.get("days", "7")
        for target, name in suggest_mapping(header, preset).items():
            getattr(form, f"map_{target}").data = name
    checked = records = None
    if form.validate_on_submit():
        days = int(form.days.data)
        if form.commit.data:
            with transaction(form) as saved:
                batch = csvimport.import_upload(current_user, upload, form.mapping(), days, preset)
            if saved:
                flash(_imported(batch), "success")
                return redirect(url_for("adoption.import_upload"))
        records, checked = csvimport.check_upload(upload, form.mapping(), days)
    return _mapping_page(upload, form, preset, records, checked)


def _imported(batch) -> str:
    return _(
        "Imported %(rows)d rows from %(first)s to %(last)s; %(old)d earlier rows for that "
        "period were replaced.",
        rows=batch.row_count,
        first=batch.period_first.isoformat(),
        last=batch.period_last.isoformat(),
        old=batch.replaced_count,
    )


def _mapping_page(upload, form, preset, records, checked):
    refused = checked.errors_by_line() if checked else {}
    if checked is None:
        shown = []
    elif refused:
        shown = [(line, record) for line, record in records if line in refused]
    else:
        shown = records[:PREVIEW_ROWS]
    return render(
        "adoption/import_map.html",
        status=422 if form.errors or form.form_errors else 200,
        upload=upload,
        form=form,
        preset=PRESETS.get(preset),
        checked=checked,
        rows=shown[:SHOWN_REFUSALS] if refused else shown,
        refused=refused,
        targets=TARGETS,
    )
