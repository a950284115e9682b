"""Single sign-on in Chromium: real redirects to a real OpenID provider and back.

The provider (tests/oidc_provider.py, Authlib's server components) runs on its own
loopback port and signs in the person a test names; it can be told to mis-issue tokens.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.filterwarnings("ignore:The 'grant' parameter:DeprecationWarning")

CALLBACK = re.compile(r"/login/sso/callback\?.*state=")
UNTRUSTED = "could not be trusted"


@pytest.fixture
def learner(make, sso):
    user = make.user(name="Sana Iqbal")
    sso.sign_in_as(user.email)
    return user


def start_sign_in(page) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Example SSO").click()


def expect_not_signed_in(page) -> None:
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_signing_in_through_the_provider(page, learner, sso):
    page.goto("/learn/")  # sent to sign in, and back here afterwards
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="Sign in with Example SSO").click()

    expect(page).to_have_url(re.compile(r"/learn/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    assert sso.tokens_issued >= 1
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect_not_signed_in(page)


def test_a_tampered_state_is_refused(page, learner, sso):
    sso.ask_first = True  # the provider shows its way back as a link instead of redirecting
    start_sign_in(page)
    back = page.get_by_role("link", name="Continue").get_attribute("href")
    assert CALLBACK.search(back)
    tampered = re.sub(r"state=([^&]+)", lambda m: "state=" + m.group(1)[::-1], back)

    response = page.goto(tampered)

    assert response.status == 400
    expect(page.get_by_test_id("sso-problem")).to_contain_text(UNTRUSTED)
    expect_not_signed_in(page)
    # The way back as the provider gave it still works: only the state was wrong.
    page.goto(back)
    expect(page).to_have_url(re.compile(r"/learn/$"))


@pytest.mark.parametrize("misissue", ["audience", "expired"])
def test_a_mis_issued_token_is_refused(page, learner, sso, misissue):
    sso.misissue = misissue

    start_sign_in(page)

    expect(page.get_by_test_id("sso-problem")).to_contain_text(UNTRUSTED)
    expect_not_signed_in(page)


def test_a_person_from_another_domain_is_told_why(page, sso):
    sso.sign_in_as("visitor@elsewhere.test")

    start_sign_in(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(page.get_by_test_id("sso-problem")).to_contain_text(
        "There is no account for visitor@elsewhere.test"
    )
