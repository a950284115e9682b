"""Sandbox pages, driven by htmx. Every page works on the signed-in user's own sandbox."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required

from portal.accounts.roles import Role
from portal.security import roles_required
from sandbox import models  # noqa: F401 - the tables belong to the app
from sandbox.models import Sandbox, get_in_sandbox
from sandbox.services import get_or_create_sandbox

bp = Blueprint("sandbox", __name__, template_folder="../templates")


@bp.before_request
@login_required
@roles_required(Role.LEARNER, Role.TRAINER)
def require_practice_role():
    """Learners and trainers practise; everyone else is refused."""
    return None


@bp.app_template_global()
def page_url(number: int) -> str:
    """This page's URL with the same filters and another page number."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **args)


def my_sandbox() -> Sandbox:
    """The signed-in user's sandbox, created with fake data on first use."""
    return get_or_create_sandbox(current_user)


def load_or_404(model, record_id: int, sandbox: Sandbox):
    """A record of this sandbox; another learner's id is simply not found."""
    record = get_in_sandbox(model, record_id, sandbox)
    if record is None:
        abort(404)
    return record


from sandbox.views import (  # noqa: E402, F401
    customers,
    home,
    leads,
    opportunities,
    tickets,
    workflow,
)
