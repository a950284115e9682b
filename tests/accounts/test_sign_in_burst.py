"""A burst of sign-ins under gunicorn: pages keep being served while passwords are checked."""

from __future__ import annotations

import http.cookiejar
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.security import generate_password_hash

from portal.accounts import hashing
from portal.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.gunicorn_server import gunicorn

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SIGN_INS = 4  # as many as the worker has threads
# Slower than the portal's own scrypt, so that checks are still running when the page asks.
SLOW_HASH = "scrypt:131072:8:1"


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        _NoRedirect(),
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def _post(opener, url: str, data: dict) -> tuple[int, dict]:
    try:
        response = opener.open(url, data=urllib.parse.urlencode(data).encode(), timeout=60)
    except urllib.error.HTTPError as answer:  # 302, 401, 503... all come back as errors here
        return answer.code, dict(answer.headers)
    return response.status, dict(response.headers)


def test_a_page_is_served_while_sign_ins_are_checking_passwords(app, make):
    user = make.user()
    user.password_hash = generate_password_hash(TEST_PASSWORD, method=SLOW_HASH)
    db.session.commit()
    sign_ins: list[tuple[int, dict, float]] = []
    start = threading.Barrier(SIGN_INS + 1)

    def sign_in(url: str) -> None:
        opener = _opener()
        page = opener.open(url + "/login", timeout=60).read().decode()
        data = {
            "csrf_token": TOKEN.search(page).group(1),
            "email": user.email,
            "password": TEST_PASSWORD,
        }
        start.wait()
        status, headers = _post(opener, url + "/login", data)
        sign_ins.append((status, headers, time.monotonic()))

    with gunicorn(
        app.config["SQLALCHEMY_DATABASE_URI"],
        workers=1,
        LOGIN_RATE_LIMIT="1000 per minute",
        LOGIN_HASH_CONCURRENCY="1",
        LOGIN_HASH_QUEUE="1",
        LOGIN_HASH_WAIT_SECONDS="60",
    ) as url:
        threads = [threading.Thread(target=sign_in, args=(url,)) for _ in range(SIGN_INS)]
        for thread in threads:
            thread.start()
        start.wait()
        time.sleep(0.3)  # the sign-ins are in
        page = urllib.request.urlopen(url + "/login", timeout=60)
        page_done = time.monotonic()
        for thread in threads:
            thread.join(timeout=120)

    assert page.status == 200
    statuses = sorted(status for status, _headers, _done in sign_ins)
    # One checks, one waits for its turn, the others hear at once to come back shortly.
    assert statuses == [302, 302, 503, 503]
    assert all(int(h["Retry-After"]) > 0 for status, h, _done in sign_ins if status == 503)
    # The page did not queue behind the checks: it came back before the first one ended.
    assert page_done < min(done for status, _headers, done in sign_ins if status == 302)


def test_sign_ins_beyond_the_waiting_room_hear_busy_at_once(
    app, app_ctx, client, make, monkeypatch
):
    user = make.user()
    monkeypatch.setitem(app.config, "LOGIN_HASH_QUEUE", 0)
    monkeypatch.setitem(app.config, "LOGIN_HASH_WAIT_SECONDS", 30)
    with hashing.hash_turn():  # the one turn is taken and no one may wait for it
        started = time.monotonic()
        busy = client.login(user)
    assert busy.status_code == 503
    assert time.monotonic() - started < 10  # not after LOGIN_HASH_WAIT_SECONDS
    assert client.login(user).status_code == 302


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads' priority: Linux")
def test_passwords_are_checked_on_threads_of_lower_priority(app, app_ctx):
    with hashing.hash_turn() as threads:
        niceness = threads.submit(
            lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        ).result()
    assert niceness > os.getpriority(os.PRIO_PROCESS, 0)
