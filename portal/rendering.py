"""How a view answers: a page, or the fragment of it htmx asked for; a form's page; a file.

One place decides between a full page and the fragment htmx asked for.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request


def render(
    template: str, fragment: str | None = None, *, status: int = 200, **context: Any
) -> Response:
    """Render `template`, or only `fragment` when the request comes from htmx.

    The page template includes the fragment, so both come from one source.
    Boosted and history-restore requests want the whole page.
    """
    wants_fragment = (
        fragment is not None
        and request.htmx
        and not request.htmx.boosted
        and not request.htmx.history_restore_request
    )
    body = render_template(fragment if wants_fragment else template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def render_form(template: str, form: Any, fragment: str | None = None, **context: Any) -> Response:
    """Render a form's page: 422 once it was sent back (it holds errors), else 200."""
    status = 422 if form.is_submitted() else 200
    return render(template, fragment, status=status, form=form, **context)


def attachment(body: str | bytes, filename: str, mimetype: str = "text/csv") -> Response:
    """`body` as a file the browser saves under `filename`."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
