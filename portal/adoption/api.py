"""POST /api/adoption/usage: the organisation's CRM pushes usage rows with an adoption token.

The same checks and the same replace-the-period rule as the CSV import. Every answer is
JSON: 401 without a live token, 403 for a token made for another API (SCIM), 400 for a
body that is not the documented JSON object, 413 over the size limit, 422 with a reason
per row when any row is refused (nothing is saved), 201 with the import when all pass.
The description is served at /api/adoption/openapi.json (no token needed).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _

from portal import apitokens
from portal.adoption import importing
from portal.adoption.models import COUNTS, PERIOD_DAYS, SMALLINT_MAX, ImportSource
from portal.apitokens import TokenPurpose
from portal.extensions import csrf, db

bp = Blueprint("adoption_api", __name__)
csrf.exempt(bp)  # a bearer-token API: no cookies, so no cross-site forgery

MAX_BODY = importing.MAX_BYTES
FIELDS = ("email", "period_start", "period_end", "days", *COUNTS)


def _error(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify(error=message, **extra), status


@bp.errorhandler(413)
def _too_large(_refused):
    """Over the portal's request limit: refused before the view reads it, still as JSON."""
    return _error(413, _("The body is larger than %(size)d KB.", size=MAX_BODY // 1024))


@bp.post("/usage")
def usage_push():
    """Take a batch of usage rows: all of them, or none with a reason per refused row."""
    secret = apitokens.bearer_secret()
    token = apitokens.token_for(secret, TokenPurpose.ADOPTION) if secret else None
    if token is None:
        other = apitokens.find_token(secret) if secret else None
        if other is not None:
            return _error(403, _("This token is not for the adoption API."))
        response, status = _error(401, _("A valid adoption token is required."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="adoption"'
        return response, status
    if (request.content_length or 0) > MAX_BODY:
        return _error(413, _("The body is larger than %(size)d KB.", size=MAX_BODY // 1024))
    body = request.get_json(silent=True)
    rows = body.get("rows") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not rows:
        return _error(400, _('Send a JSON object with "rows": a list of at least one usage row.'))
    if len(rows) > importing.MAX_ROWS:
        return _error(413, _("At most %(count)d rows at a time.", count=importing.MAX_ROWS))
    shape_errors = [error for index, row in enumerate(rows) for error in _shape_errors(index, row)]
    checked = importing.check_records(
        [(index, row) for index, row in enumerate(rows) if isinstance(row, dict)]
    )
    errors = shape_errors + checked.errors
    if errors:
        db.session.rollback()
        return _error(
            422,
            _(
                "Nothing was saved: %(count)d rows were refused.",
                count=len({e["row"] for e in _json(errors)}),
            ),
            errors=_json(errors),
        )
    batch = importing.save_usage(checked.rows, source=ImportSource.API, token=token)
    db.session.commit()
    return jsonify(
        import_id=batch.id,
        rows=batch.row_count,
        period_first=batch.period_first.isoformat(),
        period_last=batch.period_last.isoformat(),
        replaced=batch.replaced_count,
    ), 201


def _shape_errors(index: int, row: object) -> list[importing.RowError]:
    """A row that is not an object, or names a field the API does not know."""
    if not isinstance(row, dict):
        return [importing.RowError(index, None, _("A row must be a JSON object."))]
    return [
        importing.RowError(index, str(name), _("Unknown field: %(name)s.", name=name))
        for name in row
        if name not in FIELDS
    ]


def _json(errors: list[importing.RowError]) -> list[dict]:
    return [{"row": e.line, "field": e.field, "message": e.message} for e in errors]


@bp.get("/openapi.json")
def openapi():
    """The API's OpenAPI 3 description."""
    return jsonify(openapi_document(url_for("adoption_api.usage_push", _external=True)))


EXAMPLE = {
    "rows": [
        {
            "email": "learner@demo.test",
            "period_start": "2026-11-02",
            "days": 7,
            "sign_ins": 5,
            "leads_created": 3,
            "leads_updated": 8,
            "deals_created": 1,
            "deals_updated": 4,
            "tickets_created": 0,
            "tickets_updated": 2,
            "activities_created": 6,
            "activities_updated": 1,
        }
    ]
}


def openapi_document(usage_url: str) -> dict:
    """The OpenAPI 3.0 document; `usage_url` is the POST endpoint as clients reach it."""
    server = usage_url.rsplit("/usage", 1)[0]
    count = {"type": "integer", "minimum": 0, "maximum": SMALLINT_MAX, "default": 0}
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/RowError"}},
        },
    }

    def answer(description: str) -> dict:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CRM Academy adoption usage API",
            "version": "1",
            "description": (
                "Push what each person did in the organisation's CRM, per day or week. "
                "A batch is saved whole or not at all; sending a period again replaces "
                "it for the people in the batch. Make a token under Admin > Adoption API."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"bearer": []}],
        "paths": {
            "/usage": {
                "post": {
                    "operationId": "pushUsage",
                    "summary": "Import usage rows",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/UsageBatch"},
                                "example": EXAMPLE,
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Saved",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Import"}
                                }
                            },
                        },
                        "400": answer("The body is not a JSON object with a list of rows"),
                        "401": answer("No token, or not a live one"),
                        "403": answer("A token made for another API"),
                        "413": answer("Too large a body or too many rows"),
                        "422": answer("Rows refused, each with its reason; nothing saved"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "UsageBatch": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {
                        "rows": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": importing.MAX_ROWS,
                            "items": {"$ref": "#/components/schemas/UsageRow"},
                        }
                    },
                },
                "UsageRow": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["email", "period_start"],
                    "description": "Give days, or period_end for a week (7 days).",
                    "properties": {
                        "email": {"type": "string", "format": "email"},
                        "period_start": {"type": "string", "format": "date"},
                        "period_end": {"type": "string", "format": "date"},
                        "days": {"type": "integer", "enum": list(PERIOD_DAYS)},
                        **{column: count for column in COUNTS},
                    },
                },
                "Import": {
                    "type": "object",
                    "properties": {
                        "import_id": {"type": "integer"},
                        "rows": {"type": "integer"},
                        "period_first": {"type": "string", "format": "date"},
                        "period_last": {"type": "string", "format": "date"},
                        "replaced": {"type": "integer"},
                    },
                },
                "RowError": {
                    "type": "object",
                    "properties": {
                        "row": {"type": "integer", "description": "index in rows, from 0"},
                        "field": {"type": "string", "nullable": True},
                        "message": {"type": "string"},
                    },
                },
                "Error": error,
            },
        },
    }
