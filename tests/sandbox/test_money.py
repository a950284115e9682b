"""Money in the sandbox reads in the reader's locale format, in one style on every page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db
from sandbox.models import Opportunity
from tests.sandbox.conftest import first


@pytest.fixture
def big_deal(sandbox) -> Opportunity:
    deal = first(Opportunity, sandbox, Opportunity.stage.not_like("closed%"))
    deal.amount, deal.stage = Decimal("100000"), "proposal"  # 50% likely
    db.session.commit()
    return deal


@pytest.mark.parametrize(
    ("locale", "amount", "weighted"),
    [("en", "$100,000.00", "$50,000.00"), ("hi", "$1,00,000.00", "$50,000.00")],
)
def test_a_deal_amount_uses_the_locale_digit_grouping(client, big_deal, locale, amount, weighted):
    client.post("/language", data={"locale": locale})
    page = client.get(f"/sandbox/opportunities/{big_deal.id}").text
    assert f"<bdi>{amount}</bdi>" in page
    assert f"<bdi>{weighted}</bdi>" in page


def test_every_amount_on_the_board_has_one_style(client, big_deal):
    client.post("/language", data={"locale": "hi"})
    page = client.get("/sandbox/opportunities").text
    amounts = re.findall(r"<bdi>([^<]*\d[^<]*)</bdi>", page)
    assert "$1,00,000.00" in amounts
    assert amounts and all(re.fullmatch(r"\$[\d,]+\.\d\d", a) for a in amounts), amounts


def test_the_currency_comes_from_the_configuration(app, monkeypatch, client, big_deal):
    monkeypatch.setitem(app.config, "CURRENCY", "EUR")
    page = client.get(f"/sandbox/opportunities/{big_deal.id}").text
    assert "<bdi>€100,000.00</bdi>" in page


def test_an_unknown_currency_stops_the_portal_with_a_fix():
    with pytest.raises(ConfigError, match="PORTAL_CURRENCY=USD"):
        create_app({"MODE": "testing", "CURRENCY": "DOLLARS"})
