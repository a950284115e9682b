"""Sandboxes nobody practises in give their space back.

An organisation sets how many days a learner's sandbox may go unused
(SANDBOX_EXPIRY_DAYS, default 90; 0 never). A periodic job clears the records of every
sandbox with no change logged for that long, in bulk: one DELETE per table per batch of
sandboxes, as a reset does for one. The sandbox row stays, marked `expired_at`, with its
event log (the learner's practice history) and its seed; exercise attempts live in the
portal and are untouched. The learner's next visit fills it anew (the reset path) and
tells them why (sandbox.views.base.open_sandbox).

"Used" is when a change was last logged (`log_event` keeps `used_at` to within a day, so
it writes the sandbox row at most once a day). A sandbox only looked at is the same as a
fresh one from its seed, so clearing it loses nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import delete, select, update

from portal.database import utcnow
from portal.extensions import db
from portal.jobs import periodic
from sandbox.models import Sandbox
from sandbox.services.core import CLEARED

BATCH = 500  # sandboxes cleared per round of DELETEs


def expire_unused(days: int, now: datetime, batch: int = BATCH) -> int:
    """Clear the records of up to `batch` learners' sandboxes with nothing logged for
    `days` days, keeping their rows and event logs; returns how many (0: none left). The
    caller commits each batch."""
    sandboxes = Sandbox.__table__
    unused = (
        select(sandboxes.c.id)
        .where(
            sandboxes.c.owner_id.is_not(None),
            sandboxes.c.expired_at.is_(None),
            sandboxes.c.used_at < now - timedelta(days=days),
        )
        .order_by(sandboxes.c.id)
        .limit(batch)
    )
    connection = db.session.connection()
    # Marked first, by the statement that re-checks them: a sandbox a learner wrote to
    # meanwhile (its row locked, used_at renewed) is left alone.
    ids = (
        connection.execute(
            update(sandboxes)
            .where(sandboxes.c.id.in_(unused.scalar_subquery()))
            .values(expired_at=now, clock_running_since=None, clock_heartbeat_at=None)
            .returning(sandboxes.c.id)
        )
        .scalars()
        .all()
    )
    for model in reversed(CLEARED) if ids else ():
        table = model.__table__
        connection.execute(delete(table).where(table.c.sandbox_id.in_(ids)))
    return len(ids)


@periodic(crontab(minute="41", hour="2"))
def expire_sandboxes() -> None:
    """Nightly: clear the sandboxes unused for the organisation's SANDBOX_EXPIRY_DAYS, a
    batch per transaction."""
    days, now = current_app.config["SANDBOX_EXPIRY_DAYS"], utcnow()
    while days and expire_unused(days, now):
        db.session.commit()
    db.session.commit()
