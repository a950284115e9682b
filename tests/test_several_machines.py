"""Several machines, in one process tree here: two web servers sharing the database and
Redis (sessions, sign-in rate limits, the job queue) and one job worker, as the README's
"Several machines" section sets them up."""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mailqueue import OutgoingMail
from tests.conftest import TEST_PASSWORD
from tests.gunicorn_server import ROOT, gunicorns
from tests.test_jobs import WORKER

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One browser behind a load balancer: its cookies go to whichever server answers."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )

    def call(self, url: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=60) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form_post(self, base: str, path: str, data: dict) -> int:
        _status, page = self.call(base + path)
        return self.call(base + path, {**data, "csrf_token": TOKEN.search(page).group(1)})[0]


@pytest.fixture
def machines(app, redis_url, smtp_inbox, tmp_path):
    shared = {
        "JOB_QUEUE": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "LOGIN_RATE_LIMIT": "4 per minute",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(app.config["MAIL_PORT"]),
    }
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    env = {
        **os.environ,
        "PORTAL_MODE": "testing",
        "SECRET_KEY": "live-server-" + "x" * 40,  # the key tests.gunicorn_server gives
        "DATABASE_URL": database,
        **{f"PORTAL_{name}": value for name, value in shared.items()},
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [str(WORKER), "portal.jobs.worker.huey", "--workers", "1", "--delay", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with gunicorns(2, database, **shared) as (first, second):
            yield first, second
    finally:
        worker.terminate()
        worker.wait(10)
        log.close()


def test_two_web_servers_and_a_worker_share_sessions_limits_and_jobs(machines, make, smtp_inbox):
    first, second = machines
    person = make.user(email="someone@example.com")
    visitor = Visitor()

    # Signed in on one server, recognised by the other (the session is the shared key's).
    assert (
        visitor.form_post(first, "/login", {"email": person.email, "password": TEST_PASSWORD})
        == 302
    )
    assert visitor.call(second + "/account")[0] == 200

    # Sign-in attempts from one address are counted across both servers (Redis holds the
    # counts): neither server alone sees four, yet the fourth guess is refused.
    guesser = Visitor()
    answers = [
        guesser.form_post(server, "/login", {"email": "x@example.com", "password": "wrong"})
        for server in (first, second, first, second)
    ]
    assert answers == [401, 401, 401, 429]

    # A reset asked for on the second server is sent by the worker.
    assert visitor.form_post(second, "/forgot-password", {"email": person.email}) == 302
    deadline = time.monotonic() + 90  # generous: CI runs the worker beside two busy test runs
    while time.monotonic() < deadline and not smtp_inbox.messages:
        time.sleep(0.1)
    assert smtp_inbox.messages and smtp_inbox.messages[0].rcpt_tos == [person.email]
    # The worker records "sent" just after the mail server accepts the message.
    status = None
    while time.monotonic() < deadline and status != "sent":
        db.session.expire_all()
        status = db.session.scalar(select(OutgoingMail.status))
        time.sleep(0.05)
    assert status == "sent"
