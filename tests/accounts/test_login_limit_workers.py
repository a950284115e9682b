"""The sign-in limit holds across every gunicorn worker of one machine, without Redis."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.gunicorn_server import gunicorn

LIMIT = 5
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def two_workers(app, tmp_path):
    """gunicorn with two workers on a loopback port, counting limits in the default store."""
    with gunicorn(
        app.config["SQLALCHEMY_DATABASE_URI"],
        workers=2,
        LOGIN_RATE_LIMIT=f"{LIMIT} per minute",
        # What production uses when nothing is configured: a file the workers share.
        RATELIMIT_STORAGE_URI="portal+sqlite://" + str(tmp_path / "ratelimit.sqlite"),
    ) as url:
        yield url


def _try_to_sign_in(url: str) -> int:
    """One visitor's attempt: fetch the form, post a wrong password; the status answered."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(url + "/login", timeout=10).read().decode()
    body = urllib.parse.urlencode(
        {
            "csrf_token": TOKEN.search(page).group(1),
            "email": "nobody@example.test",
            "password": "wrong-password-123",
        }
    ).encode()
    try:
        return opener.open(url + "/login", data=body, timeout=10).status
    except urllib.error.HTTPError as answer:
        return answer.code


def test_the_sign_in_limit_counts_tries_on_every_worker_together(two_workers):
    statuses = [_try_to_sign_in(two_workers) for _ in range(LIMIT + 5)]
    assert statuses == [401] * LIMIT + [429] * 5
