"""Counting learner_summaries again: what a transaction changed (Pending, noted by the
session hooks in portal.rollout.summaries) applied just before it commits, and the full
recount.

The changed learners' rows are counted again from the raw rows in one or two statements
per batch (portal.rollout.evidence.learner_facts); a lesson view only moves the
learner's last-studied time. When the catalogue's digest changed, the learners of the
departments whose assignments changed are counted again, or everyone when more than
assignments changed.

The department sums, practice per department and hour and certificates
(portal.rollout.evidence.departments) follow in the same transaction: the learners'
rows are read before and after they are counted again and the difference is added
(a department move, a deactivation, a certificate); sandbox events add to practice_days,
practice_hours, their learner's department and their learner's kept practice
(learner_summaries.practice, counted from the kept hour: see advance). A recount of
everyone or of whole departments, or a user deleted, builds those tables again.

On PostgreSQL, a transaction that counts from the kept hour holds the state row shared
(stored_digest(hold="shared")) from its first statement here to its end, and the kept hour
moves only in a transaction that holds it alone: none counts from an hour that moved
under it. One that may write the row holds it alone from the start (see hold), so none
waits to go from shared to alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, case, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.database import utcnow
from portal.extensions import db
from portal.rollout.evidence import departments, learner_practice
from portal.rollout.evidence.catalogue import Catalogue, load_catalogue
from portal.rollout.evidence.parts import window_start
from portal.rollout.evidence.practice import (
    PracticeDay,
    PracticeHour,
    counted_days,
    utc_day,
    utc_hour,
)
from portal.rollout.evidence.relation import learner_facts
from portal.rollout.evidence.stored import LearnerSummary, SummaryState, stored_digest

BATCH = 500  # learners counted again per statement
EVERYONE_FROM = 2000  # from this many learners touched, everyone is counted at once
# The kept hour of learner_summaries.practice moves to the window's start once this far
# behind it: a read then adds at most a few hours of practice_hours (stored.practice_moved).
ADVANCE_AFTER = timedelta(hours=2)


@dataclass
class Pending:
    """What the transaction changed that learner_summaries depend on."""

    users: set[int] = field(default_factory=set)
    departments: set[int | None] = field(default_factory=set)  # their assignments changed
    views: dict[int, datetime] = field(default_factory=dict)  # learner: last lesson opened
    catalogue: bool = False  # courses, lessons or departments changed
    assignments: bool = False  # any assignment changed (the catalogue is read again)
    everyone: bool = False
    practice: dict[tuple[date, int], int] = field(default_factory=dict)  # (day, actor): events
    hours: dict[tuple[datetime, int], int] = field(default_factory=dict)  # (hour, actor): events
    practice_everyone: bool = False  # events changed in a way not told: count them all again
    # Per learner, the transaction's certificates: (UTC day issued, course) -> +1 / -1.
    certificates: dict[int, Counter] = field(default_factory=dict)
    departed: bool = False  # users deleted: the department sums are built again

    def certified(self, user: int | None, at: datetime | None, course: int | None, n: int):
        if user is None or course is None:
            return
        counts = self.certificates.setdefault(user, Counter())
        counts[(utc_day(at or utcnow()), course)] += n

    def __bool__(self) -> bool:
        return bool(self.users or self.departments or self.views or self.catalogue) or (
            self.everyone
        )

    def practised(self, actor: int | None, at: datetime | None) -> None:
        """One more sandbox event by `actor` at `at` (None: now)."""
        if actor is None:
            return
        at = at or utcnow()
        key = (utc_day(at), actor)
        self.practice[key] = self.practice.get(key, 0) + 1
        hour = (utc_hour(at), actor)
        self.hours[hour] = self.hours.get(hour, 0) + 1


def hold(found: Pending) -> str:
    """How the transaction holds the state row from its first statement here to its end
    (PostgreSQL): "alone" when it may write the row (a recount moves the kept hour),
    else "shared". Decided once, before any statement takes it: a transaction that went
    from shared to alone could wait for another doing the same, each for the other."""
    rewrites = found.catalogue or found.assignments or found.everyone
    return "alone" if rewrites or len(found.users) >= EVERYONE_FROM else "shared"


def keep_practice(session: Session, found: Pending, held: str = "shared") -> None:
    """Add the transaction's events to practice_days and practice_hours (one upsert
    each), to their learners' departments and to their learners' kept practice (from the
    kept hour on), moving the kept hour when it is far behind (see advance); or count
    them all again. The state row is held as `held` says (see hold)."""
    ours = session is db.session()
    if (found.practice_everyone or found.practice) and not ours:
        # Another session: the department sums are built again by the next recount, and
        # evidence is read from the raw rows till then.
        session.execute(delete(SummaryState.__table__))
    if found.practice_everyone:
        if ours:
            stored_digest(hold=held)
        recount_practice(session)
        if ours:
            departments.rebuild(practice=True, sums=False, certificates=False)
            learner_practice.refresh_idle()  # and every learner's kept practice
    elif found.practice:
        if ours:  # first: holds the kept hour (see the module)
            actors = {actor for _day, actor in found.practice}
            places, kept = learner_practice.practising(actors, held)
        _add_up(session, PracticeDay, "day", found.practice)
        hours = _add_up(session, PracticeHour, "hour", found.hours)
        if ours:
            departments.add_practice(hours, places)
            added: Counter = Counter()
            for row in hours:
                if kept is not None and row["hour"] >= kept:
                    added[row["user_id"]] += row["actions"]
            learner_practice.refresh_idle({row["user_id"] for row in hours}, added, places)
            if kept is not None:
                advance(kept)
    found.practice.clear()
    found.hours.clear()
    found.practice_everyone = False


def _add_up(session: Session, model, unit: str, counts: dict) -> list[dict]:
    """Add (day or hour, actor): events to practice_days or practice_hours (one upsert);
    returns the rows added."""
    table = model.__table__
    upsert = (sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert)(table)
    rows = [{unit: at, "user_id": user, "actions": n} for (at, user), n in sorted(counts.items())]
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[unit, "user_id"],
            set_={"actions": table.c.actions + upsert.excluded.actions},
        ),
        rows,
    )
    return rows


def advance(kept: datetime, now: datetime | None = None) -> None:
    """Move the kept hour of learner_summaries.practice to the window's start once it is
    ADVANCE_AFTER behind, taking the practice of the hours in between off the learners'
    counts (two statements, once in a while). Only while no other transaction holds the
    state row (PostgreSQL: SKIP LOCKED; SQLite writes one transaction at a time):
    else a later one moves it."""
    since = window_start(now or utcnow())
    if since - kept < ADVANCE_AFTER:
        return
    state = SummaryState.__table__
    alone = (
        select(state.c.id)
        .where(state.c.id == 1, state.c.practice_since == kept)
        .with_for_update(skip_locked=True)
    )
    moved = db.session.execute(
        update(state).where(state.c.id.in_(alone)).values(practice_since=since)
    )
    if not moved.rowcount:
        return
    summary, h = LearnerSummary.__table__, PracticeHour
    between = (h.hour >= kept, h.hour < since)
    taken = select(func.sum(h.actions)).where(h.user_id == summary.c.user_id, *between)
    db.session.execute(
        update(summary)
        .where(summary.c.user_id.in_(select(h.user_id).where(*between)))
        .values(practice=summary.c.practice - taken.scalar_subquery())
    )


def recount_practice(session: Session | None = None) -> None:
    """Rebuild practice_days and practice_hours from the event log (four statements)."""
    session = session or db.session
    for model, hours in ((PracticeDay, False), (PracticeHour, True)):
        table = model.__table__
        session.execute(delete(table))
        counted = counted_days(hours)
        session.execute(insert(table).from_select(list(counted.selected_columns.keys()), counted))


_catalogues: dict[str, Catalogue] = {}


def _catalogue(digest: str | None, fresh: bool) -> Catalogue:
    """The catalogue now: loaded when it may have changed, else the one kept by digest."""
    if not fresh and digest in _catalogues:
        return _catalogues[digest]
    catalogue = load_catalogue()
    if len(_catalogues) > 16:
        _catalogues.clear()
    _catalogues[catalogue.digest] = catalogue
    return catalogue


def apply(found: Pending, held: str | None = None) -> None:
    """Count again the rows `found` says changed (see the module's docstring); the
    department sums follow (portal.rollout.evidence.departments). The state row is held
    as `held` says, the same as keep_practice held it (None: hold(found))."""
    digest = stored_digest(hold=held or hold(found))
    catalogue = _catalogue(digest, found.catalogue or found.assignments)
    whole = found.departed  # the department sums are built again at the end
    if digest != catalogue.digest:
        if digest is None or found.catalogue or found.everyone:
            recount(catalogue)
            return
        _count(catalogue, departments=found.departments)
        _remember(catalogue)
        whole = True
    elif found.everyone:
        recount(catalogue)
        return
    users = found.users
    if len(users) >= EVERYONE_FROM:
        recount(catalogue)
        return
    for chunk in _chunks(sorted(users)):
        before = None if whole else departments.Before(chunk)
        _count(catalogue, users=chunk)
        if before is not None:
            departments.follow(before, found.certificates)
    views = {user: at for user, at in found.views.items() if user not in users}
    if views:
        summary = LearnerSummary.__table__
        at = bindparam("at")
        db.session.execute(
            update(summary)
            .where(summary.c.user_id == bindparam("viewer"))
            .values(
                studied_at=case(
                    (summary.c.studied_at.is_(None), at),
                    (summary.c.studied_at < at, at),
                    else_=summary.c.studied_at,
                ),
                # Still NULL once complete (see LearnerSummary.idle_from).
                idle_from=case((summary.c.idle_from < at, at), else_=summary.c.idle_from),
            ),
            [{"viewer": user, "at": at} for user, at in views.items()],
        )
    if whole:
        departments.rebuild()
    else:
        departments.add_certificates(found.certificates)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _count(
    catalogue: Catalogue,
    *,
    departments: Collection[int | None] | None = None,
    users: Collection[int] | None = None,
) -> None:
    """Count again the rows of some departments' learners or some learners (two statements)."""
    summary = LearnerSummary.__table__
    if departments is not None:
        db.session.execute(delete(summary).where(summary.c.department_id.in_(list(departments))))
    elif users is not None:
        db.session.execute(delete(summary).where(summary.c.user_id.in_(list(users))))
    else:
        db.session.execute(delete(summary))
    facts = learner_facts(catalogue, departments, users)
    db.session.execute(insert(summary).from_select(list(facts.selected_columns.keys()), facts))


def _remember(catalogue: Catalogue, practice_since: datetime | None = None) -> None:
    """Keep the catalogue's digest (and a new kept hour: every row is counted from it)."""
    state = SummaryState.__table__
    values = {"catalogue": catalogue.digest}
    if practice_since is not None:
        values["practice_since"] = practice_since
    if db.session.execute(update(state).where(state.c.id == 1).values(values)).rowcount:
        return
    db.session.execute(insert(state).values(id=1, **values))


def recount(catalogue: Catalogue | None = None) -> None:
    """Rebuild every learner's row from the raw rows, their practice from the window's
    start, and the department sums from them (eight statements)."""
    catalogue = catalogue or load_catalogue()
    _remember(catalogue, window_start(utcnow()))  # first: the rows count from it
    _count(catalogue)
    departments.rebuild()
