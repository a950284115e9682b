"""POST /api/adoption/usage through HTTP: tokens and their purpose, refusals per row as
JSON, replace-the-period, the body limit; and the OpenAPI description it serves."""

from __future__ import annotations

import copy
import json

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from portal import apitokens
from portal.adoption.api import EXAMPLE
from portal.adoption.models import Usage
from portal.apitokens import TokenPurpose
from portal.extensions import db
from portal.scim import services as scim_services
from tests.adoption.conftest import import_count, usage_rows

URL = "/api/adoption/usage"


@pytest.fixture
def admin(make):
    return make.user(roles=("admin",), department=None)


@pytest.fixture
def token(admin) -> str:
    _, secret = apitokens.create_token("CRM export", TokenPurpose.ADOPTION, admin)
    db.session.commit()
    return secret


def push(client, body, secret: str | None, **headers):
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, headers=headers, content_type="application/json", csrf=False)


def week(email="ann@example.com", **counts):
    return {"email": email, "period_start": "2026-11-02", "days": 7, **counts}


def test_a_batch_is_saved_with_a_token(client, staff, token):
    answer = push(client, {"rows": [week(sign_ins=4), week("bob@example.com")]}, token)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() | {"import_id": 0} == {
        "import_id": 0,
        "rows": 2,
        "period_first": "2026-11-02",
        "period_last": "2026-11-08",
        "replaced": 0,
    }
    assert usage_rows() == 2


def test_the_same_period_pushed_twice_leaves_one_copy(client, staff, token):
    push(client, {"rows": [week(sign_ins=4)]}, token)
    answer = push(client, {"rows": [week(sign_ins=6)]}, token)
    assert answer.get_json()["replaced"] == 1
    assert db.session.scalars(select(Usage.sign_ins)).all() == [6]
    assert import_count() == 2


@pytest.mark.parametrize("secret", [None, "", "not-a-token"])
def test_no_or_an_unknown_token_is_401(client, staff, secret):
    answer = push(client, {"rows": [week()]}, secret)
    assert answer.status_code == 401
    assert answer.is_json and answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert usage_rows() == 0


def test_a_revoked_token_is_401(client, staff, token):
    stored = apitokens.find_token(token)
    apitokens.revoke_token(stored)
    db.session.commit()
    assert push(client, {"rows": [week()]}, token).status_code == 401


def test_tokens_serve_only_their_own_api(client, staff, admin, token):
    _, scim_secret = scim_services.create_token("HR directory", admin)
    db.session.commit()
    assert push(client, {"rows": [week()]}, scim_secret).status_code == 403
    scim = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"})
    assert scim.status_code == 401
    assert usage_rows() == 0


@pytest.mark.parametrize(
    "body", ["{not json", "[]", '{"rows": []}', '{"rows": {}}', '"rows"', '{"row": [1]}']
)
def test_a_body_that_is_not_a_batch_is_400(client, staff, token, body):
    answer = push(client, body, token)
    assert answer.status_code == 400
    assert "rows" in answer.get_json()["error"]


def test_refused_rows_are_422_with_a_reason_each_and_nothing_saved(client, staff, token):
    rows = [
        week(sign_ins=3),
        week("nobody@example.com"),
        week("bob@example.com", leads_created=-1),
        {"email": "bob@example.com", "period_start": "2026-11-02", "days": 3},
        week(deals_created="many"),
        "ann",
        week("bob@example.com", colour="blue"),
        {"email": "bob@example.com", "period_start": "02/11/2026", "days": 1},
    ]
    answer = push(client, {"rows": rows}, token)
    assert answer.status_code == 422
    errors = {(error["row"], error["field"]) for error in answer.get_json()["errors"]}
    assert errors == {
        (1, "email"),
        (2, "leads_created"),
        (3, "days"),
        (4, "deals_created"),
        (5, None),
        (6, "colour"),
        (7, "period_start"),
    }
    assert usage_rows() == 0 and import_count() == 0


def test_a_body_over_the_limit_is_413(client, staff, token, monkeypatch):
    monkeypatch.setattr("portal.adoption.api.MAX_BODY", 100)
    answer = push(client, {"rows": [week(), week("bob@example.com")]}, token)
    assert answer.status_code == 413
    assert answer.is_json


def test_the_openapi_description_is_valid(client):
    answer = client.get("/api/adoption/openapi.json")
    assert answer.status_code == 200
    validate(answer.get_json())


def test_every_documented_path_and_method_exists(client, app):
    document = client.get("/api/adoption/openapi.json").get_json()
    base = document["servers"][0]["url"].split("://", 1)[1].split("/", 1)[1]
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods}
    for path, operations in document["paths"].items():
        for method in operations:
            assert (method.upper(), f"/{base}{path}") in routes


def test_the_documented_example_is_accepted(client, make, token):
    document = client.get("/api/adoption/openapi.json").get_json()
    example = document["paths"]["/usage"]["post"]["requestBody"]["content"]["application/json"][
        "example"
    ]
    assert example == EXAMPLE
    make.user(email=example["rows"][0]["email"])
    answer = push(client, copy.deepcopy(example), token)
    assert answer.status_code == 201, answer.get_json()


def test_a_body_over_the_portals_request_limit_is_413_json(client, app, staff, token):
    rows = [week()] * 20
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 200
    try:
        answer = push(client, {"rows": rows}, token)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert answer.status_code == 413
    assert answer.is_json
