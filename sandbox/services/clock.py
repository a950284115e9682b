"""The sandbox's simulated clock: where it starts, moving it on a day at a time, and
running it while an exercise is open.

A running clock keeps its state in the sandbox row: `clock` is sandbox time as it was at
the real time `clock_running_since`, and it runs on at `clock_rate` sandbox seconds per
real second (within the SLA policy's business hours when `clock_business_hours`). So
"sandbox now" is computed from the row already loaded, with no query. The open
exercise's poll (`heartbeat`) keeps it running; with no heartbeat for `PAUSE_AFTER` it
stops where it was (the learner left the exercise), and the learner may pause it.

Requests that may write catch the row up (`catch_up`, persisted under the sandbox lock),
so every action is stamped with the running clock; pages only read it (no write).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from babel.lists import format_list
from babel.units import format_unit
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from portal import clock
from portal.accounts.models import User
from portal.database import utcnow
from portal.extensions import db
from sandbox import profiles
from sandbox.codes import MAX_CLOCK_DAYS
from sandbox.models import Sandbox
from sandbox.services.automations import run_due_automations
from sandbox.services.events import SandboxError, log_event
from sandbox.services.locks import lock_sandbox

MAX_DAYS = MAX_CLOCK_DAYS  # in sandbox.codes, which the course format reads too
# How often the open exercise polls, and how long without a poll stops the clock.
HEARTBEAT_SECONDS = 5
PAUSE_AFTER = timedelta(seconds=20)


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


def run_on(sandbox: Sandbox, start: datetime, span: timedelta) -> datetime:
    """`start` plus `span` of sandbox time as this sandbox's clock runs: every hour, or
    only the SLA policy's business hours when the exercise asked for them."""
    if sandbox.clock_business_hours:
        return profiles.active().sla.add_working_time(start, span)
    return start + span


def is_running(sandbox: Sandbox) -> bool:
    """The clock runs on its own now (an open exercise set a rate, and it is not stopped)."""
    return bool(sandbox.clock_rate) and sandbox.clock_running_since is not None


def is_paused(sandbox: Sandbox) -> bool:
    """An exercise's clock the learner paused (it runs again when they resume)."""
    return bool(sandbox.clock_rate) and sandbox.clock_heartbeat_at is None


def _stops_at(sandbox: Sandbox) -> datetime:
    """The real time a running clock stops without another heartbeat."""
    return (sandbox.clock_heartbeat_at or sandbox.clock_running_since) + PAUSE_AFTER


def sandbox_now(sandbox: Sandbox, real_now: datetime | None = None) -> datetime:
    """The sandbox's time now: the stored clock, plus what it ran since it was stored."""
    if not is_running(sandbox):
        return sandbox.clock
    end = min(real_now or utcnow(), _stops_at(sandbox))
    elapsed = max(end - sandbox.clock_running_since, timedelta(0))
    ran = timedelta(seconds=int(elapsed.total_seconds() * sandbox.clock_rate))
    return run_on(sandbox, sandbox.clock, ran) if ran else sandbox.clock


def catch_up(sandbox: Sandbox, *, persist: bool) -> None:
    """Bring the loaded row's clock to the running clock's now (no query).

    `persist` (a request that may write, under the sandbox lock): stored, so what the
    request does is stamped with it. Otherwise only the loaded row says so, and nothing
    is written: a page never writes to show the time.
    """
    if not is_running(sandbox):
        return
    real_now = utcnow()
    now = sandbox_now(sandbox, real_now)
    since = None if real_now >= _stops_at(sandbox) else real_now  # None: no heartbeat
    if persist:
        sandbox.clock, sandbox.clock_running_since = now, since
    else:
        set_committed_value(sandbox, "clock", now)
        set_committed_value(sandbox, "clock_running_since", since)


def start_running(sandbox: Sandbox, rate: int | None, business_hours: bool = False) -> None:
    """An exercise opens: its clock runs at `rate` (None: the clock stands still, moved
    only by the learner, as before exercises had a clock)."""
    real_now = utcnow() if rate else None
    sandbox.clock_rate = rate or None
    sandbox.clock_business_hours = bool(rate and business_hours)
    sandbox.clock_running_since = sandbox.clock_heartbeat_at = real_now


def heartbeat(sandbox: Sandbox) -> bool:
    """The open exercise's poll: keep the clock running, or run it again after it
    stopped for want of a poll (never after the learner paused it). One UPDATE.

    Call after `catch_up(persist=True)`. Returns whether the clock runs.
    """
    if not sandbox.clock_rate or is_paused(sandbox):
        return False
    real_now = utcnow()
    if sandbox.clock_running_since is None:
        sandbox.clock_running_since = real_now
    sandbox.clock_heartbeat_at = real_now
    return True


def pause(sandbox: Sandbox) -> None:
    """The learner pauses the exercise's clock (after `catch_up(persist=True)`)."""
    if sandbox.clock_rate:
        sandbox.clock_running_since = sandbox.clock_heartbeat_at = None


def resume(sandbox: Sandbox) -> None:
    """The learner runs the exercise's clock again."""
    if sandbox.clock_rate:
        sandbox.clock_running_since = sandbox.clock_heartbeat_at = utcnow()


def stop_running(sandbox: Sandbox) -> None:
    """No exercise clock any more (a reset): the clock moves only when moved."""
    sandbox.clock_rate = None
    sandbox.clock_running_since = sandbox.clock_heartbeat_at = None
    sandbox.clock_business_hours = False


def wait(sandbox: Sandbox, minutes: int) -> datetime:
    """Let `minutes` of sandbox time pass at once, as the running clock would (a dry run
    or a test standing in for a learner who takes that long)."""
    sandbox.clock = run_on(sandbox, sandbox.clock, timedelta(minutes=minutes))
    return sandbox.clock


def format_span(span: timedelta) -> str:
    """A span of sandbox time in the reader's language, to the minute: "3 hr 10 min"."""
    locale = get_locale() or "en"
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    units = (days, "duration-day"), (rest // 60, "duration-hour"), (rest % 60, "duration-minute")
    parts = [
        format_unit(number, unit, length="short", locale=locale) for number, unit in units if number
    ]
    if not parts:
        parts = [format_unit(0, "duration-minute", length="short", locale=locale)]
    return format_list(parts, style="unit-narrow", locale=locale)
