"""A guard that makes an unscoped sandbox query fail loudly instead of leaking rows.

Every SELECT the sandbox pages run must name the sandbox it reads: `scoped(Model,
sandbox)` does it, and so does a hand-written `Model.sandbox_id == sandbox.id`. With
`SANDBOX_SCOPE_CHECK` on (tests and development), a statement run while serving a
/sandbox page that reads a sandbox table without such a condition raises
`UnscopedQuery`, so the mistake shows up in the first test that reaches it.

Loads SQLAlchemy makes on its own (a relationship or a deferred column of a row already
read from the learner's sandbox) are allowed: they follow from a scoped row.
"""

from __future__ import annotations

import re

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables


class UnscopedQuery(RuntimeError):
    """A sandbox page read a sandbox table without limiting it to one sandbox."""


def _sandbox_tables() -> frozenset[str]:
    from sandbox.models import SANDBOX_TABLES

    return frozenset(model.__tablename__ for model in SANDBOX_TABLES)


def unscoped_tables(sql: str, tables: set[str]) -> set[str]:
    """The sandbox tables `sql` reads without a `<table or alias>.sandbox_id` condition."""
    missing = set()
    for table in tables:
        names = {table, *re.findall(rf"\b{table} AS (\w+)", sql)}
        names |= set(re.findall(rf"\b({table}_\d+)\.", sql))
        if not any(
            re.search(rf"\b{re.escape(name)}\.sandbox_id\s*(=|IN\b)", sql) for name in names
        ):
            missing.add(table)
    return missing


def _check(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_relationship_load or state.is_column_load:
        return
    if not has_request_context() or request.blueprint != "sandbox":
        return
    if not current_app.config.get("SANDBOX_SCOPE_CHECK"):
        return
    sandbox_tables = _sandbox_tables()
    read = {
        t.name
        for t in find_tables(state.statement, include_joins=True, include_aliases=True)
        if getattr(t, "name", None) in sandbox_tables
    }
    if not read:
        return
    sql = str(state.statement.compile(compile_kwargs={"render_postcompile": True}))
    missing = unscoped_tables(sql, read)
    if missing:
        raise UnscopedQuery(
            f"{request.endpoint} reads {', '.join(sorted(missing))} without limiting it to "
            f"one sandbox: use sandbox.models.scoped(). SQL: {sql}"
        )


def init_app(app: Flask) -> None:
    """Check sandbox pages' queries when SANDBOX_SCOPE_CHECK is on (default: tests, debug)."""
    app.config.setdefault("SANDBOX_SCOPE_CHECK", app.testing or app.debug)
    if not event.contains(Session, "do_orm_execute", _check):
        event.listen(Session, "do_orm_execute", _check)
