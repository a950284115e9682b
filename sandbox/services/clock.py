"""The sandbox's simulated clock: where it starts, and moving it on a day at a time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from sandbox.codes import MAX_CLOCK_DAYS
from sandbox.models import Sandbox
from sandbox.services.automations import run_due_automations
from sandbox.services.events import SandboxError, log_event
from sandbox.services.locks import lock_sandbox

MAX_DAYS = MAX_CLOCK_DAYS  # in sandbox.codes, which the course format reads too


def start_of_day() -> datetime:
    """Where a new or reset sandbox's clock starts: 09:00 on the organisation's today.

    The simulated clock keeps its own wall time (stored as UTC); only its date follows
    the organisation, so a sandbox made just after midnight in PORTAL_TIMEZONE starts on
    that new day.
    """
    return datetime.combine(clock.today(), time(9, 0), tzinfo=UTC)


def advance_clock(sandbox: Sandbox, actor: User, days: int) -> int:
    """Move the simulated clock on; runs the automations due each day passed.

    Returns the number of emails the automations put in the outbox.
    """
    if not 1 <= days <= MAX_DAYS:
        raise SandboxError(
            _("The clock moves on by 1 to %(days)d days at a time.", days=MAX_DAYS), "days"
        )
    # Re-read under the lock: a second tab's advance starts from the first one's clock.
    sandbox = lock_sandbox(sandbox)
    sent = 0
    for _day in range(days):
        sandbox.clock = sandbox.clock + timedelta(days=1)
        sent += run_due_automations(sandbox, actor)
    log_event(sandbox, actor, "clock.advanced", days=days)
    db.session.flush()
    return sent
