"""Bearer tokens for SCIM: API tokens with the SCIM purpose (see portal.apitokens)."""

from __future__ import annotations

from portal import apitokens
from portal.accounts.models import User
from portal.apitokens import ApiToken, TokenPurpose

revoke_token = apitokens.revoke_token


def create_token(name: str, actor: User) -> tuple[ApiToken, str]:
    """Make a SCIM token; the secret is returned here once and never stored."""
    return apitokens.create_token(name, TokenPurpose.SCIM, actor)


def token_for(secret: str) -> ApiToken | None:
    """The live SCIM token with this secret, marked as used now; None for any other."""
    return apitokens.token_for(secret, TokenPurpose.SCIM)
