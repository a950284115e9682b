"""Admin pages for the bearer tokens the HR directory provisions accounts with (SCIM)."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts.api_tokens import TokenTexts, token_list_page, token_revoke
from portal.accounts.views import admin_bp
from portal.apitokens import TokenPurpose
from portal.scim import views as scim_views
from portal.scim.forms import ScimTokenForm


@admin_bp.route("/scim-tokens", methods=["GET", "POST"])
def scim_token_list():
    """The tokens, and a form for a new one whose secret is shown on this answer only."""
    return token_list_page(
        TokenPurpose.SCIM,
        ScimTokenForm(),
        "accounts/admin/scim_tokens.html",
        scim_url=scim_views.base_url(),
        texts=TokenTexts(
            shown_once=_(
                "The token for %(name)s. Copy it into the directory now: it is shown only "
                "this once, and the portal keeps no copy it could show again."
            ),
            empty=_("No tokens yet: the directory cannot provision accounts until you make one."),
            revoke=_(
                "Revoke the token of %(name)s? The directory stops provisioning until it has "
                "a new one."
            ),
        ),
    )


@admin_bp.post("/scim-tokens/<int:token_id>/revoke")
def scim_token_revoke(token_id: int):
    return token_revoke(
        TokenPurpose.SCIM,
        token_id,
        "admin.scim_token_list",
        lambda token: _(
            "Token %(name)s revoked: the directory can no longer use it.", name=token.name
        ),
    )
