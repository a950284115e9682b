"""The organisation's clock: one today(), in PORTAL_TIMEZONE, wherever a date is compared."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from portal import clock, create_app
from portal.config import ConfigError
from portal.extensions import db
from portal.rollout import queries, services
from sandbox.services import get_or_create_sandbox

# Half an hour before midnight in London is 04:30 the next morning in Karachi (UTC+5).
LATE_EVENING_UTC = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)


@pytest.fixture
def late_evening(monkeypatch):
    """Freeze the organisation's clock just before midnight UTC."""
    monkeypatch.setattr(clock, "utcnow", lambda: LATE_EVENING_UTC)


@pytest.fixture
def in_karachi(app, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEZONE", "Asia/Karachi")


def test_in_utc_it_is_still_the_same_day(app_ctx, late_evening):
    assert clock.today() == date(2026, 3, 14)


def test_in_karachi_it_is_already_tomorrow(app_ctx, late_evening, in_karachi):
    assert clock.today() == date(2026, 3, 15)
    assert clock.now().hour == 4
    assert clock.local_date(LATE_EVENING_UTC) == date(2026, 3, 15)
    assert clock.instant() == (LATE_EVENING_UTC, date(2026, 3, 15))


def test_a_go_live_date_is_today_in_the_organisations_terms(make, late_evening, in_karachi):
    executive = make.user(roles=("executive",))
    services.create_plan("Went live in London's today", date(2026, 3, 14), "", executive)
    karachi = services.create_plan("Goes live in Karachi's today", date(2026, 3, 15), "", executive)
    db.session.commit()
    # 14 March is past in Karachi, so the soonest plan from today on is the one on the 15th.
    assert queries.latest_plan().id == karachi.id


def test_a_new_sandbox_starts_on_the_organisations_today(make, late_evening, in_karachi):
    sandbox = get_or_create_sandbox(make.user())
    assert sandbox.clock == datetime.combine(date(2026, 3, 15), time(9, 0), tzinfo=UTC)
    assert sandbox.today == date(2026, 3, 15)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../etc/passwd", ""])
def test_an_unknown_time_zone_stops_the_portal_with_a_fix(zone):
    with pytest.raises(ConfigError, match="PORTAL_TIMEZONE=Asia/Karachi"):
        create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TIMEZONE": zone})


def test_the_time_zone_comes_from_portal_timezone(monkeypatch):
    monkeypatch.setenv("PORTAL_TIMEZONE", "Asia/Kolkata")
    app = create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["TIMEZONE"] == "Asia/Kolkata"
    with app.app_context():
        assert clock.zone().key == "Asia/Kolkata"
