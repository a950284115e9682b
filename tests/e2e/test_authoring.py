"""A trainer builds, publishes and assigns a course in a real browser; a learner sees it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import acting_before_the_scripts, login, open_page
from tests.test_markdown import XSS_PAYLOADS


def _new_draft(page, title: str) -> None:
    """Start a course called `title` from the New course page (signed in as a trainer)."""
    page.goto("/author/courses/new")
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Create draft").click()


def _add_lesson(page, title: str, kind: str | None = None) -> None:
    """Add a lesson (a reading unless `kind` says otherwise) on the course's structure page."""
    page.get_by_placeholder("New lesson title").fill(title)
    if kind:
        page.locator("select[name=kind]").select_option(kind)
    page.get_by_role("button", name="Add lesson").click()


def test_trainer_writes_publishes_and_assigns_and_learner_sees_it(page, make, browser, live_server):
    trainer = make.user(roles=("trainer",), department="Customer Service")
    learner = make.user(roles=("learner",), department="Sales", name="Sadia Anwar")
    make.department("Sales")
    login(page, trainer)
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Title").fill("Complaints that end well")
    page.get_by_label("Summary").fill("Turn an unhappy customer into a loyal one.")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaints that end well")

    # A reading with a live preview.
    _add_lesson(page, "Listen first")
    page.get_by_role("link", name="Listen first").click()
    body = page.get_by_label("Text (Markdown)")
    body.fill("# Listen first\n\nLet the customer **finish**.\n\n> **Tip:** take notes.")
    preview = page.get_by_test_id("preview")
    expect(preview.locator("p > strong").first).to_have_text("finish")
    expect(preview.locator("blockquote.callout-tip")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Saved to the draft.")

    # A quiz with one question.
    page.get_by_role("link", name="Complaints that end well").click()
    _add_lesson(page, "Check yourself", "quiz")
    page.locator("#structure").get_by_role("link", name="Check yourself").click()
    form = page.locator("[data-question-form=new]")
    form.get_by_label("Question").fill("What comes first?")
    form.get_by_label("Choice 1", exact=True).fill("Listening")
    form.locator("[name='choice-0-correct']").check()
    form.get_by_label("Choice 2", exact=True).fill("Arguing")
    form.get_by_label("Feedback for choice 2").fill("It only makes things worse.")
    form.get_by_role("button", name="Add question").click()
    expect(page.locator("[data-question]")).to_have_count(1)

    # Publish, then assign to Sales with a due date.
    page.get_by_role("link", name="Complaints that end well").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".alert-success")).to_contain_text("Version 1 is published")
    page.get_by_role("link", name="Assignments").click()
    page.get_by_label("Departments").select_option(label="Sales")
    due = date.today() + timedelta(days=14)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_test_id("assignments")).to_contain_text("Sales")

    # The Sales learner sees it on their home, with the due date.
    learner_page = open_page(browser.new_context(base_url=live_server, locale="en-GB"))
    login(learner_page, learner)
    card = learner_page.locator("[data-course=complaints-that-end-well]")
    expect(card).to_contain_text("Complaints that end well")
    expect(card).to_contain_text(re.compile(rf"Due .*{due.year}"))
    card.get_by_role("link", name="Listen first").click()
    expect(learner_page.locator(".lesson-body p > strong").first).to_have_text("finish")
    learner_page.context.close()


def test_no_xss_payload_runs_in_a_real_browser(page, make):
    trainer = make.user(roles=("trainer",))
    login(page, trainer)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _new_draft(page, "Hostile")
    _add_lesson(page, "Payloads")
    page.get_by_role("link", name="Payloads").click()
    page.get_by_label("Text (Markdown)").fill("\n\n".join(XSS_PAYLOADS) + "\n\nThe end.")
    expect(page.get_by_test_id("preview")).to_contain_text("The end.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Saved to the draft.")
    page.wait_for_load_state("load")  # broken images have fired their onerror by now
    page.wait_for_timeout(300)  # and a payload's timer would have
    assert dialogs == []


def test_editor_links_problems_and_builds_questions_and_setup_without_codes(page, make):
    trainer = make.user(roles=("trainer",))
    login(page, trainer)
    _new_draft(page, "Tickets done right")
    # The empty cover shows where its preview will appear, not an empty frame.
    expect(page.get_by_test_id("cover-preview")).to_have_text("The preview appears here.")
    _add_lesson(page, "Check yourself", "quiz")

    # The problem names the quiz by its title and links to it.
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("Check yourself: This quiz has no questions yet.")
    expect(problems).not_to_contain_text(".yaml")
    problems.get_by_role("link", name="Check yourself").click()

    # Choosing "True or false" offers exactly True and False, without a reload.
    form = page.locator("[data-question-form=new]")
    form.get_by_label("Question").fill("A resolved ticket is closed at once.")
    expect(form.get_by_label("Choice 1", exact=True)).to_be_visible()
    form.get_by_label("Type").select_option(label="True or false")
    expect(form.get_by_label("Choice 1", exact=True)).to_be_hidden()
    expect(form.get_by_label("True", exact=True)).to_be_visible()
    form.get_by_label("False", exact=True).check()
    form.get_by_label("Feedback for False").fill("The customer confirms first.")
    form.get_by_role("button", name="Add question").click()
    question = page.locator("[data-question]")
    expect(question).to_have_count(1)
    expect(question).to_contain_text("True or false")

    # The exercise builder: kinds and fields by name, dates as "before the sandbox's today".
    page.get_by_role("link", name="Tickets done right").click()
    expect(page.get_by_test_id("problems")).to_have_count(0)
    _add_lesson(page, "Handle it", "exercise")
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("Handle it: This exercise has no task yet")
    expect(problems).to_contain_text("Handle it: This exercise has no checks yet")
    page.locator("#structure").get_by_role("link", name="Handle it").click()
    setup = page.locator("[data-setup-form=new]")
    expect(setup.locator("[data-setup-row]")).to_have_count(1)
    setup.get_by_label("Kind of record").select_option(label="Customer")
    first = setup.locator("select[name='field-0-name']")
    expect(first.locator("option[value=customer_since]")).not_to_have_count(0)
    expect(first.locator("option[value=source]")).to_have_count(0)
    first.select_option(label="Customer since")
    setup.locator("[name='field-0-amount']").fill("3")
    setup.locator("[name='field-0-unit']").select_option(label="years")
    setup.get_by_role("button", name="Add a row").click()
    expect(setup.locator("[data-setup-row]")).to_have_count(2)
    value = setup.locator("[name='field-1-value']")
    setup.locator("select[name='field-1-name']").select_option(label="Tier")
    expect(value).to_have_attribute("list", "codes-customer-tier")
    setup.locator("select[name='field-1-name']").select_option(label="First name")
    expect(value).not_to_have_attribute("list", re.compile(".*"))
    expect(setup.locator("[name='field-1-amount']")).to_be_hidden()
    setup.locator("[name='field-1-value']").fill("Sana")
    setup.get_by_role("button", name="Add record").click()
    record = page.locator("[data-setup]")
    expect(record).to_contain_text("3 years before the sandbox's today")
    expect(record).to_contain_text("Sana")
    expect(record).not_to_contain_text("@today")


def _open_before_the_script(page, title: str) -> list:
    """Open the lesson called `title` with app.js held back; returns the held request.
    Only inside `acting_before_the_scripts`: otherwise actions wait for app.js."""
    url = page.locator("#structure").get_by_role("link", name=title).get_attribute("href")
    held = []
    page.route(re.compile(r"/js/app\.js"), lambda route: held.append(route))
    page.goto(url, wait_until="commit")
    return held


def _release(page, held: list) -> None:
    assert len(held) == 1  # app.js was asked for and has not run
    held[0].continue_()
    page.wait_for_load_state("load")
    page.unroute(re.compile(r"/js/app\.js"))


def test_choices_made_before_the_script_loads_are_followed(page, make):
    """On a slow connection the form is usable before app.js arrives; what was chosen counts."""
    trainer = make.user(roles=("trainer",))
    login(page, trainer)
    _new_draft(page, "Slow line")
    _add_lesson(page, "Quick quiz", "quiz")
    _add_lesson(page, "Quick task", "exercise")

    with acting_before_the_scripts(page):
        held = _open_before_the_script(page, "Quick quiz")
        form = page.locator("[data-question-form=new]")
        form.get_by_label("Type").select_option(label="True or false")
        expect(form.get_by_label("Choice 1", exact=True)).to_be_visible()  # nothing ran yet
        _release(page, held)
    expect(form.get_by_label("Choice 1", exact=True)).to_be_hidden()
    expect(form.get_by_label("True", exact=True)).to_be_visible()

    page.get_by_role("link", name="Slow line").click()
    with acting_before_the_scripts(page):
        held = _open_before_the_script(page, "Quick task")
        setup = page.locator("[data-setup-form=new]")
        setup.get_by_label("Kind of record").select_option(label="Customer")
        fields = setup.locator("select[name='field-0-name']")
        listed = "s => Array.from(s.options, o => o.value)"
        assert "source" in fields.evaluate(listed)  # every kind's fields, until the script runs
        _release(page, held)
    expect(fields.locator("option[value=customer_since]")).not_to_have_count(0)
    expect(fields.locator("option[value=source]")).to_have_count(0)
