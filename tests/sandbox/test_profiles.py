"""CRM profiles: the five built-in files, the organisation's overrides, the choice at start."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml
from sqlalchemy import select

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db
from sandbox import profiles
from sandbox.codes import CODES, PRIORITIES, PROFILED_GROUPS, STAGES
from sandbox.models import Opportunity
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
        "salesforce",
        {"stage": stages, "sla": WEEKDAYS_9_TO_5, "entities": {"ticket": ["Job", "Jobs"]}},
    )
    assert profile.codes("stage")[2] == "demo" and profile.plays("stage", "qualification") == (
        "qualification",
        "demo",
    )
    assert profile.entity_label("ticket", plural=True) == "Jobs"
    assert profile.entity_label("opportunity") == "Opportunity"
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
    # A database of its own: a decision an executive signed (tests/rollout) would win.
    app = create_app(
        {"MODE": "testing", "CRM_PROFILE": "hubspot", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
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
    monkeypatch.setenv("PORTAL_CRM_OVERRIDES", '{"entities": {"customer": ["Client", "Clients"]}}')
    app = create_app({"MODE": "testing"})
    assert app.extensions["crm_profile"].entity_label("customer") == "Client"


# The sandbox under each profile ----------------------------------------------------------


@pytest.fixture
def use_profile(app, monkeypatch):
    """Run the app under another CRM profile for this test."""

    def use(key: str, overrides=None):
        monkeypatch.setitem(app.extensions, "crm_profile", load(key, overrides))

    return use


def _built_in_exercises():
    from portal.courseformat import read_course, read_folder
    from seed.learning_demo import COURSES_DIR

    for folder in sorted(p for p in COURSES_DIR.iterdir() if (p / "course.yaml").exists()):
        bundle = read_course(read_folder(folder))
        if bundle.translation_of:
            continue  # graded by its original's checks (tests/learning/test_translated_exercises)
        for lesson in bundle.lessons:
            if lesson.kind == "exercise" and not _reads_the_plan(lesson.content):
                yield lesson


def _reads_the_plan(content: dict) -> bool:
    """Answers from the organisation's rollout plan need a learner in one of its waves,
    which a dry run's sandbox has not; tests/sandbox/test_hands_on_exercises runs those."""
    return any(str(check.get("source", "")).startswith("rollout.") for check in content["checks"])


EXERCISES = {lesson.key: lesson for lesson in _built_in_exercises()}
# Answers a reference solution quotes from EspoCRM's stage probabilities: in another CRM
# the learner's own sandbox gives another figure, which the check computes and accepts.
PROFILE_FIGURES = {"move-deals": {"weighted-answer"}}


def test_there_are_built_in_exercises_to_run():
    assert {"trade-show-lead", "move-deals", "billing-and-defect-tickets"} <= set(EXERCISES)


@pytest.mark.parametrize("key", BUILT_IN)
@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_every_built_in_exercise_passes_its_dry_run_under_every_profile(
    app_ctx, make, use_profile, key, exercise
):
    from portal.authoring.dry_run import dry_run

    use_profile(key)
    report = dry_run(EXERCISES[exercise], make.user())
    if key == "espocrm":
        assert report.passes, report.problem
    else:
        failing = {result.key for result in report.solved if not result.passed}
        assert failing == PROFILE_FIGURES.get(exercise, set()), report.problem


def test_a_check_names_a_role_and_matches_every_stage_playing_it(app_ctx, make, use_profile):
    from sandbox import checks, scenarios
    from sandbox.services import get_or_create_sandbox
    from sandbox.services.opportunities import move_stage

    use_profile("salesforce")
    learner = make.user()
    box = get_or_create_sandbox(learner)
    setup = [
        {"key": "deal", "entity": "opportunity", "fields": {"name": "D", "stage": "prospecting"}}
    ]
    scenario = scenarios.inject(box, setup, actor=learner)
    check = {
        "key": "developing",
        "type": "field_equals",
        "required": True,
        "target": {"setup": "deal"},
        "field": "stage",
        "value": "qualification",
        "hint": "Qualify it.",
    }
    moved = {
        "key": "moved",
        "type": "event_happened",
        "required": True,
        "event": "opportunity.stage_changed",
        "data": {"from": "prospecting", "to": "qualification"},
        "hint": "Move it.",
    }
    assert [r.passed for r in checks.evaluate(box, [check, moved], scenario)] == [False, False]
    deal = db.session.get(Opportunity, scenario["deal"][1])
    move_stage(box, learner, deal, "needs_analysis")
    assert deal.stage == "needs_analysis" and deal.probability == 20
    assert [r.passed for r in checks.evaluate(box, [check, moved], scenario)] == [True, True]


def test_the_board_shows_the_profiles_stages_and_probabilities(client, sandbox, use_profile):
    use_profile("salesforce")
    page = client.get("/sandbox/opportunities").text
    assert "Needs Analysis" in page and "Perception Analysis" in page
    form_page = client.get("/sandbox/reports").text
    assert "Negotiation/Review" in form_page


def test_ticket_and_lead_labels_are_the_profiles(client, sandbox, use_profile):
    use_profile("hubspot")
    assert "Waiting on contact" in client.get("/sandbox/tickets?status=open").text
    page = client.get("/sandbox/leads").text
    assert "Bad Timing" in page and "Unqualified" in page


def test_an_override_renames_a_stage_on_the_board(client, sandbox, use_profile):
    stages = load("espocrm").model_dump()["stage"]
    stages[2]["label"] = "Quote sent"
    use_profile("espocrm", {"stage": stages})
    assert "Quote sent" in client.get("/sandbox/opportunities").text


def test_a_policy_that_pauses_while_pending_moves_the_deadlines_on(client, sandbox, use_profile):
    from datetime import timedelta

    from sandbox.models import Colleague, Ticket
    from tests.sandbox.conftest import first, last_event

    use_profile("espocrm", {"sla": {"pending_pauses": True}})
    ticket = first(Ticket, sandbox, Ticket.status == "new")
    ticket.opened_at = sandbox.clock
    ticket.first_response_due = sandbox.clock + timedelta(hours=4)
    ticket.resolution_due = sandbox.clock + timedelta(hours=20)
    db.session.commit()
    url = f"/sandbox/tickets/{ticket.id}"
    me = first(Colleague, sandbox, Colleague.is_learner.is_(True))
    client.post(f"{url}/assign", data={"assignee": me.id})
    client.post(f"{url}/respond", data={"message": "Could you send a photo?"})
    assert client.post(f"{url}/pending").status_code == 302
    sandbox.clock += timedelta(days=2)  # the customer takes two days to answer
    db.session.commit()
    assert 'data-sla="paused"' in client.get(url).text
    assert (
        client.post(f"{url}/resolve", data={"resolution_action": "Replaced it."}).status_code == 302
    )
    db.session.refresh(ticket)
    assert ticket.resolution_due == ticket.opened_at + timedelta(hours=20, days=2)
    assert last_event(sandbox, "ticket.resolved").data["late"] is False


@pytest.mark.parametrize(
    ("key", "extra"),
    [
        ("salesforce", {"stage": "needs_analysis", "ticket_status": "escalated"}),
        ("hubspot", {"lead_status": "attempted", "stage": "contract_sent"}),
    ],
)
def test_a_fresh_sandbox_uses_the_profiles_own_statuses_and_stages(
    app_ctx, make, use_profile, key, extra
):
    """Salesforce's Needs Analysis or HubSpot's Attempted to contact appear in the data
    (the fill draws among the codes that play each role), so learners meet them."""
    from sandbox.fill import populate
    from sandbox.models import Lead, Opportunity, Sandbox, Ticket
    from sandbox.services.clock import start_of_day

    use_profile(key)
    box = Sandbox(owner_id=make.user().id, seed=1, generation=1, clock=start_of_day())
    db.session.add(box)
    db.session.flush()
    populate(box.id, box.seed, box.clock, "Learner", {"leads": 200, "opportunities": 200})
    column = {
        "lead_status": Lead.status,
        "stage": Opportunity.stage,
        "ticket_status": Ticket.status,
    }
    for group, code in extra.items():
        model = column[group].class_
        used = set(db.session.scalars(select(column[group]).where(model.sandbox_id == box.id)))
        assert code in used, (group, sorted(used))
