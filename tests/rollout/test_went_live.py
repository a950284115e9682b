"""A wave that went live on a go overriding its no-go gate says so on the wave itself:
on the wave page, in the plan's waves and on the dashboard, not only in the history."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from portal.extensions import db
from portal.rollout import services
from tests.rollout.conftest import make_wave

REASON = "Refresher booked for the last learner; their lead covers accounts."


def _live_pilot(make, plan, evidence, executive, go_live_on: date):
    sales = make.department("Sales")
    make.user(roles=("learner",), department="Sales")
    evidence.assign(department=sales)
    wave = make_wave(plan, [sales], criteria={"completion_rate": 90}, go_live_on=go_live_on)
    services.sign_gate(wave, executive, "go", REASON)
    db.session.commit()
    return wave


def _notes(page: str) -> list[str]:
    """The text of each went-live note on a page, tags and spacing stripped."""
    found = re.findall(r'<div class="small" data-testid="went-live"[^>]*>(.*?)</div>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", note).split()) for note in found]


def test_a_live_wave_shows_the_override_it_went_live_on(client, executive, make, plan, evidence):
    go_live_on = date.today() - timedelta(days=3)
    wave = _live_pilot(make, plan, evidence, executive, go_live_on)
    client.login(executive)
    expected = re.compile(
        r"Live — went live on (?P<date>.+) by Erum Executive's decision overriding the gate "
        + re.escape(f"(reason: {REASON})")
    )
    for path in (f"/rollout/waves/{wave.id}", f"/rollout/plans/{plan.id}", "/dashboard/"):
        page = client.get(path).get_data(as_text=True)
        assert 'data-gate="no_go"' in page, path  # the gate still says no-go, and why it is live
        [note] = _notes(page)
        shown = expected.fullmatch(html.unescape(note))
        assert shown and str(go_live_on.year) in shown["date"], (path, note)
        assert str(go_live_on.day) in shown["date"], (path, note)


def test_a_wave_still_to_go_live_shows_no_note(client, executive, make, plan, evidence):
    wave = _live_pilot(make, plan, evidence, executive, date.today() + timedelta(days=10))
    client.login(executive)
    for path in (f"/rollout/waves/{wave.id}", f"/rollout/plans/{plan.id}", "/dashboard/"):
        assert _notes(client.get(path).get_data(as_text=True)) == [], path
