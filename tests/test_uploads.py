"""A body over the upload limit gets the 413 page from a live server, not a reset."""

from __future__ import annotations

import http.client
import urllib.parse

import pytest

from tests.gunicorn_server import gunicorn


@pytest.fixture(scope="module")
def live_url(app):
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"]) as url:
        yield url


def _post(url: str, size: int) -> http.client.HTTPResponse:
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request(
        "POST",
        "/login",
        body=b"x" * size,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return connection.getresponse()


@pytest.mark.parametrize("megabytes", [6, 20])
def test_an_upload_over_the_limit_receives_the_413_page(app, live_url, megabytes):
    assert megabytes * 1024 * 1024 > app.config["MAX_CONTENT_LENGTH"]
    response = _post(live_url, megabytes * 1024 * 1024)  # a reset would raise here
    assert response.status == 413
    assert "The file is larger than the portal accepts." in response.read().decode()
