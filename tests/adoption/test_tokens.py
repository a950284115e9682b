"""The admin's adoption token page: issue (shown once, stored hashed), list, revoke."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from portal.apitokens import ApiToken
from portal.extensions import db


def test_an_admin_issues_lists_and_revokes_a_token(client, make, staff):
    admin = make.user(roles=("admin",), department=None)
    client.login(admin)
    made = client.post("/admin/adoption-tokens", data={"name": "Nightly export"})
    assert made.status_code == 200
    secret = re.search(r'id="new-token" readonly value="([^"]+)"', made.get_data(as_text=True))
    stored = db.session.scalar(select(ApiToken))
    assert (stored.purpose, stored.name) == ("adoption", "Nightly export")
    assert stored.token_hash == hashlib.sha256(secret.group(1).encode()).hexdigest()
    listing = client.get("/admin/adoption-tokens").get_data(as_text=True)
    assert "Nightly export" in listing and secret.group(1) not in listing
    assert "/api/adoption/openapi.json" in listing
    assert "/admin/adoption-tokens" in client.get("/admin/users").get_data(as_text=True)
    revoked = client.post(f"/admin/adoption-tokens/{stored.id}/revoke")
    assert revoked.status_code == 302
    assert db.session.get(ApiToken, stored.id).revoked_at is not None
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    push = client.post("/api/adoption/usage", json={"rows": []}, headers=headers, csrf=False)
    assert push.status_code == 401


def test_a_scim_token_is_not_revoked_from_the_adoption_page(client, make):
    from portal.scim import services

    admin = make.user(roles=("admin",), department=None)
    token, _secret = services.create_token("HR directory", admin)
    db.session.commit()
    client.login(admin)
    assert client.post(f"/admin/adoption-tokens/{token.id}/revoke").status_code == 404
    assert "HR directory" not in client.get("/admin/adoption-tokens").get_data(as_text=True)
    assert client.post(f"/admin/scim-tokens/{token.id}/revoke").status_code == 302


def test_a_blank_name_is_refused(client, make):
    client.login(make.user(roles=("admin",), department=None))
    assert client.post("/admin/adoption-tokens", data={"name": "  "}).status_code == 422
