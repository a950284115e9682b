"""The sandbox home: what needs doing, the simulated clock, and reset."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from portal.domain import transaction
from portal.extensions import db
from portal.rendering import render
from portal.security import is_safe_redirect
from sandbox import queries
from sandbox.forms import ClockForm
from sandbox.models import OutboxEmail
from sandbox.services import SandboxError, advance_clock, reset_sandbox
from sandbox.views.base import bp, my_sandbox


@bp.get("/")
def home():
    """Counts, my open tasks, overdue tickets, the clock and the reset button."""
    sandbox = my_sandbox()
    context = {
        "counts": queries.home_counts(sandbox, current_user.id),
        "tasks": queries.open_tasks(sandbox, current_user.id),
        "overdue": queries.overdue_tickets(sandbox),
    }
    return render("sandbox/home.html", sandbox=sandbox, **context)


@bp.post("/clock")
def clock_advance():
    """Move the sandbox clock on a day or a week; due automations send their emails.

    Over 20 lines: the message has a singular and a plural form, and the page to go back
    to is checked before it is used.
    """
    sandbox = my_sandbox()
    form = ClockForm()
    with transaction() as saved:
        if not form.validate():
            raise SandboxError(_("The clock moves on by a day or a week."))
        sent = advance_clock(sandbox, current_user, form.days.data)
        held = _held_back(sandbox, form.days.data)
    if saved:
        flash(_clock_message(sent, held), "info")
    else:
        flash(saved.error.message, "danger")
    target = form.next.data or ""
    if not (is_safe_redirect(target) and target.startswith(url_for("sandbox.home"))):
        target = url_for("sandbox.home")
    return redirect(target)


def _held_back(sandbox, days: int) -> int:
    """How many emails the days just passed held back (marketing without consent): the
    clock only moves forward, under the sandbox lock, so those days are this advance's."""
    return db.session.scalar(
        select(func.count(OutboxEmail.id)).where(
            OutboxEmail.sandbox_id == sandbox.id,
            OutboxEmail.skipped_reason != "",
            OutboxEmail.sent_at > sandbox.clock - timedelta(days=days),
            OutboxEmail.sent_at <= sandbox.clock,
        )
    )


def _clock_message(sent: int, held: int) -> str:
    """What the clock's move did to the outbox: sent, and held back for want of consent."""
    message = ngettext(
        "The clock moved on; %(num)d email went to the outbox.",
        "The clock moved on; %(num)d emails went to the outbox.",
        sent,
    )
    if not held:
        return message
    return (
        message
        + " "
        + ngettext(
            "%(num)d was held back: no marketing consent.",
            "%(num)d were held back: no marketing consent.",
            held,
        )
    )


@bp.post("/reset")
def reset():
    """Throw away everything done in the sandbox and load fresh fake data."""
    reset_sandbox(my_sandbox(), current_user)
    db.session.commit()
    flash(_("Your sandbox is back to a fresh start."), "success")
    return redirect(url_for("sandbox.home"))
