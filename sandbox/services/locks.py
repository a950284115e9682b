"""One sandbox, one writer at a time: the lock every sandbox write path takes first."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Sandbox


def lock_sandbox(sandbox: Sandbox) -> Sandbox:
    """Serialise writes to this sandbox: every write path calls this before it reads what
    it will change (the request hook for sandbox POSTs, exercises, reset, the clock).

    Two tabs pressing the same button otherwise both read the old clock, counter or seed
    and one overwrites the other. Until the transaction ends, another writer to the same
    sandbox waits here; then it re-reads the row (returned, the same object refreshed), so
    it computes from what the first one committed.

    PostgreSQL: `SELECT ... FOR UPDATE` on the sandbox row. SQLite locks the whole file:
    the pysqlite driver only opens a transaction at the first INSERT/UPDATE/DELETE, so the
    reads before it are not protected; `BEGIN IMMEDIATE` takes the write lock now instead.
    See SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL" for pysqlite
    (https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#pysqlite-serializable), whose
    recipe issues the BEGIN itself; here it is issued only for the write being locked. When
    the driver already has a transaction open, it began with a write, so the lock is held.
    """
    connection = db.session.connection()
    statement = (
        select(Sandbox).where(Sandbox.id == sandbox.id).execution_options(populate_existing=True)
    )
    if connection.dialect.name == "sqlite":
        if not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        statement = statement.with_for_update()
    return db.session.scalars(statement).one()
