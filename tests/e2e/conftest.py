"""Real-browser fixtures: the portal served on loopback, driven by Debian's Chromium."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import TEST_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Every document the browser opens marks <html> once its scripts have run and its
# DOMContentLoaded handlers are done (htmx binds the hx-* attributes in one of them):
# a listener on the window hears the event after the document's own listeners.
MARK_SET_UP = """
window.addEventListener("DOMContentLoaded", function () {
  document.documentElement.setAttribute("data-e2e-set-up", "");
});
"""
# A page not ready for a person's next move: its scripts have not all run, or htmx is
# between a request and the new content being wired up (htmx marks the asking element or
# its indicator, the target being swapped, and the new content until it is processed).
BUSY = (
    "html:not([data-e2e-set-up]),"
    " html:has(.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added)"
)


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The test app served over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a loaded CI machine is slower than a laptop

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test; fails the test on page JS errors."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(10_000)
    page = open_page(context)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    # Let requests still in flight (an htmx preview, say) finish before the tables empty.
    try:
        page.wait_for_load_state("networkidle", timeout=5_000)
    except PlaywrightError:
        pass
    context.close()
    assert not errors, f"errors in the page: {errors}"


def open_page(context):
    """A new page in `context` whose every action and `expect` first waits until the page
    is ready: loaded up to its scripts and their set-up, and no htmx request or swap under
    way. Without it, a click or a choice made right after a navigation or an htmx swap
    can reach the page before app.js or htmx listens, and is lost or posted without htmx."""
    context.add_init_script(MARK_SET_UP)
    page = context.new_page()
    page.add_locator_handler(page.locator(BUSY), lambda: None)  # Playwright then waits
    return page


def wait_until_ready(page) -> None:
    """Wait as an action would before reading the page with a call that does not wait
    (`count()`, `evaluate()`)."""
    expect(page.locator(BUSY)).to_have_count(0)


@contextmanager
def acting_before_the_scripts(page) -> Iterator[None]:
    """Within: actions no longer wait for the page's scripts (for tests of what a page does
    with choices made before its scripts ran)."""
    busy = page.locator(BUSY)
    page.remove_locator_handler(busy)
    try:
        yield
    finally:
        page.add_locator_handler(busy, lambda: None)


def login(page, user_or_email, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real login form."""
    email = getattr(user_or_email, "email", user_or_email)
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def open_as_learner(page, make, path: str, **person):
    """The built-in courses imported and a new learner (`person`: department, locale, ...)
    signed in, on the page at `path`; returns the learner."""
    from portal.extensions import db
    from seed.learning_demo import import_builtin_courses

    import_builtin_courses()
    db.session.commit()
    learner = make.user(roles=("learner",), **person)
    login(page, learner)
    page.goto(path)
    return learner


def start_in_the_sandbox(page) -> None:
    """On an exercise's lesson page: start the exercise and go to the sandbox beside it."""
    page.get_by_role("button", name="Start the exercise").click()
    page.get_by_role("link", name="Open my sandbox").click()


def merge_rahul_as_the_exercise_asks(page, learner) -> None:
    """On the compare page of the import-and-merge exercise: keep the hand-entered Rahul
    Verma, take the import's last name, email and phone, and merge."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.learning.models import ExerciseAttempt

    attempt = db.session.scalar(
        select(ExerciseAttempt).where(ExerciseAttempt.user_id == learner.id)
    )
    hand_entered = attempt.records["rahul-hand"][1]
    page.locator(f"#survivor-{hand_entered}").check()
    page.locator('tr[data-field="last_name"]').get_by_label("Verma", exact=True).check()
    page.locator('tr[data-field="email"]').get_by_label("rahul@vermatraders.example").check()
    page.locator('tr[data-field="phone"]').get_by_label("98765 43210").check()
    page.get_by_test_id("merge-submit").click()
    # The merge lands on the survivor's page; a check pressed before that runs on the
    # sandbox as it was, and its answer is lost when the page changes.
    expect(page).to_have_url(re.compile(r"/sandbox/(customers|leads)/\d+$"))


def reply_resolve_and_close(page, reply: str, resolution: str) -> None:
    """On an open ticket's page: answer the customer, resolve with a note, close it."""
    from playwright.sync_api import expect

    page.get_by_label("Reply to the customer").fill(reply)
    page.get_by_role("button", name="Send reply").click()
    page.get_by_label("What we did").fill(resolution)
    page.get_by_role("button", name="Resolve").click()
    page.get_by_role("button", name="Close ticket").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Closed")


def fill_birthday_automation(page):
    """From any sandbox page: open Automations and fill in a birthday greeting (not saved
    yet); returns the form."""
    page.get_by_role("link", name="Automations", exact=True).click()
    form = page.get_by_test_id("automation-form")
    form.get_by_label("Name").fill("Birthday greeting")
    form.get_by_label("Send when").select_option("birthday")
    form.get_by_label("Subject").fill("Happy birthday, {first_name}!")
    form.get_by_label("Email", exact=True).fill("Dear {first_name}, best wishes from us all.")
    return form
