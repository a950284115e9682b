"""The open exercise's clock beside the work: sandbox time, the time left on each of the
exercise's SLAs, and what the customers did meanwhile, polled every few seconds.

The poll is the heartbeat that keeps the running clock going (sandbox.services.clock): a
POST under the sandbox lock, writing one row at most. Leaving the exercise stops the
polls, and with them the clock; the learner may also pause it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from portal.domain import transaction
from portal.extensions import db
from portal.rendering import render
from sandbox.models import Sandbox, ScenarioEvent, Ticket
from sandbox.services import clock, scenario_events
from sandbox.services.tickets import is_open
from sandbox.views.base import bp, my_sandbox


@dataclass
class Deadline:
    """One SLA of the exercise's tickets: what is due, by when, and how long is left."""

    ticket: Ticket
    measure: str  # what is due: a first response or the resolution
    due: datetime
    left: timedelta

    @property
    def text(self) -> str:
        span = clock.format_span(abs(self.left))
        if self.left >= timedelta(0):
            return _("%(what)s due in %(span)s", what=self.measure, span=span)
        return _("%(what)s overdue by %(span)s", what=self.measure, span=span)


@dataclass
class Board:
    """What the clock fragment shows."""

    now: datetime
    running: bool
    paused: bool
    rate: int | None
    deadlines: list[Deadline] = field(default_factory=list)
    news: list[ScenarioEvent] = field(default_factory=list)


def _deadline(ticket: Ticket, now: datetime) -> Deadline | None:
    if not is_open(ticket) or ticket.resolved_at is not None or ticket.clock_paused:
        return None
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        measure, due = _("First response"), ticket.first_response_due
    elif ticket.resolution_due is not None:
        measure, due = _("Resolution"), ticket.resolution_due
    else:
        return None
    return Deadline(ticket, measure, due, due - now)


@bp.app_template_global()
def exercise_clock(sandbox: Sandbox, attempt) -> Board:
    """The open exercise's clock, the deadlines of its tickets (setup and scenario ones)
    and the scenario events played so far (two queries)."""
    now = sandbox.clock
    news = scenario_events.played(sandbox, attempt.first_event_id)
    ids = {int(i) for entity, i in (attempt.records or {}).values() if entity == "ticket"}
    ids |= {e.entity_id for e in news if e.entity == "ticket" and e.entity_id}
    tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.sandbox_id == sandbox.id, Ticket.id.in_(ids))
        .order_by(Ticket.id)
    )
    deadlines = [d for t in tickets if (d := _deadline(t, now)) is not None]
    return Board(
        now=now,
        running=clock.is_running(sandbox),
        paused=clock.is_paused(sandbox),
        rate=sandbox.clock_rate,
        deadlines=sorted(deadlines, key=lambda d: d.due),
        news=news[::-1],
    )


def _fragment():
    return render("sandbox/_clock.html", sandbox=my_sandbox(), polled=True)


@bp.post("/clock/tick")
def clock_tick():
    """The open exercise's poll: keep its clock running, play what fell due, show it."""
    sandbox = my_sandbox()
    with transaction():
        clock.heartbeat(sandbox)
        scenario_events.play_due(sandbox)
    return _fragment()


@bp.post("/clock/pause")
def clock_pause():
    """Pause the exercise's clock: sandbox time stands still until the learner resumes."""
    with transaction():
        clock.pause(my_sandbox())
    return _fragment()


@bp.post("/clock/resume")
def clock_resume():
    """Run the exercise's clock again."""
    with transaction():
        clock.resume(my_sandbox())
    return _fragment()
