"""Practice in the window kept per learner: learner_summaries.practice counts from a kept
hour, and a read adds the hours between it and the window's start. Whatever hour the
window starts on (the kept one, later or earlier), the kept evidence says what the raw
rows say; the kept hour moves as practice is logged, and the rows stay exact through
events written in bulk, moved and deleted."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from portal.accounts.models import Department, User
from portal.extensions import db
from portal.rollout import evidence as evidence_sql
from portal.rollout import summaries
from portal.rollout.evidence import LearnerSummary, SummaryState, counting
from portal.rollout.evidence.parts import window_start
from portal.rollout.evidence.practice import PracticeHour
from portal.rollout.evidence.stored import practice_counted
from sandbox.models import SandboxEvent
from tests.rollout.conftest import Evidence


def _actions(now: datetime, department_ids=None, *, stored: bool = True) -> dict[int, int]:
    """Each learner's practice actions in the window at `now`, from the kept rows or the
    raw rows."""
    catalogue = evidence_sql.load_catalogue()
    assert catalogue.stored
    if not stored:
        catalogue = replace(catalogue, stored=False)
    relation = evidence_sql.learner_evidence(catalogue, department_ids)
    found = evidence_sql.read_summary(
        evidence_sql.summary(relation, select(relation)), now.date(), now
    )
    return {row.user_id: row.actions for row in found.learners}


def _kept_exact() -> bool:
    """Every learner's kept practice is what counting it again from the kept hour gives."""
    s = LearnerSummary
    rows = db.session.execute(select(s.practice, practice_counted(s.user_id))).all()
    return bool(rows) and all(kept == counted for kept, counted in rows)


def _kept_since() -> datetime:
    db.session.expire_all()
    return db.session.get(SummaryState, 1).practice_since


@pytest.fixture
def practised(make, evidence):
    """Learners in two departments practising every 40 minutes over the last 16 days (the
    window's edge falls among their events), one of them not at all."""
    departments = [make.department(name) for name in ("Sales", "Billing")]
    learners = [make.user(roles=("learner",), department=departments[n % 2].name) for n in range(5)]
    evidence.assign(department=departments[0])  # the rows are counted (against this catalogue)
    now = datetime.now(UTC)
    for n, learner in enumerate(learners[:4]):
        times = [now - timedelta(minutes=40 * k + 7 * n) for k in range(0, 16 * 36, n + 1)]
        evidence.practice(learner, times=times)
    assert _kept_since() >= window_start(now) - timedelta(hours=1)  # counted just now
    return departments, learners


def test_the_window_reads_the_same_from_the_kept_hour_as_from_the_raw_rows(practised):
    departments, learners = practised
    now = datetime.now(UTC)
    counts = _actions(now)
    assert len(counts) == 5 and counts[learners[4].id] == 0 and min(counts.values()) == 0
    for hours in (0, 1, 2, 5, 30, -1, -6, -40):  # the window starts on, after, before it
        at = now + timedelta(hours=hours)
        assert _actions(at) == _actions(at, stored=False), hours
        scoped = _actions(at, [departments[0].id])
        assert scoped == _actions(at, [departments[0].id], stored=False), hours
        assert scoped == {user: n for user, n in _actions(at).items() if user in scoped}
    assert _actions(now + timedelta(hours=5)) != counts  # the window did move


def test_the_kept_hour_moves_as_practice_is_logged_and_counts_stay_exact(
    practised, evidence, monkeypatch, count_queries
):
    _departments, learners = practised
    now = datetime.now(UTC)
    kept = _kept_since()
    with count_queries() as within:
        evidence.practice(learners[0], times=[now])
    assert _kept_since() == kept and _kept_exact()  # within the hours allowed: not moved
    later = now + counting.ADVANCE_AFTER + timedelta(hours=3)
    monkeypatch.setattr(counting, "utcnow", lambda: later)
    with count_queries() as moving:
        evidence.practice(learners[1], times=[now])
    assert _kept_since() == window_start(later) > kept
    assert moving.count == within.count + 2  # the state row moved, the counts taken off
    assert _kept_exact()
    for at in (later, now):
        assert _actions(at) == _actions(at, stored=False)
    evidence.practice(learners[4], times=[now])  # a first practice, from the moved hour on
    assert _kept_exact() and _actions(later)[learners[4].id] == 1


def test_kept_practice_follows_events_moved_deleted_and_a_recount(practised, monkeypatch):
    _departments, learners = practised
    now = datetime.now(UTC)
    db.session.execute(
        update(SandboxEvent)
        .where(SandboxEvent.actor_id == learners[1].id)
        .values(at=now - timedelta(days=20))
    )
    db.session.commit()
    assert _kept_exact() and _actions(now)[learners[1].id] == 0
    db.session.execute(delete(SandboxEvent).where(SandboxEvent.actor_id == learners[2].id))
    db.session.commit()
    assert _kept_exact() and _actions(now) == _actions(now, stored=False)
    later = now + timedelta(days=3)
    monkeypatch.setattr(counting, "utcnow", lambda: later)
    counting.recount()
    db.session.commit()
    assert _kept_since() == window_start(later) and _kept_exact()
    assert _actions(later) == _actions(later, stored=False)


def test_the_kept_hour_stays_while_another_transaction_counts_from_it(
    practised, evidence, monkeypatch
):
    """PostgreSQL: while another transaction holds the state row shared (it counts from
    the kept hour), practice logged does not move the hour; the next practice does."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    _departments, learners = practised
    now = datetime.now(UTC)
    kept = _kept_since()
    later = now + counting.ADVANCE_AFTER + timedelta(hours=3)
    monkeypatch.setattr(counting, "utcnow", lambda: later)
    with db.engine.connect() as other:
        state = SummaryState
        other.execute(select(state.catalogue).where(state.id == 1).with_for_update(read=True))
        evidence.practice(learners[1], times=[now])
        assert _kept_since() == kept and _kept_exact()
        other.rollback()
    evidence.practice(learners[2], times=[now])
    assert _kept_since() == window_start(later) and _kept_exact()
    assert _actions(later) == _actions(later, stored=False)


def test_practice_logged_while_a_recount_of_its_learner_waits_is_kept(practised, evidence):
    """PostgreSQL: a recount of a learner (its row deleted and inserted again, counted
    without this transaction's events) commits while the practice logged waits on the
    row: the events are added to the new row."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    _departments, learners = practised
    learner = learners[0]
    s = LearnerSummary.__table__
    other = db.engine.connect()
    # What counting._count(users=[learner]) does, left uncommitted for a while.
    row = other.execute(select(s).where(s.c.user_id == learner.id)).mappings().one()
    counted = other.scalar(select(practice_counted(s.c.user_id)).where(s.c.user_id == learner.id))
    other.execute(delete(s).where(s.c.user_id == learner.id))
    other.execute(insert(s).values({**row, "practice": counted}))
    timer = threading.Timer(0.5, other.commit)
    timer.start()
    try:
        evidence.practice(learner, times=[datetime.now(UTC)])  # waits for the recount
    finally:
        timer.join()
        other.close()
    db.session.expire_all()
    assert _kept_exact()


def test_practice_logged_at_once_in_other_hours_adds_up(practised, evidence):
    """PostgreSQL: practice by one learner logged in another hour by a transaction that
    commits while this one waits on the learner's row is not lost (the kept practice is
    added to, not set from what this transaction's snapshot counts)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    _departments, learners = practised
    learner = learners[4]  # no practice yet: the hours below are new rows
    now = datetime.now(UTC)
    s = LearnerSummary.__table__
    other = db.engine.connect()
    # What another transaction logging 3 actions an hour ago does, left uncommitted.
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    other.execute(insert(PracticeHour).values(hour=hour, user_id=learner.id, actions=3))
    other.execute(update(s).where(s.c.user_id == learner.id).values(practice=s.c.practice + 3))
    timer = threading.Timer(0.5, other.commit)
    timer.start()
    try:
        evidence.practice(learner, times=[now])  # waits for the other
    finally:
        timer.join()
        other.close()
    db.session.expire_all()
    assert _kept_exact()
    assert db.session.scalar(select(s.c.practice).where(s.c.user_id == learner.id)) == 4


def test_practice_and_catalogue_changed_at_once_do_not_deadlock(practised, app, monkeypatch):
    """PostgreSQL: two transactions that each log practice and change the catalogue
    (both count learners again: the state row is held alone) finish, one after the
    other: neither holds the row shared, then waits to hold it alone."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    _departments, learners = practised
    ids = [learners[0].id, learners[1].id]
    db.session.commit()
    # Each waits (a while at most) for the other to have logged its practice, so that
    # both would hold the state row shared if practice took it so.
    both = threading.Barrier(2, timeout=1.0)

    def meeting(*args):
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait()
        return counting.apply(*args)

    monkeypatch.setattr(summaries, "apply", meeting)
    failed: list[BaseException] = []

    def work(user_id: int, name: str) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                evidence = Evidence(None)
                db.session.add(Department(name=name))  # the catalogue changed
                evidence.practice(user, times=[datetime.now(UTC)])
            except BaseException as error:  # noqa: BLE001 (reported below)
                failed.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(n, f"Team {n}")) for n in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failed
    db.session.expire_all()
    assert _kept_exact()
    assert _actions(datetime.now(UTC)) == _actions(datetime.now(UTC), stored=False)
