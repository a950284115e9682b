"""Request bodies over MAX_CONTENT_LENGTH: the client gets the 413 page, not a reset.

Flask refuses a body over the limit without reading it. If the server then closes the
connection while the browser is still sending, the kernel answers with a reset and the
browser shows "connection reset" instead of the error page. So before a 413 goes out,
the rest of the body is read and thrown away, up to a bound (DRAIN_FACTOR times the
limit); a body larger than that is cut off with "Connection: close".
"""

from __future__ import annotations

from flask import Flask, Response, request

DRAIN_FACTOR = 10
_CHUNK = 256 * 1024


def drain_refused_body(response: Response) -> Response:
    """After a 413, read and discard what is left of the request body (bounded)."""
    if response.status_code != 413:
        return response
    limit = (request.max_content_length or 0) * DRAIN_FACTOR
    declared = request.content_length
    if declared is not None and declared > limit:
        response.headers["Connection"] = "close"
        return response
    stream = request.environ.get("wsgi.input")
    left = declared if declared is not None else limit
    try:
        while left > 0:
            chunk = stream.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
    except (OSError, ValueError):  # the client went away, or the server closed the stream
        pass
    return response


def init_app(app: Flask) -> None:
    app.after_request(drain_refused_body)
