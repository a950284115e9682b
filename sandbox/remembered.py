"""Each sandbox list remembers the last filter a person used on it, as CRMs do.

Opening a list with no query string brings back the remembered filter, by a redirect to
the URL that carries it (so the address, the pagination and the live search all see the
same filters); any query string replaces what is remembered, and `?clear=1` forgets it.
The filter is kept per user and list in a small table rather than the session, so it
survives signing out and follows the person to another device. Only filters that have been
through the list's own validation are stored (as a small JSON object of the query-string
values, bounded), and they are validated again when they come back (a colleague may be
gone after a reset, a status renamed by the profile).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import ForeignKey, String, UniqueConstraint, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict

from portal.database import UTCDateTime, best_effort, utcnow
from portal.extensions import db
from sandbox.filters import ListFilters

LISTS = ("customers", "leads", "tickets")
QUERY_LIMIT = 500  # characters: a search text of 100 and every other filter fit inside

Filters = TypeVar("Filters", bound=ListFilters)


class SavedFilter(db.Model):
    """The last filter one person used on one sandbox list: its query-string values as
    a JSON object."""

    __tablename__ = "sb_saved_filters"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    list_name: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(String(QUERY_LIMIT))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "list_name"),)


def saved_args(user_id: int, list_name: str) -> MultiDict:
    """The query-string values remembered for this person and list (none when nothing is,
    or what is stored is not an object of texts)."""
    stored = db.session.connection().scalar(
        _saved_query(), {"user_id": user_id, "list_name": list_name}
    )
    try:
        values = json.loads(stored or "{}")
    except ValueError:
        return MultiDict()
    if not isinstance(values, dict):
        return MultiDict()
    return MultiDict({k: v for k, v in values.items() if isinstance(v, str)})


@cache
def _saved_query():
    """The remembered query string's statement (every visit to a list reads it)."""
    return select(SavedFilter.query).where(
        SavedFilter.user_id == bindparam("user_id"), SavedFilter.list_name == bindparam("list_name")
    )


def save_args(user_id: int, list_name: str, args: dict[str, str]) -> None:
    """Remember these query-string values for this person and list; none forgets, and so
    does a filter too long to keep. Two tabs saving at once both succeed (an upsert), the
    later one wins."""
    if list_name not in LISTS:
        raise ValueError(f"not a list that remembers its filter: {list_name!r}")
    query = json.dumps(args, ensure_ascii=False, separators=(",", ":")) if args else ""
    if not query or len(query) > QUERY_LIMIT:
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
        best_effort(lambda: save_args(current_user.id, list_name, {}), "a cleared filter")
        abort(redirect(url_for(request.endpoint)))
    if not request.args:
        remembered = parse(saved_args(current_user.id, list_name))
        if remembered.active:
            abort(redirect(url_for(request.endpoint, **remembered.to_args())))
        return remembered
    filters = parse(request.args)
    best_effort(lambda: save_args(current_user.id, list_name, filters.to_args()), "a filter")
    return filters
