"""The admin pages every kind of API token shares: the list with a form for a new token
(whose secret is shown on that answer only), and revoking one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, abort, redirect, url_for
from flask_login import current_user

from portal import apitokens
from portal.accounts.forms import ConfirmForm
from portal.apitokens import ApiToken, TokenPurpose
from portal.domain import transaction
from portal.extensions import db
from portal.rendering import render, render_form


@dataclass(frozen=True)
class TokenTexts:
    """What a token page says in its own words; `shown_once` and `revoke` name the token with
    %(name)s, filled in by the template for each token."""

    shown_once: str
    empty: str
    revoke: str


def token_list_page(purpose: TokenPurpose, form, template: str, **context) -> Response:
    """The tokens made for `purpose`; a valid submit of `form` makes one and shows it once."""
    context.update(
        purpose=purpose, tokens=apitokens.list_tokens(purpose), confirm_form=ConfirmForm()
    )
    if form.validate_on_submit():
        with transaction(form) as saved:
            token, secret = apitokens.create_token(form.name.data, purpose, current_user)
        if saved:
            context["tokens"] = apitokens.list_tokens(purpose)
            blank = type(form)(formdata=None)
            return render(template, form=blank, created=token, secret=secret, **context)
    return render_form(template, form, **context)


def token_revoke(
    purpose: TokenPurpose, token_id: int, back: str, done: Callable[[ApiToken], str]
) -> Response:
    """Revoke a token made for `purpose` (404 for any other), then go back to `back`."""
    token = db.get_or_404(ApiToken, token_id)
    if token.purpose != purpose:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction() as saved:
        apitokens.revoke_token(token)
    saved.flash(done(token))
    return redirect(url_for(back))
