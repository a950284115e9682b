"""Browser tests wait for a page to be ready (tests/e2e/conftest.py `open_page`): a move
made right after a navigation or an htmx swap is not lost, however slow the page is."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import fill_birthday_automation, login
from tests.e2e.test_authoring import _add_lesson, _new_draft

# htmx wires up new content once it has settled in; a slow machine widens that moment.
SLOW_SETTLING = """
window.addEventListener("DOMContentLoaded", function () {
  if (window.htmx) { window.htmx.config.defaultSettleDelay = 800; }
});
"""


@pytest.fixture
def slow_htmx(app, monkeypatch):
    """On the Automations page htmx.min.js takes half a second to arrive: the page shows
    its form before htmx listens to it."""
    serve = app.wsgi_app

    def slowly(environ, start_response):
        if environ.get("PATH_INFO", "").endswith("/htmx.min.js") and environ.get(
            "HTTP_REFERER", ""
        ).endswith("/sandbox/automations"):
            time.sleep(0.5)
        return serve(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", slowly)


def test_typing_right_after_a_navigation_waits_for_htmx(page, make, app_ctx, slow_htmx):
    learner = make.user(roles=("learner",))
    get_or_create_sandbox(learner)
    db.session.commit()
    login(page, learner)
    page.goto("/sandbox/")
    fill_birthday_automation(page)  # typed as soon as the Automations page shows
    expect(page.locator("#automation-preview")).to_contain_text("Happy birthday")


def test_a_click_on_what_htmx_just_swapped_in_waits_until_it_is_wired(page, make):
    page.context.add_init_script(SLOW_SETTLING)
    login(page, make.user(roles=("trainer",)))
    _new_draft(page, "In order")
    _add_lesson(page, "First")
    page.evaluate("window.notReloaded = true")
    _add_lesson(page, "Second")
    page.get_by_role("button", name="Move the lesson Second up").click()
    expect(page.locator("#structure [data-lesson]")).to_contain_text(["Second", "First"])
    assert page.evaluate("window.notReloaded === true")  # moved by htmx, in place
