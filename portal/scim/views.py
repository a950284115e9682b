"""/scim/v2: Flask hands each request to scim2-server's application, inside the app
context, and commits what the storage flushed when the answer is not an error."""

from __future__ import annotations

import json
from functools import cache

from flask import Blueprint, Response, request
from scim2_models import UnauthorizedException
from scim2_server.applications.wsgi import WSGIApplication
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService

from portal.extensions import csrf, db
from portal.scim import services
from portal.scim.resources import provider
from portal.scim.storage import SqlStorage

bp = Blueprint("scim", __name__)
csrf.exempt(bp)  # a bearer-token API: no cookies, so no cross-site forgery

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class PortalScim(WSGIApplication):
    """scim2-server's application with the admins' bearer tokens."""

    def check_auth(self, scim_request: ScimRequest) -> None:
        scheme, _, secret = (scim_request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or services.token_for(secret.strip()) is None:
            raise UnauthorizedException(detail="A valid bearer token is required")


def base_url() -> str:
    """The root of the SCIM endpoints as the client reaches it, e.g. https://host/scim/v2."""
    return request.url_root + "scim/v2"


@cache
def scim_app() -> PortalScim:
    scim_provider = provider()
    return PortalScim(SqlStorage(), scim_provider, ScimService(scim_provider))


@bp.route("/<path:path>", methods=METHODS)
def serve(path: str) -> Response:
    """Every SCIM endpoint: /Users, /Groups, /Schemas, /ResourceTypes, ..."""
    answer = scim_app().serve(
        ScimRequest(
            method=request.method,
            base_url=base_url(),
            path="/" + path,
            query=request.args.to_dict(),
            headers=list(request.headers.items()),
            body=request.get_data(),
        )
    )
    if answer.status < 400:
        db.session.commit()
    else:
        db.session.rollback()
    body = "" if answer.body is None else json.dumps(answer.body)
    return Response(body, status=answer.status.value, headers=answer.headers)
