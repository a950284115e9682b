"""Answer, content and consent checks: each passes and fails for the right reason, and a
failing one tells the learner the figures that matter."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.extensions import db
from sandbox import checks, scenarios
from sandbox.findings import read_figure
from sandbox.models import Customer, Lead, Ticket
from sandbox.services.events import log_event
from tests.sandbox.conftest import QUARTER_TARGET, WON_THIS_QUARTER

SETUP = [
    QUARTER_TARGET,
    WON_THIS_QUARTER,
    {
        "key": "open",
        "entity": "opportunity",
        "fields": {
            "name": "Open",
            "owner": "@learner",
            "stage": "proposal",
            "amount": 8000,
            "close_date": "@today+20d",
        },
    },
    {
        "key": "bilal",
        "entity": "customer",
        "fields": {"first_name": "Bilal", "last_name": "Aziz", "email_consent": False},
    },
    {
        "key": "lead",
        "entity": "lead",
        "fields": {"first_name": "Imran", "email": "imran@example.com"},
    },
    {
        "key": "ticket",
        "entity": "ticket",
        "fields": {"customer": {"setup": "bilal"}, "subject": "Broken", "status": "new"},
    },
]


@pytest.fixture
def world(make, app_ctx):
    learner = make.user()
    from sandbox.services import get_or_create_sandbox

    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, SETUP, actor=learner)
    db.session.commit()
    return sandbox, learner, records


def _run(world, check: dict, given: dict | None = None):
    sandbox, _learner, records = world
    data = {"key": "k", "hint": "Hint.", **check}
    (result,) = checks.evaluate(sandbox, [data], records, given)
    return result


WEIGHTED = {
    "type": "answer",
    "question": "Your weighted pipeline?",
    "answer": "money",
    "source": "pipeline.weighted",
    "tolerance": {"percent": 1},
}


def test_answer_compares_with_the_learners_own_sandbox(world):
    # 8,000 at Proposal (50%) is 4,000 weighted; 1% either way passes
    assert _run(world, WEIGHTED, {"k": "4,000"}).passed
    assert _run(world, WEIGHTED, {"k": "$4,030"}).passed
    wrong = _run(world, WEIGHTED, {"k": "8000"})
    assert not wrong.passed
    assert wrong.message == (
        "Hint. You entered $8,000.00; the weighted value of your pipeline is $4,000.00 (±1%)."
    )
    assert "not entered" in _run(world, WEIGHTED, {}).message
    assert "not a figure" in _run(world, WEIGHTED, {"k": "lots"}).message


def test_attainment_gap_and_fixed_answers(world):
    attainment = {
        "type": "answer",
        "question": "?",
        "answer": "percent",
        "source": "sales.attainment",
    }
    assert _run(world, attainment, {"k": "42%"}).passed  # 25,000 of 60,000 is 41.67%
    assert not _run(world, attainment, {"k": "40"}).passed
    gap = {"type": "answer", "question": "?", "answer": "money", "source": "sales.gap"}
    assert _run(world, gap, {"k": "35000"}).passed
    fixed = {"type": "answer", "question": "?", "answer": "number", "value": 3}
    assert _run(world, fixed, {"k": "3"}).passed and not _run(world, fixed, {"k": "4"}).passed


def test_choice_answer_picks_an_option(world):
    check = {
        "type": "answer",
        "question": "Who?",
        "answer": "choice",
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
        "value": "b",
    }
    assert _run(world, check, {"k": "1"}).passed
    assert "You picked “A”" in _run(world, check, {"k": "0"}).message


def test_figures_are_read_in_any_grouping_and_script():
    assert read_figure("1,35,500") == Decimal(135500)
    assert read_figure("٧٥ %") == Decimal(75)
    assert read_figure("१२.५") == Decimal("12.5")
    assert read_figure("none") is None


BANT = {
    "type": "content",
    "target": {"setup": "lead"},
    "parts": {
        "need": {"min_words": 4},
        "authority": {"min_words": 1},
        "budget_status": {"in": ["indicated", "confirmed"]},
        "timing": {"at_most": "@today+4m"},
    },
}


def test_content_names_each_missing_part(world):
    sandbox, _learner, records = world
    result = _run(world, BANT)
    assert not result.passed
    assert "Need has 0 words, at least 4 needed" in result.message
    assert "Budget status is “Not known yet”" in result.message
    assert "Timing is not filled in" in result.message
    lead = db.session.get(Lead, records["lead"][1])
    lead.need, lead.authority = "Fixed.", "The owner"
    lead.budget_status, lead.timing = "indicated", sandbox.today + timedelta(days=90)
    db.session.commit()
    result = _run(world, BANT)
    assert result.message == "Hint. Still missing: Need has 1 word, at least 4 needed."
    lead.need = "Loyalty cards across all branches"
    db.session.commit()
    assert _run(world, BANT).passed


def test_resolution_in_three_parts(world):
    _sandbox, _learner, records = world
    check = {
        "type": "content",
        "target": {"setup": "ticket"},
        "parts": {f"resolution_{p}": {"min_words": 3} for p in ("cause", "action", "expectation")},
    }
    ticket = db.session.get(Ticket, records["ticket"][1])
    ticket.resolution_action = "Fixed."
    db.session.commit()
    assert not _run(world, check).passed
    ticket.resolution_cause = "The hinge was cracked"
    ticket.resolution_action = "We sent a new door"
    ticket.resolution_expectation = "It arrives on Monday"
    db.session.commit()
    assert _run(world, check).passed


def test_consent_marketing_none_and_recorded_channel(world):
    sandbox, learner, records = world
    none = {"type": "consent", "target": {"setup": "bilal"}, "marketing": "none", "consent": False}
    assert _run(world, none).passed
    bilal = db.session.get(Customer, records["bilal"][1])
    bilal.email_consent = True
    log_event(
        sandbox,
        learner,
        "outbox.sent",
        "outbox_email",
        1,
        customer=bilal.id,
        trigger="birthday",
        automation=1,
    )
    db.session.commit()
    result = _run(world, none)
    assert not result.passed
    assert "1 marketing email went to Bilal Aziz" in result.message
    assert "consent is on" in result.message
    recorded = {
        "type": "consent",
        "target": {"setup": "bilal"},
        "consent": True,
        "channel": "phone",
    }
    assert "channel Phone call" in _run(world, recorded).message
    log_event(
        sandbox,
        learner,
        "customer.consent_changed",
        "customer",
        bilal.id,
        **{"from": False, "to": True, "channel": "phone"},
    )
    db.session.commit()
    assert _run(world, recorded).passed
