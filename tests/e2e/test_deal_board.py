"""The pipeline board in a real browser: a deal dragged to the next stage, the column totals
redrawn in place; then the deal's next step edited on its page."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Opportunity
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import login


def _drag(page, source, target) -> None:
    """Drag with the mouse in small steps, as a person does (SortableJS follows the moves)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 20, steps=5)
    x, y = end["x"] + end["width"] / 2, end["y"] + 10
    page.mouse.move(x, y, steps=20)
    # SortableJS moves the card into the list under the pointer as the moves arrive; on a busy
    # machine the last ones can be handled late, so nudge until the card is there, then let go.
    card = source.evaluate("e => e.closest('[data-movable]').dataset.opportunity")
    for nudge in range(40):
        if target.locator(f'[data-opportunity="{card}"]').count():
            break
        page.mouse.move(x + nudge % 2, y + 2)
        page.wait_for_timeout(50)
    page.mouse.up()


def _drag_and_wait(page, source, target):
    """Drag, then wait for the board the server sent back to be in place."""
    with page.expect_response(lambda response: response.url.endswith("/stage")) as answer:
        _drag(page, source, target)
    expect(page.locator("#board[aria-busy]")).to_have_count(0)
    return answer.value


def test_drag_a_deal_to_the_next_stage_then_edit_its_next_step(page, make, app_ctx):
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    deal = db.session.scalar(
        select(Opportunity).where(
            Opportunity.sandbox_id == sandbox.id, Opportunity.stage.not_like("closed%")
        )
    )
    deal.stage, deal.amount, deal.name = "prospecting", Decimal("123456"), "Dragged deal"
    db.session.commit()
    login(page, learner)

    page.set_viewport_size({"width": 1600, "height": 1000})  # every column side by side
    page.goto("/sandbox/opportunities")
    qualification = page.locator('section[data-stage="qualification"]')
    total_before = qualification.get_by_test_id("stage-total").inner_text()
    card = page.locator(f'[data-opportunity="{deal.id}"]')
    handle = card.locator(".text-body-secondary").first
    assert _drag_and_wait(page, handle, qualification.locator("[data-cards]")).status == 200
    expect(qualification.locator(f'[data-opportunity="{deal.id}"]')).to_be_visible()
    expect(qualification.get_by_test_id("stage-total")).not_to_have_text(total_before)
    expect(qualification.get_by_test_id("stage-total")).to_contain_text("$")
    db.session.refresh(deal)
    assert deal.stage == "qualification"

    # The keyboard way still works on the redrawn board, and dragging works after it.
    card.get_by_role("combobox").select_option("proposal")
    with page.expect_response(lambda response: response.url.endswith("/stage")):
        card.get_by_role("button", name="Move").click()
    proposal = page.locator('section[data-stage="proposal"]')
    expect(proposal.locator(f'[data-opportunity="{deal.id}"]')).to_be_visible()
    assert _drag_and_wait(page, handle, qualification.locator("[data-cards]")).status == 200
    expect(qualification.locator(f'[data-opportunity="{deal.id}"]')).to_be_visible()
    db.session.refresh(deal)
    assert deal.stage == "qualification"

    # Dropped on Closed Lost with no reason given: refused, the card back where it was.
    page.once("dialog", lambda dialog: dialog.accept(""))
    lost = page.locator('section[data-stage="closed_lost"]')
    assert _drag_and_wait(page, handle, lost.locator("[data-cards]")).status == 422
    expect(page.get_by_role("alert")).to_have_text("Say why the deal was won or lost.")
    expect(qualification.locator(f'[data-opportunity="{deal.id}"]')).to_be_visible()

    # The deal's page: its next step edited, the history showing the move and the edit.
    qualification.get_by_role("link", name="Dragged deal").click()
    page.get_by_label("Next step").fill("Book a demo with the buyer")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_test_id("next-step")).to_have_text("Book a demo with the buyer")
    history = page.get_by_test_id("stage-history")
    expect(history).to_contain_text("Moved from Prospecting")
    expect(history).to_contain_text("Edited: Next step")
