"""Each vendor preset maps a report in that vendor's shape, through the upload pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.adoption.models import COUNTS, Usage, UsageImport
from portal.adoption.presets import PRESETS, suggest_mapping
from portal.extensions import db
from tests.adoption.conftest import mapping_data, upload

# A day's report per vendor, headed as the preset expects, with columns it does not read.
SAMPLES = {
    "espocrm": (
        "User Name,User Email,Date,Auth Log Records,Lead Create,Lead Update,Opportunity Create,"
        "Opportunity Update,Case Create,Case Update,Call Create,Call Update\n"
        "Ann,ann@example.com,2026-11-02,3,1,2,1,1,0,2,4,1\n"
    ),
    "suitecrm": (
        "User Name,Email Address,Date Start,Sessions,Leads Created,Leads Modified,"
        "Opportunities Created,Opportunities Modified,Cases Created,Cases Modified,"
        "Calls Created,Calls Modified\n"
        "ann,ann@example.com,2026-11-02 08:15:00,3,1,2,1,1,0,2,4,1\n"
    ),
    "salesforce": (
        "Full Name,Email,Login Time,Record Count,Leads Created,Leads Last Modified,"
        "Opportunities Created,Opportunities Last Modified,Cases Created,Cases Last Modified,"
        "Activities Created,Activities Last Modified\n"
        '"Ann Lee",ann@example.com,2026-11-02T08:14:00.000Z,3,1,2,1,1,0,2,4,1\n'
    ),
    "hubspot": (
        "userId,email,loginAt,Logins,Leads created,Deals created,Tickets created,"
        "Activities created\n"
        "876,ann@example.com,2026-11-02T19:36:24.303Z,3,1,1,0,4\n"
    ),
    "odoo": (
        "Salesperson,Salesperson/Email,Date,Logins,Leads,Opportunities,Activities\n"
        "Ann,ann@example.com,2026-11-02,3,1,1,4\n"
    ),
}


def test_every_preset_has_a_sample_and_cites_its_source():
    assert set(SAMPLES) == set(PRESETS)
    for preset in PRESETS.values():
        assert preset.source.startswith("https://")
        assert {"email", "period_start", "sign_ins"} <= set(preset.columns)


@pytest.mark.parametrize("vendor", sorted(SAMPLES))
def test_a_preset_maps_its_vendors_report(executive, staff, vendor):
    url = upload(executive, SAMPLES[vendor], preset=vendor, days="1", filename=f"{vendor}.csv")
    page = executive.get(url).get_data(as_text=True)
    assert 'data-testid="preset-note"' in page
    data = mapping_data(executive, url)
    assert data["days"] == "1"
    for target, header in PRESETS[vendor].columns.items():
        assert data[f"map_{target}"] == header
    assert executive.post(url, data={**data, "commit": "1"}).status_code == 302
    row = db.session.scalar(select(Usage))
    assert (row.user_id, row.period_start.isoformat(), row.days, row.sign_ins) == (
        staff[0].id,
        "2026-11-02",
        1,
        3,
    )
    mapped = {column for column in COUNTS if column in PRESETS[vendor].columns}
    assert all(getattr(row, column) == 0 for column in set(COUNTS) - mapped)
    assert row.leads_created == 1
    assert db.session.scalar(select(UsageImport.preset)) == vendor


def test_headers_match_whatever_their_case_and_spacing():
    mapping = suggest_mapping(["  user email ", "DATE", "auth log records"], "espocrm")
    assert mapping == {
        "email": "  user email ",
        "period_start": "DATE",
        "sign_ins": "auth log records",
    }
