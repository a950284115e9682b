"""A list remembers its filter in a real browser: set it, leave, come back, still filtered."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from sandbox.models import Ticket
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import login


def test_the_ticket_queue_remembers_its_filter(page, make, app_ctx):
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    db.session.commit()
    pending = db.session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.sandbox_id == sandbox.id, Ticket.status == "pending"
        )
    )
    login(page, learner)
    page.goto("/sandbox/tickets")
    with page.expect_response(lambda response: "status=pending" in response.url):
        page.get_by_label("Status").select_option("pending")
    expect(page).to_have_url(re.compile(r"/sandbox/tickets\?.*status=pending"))
    expect(page.get_by_test_id("result-count")).to_have_text(re.compile(rf"^{pending} tickets?$"))

    page.goto("/sandbox/customers")
    page.goto("/sandbox/tickets")
    expect(page).to_have_url(re.compile(r"/sandbox/tickets\?status=pending$"))
    expect(page.get_by_label("Status")).to_have_value("pending")
    expect(page.get_by_test_id("result-count")).to_have_text(re.compile(rf"^{pending} tickets?$"))

    page.get_by_test_id("clear-filters").click()
    expect(page).to_have_url(re.compile(r"/sandbox/tickets$"))
    expect(page.get_by_label("Status")).to_have_value("")
