"""A learner takes course 4 end to end in a real browser: reads, does the ticket exercise in
the sandbox, checks it, passes, and gets a certificate that verifies."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_as_learner
from tests.e2e.test_reading_check import read_through
from tests.e2e.test_sla_overtime import work_both_tickets


def test_learner_completes_after_sale_service(page, make, app_ctx):
    learner = open_as_learner(
        page,
        make,
        "/courses/after-sale-service/",
        department="Customer Service",
        name="Nadia Hussain",
    )
    page.get_by_role("link", name="Start").click()

    # Read every reading (answering its check) and pass the quiz; then comes the exercise.
    read_through(page, "after-sale-service")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hands-on")

    page.get_by_role("button", name="Start the exercise").click()
    expect(page.get_by_role("button", name="Check my work")).to_be_visible()
    page.get_by_role("button", name="Check my work").click()
    expect(page.get_by_test_id("check-results")).to_contain_text(
        "Close the ticket once Sana has the answer."
    )
    exercise_url = page.url

    page.goto("/sandbox/tickets")
    work_both_tickets(page, learner)

    page.goto(exercise_url)
    page.get_by_role("button", name="Check my work").click()
    expect(page.get_by_test_id("exercise-passed")).to_be_visible()
    expect(page.locator("[data-passed=no]")).to_have_count(0)
    page.get_by_role("link", name="Course complete: view your certificate").click()
    expect(page.get_by_test_id("certificate-name")).to_have_text("Nadia Hussain")
    certificate_code = page.get_by_test_id("certificate-code")
    expect(certificate_code).to_have_text(re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$"))
    code = certificate_code.inner_text()

    page.context.clear_cookies()
    page.goto(f"/verify/{code}")
    expect(page.get_by_test_id("verify-result")).to_contain_text("Nadia Hussain")
