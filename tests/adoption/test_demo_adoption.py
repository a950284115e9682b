"""The demo organisation shows adoption after go-live: `flask seed demo` imports weekly
usage for the live wave, and its adoption page counts active people."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.adoption.models import Usage, UsageImport
from portal.adoption.weeks import monday
from portal.extensions import db
from portal.rollout.models import Wave
from seed.people import DEMO_PASSWORD

ACTIVE_IN_WAVE = re.compile(r'<tr data-department="all">.*?data-cell="active">(\d+)', re.DOTALL)


def test_seeded_demo_shows_adoption_of_the_live_wave(app, app_ctx, client):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    live = db.session.scalars(select(Wave).where(Wave.name.startswith("Pilot"))).one()
    batch = db.session.scalars(select(UsageImport)).one()
    assert (batch.source, batch.preset) == ("csv", "espocrm")
    assert batch.period_first >= monday(live.go_live_on)
    assert db.session.scalar(select(func.count()).select_from(Usage)) == batch.row_count > 0
    assert db.session.scalar(select(func.min(Usage.sign_ins))) > 0  # no empty rows
    weekly = db.session.execute(
        select(Usage.period_start, func.sum(Usage.deals_updated + Usage.leads_updated))
        .group_by(Usage.period_start)
        .order_by(Usage.period_start)
    ).all()
    assert len(weekly) >= 2 and weekly[-1][1] > weekly[0][1]  # weeks of use, growing

    client.login("exec@demo.test", DEMO_PASSWORD)
    page = client.get(f"/rollout/waves/{live.id}/adoption").get_data(as_text=True)
    active = ACTIVE_IN_WAVE.search(page)
    assert active and int(active.group(1)) > 0
