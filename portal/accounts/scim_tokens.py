"""Admin pages for the bearer tokens the HR directory provisions accounts with (SCIM)."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.forms import ConfirmForm
from portal.accounts.views import admin_bp
from portal.domain import transaction
from portal.extensions import db
from portal.rendering import render, render_form
from portal.scim import services
from portal.scim import views as scim_views
from portal.scim.forms import ScimTokenForm
from portal.scim.models import ScimToken

PAGE = "accounts/admin/scim_tokens.html"


def _page_context() -> dict:
    return {
        "tokens": services.list_tokens(),
        "confirm_form": ConfirmForm(),
        "scim_url": scim_views.base_url(),
    }


@admin_bp.route("/scim-tokens", methods=["GET", "POST"])
def scim_token_list():
    """The tokens, and a form for a new one whose secret is shown on this answer only."""
    form = ScimTokenForm()
    if form.validate_on_submit():
        with transaction(form) as saved:
            token, secret = services.create_token(form.name.data, current_user)
        if saved:
            return render(
                PAGE,
                form=ScimTokenForm(formdata=None),
                created=token,
                secret=secret,
                **_page_context(),
            )
    return render_form(PAGE, form, **_page_context())


@admin_bp.post("/scim-tokens/<int:token_id>/revoke")
def scim_token_revoke(token_id: int):
    token = db.get_or_404(ScimToken, token_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction() as saved:
        services.revoke_token(token)
    saved.flash(_("Token %(name)s revoked: the directory can no longer use it.", name=token.name))
    return redirect(url_for("admin.scim_token_list"))
