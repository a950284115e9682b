"""Each learner's kept practice and idle moment (learner_summaries.practice and
.idle_from), moved on as their sandbox events are logged (portal.rollout.evidence.counting):
the gate reads a learner's practice in the window as a column, not from the event log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, null, select, type_coerce, update

from portal.database import UTCDateTime
from portal.extensions import db
from portal.rollout.evidence.departments import latest
from portal.rollout.evidence.stored import LearnerSummary, SummaryState, practice_counted
from sandbox.models import SandboxEvent


def idle_from() -> ColumnElement:
    """LearnerSummary.idle_from worked out again from the row and the event log: NULL once
    complete, else the latest of the account's creation, the last lesson opened
    (studied_at) and the last practice action."""
    s = LearnerSummary
    last_action = (
        select(func.max(SandboxEvent.at)).where(SandboxEvent.actor_id == s.user_id)
    ).scalar_subquery()
    created = s.created_at
    return case(
        (s.idle_from.is_(None), null()),
        else_=type_coerce(
            latest(
                created, func.coalesce(s.studied_at, created), func.coalesce(last_action, created)
            ),
            UTCDateTime,
        ),
    )


def refresh_idle(
    users: Collection[int] | None = None,
    added: Counter | None = None,
    rows: Collection[int] = (),
) -> None:
    """Work idle_from out again for some learners (None: everyone) after their practice
    changed, and add `added` (learner: actions from the kept hour on) to their kept
    practice, or count everyone's again (one statement, rarely two).

    `rows` are the learners whose rows practising() found. One that the update missed
    was counted again meanwhile (counting._count deletes and inserts it) by a transaction
    that did not see this one's events: once that commits, a second update adds them to
    the new row (PostgreSQL; a new statement sees it). The practice is added to, not set
    from a count: a count would miss the hours of another transaction logging practice
    by the same learner that commits while this one waits on the row."""
    s = LearnerSummary.__table__
    if users is None:
        db.session.execute(
            update(s).values(idle_from=idle_from(), practice=practice_counted(s.c.user_id))
        )
        return
    added = added or Counter()
    todo = sorted(users)
    for _ in range(2):
        if not todo:
            return
        values = {"idle_from": idle_from()}
        more = {user: added[user] for user in todo if added[user]}
        if more:
            values["practice"] = s.c.practice + case(more, value=s.c.user_id, else_=0)
        updated = db.session.scalars(
            update(s).where(s.c.user_id.in_(todo)).values(values).returning(s.c.user_id)
        ).all()
        todo = sorted(set(rows).intersection(todo).difference(updated))


def practising(
    users: Collection[int], hold: str = "shared"
) -> tuple[dict[int, int | None], datetime | None]:
    """The departments of the learners among `users` (learner: department id), and the
    hour their kept practice counts from, the state row held as `hold` says ("shared"
    or "alone", PostgreSQL) till the transaction ends (see counting.hold and
    counting.advance); one statement."""
    s = LearnerSummary
    state = SummaryState
    kept = select(state.practice_since).where(state.id == 1).with_for_update(read=hold == "shared")
    rows = db.session.execute(
        select(s.user_id, s.department_id, kept.scalar_subquery()).where(
            s.user_id.in_(sorted(users))
        )
    ).all()
    return {user: department for user, department, _ in rows}, (rows[0][2] if rows else None)
