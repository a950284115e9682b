"""A learner who takes too long on the after-sale exercise is told so, with the times;
after a reset they do it promptly and pass.

The sandbox clock runs while the exercise is open (one real minute is 20 sandbox
minutes). Real time is made to pass faster the way the running clock measures it: the
real time the clock has run since is moved back in the database, under the sandbox's
lock, as if the learner had sat on the page that long.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from portal.extensions import db
from sandbox.services import lock_sandbox, sandbox_of
from tests.e2e.conftest import open_as_learner, start_in_the_sandbox

LESSON = "/courses/after-sale-service/billing-and-defect-tickets/"
BILLING = "Charged twice for the same monthly invoice"
DEFECT = "Scanner stops reading barcodes after a few minutes"


def _real_time_passes(learner, sandbox_minutes: int) -> None:
    """As if the learner had spent this long (in sandbox minutes) on the exercise."""
    db.session.expire_all()
    sandbox = lock_sandbox(sandbox_of(learner))
    real = timedelta(seconds=sandbox_minutes * 60 / sandbox.clock_rate)
    sandbox.clock_running_since -= real
    db.session.commit()


def _open_ticket(page, subject: str) -> None:
    page.get_by_role("list", name="Sandbox").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name=subject).first.click()


def _reply(page, text: str) -> None:
    page.get_by_label("Reply to the customer").fill(text)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_label("Reply to the customer")).to_have_value("")


def _resolve_and_close(page, cause: str, action: str, expectation: str) -> None:
    page.get_by_label("What was wrong").fill(cause)
    page.get_by_label("What we did").fill(action)
    page.get_by_label("What the customer can expect").fill(expectation)
    page.get_by_role("button", name="Resolve").click()
    page.get_by_role("button", name="Close ticket").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Closed")


def work_both_tickets(page, learner, *, dawdle: int = 0) -> None:
    """Both tickets, as the task asks, from any sandbox page with the exercise open;
    `dawdle` sandbox minutes pass before the first reply."""
    _open_ticket(page, BILLING)
    if dawdle:
        _real_time_passes(learner, dawdle)
    _reply(page, "Sorry for the double charge, Sana. Could you send this month's bank statement?")
    _real_time_passes(learner, 30)  # Sana takes half an hour to send it
    news = page.get_by_test_id("exercise-news")
    expect(news).to_contain_text("Re: Charged twice", timeout=15_000)  # the next poll plays it
    page.reload()
    expect(page.locator("body")).to_contain_text("Here is this month's bank statement")
    _reply(page, "Thank you, Sana: billing is returning the second payment today.")
    _resolve_and_close(
        page,
        "The monthly service invoice was collected twice.",
        "Billing refunded the duplicate payment to the pharmacy's account.",
        "The refund shows within three working days; nothing more is needed.",
    )
    _open_ticket(page, DEFECT)
    _reply(page, "Sorry about the scanner, Vikram: I am arranging a replacement.")
    _resolve_and_close(
        page,
        "One ProScan 200 scanner has a fault and stops reading.",
        "It is under warranty and a replacement has been sent.",
        "The replacement arrives within two working days; use the others meanwhile.",
    )


def test_a_learner_who_takes_too_long_is_told_then_retries_and_passes(page, make, app_ctx):
    learner = open_as_learner(page, make, LESSON, department="Customer Service", locale="en")
    start_in_the_sandbox(page)
    panel = page.get_by_test_id("exercise-panel")
    clock = panel.get_by_test_id("exercise-clock")
    expect(clock).to_contain_text("one real minute is 20 sandbox minutes")
    expect(panel.get_by_test_id("exercise-deadlines")).to_contain_text("First response due in")

    # Two and a half sandbox hours go by before Sana hears from us: her SLA is 2 hours.
    work_both_tickets(page, learner, dawdle=150)
    panel.get_by_role("button", name="Check my work").click()
    results = panel.get_by_test_id("check-results")
    expect(results).to_contain_text(
        re.compile(
            r"First response 2 hr \d+ min after the ticket arrived; "
            r"the SLA for High priority is 2 hr\."
        )
    )
    expect(panel.get_by_test_id("exercise-passed")).to_have_count(0)

    # Retry: a fresh sandbox, the exercise again, and this time straight to work.
    page.goto("/sandbox/")
    page.get_by_role("button", name="Reset my sandbox…").click()
    page.get_by_role("button", name="Yes, reset it").click()
    page.goto(LESSON)
    page.on("dialog", lambda dialog: dialog.accept())  # "Start again with a fresh copy?"
    page.get_by_role("button", name=re.compile("Start the exercise|Start again")).click()
    page.get_by_role("link", name="Open my sandbox").click()
    work_both_tickets(page, learner)
    panel.get_by_role("button", name="Check my work").click()
    expect(panel.get_by_test_id("exercise-passed")).to_be_visible()
    expect(panel.locator("[data-passed=no]")).to_have_count(0)
