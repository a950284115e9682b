"""Every ORM statement run for a /sandbox page is limited to the learner's own sandbox.

`open_sandbox` (sandbox.views) puts the request's sandbox on `g.sandbox`. From then on a
`do_orm_execute` hook adds `with_loader_criteria(SandboxRow, sandbox_id == that id)` to
every ORM SELECT, UPDATE and DELETE the request runs: each sandbox table the statement
names, in a join, a subquery or under an alias, gets the condition in its own FROM or ON
clause. A join written on another sandbox's id finds nothing, whatever the code says.

The hook cannot reach Core statements on `Model.__table__`, raw SQL, or code run outside
a sandbox page (exercise checks, the dry run, services called from other pages), so the
code keeps naming its sandbox (`scoped(Model, sandbox)`, or `Model.sandbox_id ==
sandbox.id` in a join). With `SANDBOX_SCOPE_CHECK` on (tests and development), a
statement on a sandbox page that reads a sandbox table without such a condition, as
written, raises `UnscopedQuery`, so a missing scope shows up in the first test that
reaches it rather than being papered over by the hook.
"""

from __future__ import annotations

import re

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.util import find_tables

from sandbox.models import SANDBOX_TABLES, SandboxRow

SANDBOX_TABLE_NAMES = frozenset(model.__tablename__ for model in SANDBOX_TABLES)


class UnscopedQuery(RuntimeError):
    """A sandbox page read a sandbox table without limiting it to one sandbox."""


def request_sandbox_id() -> int | None:
    """The id of the sandbox this request works in (set by `open_sandbox`), if any."""
    sandbox = g.get("sandbox") if has_app_context() else None
    if sandbox is None:
        return None
    # The identity, not `sandbox.id`: after a rollback the row is expired, and reading an
    # attribute would cost a SELECT in the middle of another statement.
    identity = inspect(sandbox).identity
    return identity[0] if identity else None


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


def check_scoped(state: ORMExecuteState) -> None:
    """Raise UnscopedQuery if a sandbox page's SELECT, as written, names no sandbox."""
    if not state.is_select or state.is_relationship_load or state.is_column_load:
        return
    if not has_request_context() or request.blueprint != "sandbox":
        return
    if not current_app.config.get("SANDBOX_SCOPE_CHECK"):
        return
    read = {
        t.name
        for t in find_tables(state.statement, include_joins=True, include_aliases=True)
        if getattr(t, "name", None) in SANDBOX_TABLE_NAMES
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


def limit_to_request_sandbox(state: ORMExecuteState) -> None:
    """Add `sandbox_id == the request's sandbox` to every sandbox entity in the statement.

    Loads SQLAlchemy makes on its own (a relationship, an expired column) follow from a
    row the criteria already limited, and carry the criteria with them.
    """
    if state.is_relationship_load or state.is_column_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    sandbox_id = request_sandbox_id()
    if sandbox_id is None:
        return
    state.statement = state.statement.options(_criteria(sandbox_id))


def _criteria(sandbox_id: int):
    """The option limiting a statement to the sandbox, made once per request (a page
    runs several statements)."""
    held = g.get("sandbox_criteria")
    if held is None or held[0] != sandbox_id:
        option = with_loader_criteria(
            SandboxRow, lambda cls: cls.sandbox_id == sandbox_id, include_aliases=True
        )
        held = g.sandbox_criteria = (sandbox_id, option)
    return held[1]


def _on_execute(state: ORMExecuteState) -> None:
    check_scoped(state)  # the statement as written, before the criteria are added
    limit_to_request_sandbox(state)


def init_app(app: Flask) -> None:
    """Limit sandbox pages' statements to the request's sandbox; check them as written
    when SANDBOX_SCOPE_CHECK is on (default: tests, debug)."""
    app.config.setdefault("SANDBOX_SCOPE_CHECK", app.testing or app.debug)
    if not event.contains(Session, "do_orm_execute", _on_execute):
        event.listen(Session, "do_orm_execute", _on_execute)
