"""The sandbox blueprint and what every sandbox page shares: opening the user's sandbox,
loading a record of it, the page number, and the template helpers its pages use (their
navigation, pagination links, URLs and macros built once per app, labels).

Access is decided once for the whole blueprint (signed in, then learner or trainer), so
no sandbox route can be added without it. Records are loaded with `load_or_404`, which
looks only inside the user's sandbox: another learner's id is simply not found.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.roles import Role
from portal.arguments import arg_page
from portal.domain import transaction
from portal.extensions import db
from portal.i18n import current_language
from portal.security import roles_required
from sandbox import models  # noqa: F401 - the tables belong to the app
from sandbox.dates import moment
from sandbox.models import Sandbox, get_in_sandbox
from sandbox.rows import ticket_badges
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
    user = current_user._get_current_object()
    sandbox = db.session.scalar(_owned_by(), {"owner_id": user.id})  # sandbox_of(user)
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


@cache
def _owned_by():
    """`sandbox_of`'s statement, built once: every sandbox request runs it."""
    return select(Sandbox).where(Sandbox.owner_id == bindparam("owner_id"))


# A page number no list reaches, to find where the number goes in a page's URL.
_PAGE_SLOT = 987654321


@bp.app_template_global()
def page_links() -> Callable[[int], str]:
    """This page's URL with the same filters and another page number, by the number: the
    URL is built once for all of a list's pagination links."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": _PAGE_SLOT}
    url = url_for(request.endpoint, **args)
    for mark in ("?page=", "&page="):
        head, found, tail = url.partition(f"{mark}{_PAGE_SLOT}")
        if found:
            return lambda number: f"{head}{mark}{number}{tail}"
    return lambda number: url_for(request.endpoint, **{**args, "page": number})


@bp.app_template_global()
def fixed_url(endpoint: str, **values: str) -> str:
    """`url_for` for a URL a template writes out whole (an endpoint, and arguments that
    are constants, never a record's id or a visitor's text): built once per app and
    script root, since every sandbox page prints several."""
    built = current_app.extensions.setdefault("sandbox.fixed_urls", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = built.get(key)
    if url is None:
        if len(built) > 256:  # not constants after all: start again rather than grow
            built.clear()
        url = built[key] = url_for(endpoint, **values)
    return url


@bp.app_template_global()
def macros_of(template: str):
    """A template's macros, as `{% from template import ... %}` gives them (without the
    page's context). Jinja's import compares every template global with the page's on
    each use; a list page imports three times, and paid for it in every request."""
    return current_app.jinja_env.get_template(template).module


# The sandbox's sections in its navigation: (endpoint, the start of the endpoints it is the
# current section for, icon).
SECTIONS = (
    ("sandbox.home", "sandbox.home", "house"),
    ("sandbox.customer_list", "sandbox.customer", "people"),
    ("sandbox.lead_list", "sandbox.lead", "person-plus"),
    ("sandbox.opportunity_board", "sandbox.opportunit", "kanban"),
    ("sandbox.ticket_queue", "sandbox.ticket", "life-preserver"),
    ("sandbox.duplicate_list", "sandbox.duplicate", "intersect"),
    ("sandbox.automation_list", "sandbox.automation", "lightning"),
    ("sandbox.outbox", "sandbox.outbox", "envelope"),
    ("sandbox.reports", "sandbox.reports", "bar-chart"),
    ("sandbox.import_upload", "sandbox.import", "upload"),
)


@bp.app_template_global()
def sandbox_sections() -> list[tuple[str, str, str, bool]]:
    """The navigation of every sandbox page: (URL, label, icon, current?) per section.

    The URLs are built once per app (and script root), not on every page."""
    built = current_app.extensions.setdefault("sandbox.section_urls", {})
    urls = built.get(request.script_root)
    if urls is None:
        urls = built[request.script_root] = [url_for(section[0]) for section in SECTIONS]
    _ = current_language().translations.ugettext  # the catalogue, looked up once
    labels = (
        Markup(_("Home")),
        entity_label("customer", plural=True),
        entity_label("lead", plural=True),
        entity_label("opportunity", plural=True),
        entity_label("ticket", plural=True),
        Markup(_("Duplicates")),
        Markup(_("Automations")),
        Markup(_("Outbox")),
        Markup(_("Reports")),
        Markup(_("Import")),
    )
    endpoint = request.endpoint or ""
    return [
        (url, text, icon, endpoint.startswith(prefix))
        for (_endpoint, prefix, icon), url, text in zip(SECTIONS, urls, labels, strict=True)
    ]


bp.add_app_template_global(label, "sandbox_label")
bp.add_app_template_global(entity_label, "entity_label")
bp.add_app_template_global(ticket_badges)
bp.add_app_template_global(moment, "sandbox_moment")


def my_sandbox() -> Sandbox:
    """The signed-in user's sandbox (opened for every request by `open_sandbox`)."""
    return g.sandbox


def load_or_404(model, record_id: int | None, sandbox: Sandbox):
    """A record of this sandbox; another learner's id is simply not found."""
    record = get_in_sandbox(model, record_id, sandbox) if record_id else None
    if record is None:
        abort(404)
    return record


def form_saved(
    form, change: Callable[[], Any], done: Callable[[Any], str], message: str, page: Callable
):
    """A form posted to a sandbox page: on a valid post `change()` runs in a transaction
    and the browser goes to `done(what change returned)`, told `message`; otherwise (or
    on a SandboxError, shown at its field) `page()` shows the form again."""
    if form.validate_on_submit():
        with transaction(form) as saved:
            result = change()
        if saved:
            flash(message, "success")
            return redirect(done(result))
    return page()


def page_number() -> int:
    """The ?page= of a list (1 when missing or nonsense)."""
    return arg_page()
