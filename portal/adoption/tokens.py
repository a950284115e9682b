"""Admin pages for the tokens the organisation's CRM pushes usage with (/admin/adoption-tokens)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from portal.accounts.api_tokens import TokenTexts, token_list_page, token_revoke
from portal.accounts.views import admin_bp
from portal.adoption.forms import AdoptionTokenForm
from portal.apitokens import TokenPurpose


@admin_bp.route("/adoption-tokens", methods=["GET", "POST"])
def adoption_token_list():
    """The adoption tokens, and a form for a new one whose secret is shown once."""
    return token_list_page(
        TokenPurpose.ADOPTION,
        AdoptionTokenForm(),
        "adoption/tokens.html",
        usage_url=url_for("adoption_api.usage_push", _external=True),
        openapi_url=url_for("adoption_api.openapi", _external=True),
        texts=TokenTexts(
            shown_once=_(
                "The token for %(name)s. Copy it now: it is shown only this once, and the "
                "portal keeps no copy it could show again."
            ),
            empty=_("No tokens yet: usage can only be uploaded as CSV until you make one."),
            revoke=_("Revoke the token of %(name)s? Pushes with it are refused from now on."),
        ),
    )


@admin_bp.post("/adoption-tokens/<int:token_id>/revoke")
def adoption_token_revoke(token_id: int):
    return token_revoke(
        TokenPurpose.ADOPTION,
        token_id,
        "admin.adoption_token_list",
        lambda token: _("Token %(name)s revoked: it can no longer push usage.", name=token.name),
    )
