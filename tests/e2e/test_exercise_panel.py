"""The exercise beside the sandbox: a learner opens the after-sale exercise, goes to the
sandbox in the same tab, works with the task in a panel, and checks the work there; on
the lesson page a passing check updates the lesson list without a reload."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.learning.models import Course, ExerciseAttempt, Lesson
from sandbox import scenarios
from sandbox.models import Sandbox
from tests.e2e.conftest import open_as_learner, start_in_the_sandbox
from tests.e2e.test_sla_overtime import work_both_tickets

LESSON = "/courses/after-sale-service/billing-and-defect-tickets/"


def _open_the_lesson(page, make, **details):
    """A Customer Service learner signed in, on the exercise's lesson."""
    return open_as_learner(page, make, LESSON, department="Customer Service", **details)


def test_learner_works_and_checks_from_the_panel_beside_the_sandbox(page, make, app_ctx):
    learner = _open_the_lesson(page, make, name="Omar Sheikh", locale="en")
    start_in_the_sandbox(page)

    # Same tab: the sandbox replaced the lesson, no second page opened.
    expect(page).to_have_url(re.compile(r"/sandbox/$"))
    assert len(page.context.pages) == 1
    panel = page.get_by_test_id("exercise-panel")
    expect(panel).to_contain_text("Hands-on: a billing complaint and a defective product")
    panel.get_by_text("Task and hints").click()
    expect(panel.get_by_test_id("exercise-panel-task")).to_contain_text(
        "both are now assigned to you"
    )

    # The tickets are the learner's, as the task says.
    page.get_by_role("list", name="Sandbox").get_by_role("link", name="Cases").click()
    row = page.locator("tr", has_text="Charged twice for the same monthly invoice")
    expect(row).to_contain_text("Omar Sheikh")

    panel.get_by_role("button", name="Check my work").click()
    expect(panel.get_by_test_id("check-results")).to_contain_text(
        "Close the ticket once Sana has the answer."
    )

    work_both_tickets(page, learner)

    expect(panel).to_be_visible()
    panel.get_by_role("button", name="Check my work").click()
    expect(panel.get_by_test_id("exercise-passed")).to_be_visible()
    expect(panel.locator("[data-passed=no]")).to_have_count(0)

    panel.get_by_role("link", name="Back to the lesson").first.click()
    expect(page.locator('#lesson-nav [data-lesson="billing-and-defect-tickets"]')).to_contain_text(
        "Done"
    )
    # Passed: the sandbox pages no longer show the panel.
    page.goto("/sandbox/")
    expect(page.get_by_test_id("exercise-panel")).to_have_count(0)


def test_the_panel_stays_in_view_folds_leaves_and_reads_right_to_left(page, make, app_ctx):
    _open_the_lesson(page, make, locale="ur")
    page.locator("#exercise form").first.locator("button").click()
    expect(page.locator('#exercise a[href="/sandbox/"]')).to_be_visible()  # started
    page.goto("/sandbox/tickets")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    panel = page.get_by_test_id("exercise-panel")
    task = panel.get_by_test_id("exercise-panel-task")
    # The panel sits at the bottom of the window, its task folded until asked for.
    viewport = page.viewport_size
    assert page.evaluate("document.documentElement.scrollHeight") > viewport["height"]
    box = panel.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"] + 1
    expect(task).to_be_hidden()
    panel.locator("summary").click()
    expect(task).to_be_visible()
    page.reload()  # the learner's choice stays from one page to the next
    expect(task).to_be_visible()
    # The English task keeps its own language and reads left to right inside the page.
    expect(task).to_have_attribute("lang", "en")
    assert task.evaluate("el => getComputedStyle(el).direction") == "ltr"
    # In a right-to-left page the title starts on the right, the buttons follow on the left.
    title = panel.locator("#exercise-panel-title").bounding_box()
    check = panel.locator("[data-testid=panel-check]").bounding_box()
    assert title["x"] > check["x"]
    # On a phone the panel ends the page instead of covering half of it.
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    assert panel.bounding_box()["y"] >= 844
    page.set_viewport_size(viewport)

    panel.locator("summary").click()
    expect(task).to_be_hidden()
    page.reload()
    expect(task).to_be_hidden()
    page.on("dialog", lambda dialog: dialog.accept())
    panel.get_by_test_id("panel-leave").click()
    expect(page.get_by_test_id("exercise-panel")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("exercise-panel")).to_have_count(0)


def test_a_passing_check_updates_the_lesson_list_without_a_reload(page, make, app_ctx):
    learner = _open_the_lesson(page, make, locale="en")
    page.get_by_role("button", name="Start the exercise").click()
    check = page.locator("#exercise").get_by_role("button", name="Check my work")
    expect(check).to_be_visible()  # the scenario is in the sandbox
    status = page.locator('#lesson-nav [data-lesson="billing-and-defect-tickets"]')
    expect(status).to_contain_text("Started")

    # The work, done as the sandbox pages would do it.
    lesson = db.session.scalar(
        select(Lesson)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug == "after-sale-service", Lesson.key == "billing-and-defect-tickets")
    )
    mine = ExerciseAttempt.user_id == learner.id
    attempt = db.session.scalar(select(ExerciseAttempt).where(mine))
    sandbox = db.session.scalar(select(Sandbox).where(Sandbox.owner_id == learner.id))
    records = {key: tuple(value) for key, value in attempt.records.items()}
    scenarios.apply_solution(sandbox, learner, lesson.content["solution"], records)
    db.session.commit()

    page.evaluate("window.notReloaded = true")
    check.click()
    expect(page.get_by_test_id("exercise-passed")).to_be_visible()
    expect(status).to_contain_text("Done")
    assert page.evaluate("window.notReloaded === true")
