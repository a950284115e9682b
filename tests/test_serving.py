"""Serving as shipped: gunicorn.conf.py under real gunicorn, and the production defaults."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

from portal import create_app
from tests.gunicorn_server import gunicorns


def _database_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'serving.db'}"
    app = create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from portal.extensions import db

        db.create_all()
    return url


def test_two_portals_serve_side_by_side_and_keep_idle_connections_open(tmp_path):
    """No shared control socket stops the first server when a second one starts, and a
    browser's idle connection outlives gunicorn's own 2-second keep-alive."""
    url = _database_url(tmp_path)
    with gunicorns(2, url, shipped_config=True) as (first, second):
        parts = urlsplit(first)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", "/healthz")
        assert connection.getresponse().read()
        time.sleep(3)  # idle longer than gunicorn's default keep-alive
        connection.request("GET", "/healthz")  # the same connection, not a new one
        response = connection.getresponse()
        assert response.status == 200
        connection.close()

        parts = urlsplit(second)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
        connection.close()


def test_production_counts_sign_in_limits_in_a_file_every_worker_shares(tmp_path):
    app = create_app(
        {"MODE": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    storage = app.config["RATELIMIT_STORAGE_URI"]
    assert storage.startswith("portal+sqlite://")
    assert storage.endswith("ratelimit.sqlite") and app.instance_path in storage
