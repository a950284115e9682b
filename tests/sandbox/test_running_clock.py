"""The sandbox clock that runs while an exercise is open: its arithmetic, what stamps the
learner's actions, the heartbeat that keeps it going, pausing, and what pages cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Sandbox, Ticket
from sandbox.services import clock
from sandbox.services.tickets import TicketData, create_ticket

REAL = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


def _running(sandbox: Sandbox, rate: int = 30, ago: timedelta = timedelta(0)) -> datetime:
    """Start the clock `ago` real time back (as if the exercise opened then)."""
    clock.start_running(sandbox, rate)
    sandbox.clock_running_since = sandbox.clock_heartbeat_at = clock.utcnow() - ago
    db.session.commit()
    return sandbox.clock


def test_sandbox_time_runs_at_the_rate_from_the_row_alone(sandbox):
    start = sandbox.clock
    clock.start_running(sandbox, 30)
    sandbox.clock_running_since = sandbox.clock_heartbeat_at = REAL
    assert clock.sandbox_now(sandbox, REAL) == start
    assert clock.sandbox_now(sandbox, REAL + timedelta(seconds=10)) == start + timedelta(minutes=5)


def test_without_a_heartbeat_the_clock_stops_where_it_was(sandbox):
    start = sandbox.clock
    clock.start_running(sandbox, 30)
    sandbox.clock_running_since = sandbox.clock_heartbeat_at = REAL
    later = REAL + timedelta(hours=2)  # the learner left the exercise long ago
    assert clock.sandbox_now(sandbox, later) == start + clock.PAUSE_AFTER * 30


def test_no_rate_means_the_clock_stands_still(sandbox):
    start = sandbox.clock
    clock.start_running(sandbox, None)
    assert not clock.is_running(sandbox)
    assert clock.sandbox_now(sandbox, REAL + timedelta(days=1)) == start


def test_business_hours_skip_the_night(sandbox, monkeypatch):
    from sandbox import profiles

    policy = profiles.load(
        "espocrm",
        {
            "sla": {
                "hours": "business",
                "business_hours": {
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                    "start": "09:00",
                    "end": "17:00",
                },
            }
        },
    )
    monkeypatch.setattr(profiles, "active", lambda: policy)
    sandbox.clock = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # Monday 16:30
    sandbox.clock_business_hours = True
    assert clock.run_on(sandbox, sandbox.clock, timedelta(hours=1)) == datetime(
        2026, 3, 3, 9, 30, tzinfo=UTC
    )


def test_a_learners_action_is_stamped_with_the_running_clock(client, sandbox, learner):
    start = _running(sandbox, rate=30, ago=timedelta(seconds=10))  # 5 sandbox minutes ago
    ticket = create_ticket(
        sandbox, learner, TicketData(_customer(sandbox), "Printer jams", "email", "billing", "high")
    )
    db.session.commit()
    response = client.post(
        f"/sandbox/tickets/{ticket.id}/respond", data={"message": "Looking into it now."}
    )
    assert response.status_code in (200, 302)
    db.session.expire_all()
    answered = db.session.get(Ticket, ticket.id).first_responded_at
    assert start + timedelta(minutes=5) <= answered < start + timedelta(minutes=7)


def _customer(sandbox: Sandbox) -> int:
    from sandbox.models import Customer

    return db.session.scalar(
        select(Customer.id).where(Customer.sandbox_id == sandbox.id).order_by(Customer.id)
    )


def test_pages_show_the_running_time_without_writing_it(client, sandbox, count_queries):
    start = _running(sandbox, rate=60, ago=timedelta(seconds=5))
    with count_queries() as counted:
        page = client.get("/sandbox/tickets").get_data(as_text=True)
    assert "Sandbox time" in page
    assert not [s for s in counted.statements if s.lstrip().upper().startswith("UPDATE")]
    db.session.expire_all()
    assert db.session.get(Sandbox, sandbox.id).clock == start  # nothing stored


def test_the_running_clock_adds_no_query_to_a_page(client, sandbox, count_queries):
    client.get("/sandbox/tickets")
    with count_queries() as standing:
        client.get("/sandbox/tickets")
    _running(sandbox, rate=60)
    with count_queries() as running:
        client.get("/sandbox/tickets")
    assert len(running.statements) == len(standing.statements)


def test_the_heartbeat_keeps_it_running_and_restarts_it_after_a_lapse(client, sandbox):
    _running(sandbox, rate=30, ago=timedelta(minutes=5))  # no heartbeat for 5 minutes
    stopped_at = clock.sandbox_now(db.session.get(Sandbox, sandbox.id))
    assert client.post("/sandbox/clock/tick").status_code == 200
    db.session.expire_all()
    box = db.session.get(Sandbox, sandbox.id)
    assert clock.is_running(box) and box.clock == stopped_at
    assert box.clock_heartbeat_at > clock.utcnow() - timedelta(seconds=5)


def test_pause_holds_the_clock_until_resume(client, sandbox):
    _running(sandbox, rate=30)
    client.post("/sandbox/clock/pause")
    db.session.expire_all()
    box = db.session.get(Sandbox, sandbox.id)
    assert clock.is_paused(box) and not clock.is_running(box)
    client.post("/sandbox/clock/tick")  # the poll does not start a paused clock
    db.session.expire_all()
    assert clock.is_paused(db.session.get(Sandbox, sandbox.id))
    client.post("/sandbox/clock/resume")
    db.session.expire_all()
    assert clock.is_running(db.session.get(Sandbox, sandbox.id))


def test_a_reset_stops_the_exercise_clock(client, sandbox):
    _running(sandbox, rate=30)
    client.post("/sandbox/reset")
    db.session.expire_all()
    box = db.session.get(Sandbox, sandbox.id)
    assert box.clock_rate is None and not clock.is_running(box)


@pytest.mark.parametrize(
    ("span", "english"),
    [
        (timedelta(hours=3, minutes=10), "3 hr 10 min"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(days=1, hours=2), "1 day 2 hr"),
        (timedelta(seconds=20), "0 min"),
    ],
)
def test_spans_read_in_the_learners_words(app_ctx, span, english):
    assert clock.format_span(span) == english
