"""Every rollout and dashboard page is for executives and admins only: learners and
trainers get 403 on all of them (trainers read the plan read-only), anonymous visitors
are sent to sign in."""

from __future__ import annotations

import re

import pytest

from portal.rollout.views.base import TRAINER_READABLE
from tests.conftest import PortalClient

ENDPOINT_PREFIXES = ("rollout.", "dashboard.")


def _routes(app, endpoints=None) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if endpoints is not None and rule.endpoint not in endpoints:
            continue
        if rule.endpoint.startswith(ENDPOINT_PREFIXES) and not rule.endpoint.endswith(".static"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, re.sub(r"<(?:[^:<>]+:)?(\w+)>", _value, rule.rule)))
    return sorted(found)


def _value(match: re.Match) -> str:
    return "departments" if match.group(1) == "table" else "1"


def _all_routes():
    from portal import create_app

    app = create_app(
        {"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SERVER_NAME": None}
    )
    return _routes(app), _routes(app, TRAINER_READABLE)


ROUTES, TRAINER_ROUTES = _all_routes()


def test_the_route_list_covers_both_blueprints():
    paths = {path for _, path in ROUTES}
    assert "/rollout/" in paths and "/dashboard/" in paths
    assert any(method == "POST" for method, _ in ROUTES)
    assert len(ROUTES) > 30


@pytest.mark.parametrize("role", ["learner", "trainer"])
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_learners_and_trainers_get_403(client: PortalClient, make, role, method, path):
    client.login(make.user(roles=(role,)))
    response = client.open(
        path, method=method, data={"csrf_token": client.csrf_token()} if method == "POST" else None
    )
    readable = role == "trainer" and (method, path) in TRAINER_ROUTES
    assert response.status_code == (200 if readable else 403), (method, path)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_anonymous_visitors_are_sent_to_sign_in(client: PortalClient, method, path):
    response = client.open(
        path, method=method, data={"csrf_token": client.csrf_token()} if method == "POST" else None
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["executive", "admin"])
def test_executives_and_admins_open_the_pages(client: PortalClient, make, role):
    client.login(make.user(roles=(role,)))
    for path in ("/rollout/", "/dashboard/", "/rollout/plans/new"):
        assert client.get(path).status_code == 200, path
    assert client.get("/rollout/plans/999").status_code == 404
