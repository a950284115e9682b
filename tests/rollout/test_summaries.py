"""learner_summaries stay exact: after a random series of real requests (lessons done,
quizzes, exercises, assignments, department moves, deactivations), the rows kept up to
date as each request committed equal a recount from the raw rows, and the dashboard reads
them."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update

from portal.authoring.models import Assignment
from portal.extensions import db
from portal.learning.models import Certificate, Course, Lesson, QuizQuestion
from portal.rollout import evidence, summaries
from portal.rollout.evidence import LearnerSummary, SummaryState, departments, organisation
from portal.rollout.evidence.practice import PracticeDay, PracticeHour, counted_days
from sandbox.models import Sandbox, SandboxEvent
from tests.factories import quiz_answers, user_form
from tests.rollout.conftest import add_course

COURSE = "/courses/sample-course"


def _kept() -> list[tuple]:
    columns = LearnerSummary.__table__.columns
    return sorted(db.session.execute(select(*columns)).all())


def _leads_logged(sandbox_id: int, actors: list, at: datetime, count: int) -> list[dict]:
    """Event rows of `count` leads logged an hour apart up to `at`, by `actors` in turn."""
    return [
        {
            "sandbox_id": sandbox_id,
            "actor_id": actors[n % len(actors)].id,
            "verb": "lead.created",
            "entity": "lead",
            "sandbox_at": at,
            "at": at - timedelta(hours=n),
            "data": {},
        }
        for n in range(count)
    ]


def _practice_kept() -> list[tuple]:
    """practice_days' rows, then practice_hours'."""
    return [
        *sorted(db.session.execute(select(*PracticeDay.__table__.columns)).all()),
        *sorted(db.session.execute(select(*PracticeHour.__table__.columns)).all()),
    ]


def _practice_recounted() -> list[tuple]:
    return [
        *sorted(db.session.execute(counted_days()).all()),
        *sorted(db.session.execute(counted_days(hours=True)).all()),
    ]


def _recounted() -> list[tuple]:
    """The rows a recount writes, computed without writing them."""
    catalogue = evidence.load_catalogue()
    facts = evidence.learner_facts(catalogue)
    names = [column.name for column in LearnerSummary.__table__.columns]
    return sorted(tuple(row._mapping[name] for name in names) for row in db.session.execute(facts))


def _sums_kept() -> dict:
    """The department sums, practice and certificates kept (rows of only zeros left out:
    a department everyone left keeps its row)."""
    kept = {}
    for model in departments.counted():
        rows = db.session.execute(select(*model.__table__.columns)).all()
        keys = len(model.__table__.primary_key.columns)
        kept[model.__tablename__] = sorted(row for row in rows if any(row[keys:]))
    return kept


def _sums_recounted() -> dict:
    return {
        model.__tablename__: sorted(db.session.execute(query).all())
        for model, query in departments.counted().items()
    }


def _dashboard_reads_what_the_relation_says() -> None:
    """The dashboard's figures from the kept sums equal those of the evidence relation
    computed from the raw rows."""
    now = datetime.now(UTC)
    today = now.date()
    sums, at_risk, medians = organisation.kept_readiness(today, now, 25)
    catalogue = replace(evidence.load_catalogue(), stored=False)
    relation = evidence.learner_evidence(catalogue)
    chosen = (
        select(relation)
        .where(evidence.risk(relation) > 0)
        .order_by(*evidence.risk_order(relation))
        .limit(25)
    )
    raw = evidence.read_summary(evidence.summary(relation, chosen, medians=True), today, now)
    assert sums == raw.departments
    assert sorted(e.user_id for e in at_risk) == sorted(e.user_id for e in raw.learners)
    assert {e.user_id: e for e in at_risk} == {e.user_id: e for e in raw.learners}
    assert medians.keys() == raw.medians.keys()
    for key, (certified, days) in medians.items():
        assert certified == raw.medians[key][0] and days == pytest.approx(raw.medians[key][1])


def _answers(right: bool) -> dict:
    """The sample course's quiz answered rightly, or each question wrongly."""
    picks = {}
    questions = (
        select(QuizQuestion)
        .join(Lesson, Lesson.id == QuizQuestion.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug == "sample-course")
    )
    for question in db.session.scalars(questions):
        chosen = [c.id for c in question.choices if c.correct is right]
        picks[question.id] = chosen if right else chosen[:1]
    return quiz_answers(picks)


@pytest.fixture
def world(app, make):
    course = add_course(exercise=False)  # learners can complete it
    add_course("practice-course")  # with a hands-on exercise
    admin = make.user(roles=("admin",), department="IT")
    trainer = make.user(roles=("trainer",), department="IT")
    departments = [make.department(name) for name in ("Sales", "Billing", "Support")]
    learners = [
        make.user(roles=("learner",), department=departments[n % 3].name, name=f"Learner {n}")
        for n in range(9)
    ]
    clients = {}
    for user in (admin, trainer, *learners):
        clients[user.id] = app.test_client()
        assert clients[user.id].login(user).status_code == 302
    return course, admin, trainer, departments, learners, clients


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_rows_equal_a_recount_after_random_requests(world, seed):
    course, admin, trainer, departments, learners, clients = world
    rng = random.Random(seed)
    assert _kept() == _recounted() and db.session.get(SummaryState, 1) is not None
    as_admin, as_trainer = clients[admin.id], clients[trainer.id]
    statuses = [
        as_trainer.post(  # required of everyone, so that certificates count
            f"/author/courses/{course.slug}/assignments",
            data={"departments": [str(d.id) for d in departments], "required": "y"},
        ).status_code
    ]
    for _step in range(50):
        learner = rng.choice(learners)
        as_learner = clients[learner.id]
        action = rng.randrange(9)
        if action == 0:
            statuses.append(as_learner.get(f"{COURSE}/intro/").status_code)
        elif action == 1:
            statuses.append(as_learner.post(f"{COURSE}/intro/done").status_code)
        elif action == 2:
            statuses.append(
                as_learner.post(
                    f"{COURSE}/basics-quiz/quiz", data=_answers(rng.random() < 0.5)
                ).status_code
            )
        elif action == 3:
            as_learner.post(f"{COURSE}/intro/done")  # the whole course, so certified
            as_learner.post(f"{COURSE}/basics-quiz/quiz", data=_answers(True))
            statuses.append(
                as_learner.post(f"{COURSE}/wrap-up/done", data={"last": "1"}).status_code
            )
        elif action == 4:
            as_learner.post("/courses/practice-course/hands-on/start")
            statuses.append(as_learner.post("/courses/practice-course/hands-on/check").status_code)
        elif action == 5:
            due = date.today() + timedelta(days=rng.choice([-20, -3, 5, 30]))
            response = as_trainer.post(
                f"/author/courses/{rng.choice([course.slug, 'practice-course'])}/assignments",
                data={
                    "departments": [str(rng.choice(departments).id)],
                    "due_on": due.isoformat(),
                    "required": "y",
                },
            )
        elif action == 6:
            moved = rng.choice(departments)
            response = as_admin.post(
                f"/admin/users/{learner.id}",
                data=user_form(learner, ["learner"], department_id=moved.id),
            )
        elif action == 7:
            db.session.refresh(learner)
            response = as_admin.post(
                f"/admin/users/{learner.id}/active",
                data={"active": "0" if learner.active else "1"},
            )
        elif action == 8:
            response = as_trainer.post(
                f"/author/courses/{course.slug}/assignments",
                data={"emails": learner.email, "required": "y"},
            )
        if action >= 5:
            statuses.append(response.status_code)
        if _step % 4 == 0:  # practice, and now and then a reset (which keeps the event log)
            statuses.append(
                as_learner.post(
                    "/sandbox/reset" if _step % 12 == 0 else "/sandbox/leads/new",
                    data={"first_name": "Ayesha", "last_name": "Khan", "source": "web_site"},
                ).status_code
            )
        db.session.expire_all()
        assert _kept() == _recounted(), (_step, action)
        assert _practice_kept() == _practice_recounted(), (_step, action)
        assert _sums_kept() == _sums_recounted(), (_step, action)
    assert evidence.load_catalogue().stored
    _dashboard_reads_what_the_relation_says()
    assert _practice_kept()
    # Some requests are refused (422: e.g. a course already assigned), none fails.
    assert all(status < 500 for status in statuses), str(statuses)
    assert sum(status < 400 for status in statuses) > len(statuses) / 2, str(statuses)
    kept = _kept()
    names = [column.name for column in LearnerSummary.__table__.columns]
    moved = {name: sum(1 for row in kept if row[names.index(name)]) for name in names}
    assert all(
        moved[name] for name in ("required_n", "done_n", "due_on", "quiz_n", "studied_at")
    ), moved


def test_a_bulk_delete_counts_everyone_again_and_a_recount_restores_the_rows(world):
    _course, _admin, _trainer, _departments, learners, _clients = world
    db.session.execute(delete(Certificate).where(Certificate.user_id == learners[0].id))
    db.session.commit()
    assert _kept() == _recounted()
    db.session.execute(delete(LearnerSummary.__table__))  # rows lost outside the portal
    db.session.commit()
    summaries.recount()
    db.session.commit()
    assert _kept() == _recounted() and len(_kept()) == len(learners)
    assert _sums_kept() == _sums_recounted()


def test_department_sums_follow_bulk_certificates_and_deleted_learners(world):
    """Certificates written in bulk and a learner deleted move the department sums as a
    recount would (the deleted learner's rows go by cascade: the sums are built again)."""
    course, _admin, _trainer, _departments, learners, _clients = world
    db.session.execute(
        insert(Certificate),
        [
            {
                "user_id": learner.id,
                "course_id": course.id,
                "issued_at": datetime.now(UTC),
                "code": f"BULK-{learner.id}",
                "learner_name": learner.name,
                "course_title": course.title,
            }
            for learner in learners[:3]
        ],
    )
    db.session.commit()
    assert _sums_kept() == _sums_recounted() and _sums_kept()["certificate_days"]
    db.session.delete(learners[0])
    db.session.commit()
    assert _kept() == _recounted()
    assert _sums_kept() == _sums_recounted()


def test_certificates_issued_and_medians_are_exact_after_each_certificate(world):
    """The certificates goal (anyone's certificates, kept per course) and each
    department's median days to proficiency (kept per whole day) are exact right after
    the request that certifies a learner, a certificate of someone who is no learner,
    and a certificate taken back."""
    course, admin, trainer, departments_, learners, clients = world
    clients[trainer.id].post(
        f"/author/courses/{course.slug}/assignments",
        data={"departments": [str(d.id) for d in departments_], "required": "y"},
    )

    def exact() -> None:
        db.session.expire_all()
        every = db.session.scalar(select(func.count()).select_from(Certificate))
        assert organisation.certificates_issued() == every
        assert _sums_kept() == _sums_recounted()
        _dashboard_reads_what_the_relation_says()

    for learner in learners[:5]:
        as_learner = clients[learner.id]
        as_learner.post(f"{COURSE}/intro/done")
        as_learner.post(f"{COURSE}/basics-quiz/quiz", data=_answers(True))
        assert as_learner.post(f"{COURSE}/wrap-up/done", data={"last": "1"}).status_code < 400
        exact()
    now = datetime.now(UTC)
    assert organisation.kept_readiness(now.date(), now, 25)[2], "no medians to check"
    db.session.add(
        Certificate(
            user_id=admin.id,
            course_id=course.id,
            issued_at=now,
            code="ADMIN-1",
            learner_name=admin.name,
            course_title=course.title,
        )
    )
    db.session.commit()
    exact()
    taken = db.session.scalar(select(Certificate).where(Certificate.user_id == learners[0].id))
    db.session.delete(taken)
    db.session.commit()
    exact()


def test_a_learner_overdue_and_stuck_is_at_risk_once(world):
    """The learners at risk are read as ranges of three indexes that do not overlap: one
    both overdue and stuck counts once, in the department sums and the list."""
    course, _admin, trainer, departments_, learners, clients = world
    clients[trainer.id].post(
        f"/author/courses/{course.slug}/assignments",
        data={"departments": [str(d.id) for d in departments_], "required": "y"},
    )
    for assignment in db.session.scalars(select(Assignment)):
        assignment.due_on = date.today() - timedelta(days=3)  # (the form takes no past date)
    db.session.commit()
    for learner in learners[:2]:
        for _attempt in range(3):
            clients[learner.id].post(f"{COURSE}/basics-quiz/quiz", data=_answers(False))
    db.session.expire_all()
    now = datetime.now(UTC)
    sums, at_risk, _medians = organisation.kept_readiness(now.date(), now, 25)
    assert sum(group.stuck for group in sums.values()) == 2
    assert sum(group.overdue for group in sums.values()) == len(learners)
    assert sum(group.at_risk for group in sums.values()) == len(learners)
    assert sorted(e.user_id for e in at_risk) == sorted(learner.id for learner in learners)
    _dashboard_reads_what_the_relation_says()


def test_the_recount_command_counts_rows_written_behind_the_portals_back(app, world):
    """Rows loaded straight into the database (a bulk load, a restore) are in every kept
    table after one recount: practice per learner first, then the department sums."""
    learners, clients = world[4], world[5]
    assert clients[learners[0].id].get("/sandbox/").status_code == 200
    sandbox_id = db.session.scalar(select(Sandbox.id).where(Sandbox.owner_id == learners[0].id))
    at = datetime.now(UTC) - timedelta(hours=5)
    with db.engine.begin() as connection:
        connection.execute(insert(SandboxEvent), _leads_logged(sandbox_id, learners[:1], at, 3))
    result = app.test_cli_runner().invoke(args=["evidence", "recount"])
    assert result.exit_code == 0 and "Counted 9 learners again" in result.output
    db.session.expire_all()
    assert _practice_kept() == _practice_recounted() and _practice_kept()
    assert _sums_kept() == _sums_recounted()
    assert _sums_kept()["department_practice"]


def test_practice_days_follow_events_written_in_bulk_moved_and_deleted(world):
    _course, _admin, _trainer, _departments, learners, clients = world
    response = clients[learners[0].id].post(
        "/sandbox/leads/new",
        data={"first_name": "Ayesha", "last_name": "Khan", "source": "web_site"},
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    sandbox_id = db.session.scalar(select(SandboxEvent.sandbox_id))
    earlier = datetime.now(UTC) - timedelta(days=3)
    db.session.execute(insert(SandboxEvent), _leads_logged(sandbox_id, learners[:2], earlier, 30))
    db.session.commit()
    assert _practice_kept() == _practice_recounted() and len(_practice_kept()) >= 3
    db.session.execute(
        update(SandboxEvent)
        .where(SandboxEvent.actor_id == learners[1].id)
        .values(at=earlier - timedelta(days=20))
    )
    db.session.commit()
    assert _practice_kept() == _practice_recounted()
    assert _sums_kept() == _sums_recounted()
    db.session.execute(delete(SandboxEvent).where(SandboxEvent.actor_id == learners[0].id))
    db.session.commit()
    assert _practice_kept() == _practice_recounted()
    assert _sums_kept() == _sums_recounted()
    db.session.execute(delete(PracticeDay.__table__))  # rows lost outside the portal
    db.session.commit()
    summaries.recount_practice()
    db.session.commit()
    assert _practice_kept() == _practice_recounted() and _practice_kept()


def test_sign_ins_and_lesson_views_count_no_learner_again(app, world, count_queries):
    """A wrong password (an UPDATE of users) and a lesson opened touch no learner's counts:
    nothing is counted again; the view only moves the learner's last-studied time."""
    _course, _admin, _trainer, _departments, learners, clients = world
    with count_queries() as counter:
        assert app.test_client().login(learners[0], "not-the-password").status_code == 401
        assert clients[learners[1].id].get(f"{COURSE}/intro/").status_code == 200
    touching = [s for s in counter.statements if "learner_summaries" in s]
    assert len(touching) == 1 and touching[0].lstrip().upper().startswith("UPDATE")
    assert _kept() == _recounted()
