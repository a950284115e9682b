"""The portal in a real browser: each role's home, the language switch, admin live search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from seed.demo import create_demo_organisation
from seed.people import DEMO_PASSWORD
from tests.e2e.conftest import login


@pytest.fixture
def demo(app_ctx):
    create_demo_organisation(seed=7, staff=12, password_method="scrypt:4096:8:1")
    db.session.commit()


@pytest.mark.parametrize(
    ("email", "path", "heading"),
    [
        ("learner@demo.test", "/learn/", "My learning"),
        ("trainer@demo.test", "/author/", "Authoring"),
        ("exec@demo.test", "/dashboard/", "Readiness dashboard"),
        ("admin@demo.test", "/admin/users", "Users"),
    ],
)
def test_each_demo_role_lands_on_its_home(page, demo, email, path, heading):
    login(page, email, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # Signing out goes back to the login page and the home is closed again.
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_switching_to_urdu_renders_right_to_left(page, demo):
    login(page, "learner@demo.test", DEMO_PASSWORD)
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    page.get_by_test_id("language-menu").click()
    page.get_by_role("button", name="اردو").click()
    expect(html).to_have_attribute("lang", "ur")
    expect(html).to_have_attribute("dir", "rtl")
    stylesheet = page.locator("link[rel=stylesheet]").first
    expect(stylesheet).to_have_attribute("href", re.compile(r"bootstrap\.rtl\.min\.css"))
    # The navigation sits on the right in a right-to-left page.
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2
    # The choice is kept on the account: after a fresh sign-in the pages are Urdu again.
    page.context.clear_cookies()
    page.goto("/login")
    expect(html).to_have_attribute("dir", "ltr")
    login(page, "learner@demo.test", DEMO_PASSWORD)
    expect(html).to_have_attribute("dir", "rtl")


def test_admin_live_search_filters_as_you_type(page, demo):
    login(page, "admin@demo.test", DEMO_PASSWORD)
    rows = page.locator("#user-results tbody tr")
    expect(rows.first).to_be_visible()
    total = rows.count()
    assert total > 5
    page.get_by_placeholder("Search by name or email").fill("trainer@demo")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("trainer@demo.test")
    expect(page).to_have_url(re.compile(r"q=trainer(%40|@)demo"))


PHONE_PAGES = {
    "admin@demo.test": ["/admin/users"],
    "exec@demo.test": ["/dashboard/"],
    "trainer@demo.test": ["/author/"],
    "learner@demo.test": ["/sandbox/reports"],
}


def test_pages_fit_a_phone_screen_without_scrolling_sideways(page, demo):
    """Wide tables scroll inside their own box on a phone; the page itself never does."""
    page.set_viewport_size({"width": 390, "height": 844})
    for email, paths in PHONE_PAGES.items():
        page.context.clear_cookies()
        login(page, email, DEMO_PASSWORD)
        for path in paths:
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
