"""Background jobs on Huey: email, reminders and digests run outside the request.

Why Huey: it is a maintained, small job engine whose queue can live in a SQLite file
(the two-command start needs no extra server) or in Redis (several web machines and
workers share it), with retries, backoff and periodic tasks built in. Celery and RQ need
a broker even for one machine.

Where the queue lives is configuration (``PORTAL_JOB_QUEUE``):
- unset: a SQLite file in instance/, shared by the web workers and `bin/run`'s job worker;
- ``redis://host:port/db``: Redis, for several machines (README, "Several machines");
- ``immediate``: no queue, each job runs in the process right after the commit that
  queued it. The test suite runs so; the tests of the queue itself start a real worker.

Jobs are queued after the transaction that asks for them commits (`after_commit`), so a
worker never looks for a row that is not there yet, a request that fails queues nothing,
and a mail server that is down never fails the request. Every job runs in its own app
context with its own database session (`job`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db

# In memory until init_app points it at the configured queue.
huey = Huey("crm-academy", results=False, utc=True, immediate=True)
_app: Flask | None = None
_queue: str | None = None
PENDING = "portal.jobs.pending"


def init_app(app: Flask) -> None:
    """Point the queue at the app's configured storage and let jobs find the app."""
    _use(app)


def _use(app: Flask) -> None:
    """Jobs queued from `app` go to its queue and run in its context. One app per process
    in production; the tests build several, so each enqueue re-checks (`_enqueue`)."""
    global _app, _queue
    _app = app
    url = app.config["JOB_QUEUE"]
    if url == _queue:
        return
    _queue = url
    if url == "immediate":
        huey.immediate = True
        return
    huey._immediate = False  # noqa: SLF001 - the setter would build the default storage
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage = RedisStorage(huey.name, url=url)
    else:
        huey.storage = SqliteStorage(huey.name, filename=url.removeprefix("sqlite:///"))


def _in_app(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def in_app(*args, **kwargs):
        # Right after a commit (immediate mode) the enqueuing app is current; in the
        # worker, the app init_app was given.
        app = current_app._get_current_object() if has_app_context() else _app
        if app is None:
            raise RuntimeError("portal.jobs.init_app was not called in this process")
        with app.app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()

    return in_app


def job(**settings: Any) -> Callable:
    """A Huey task that runs in a fresh app context of the portal (its own session)."""
    return lambda fn: huey.task(**settings)(_in_app(fn))


def periodic(when: Callable, **settings: Any) -> Callable:
    """A Huey periodic task (`when` a huey.crontab) in a fresh app context of the portal."""
    return lambda fn: huey.periodic_task(when, **settings)(_in_app(fn))


def after_commit(task: Callable, *args: Any) -> None:
    """Queue `task(*args)` once the current transaction commits (nothing on rollback)."""
    db.session.info.setdefault(PENDING, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _enqueue(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if pending and has_app_context():
        _use(current_app._get_current_object())
    for task, args in pending:
        task(*args)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING, None)
