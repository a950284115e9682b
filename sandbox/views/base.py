"""The sandbox blueprint and what every sandbox page shares: opening the user's sandbox,
loading a record of it, the page number.

Access is decided once for the whole blueprint (signed in, then learner or trainer), so
no sandbox route can be added without it. Records are loaded with `load_or_404`, which
looks only inside the user's sandbox: another learner's id is simply not found.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal.accounts.roles import Role
from portal.arguments import arg_page
from portal.extensions import db
from portal.security import roles_required
from sandbox import models  # noqa: F401 - the tables belong to the app
from sandbox.models import Sandbox, get_in_sandbox
from sandbox.services import clock, get_or_create_sandbox, lock_sandbox, sandbox_of
from sandbox.services.core import renew_expired
from sandbox.vocabulary import entity_label, label

bp = Blueprint("sandbox", __name__, template_folder="../templates")


@bp.before_request
@login_required
@roles_required(Role.LEARNER, Role.TRAINER)
def open_sandbox():
    """Learners and trainers practise, each in their own sandbox; everyone else is refused.

    The first visit creates the sandbox and commits it on its own, so the page's view
    finds it there like on any other visit; so does the first visit after it was cleared
    for disuse (sandbox.expiry), which also tells the learner. A request that may write
    (anything but GET, HEAD, OPTIONS) holds the sandbox's lock from here to its commit, so
    writes from two tabs run one after the other, and a record a reset deleted meanwhile
    is not found.
    """
    sandbox = sandbox_of(current_user)
    if sandbox is None:
        try:
            sandbox = get_or_create_sandbox(current_user)
            db.session.commit()
        except IntegrityError:  # another tab made it first: use that one
            db.session.rollback()
            sandbox = sandbox_of(current_user)
            if sandbox is None:
                raise
    elif sandbox.expired_at is not None and renew_expired(sandbox, current_user):
        db.session.commit()
        flash(
            _(
                "Your practice CRM had not been used for %(days)d days, so it was cleared to "
                "save space; here is a fresh one. Your exercise history is kept.",
                days=current_app.config["SANDBOX_EXPIRY_DAYS"],
            ),
            "info",
        )
    writes = request.method not in ("GET", "HEAD", "OPTIONS")
    if writes:
        sandbox = lock_sandbox(sandbox)
    # A running exercise clock: what this request does or shows is at its time now.
    clock.catch_up(sandbox, persist=writes)
    g.sandbox = sandbox


@bp.app_template_global()
def page_url(number: int) -> str:
    """This page's URL with the same filters and another page number."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **args)


bp.add_app_template_global(label, "sandbox_label")
bp.add_app_template_global(entity_label, "entity_label")


def my_sandbox() -> Sandbox:
    """The signed-in user's sandbox (opened for every request by `open_sandbox`)."""
    return g.sandbox


def load_or_404(model, record_id: int | None, sandbox: Sandbox):
    """A record of this sandbox; another learner's id is simply not found."""
    record = get_in_sandbox(model, record_id, sandbox) if record_id else None
    if record is None:
        abort(404)
    return record


def page_number() -> int:
    """The ?page= of a list (1 when missing or nonsense)."""
    return arg_page()
