"""Each sandbox list remembers the last filter a person used on it, as CRMs do.

Opening a list with no query string brings back the remembered filter, by a redirect to
the URL that carries it (so the address, the pagination and the live search all see the
same filters); any query string replaces what is remembered, and `?clear=1` forgets it.
The filter is kept per user and list in a small table rather than the session, so it
survives signing out and follows the person to another device. Only filters that have been
through the list's own validation are stored, written back as a bounded query string, and
they are validated again when they come back (a colleague may be gone after a reset).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict

from portal.database import UTCDateTime, best_effort, utcnow
from portal.extensions import db
from sandbox.queries import ListFilters

LISTS = ("customers", "leads", "tickets")
QUERY_LIMIT = 500  # a search text of 100 characters and every filter fit well inside

Filters = TypeVar("Filters", bound=ListFilters)


class SavedFilter(db.Model):
    """The last filter one person used on one sandbox list, as a query string."""

    __tablename__ = "sb_saved_filters"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    list_name: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(String(QUERY_LIMIT))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "list_name"),)


def saved_query(user_id: int, list_name: str) -> str:
    """The query string remembered for this person and list ("" for none)."""
    return (
        db.session.scalar(
            select(SavedFilter.query).where(
                SavedFilter.user_id == user_id, SavedFilter.list_name == list_name
            )
        )
        or ""
    )


def save_query(user_id: int, list_name: str, query: str) -> None:
    """Remember `query` for this person and list; an empty one forgets. Two tabs saving at
    once both succeed (an upsert), the later one wins."""
    if list_name not in LISTS or len(query) > QUERY_LIMIT:
        raise ValueError(f"not a list filter to remember: {list_name!r}, {len(query)} characters")
    if not query:
        db.session.execute(
            delete(SavedFilter).where(
                SavedFilter.user_id == user_id, SavedFilter.list_name == list_name
            )
        )
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    values = {"user_id": user_id, "list_name": list_name, "query": query, "saved_at": utcnow()}
    statement = dialect.insert(SavedFilter).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "list_name"],
            set_={"query": statement.excluded.query, "saved_at": statement.excluded.saved_at},
        )
    )


def list_filters(list_name: str, parse: Callable[[MultiDict], Filters]) -> Filters:
    """The filters a list shows: those of the query string, remembered for next time;
    with no query string, a redirect to the remembered ones (when there are any)."""
    if "clear" in request.args:
        best_effort(lambda: save_query(current_user.id, list_name, ""), "a cleared filter")
        abort(redirect(url_for(request.endpoint)))
    if not request.args:
        remembered = parse(MultiDict(parse_qsl(saved_query(current_user.id, list_name))))
        if remembered.active:
            abort(redirect(url_for(request.endpoint, **remembered.to_args())))
        return remembered
    filters = parse(request.args)
    query = urlencode(filters.to_args())
    if len(query) <= QUERY_LIMIT:
        best_effort(lambda: save_query(current_user.id, list_name, query), "a list filter")
    return filters
