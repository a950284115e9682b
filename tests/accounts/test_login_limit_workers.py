"""The sign-in limit holds across every gunicorn worker of one machine, without Redis."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
LIMIT = 5
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=10)
            return
        except OSError:  # not listening yet, or still booting
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer within 60 s")


@pytest.fixture
def two_workers(app, tmp_path):
    """gunicorn with two workers on a loopback port, counting limits in the default store."""
    port = _free_port()
    env = {
        **os.environ,
        "PORTAL_MODE": "testing",
        "SECRET_KEY": "two-workers-" + "x" * 40,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
        # What production uses when nothing is configured: a file the workers share.
        "PORTAL_RATELIMIT_STORAGE_URI": "portal+sqlite://" + str(tmp_path / "ratelimit.sqlite"),
    }
    server = subprocess.Popen(
        [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--no-control-socket", "portal:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


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
