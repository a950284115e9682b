"""CRM profiles: the five built-in files, the organisation's overrides, the choice at start."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml

from portal import create_app
from portal.config import ConfigError
from sandbox import profiles
from sandbox.codes import CODES, PRIORITIES, PROFILED_GROUPS, STAGES
from sandbox.profiles import BUILT_IN, ProfileError, load

WEEKDAYS_9_TO_5 = {
    "hours": "business",
    "business_hours": {
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "start": "09:00",
        "end": "17:00",
    },
}


@pytest.mark.parametrize("key", BUILT_IN)
def test_every_built_in_profile_loads_cites_its_source_and_covers_every_role(key):
    profile = load(key)
    assert profile.sources and all(s.startswith("https://") for s in profile.sources)
    for group in PROFILED_GROUPS:
        for role in CODES[group]:
            assert profile.plays(group, role)[0] == role  # the role's own code comes first
    assert sorted(profile.sla.targets) == sorted(PRIORITIES)
    assert profile.probabilities["closed_won"] == 100
    assert profile.probabilities["closed_lost"] == 0


def test_espocrm_is_the_sandbox_as_it_was():
    assert load("espocrm").probabilities == STAGES


def test_salesforce_and_suitecrm_have_ten_stages_from_prospecting_to_closed_lost():
    for key in ("salesforce", "suitecrm"):
        stages = load(key).stage
        assert len(stages) == 10
        assert (stages[0].label, stages[-1].label) == ("Prospecting", "Closed Lost")
    suite = load("suitecrm")
    assert suite.probability("needs_analysis") == 25
    assert suite.role("stage", "needs_analysis") == "qualification"


def test_hubspot_has_its_default_deal_and_ticket_pipelines():
    hubspot = load("hubspot")
    assert [e.label for e in hubspot.stage] == [
        "Appointment scheduled",
        "Qualified to buy",
        "Presentation scheduled",
        "Decision maker bought-in",
        "Contract sent",
        "Closed won",
        "Closed lost",
    ]
    vendor = [e.label for e in hubspot.ticket_status if e.vendor]
    assert vendor == ["New", "Waiting on us", "Waiting on contact", "Closed"]


def test_entries_a_vendor_lacks_say_so():
    odoo = load("odoo")
    assert not odoo.entry("stage", "closed_lost").vendor
    assert odoo.entry("stage", "proposal").label == "Proposition"
    assert not odoo.sla.vendor_default and odoo.sla.note


def test_unknown_profile_is_refused():
    with pytest.raises(ProfileError, match="unknown CRM profile 'zoho'"):
        load("zoho")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"stage": [{"code": "x", "label": "X", "probability": 5}]}, "needs a role"),
        ({"stage": [{"code": "prospecting", "label": "P"}]}, "needs a probability"),
        ({"priority": [{"code": "low", "label": "Low", "probability": 5}]}, "only stages"),
        ({"lead_status": [{"code": "new", "label": "New"}]}, "missing assigned"),
        (
            {
                "stage": [
                    *load("espocrm").model_dump()["stage"],
                    {"code": "won2", "label": "W", "probability": 100, "role": "victory"},
                ]
            },
            "unknown role 'victory'",
        ),
        (
            {"category": [{"code": "a_very_long_category", "label": "L", "role": "billing"}]},
            "longer than 12",
        ),
        ({"ticket_status": [{"code": "New", "label": "New"}]}, "pattern"),
        ({"sla": {"hours": "business"}}, "business_hours"),
        ({"sla": {"targets": {"low": {"first_response": 9, "resolution": 1}}}}, "longer than"),
        ({"sla": {"targets": {"low": {"first_response": 1, "resolution": 9}}}}, "every priority"),
        ({"colour": "blue"}, "Extra inputs"),
        ({"key": "hubspot"}, "key"),
        ("stage=won", "mapping"),
    ],
)
def test_bad_overrides_are_refused_with_the_reason(overrides, message):
    with pytest.raises(ProfileError, match=message):
        load("espocrm", overrides)


def test_an_override_replaces_a_list_and_merges_the_sla():
    stages = [*load("espocrm").model_dump()["stage"]]
    stages.insert(2, {"code": "demo", "label": "Demo", "probability": 35, "role": "qualification"})
    profile = load(
        "salesforce", {"stage": stages, "sla": WEEKDAYS_9_TO_5, "entities": {"ticket": "Job"}}
    )
    assert profile.codes("stage")[2] == "demo" and profile.plays("stage", "qualification") == (
        "qualification",
        "demo",
    )
    assert profile.entities["ticket"] == "Job" and profile.entities["opportunity"] == "Opportunity"
    assert profile.sla.pending_pauses is False  # kept from the profile
    friday_4pm = datetime(2026, 12, 4, 16, 0)
    assert profile.sla.due(friday_4pm, "high", "first_response") == datetime(2026, 12, 7, 12, 0)
    assert load("salesforce").sla.due(friday_4pm, "high", "first_response") == datetime(
        2026, 12, 4, 20, 0
    )


def test_every_profile_label_is_marked_for_translation():
    from sandbox.profiles.labels import LABELS

    for key in BUILT_IN:
        with open(profiles.FOLDER / f"{key}.yaml", encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        for group in PROFILED_GROUPS:
            for entry in data[group]:
                assert entry["label"] in LABELS, (key, entry["label"])


def test_the_portal_starts_with_the_configured_profile():
    app = create_app({"MODE": "testing", "CRM_PROFILE": "hubspot"})
    assert app.extensions["crm_profile"].name == "HubSpot"
    with app.app_context():
        assert profiles.active().key == "hubspot"


def test_an_unknown_profile_stops_the_portal_with_a_fix():
    with pytest.raises(ConfigError, match="PORTAL_CRM_PROFILE"):
        create_app({"MODE": "testing", "CRM_PROFILE": "zoho"})


def test_a_bad_override_stops_the_portal():
    with pytest.raises(ConfigError, match="needs a role"):
        create_app(
            {
                "MODE": "testing",
                "CRM_OVERRIDES": {"stage": [{"code": "x", "label": "X", "probability": 1}]},
            }
        )


def test_overrides_come_from_the_environment_as_json(monkeypatch):
    monkeypatch.setenv("PORTAL_CRM_PROFILE", "odoo")
    monkeypatch.setenv("PORTAL_CRM_OVERRIDES", '{"entities": {"customer": "Client"}}')
    app = create_app({"MODE": "testing"})
    assert app.extensions["crm_profile"].entities["customer"] == "Client"
