"""SCIM 2.0 provisioning at /scim/v2, through HTTP: each operation, each error the RFC
names, the bearer tokens, and scim2-tester's compliance checks against a live server."""

from __future__ import annotations

import hashlib
import json
import re

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server
from sqlalchemy import select

from portal.accounts.models import Department, User, UserRole
from portal.extensions import db
from portal.scim import services
from portal.scim.models import ScimRecord, ScimToken
from tests.gunicorn_server import gunicorn

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = "application/scim+json"


@pytest.fixture
def token(make) -> str:
    admin = make.user(roles=("admin",))
    _, secret = services.create_token("HR directory", admin)
    db.session.commit()
    return secret


@pytest.fixture
def scim(client, token):
    """Send SCIM requests with the bearer token; returns (status, JSON body, response)."""

    def send(method: str, path: str, body=None, *, raw: bytes | None = None, bearer=token):
        headers = {"Content-Type": SCIM_JSON}
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = client.open(f"/scim/v2{path}", method=method, data=data, headers=headers)
        payload = response.get_json(force=True, silent=True)
        return response.status_code, payload, response

    return send


def patch(*operations: dict) -> dict:
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


def op(kind: str, path: str | None, value=None) -> dict:
    return {
        "op": kind,
        **({"path": path} if path else {}),
        **({"value": value} if value is not None else {}),
    }


def new_user(**fields) -> dict:
    return {"schemas": [USER_SCHEMA], "userName": "amna.khan@example.com", **fields}


def kept(user: User) -> tuple[str, str, str, str]:
    """What the portal keeps of a SCIM user's fields: email, name, job title, language."""
    return (user.email, user.name, user.job_title, user.locale)


def assert_error(status: int, body: dict, response, expected: int, scim_type: str | None):
    assert status == expected, body
    assert response.mimetype == SCIM_JSON
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(expected)
    assert body.get("scimType") == scim_type


def test_create_get_and_map_a_user(scim, app_ctx):
    status, body, response = scim(
        "POST",
        "/Users",
        new_user(
            userName="Amna.Khan@Example.com",
            displayName="Amna Khan",
            title="Account manager",
            preferredLanguage="ur-PK",
            externalId="hr-1001",
        ),
    )
    assert status == 201, body
    assert response.mimetype == SCIM_JSON
    assert response.headers["Location"] == body["meta"]["location"]
    user = db.session.get(User, int(body["id"]))
    assert kept(user) == ("amna.khan@example.com", "Amna Khan", "Account manager", "ur")
    assert user.active and user.roles == {"learner"} and user.password_hash is None

    status, body, _ = scim("GET", f"/Users/{user.id}")
    assert status == 200
    assert body["userName"] == "amna.khan@example.com"
    assert body["displayName"] == body["name"]["formatted"] == "Amna Khan"
    assert body["emails"] == [{"value": "amna.khan@example.com", "type": "work", "primary": True}]
    assert body["preferredLanguage"] == body["locale"] == "ur"
    assert body["title"] == "Account manager"
    assert body["externalId"] == "hr-1001"
    assert body["active"] is True
    assert body["meta"]["resourceType"] == "User"


def test_replace_a_user(scim, app_ctx):
    _, created, _ = scim("POST", "/Users", new_user(displayName="Amna Khan", title="Clerk"))
    status, body, _ = scim(
        "PUT",
        f"/Users/{created['id']}",
        new_user(userName="amna.k@example.com", displayName="Amna K", preferredLanguage="hi"),
    )
    assert status == 200, body
    user = db.session.get(User, int(created["id"]))
    assert kept(user) == ("amna.k@example.com", "Amna K", "", "hi")
    assert "title" not in body


def test_patch_active_false_ends_the_persons_session_at_once(scim, make, app):
    person = make.user()
    browser = app.test_client()
    browser.login(person)
    assert browser.get("/learn/").status_code == 200

    status, body, _ = scim(
        "PATCH",
        f"/Users/{person.id}",
        patch(op("replace", None, {"active": False})),
    )
    assert status == 204, body  # RFC 7644 §3.5.2: no attributes asked for, no body
    db.session.refresh(person)
    assert not person.active

    answer = browser.get("/learn/")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


def test_patch_by_path_and_back_to_active(scim, make):
    person = make.user()
    scim(
        "PATCH",
        f"/Users/{person.id}",
        patch(op("replace", "active", False)),
    )
    status, body, _ = scim(
        "PATCH",
        f"/Users/{person.id}",
        patch(op("replace", "active", True), op("replace", "title", "Team lead")),
    )
    assert status == 204, body
    db.session.refresh(person)
    assert person.active and person.job_title == "Team lead"


def test_delete_a_user(scim, make):
    person = make.user()
    person_id = person.id
    status, _, response = scim("DELETE", f"/Users/{person_id}")
    assert status == 204
    db.session.expire_all()
    assert db.session.get(User, person_id) is None
    status, body, response = scim("GET", f"/Users/{person_id}")
    assert_error(status, body, response, 404, None)


def test_filter_by_user_name_and_paginate(scim, make):
    people = [make.user() for _ in range(5)]
    wanted = people[2]
    status, body, _ = scim("GET", f'/Users?filter=userName eq "{wanted.email.upper()}"')
    assert status == 200, body
    assert body["totalResults"] == 1
    assert [found["id"] for found in body["Resources"]] == [str(wanted.id)]

    everyone = sorted([person.id for person in people] + [_admin_id()])
    status, body, _ = scim("GET", "/Users?startIndex=2&count=2")
    assert status == 200, body
    assert body["totalResults"] == 6
    assert body["startIndex"] == 2 and body["itemsPerPage"] == 2
    assert [int(found["id"]) for found in body["Resources"]] == everyone[1:3]

    status, body, _ = scim("GET", "/Users?filter=title pr and active eq true&count=100")
    assert status == 200, body
    assert body["totalResults"] == 6


def _admin_id() -> int:
    """The admin the token fixture made: the portal's only one."""
    return db.session.scalar(select(UserRole.user_id).where(UserRole.role == "admin"))


def test_groups_are_departments_and_members_move(scim, make):
    sales = make.department("Sales")
    ana = make.user(department="Sales")
    bilal = make.user(department="Support")

    status, body, _ = scim(
        "POST",
        "/Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Field Service",
            "externalId": "grp-7",
            "members": [{"value": str(bilal.id)}],
        },
    )
    assert status == 201, body
    assert body["id"].startswith("department-")  # ids are unique across Users and Groups
    field_service = db.session.get(Department, int(body["id"].rsplit("-", 1)[-1]))
    assert field_service.name == "Field Service"
    db.session.refresh(bilal)
    assert bilal.department_id == field_service.id
    assert [member["value"] for member in body["members"]] == [str(bilal.id)]
    assert body["members"][0]["$ref"].endswith(f"/scim/v2/Users/{bilal.id}")

    status, body, _ = scim(
        "PATCH",
        f"/Groups/department-{field_service.id}",
        patch(
            op("add", "members", [{"value": str(ana.id)}]),
            op("remove", f'members[value eq "{bilal.id}"]'),
        ),
    )
    assert status == 204, body
    db.session.refresh(ana)
    db.session.refresh(bilal)
    assert ana.department_id == field_service.id  # moved out of Sales
    assert bilal.department_id is None

    status, body, _ = scim("GET", '/Groups?filter=displayName eq "sales"')
    assert body["totalResults"] == 1 and body["Resources"][0]["id"] == f"department-{sales.id}"

    department_id, ana_id = field_service.id, ana.id
    status, _, _ = scim("DELETE", f"/Groups/department-{department_id}")
    assert status == 204
    db.session.expire_all()
    assert db.session.get(Department, department_id) is None
    assert db.session.get(User, ana_id).department_id is None


@pytest.mark.parametrize(
    ("body", "raw", "expected", "scim_type"),
    [
        (None, b'{"schemas": [', 400, "invalidSyntax"),
        (new_user(nickName="Ammi"), None, 400, "invalidSyntax"),
        (new_user(preferredLanguage="fr"), None, 400, "invalidValue"),
        (new_user(userName=""), None, 400, None),
    ],
    ids=["bad-json", "unknown-attribute", "unsupported-language", "blank-user-name"],
)
def test_bad_input_gets_the_rfc_error(scim, app_ctx, body, raw, expected, scim_type):
    status, payload, response = scim("POST", "/Users", body, raw=raw)
    assert status == expected, payload
    assert response.mimetype == SCIM_JSON
    assert payload["schemas"] == [ERROR_SCHEMA]
    if scim_type:
        assert payload["scimType"] == scim_type
    assert db.session.scalar(select(User).where(User.email == "amna.khan@example.com")) is None


def test_duplicate_user_name_is_a_uniqueness_conflict(scim, make):
    person = make.user()
    status, body, response = scim("POST", "/Users", new_user(userName=person.email.upper()))
    assert_error(status, body, response, 409, "uniqueness")


def test_unknown_ids_are_not_found(scim):
    for path in ("/Users/999999", "/Users/not-a-number", "/Groups/999999", "/Groups/department-9"):
        status, body, response = scim("GET", path)
        assert_error(status, body, response, 404, None)


def test_the_last_active_admin_cannot_be_disabled_or_deleted(scim, app_ctx):
    admin_id = _admin_id()
    status, body, response = scim(
        "PATCH",
        f"/Users/{admin_id}",
        patch(op("replace", "active", False)),
    )
    assert_error(status, body, response, 400, "invalidValue")
    status, body, response = scim("DELETE", f"/Users/{admin_id}")
    assert_error(status, body, response, 400, "invalidValue")
    assert db.session.get(User, admin_id).active


@pytest.mark.parametrize("bearer", [None, "not-a-token"], ids=["missing", "wrong"])
def test_requests_without_a_valid_token_get_401(scim, bearer):
    status, body, response = scim("GET", "/Users", bearer=bearer)
    assert_error(status, body, response, 401, None)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working_and_use_is_recorded(scim, token, app_ctx):
    status, _, _ = scim("GET", "/Users")
    assert status == 200
    stored = db.session.scalar(select(ScimToken))
    db.session.refresh(stored)
    assert stored.last_used_at is not None
    assert stored.token_hash != token and token not in stored.token_hash
    services.revoke_token(stored)
    db.session.commit()
    status, body, response = scim("GET", "/Users")
    assert_error(status, body, response, 401, None)


def test_discovery_needs_no_token_for_the_service_configuration(scim):
    status, body, _ = scim("GET", "/ServiceProviderConfig", bearer=None)
    assert status == 200
    assert body["patch"]["supported"] and body["filter"]["supported"]
    status, body, _ = scim("GET", "/Schemas")
    names = {
        schema["id"]: {a["name"] for a in schema["attributes"]} for schema in body["Resources"]
    }
    assert "nickName" not in names[USER_SCHEMA]
    assert {"userName", "displayName", "active", "title", "preferredLanguage"} <= names[USER_SCHEMA]


def test_external_ids_are_kept_apart_from_the_accounts(scim, make):
    person = make.user()
    scim(
        "PATCH",
        f"/Users/{person.id}",
        patch(op("add", "externalId", "e-9")),
    )
    record = db.session.scalar(select(ScimRecord).where(ScimRecord.user_id == person.id))
    assert record.external_id == "e-9"
    status, body, _ = scim("GET", '/Users?filter=externalId eq "e-9"')
    assert [found["id"] for found in body["Resources"]] == [str(person.id)]


def test_scim2_tester_finds_no_failed_check_on_a_live_server(app, token):
    """scim2-tester discovers the schemas, then creates, reads, replaces, patches and
    deletes Users and Groups over HTTP against the portal under gunicorn."""
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"]) as url:
        http = httpx2.Client(
            base_url=f"{url}/scim/v2", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        with http:
            results = check_server(SyncSCIMClient(http))
    failed = [
        f"{result.title}: {result.reason}"
        for result in results
        if result.status not in (Status.SUCCESS, Status.SKIPPED)
    ]
    assert failed == []
    assert sum(result.status == Status.SUCCESS for result in results) > 50


def test_an_admin_makes_a_token_sees_it_once_and_revokes_it(client, make, app_ctx):
    admin = make.user(roles=("admin",))
    client.login(admin)
    page = client.post("/admin/scim-tokens", data={"name": "Entra ID"})
    assert page.status_code == 200
    secret = re.search(r'id="new-token" readonly value="([^"]+)"', page.get_data(as_text=True))[1]
    stored = db.session.scalar(select(ScimToken))
    assert stored.name == "Entra ID" and stored.created_by_id == admin.id
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()

    listing = client.get("/admin/scim-tokens").get_data(as_text=True)
    assert secret not in listing and "Entra ID" in listing and "/scim/v2" in listing
    assert "The token for Entra ID. Copy it" in page.get_data(as_text=True)
    assert "Revoke the token of Entra ID?" in listing

    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/scim/v2/Users", headers=headers).status_code == 200
    answer = client.post(f"/admin/scim-tokens/{stored.id}/revoke")
    assert answer.status_code == 302
    assert client.get("/scim/v2/Users", headers=headers).status_code == 401
    assert "Revoked" in client.get("/admin/scim-tokens").get_data(as_text=True)


def test_a_token_needs_a_name(client, make):
    client.login(make.user(roles=("admin",)))
    assert client.post("/admin/scim-tokens", data={"name": " "}).status_code == 422
    assert db.session.scalar(select(ScimToken)) is None


def test_a_user_name_taken_at_the_same_moment_is_a_conflict_too(scim, make, monkeypatch):
    """Two requests both find the address free; the database's unique index refuses one."""
    from portal.scim import storage

    person = make.user()
    monkeypatch.setattr(storage, "_email_taken", lambda email, user_id: False)
    status, body, response = scim("POST", "/Users", new_user(userName=person.email))
    assert_error(status, body, response, 409, "uniqueness")


def test_group_errors(scim, make):
    make.department("Sales")
    group = {"schemas": [GROUP_SCHEMA], "displayName": " sales "}
    status, body, response = scim("POST", "/Groups", group)
    assert_error(status, body, response, 409, "uniqueness")
    group = {**group, "displayName": "Billing", "members": [{"value": "424242"}]}
    status, body, response = scim("POST", "/Groups", group)
    assert_error(status, body, response, 400, "invalidValue")
    assert db.session.scalar(select(Department).where(Department.name == "Billing")) is None


def test_deleting_a_departments_manager_leaves_the_department_without_one(scim, make):
    from portal.accounts.services import set_manager

    person = make.user(department="Sales")
    set_manager(person, True)
    db.session.commit()
    sales_id, person_id = person.department_id, person.id
    status, _, _ = scim("DELETE", f"/Users/{person_id}")
    assert status == 204
    db.session.expire_all()
    assert db.session.get(Department, sales_id).manager_id is None


@pytest.mark.parametrize("path", ["/Users", "/Groups", "/Users?filter=title pr"])
def test_a_list_takes_as_many_queries_for_ten_times_the_people(scim, make, count_queries, path):
    def queries_for_a_list() -> int:
        with count_queries() as counter:
            status, body, _ = scim("GET", path)
        assert status == 200, body
        return len(counter.statements)

    for number in range(3):
        make.user(department=f"Team {number}")
    few = queries_for_a_list()
    for number in range(30):
        make.user(department=f"Team {number}")
    assert queries_for_a_list() == few
