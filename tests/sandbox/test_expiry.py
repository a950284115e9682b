"""Sandboxes unused for the organisation's SANDBOX_EXPIRY_DAYS are cleared in bulk and made
anew on the next visit, the learner told, their practice history kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.database import utcnow
from portal.extensions import db
from sandbox.expiry import expire_sandboxes, expire_unused
from sandbox.models import Customer, Lead, Sandbox
from sandbox.services import get_or_create_sandbox
from sandbox.services.core import CLEARED
from sandbox.services.events import log_event
from tests.sandbox.conftest import count, events


def _age(sandbox: Sandbox, days: int) -> None:
    """Make the sandbox look last used `days` days ago."""
    db.session.execute(
        update(Sandbox).where(Sandbox.id == sandbox.id).values(used_at=utcnow() - timedelta(days))
    )
    db.session.commit()


def _rows(sandbox: Sandbox) -> int:
    return sum(count(model, sandbox) for model in CLEARED)


def test_unused_sandboxes_are_cleared_in_bulk_and_kept_ones_stay(app, make, sandbox, learner):
    other = get_or_create_sandbox(make.user(roles=("learner",)))
    recent = get_or_create_sandbox(make.user(roles=("learner",)))
    log_event(sandbox, learner, "lead.created", "lead", None)
    db.session.commit()
    _age(sandbox, 91)
    _age(other, 120)
    _age(recent, 89)
    before = len(events(sandbox))

    expire_sandboxes.call_local()

    db.session.expire_all()
    for box in (sandbox, other):
        assert box.expired_at is not None
        assert _rows(box) == 0
    assert recent.expired_at is None and _rows(recent) > 0
    # The event log, the learner's practice history, stays.
    assert len(events(sandbox)) == before > 0


def test_expiry_runs_in_batches_and_stops(app, make):
    boxes = [get_or_create_sandbox(make.user(roles=("learner",))) for _ in range(3)]
    db.session.commit()
    for box in boxes:
        _age(box, 100)
    now = utcnow()
    assert expire_unused(90, now, batch=2) == 2
    assert expire_unused(90, now, batch=2) == 1
    assert expire_unused(90, now, batch=2) == 0


def test_setting_zero_keeps_every_sandbox(app, sandbox):
    _age(sandbox, 1000)
    app.config["SANDBOX_EXPIRY_DAYS"] = 0
    try:
        expire_sandboxes.call_local()
    finally:
        app.config["SANDBOX_EXPIRY_DAYS"] = 90
    db.session.expire_all()
    assert sandbox.expired_at is None and _rows(sandbox) > 0


def test_a_change_marks_the_sandbox_used(client, sandbox):
    _age(sandbox, 30)
    response = client.post(
        "/sandbox/leads/new",
        data={"first_name": "Ayesha", "last_name": "Khan", "source": "web_site"},
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert sandbox.used_at > utcnow() - timedelta(minutes=1)
    expire_unused(90, utcnow() + timedelta(days=89))
    db.session.expire_all()
    assert sandbox.expired_at is None


def test_next_visit_fills_it_anew_and_tells_the_learner(client, sandbox, learner):
    customers = count(Customer, sandbox)
    _age(sandbox, 100)
    expire_unused(90, utcnow())
    db.session.commit()
    generation = sandbox.generation

    page = client.get("/sandbox/")

    assert page.status_code == 200
    assert "had not been used for 90 days" in page.get_data(as_text=True)
    db.session.expire_all()
    assert sandbox.expired_at is None
    assert sandbox.generation == generation + 1
    assert count(Customer, sandbox) == customers
    assert events(sandbox, "sandbox.reset")
    # Told once.
    assert "had not been used" not in client.get("/sandbox/").get_data(as_text=True)


def test_an_exercise_started_in_a_cleared_sandbox_gets_a_filled_one(app, sandbox, learner):
    _age(sandbox, 100)
    expire_unused(90, utcnow())
    db.session.commit()
    assert count(Lead, sandbox) == 0

    again = get_or_create_sandbox(learner)
    db.session.commit()

    assert again.id == sandbox.id and again.expired_at is None
    assert count(Lead, sandbox) > 0


@pytest.mark.parametrize("value", [-1, 4000, "90", True])
def test_the_setting_is_checked_at_start(value):
    from portal import create_app
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="SANDBOX_EXPIRY_DAYS"):
        create_app({"MODE": "testing", "SANDBOX_EXPIRY_DAYS": value})
