"""Benchmark: the readiness dashboard over a large organisation.

Builds (with bulk inserts) 10,000 learners in 8 departments, 7 courses of 6
lessons, about 300,000 progress and attempt rows spread over 12 weeks (plus lesson
views, certificates and sandbox practice events), then renders
/dashboard/ as an executive and prints the median page time (wall clock, and this
process's CPU), the statement count and the slowest single statement.

    .venv/bin/python bench/dashboard.py                      # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/dashboard.py
    .venv/bin/python bench/dashboard.py --learners 2000 --runs 5

On SQLite the build's bulk inserts go through the session, so learner_summaries (the
evidence kept per learner, see portal.rollout.summaries) and practice_days are counted at
its commit. On PostgreSQL the large tables are loaded with COPY (faster),
which the session does not see, so the build then counts everything again with
`flask --app portal evidence recount` (in a transaction of its own: run it by hand should
it fail). The build time
includes that recount. Progress and attempts scale with --learners (about 29 rows per
learner), so the issue's large size is, built once into a database of its own:

    BENCH_DATABASE_URL=postgresql://.../dash100k .venv/bin/python bench/dashboard.py \
        --learners 100000 --runs 9         # ~3 million progress and attempt rows
    BENCH_DATABASE_URL=postgresql://.../dash100k .venv/bin/python bench/dashboard.py \
        --runs 9 --reuse

TEST_DATABASE_URL is used when BENCH_DATABASE_URL is not set. The database named is
emptied first: point it at a throw-away one. With --reuse, a database this benchmark
built before (and left, e.g. --database sqlite:///bench.db) is migrated to the head and
measured again without a rebuild:

    .venv/bin/python bench/dashboard.py --database sqlite:///dash.db --runs 9
    .venv/bin/python bench/dashboard.py --database sqlite:///dash.db --runs 9 --reuse

--explain N then renders the page once more, prints every statement's time and the plans
of the N slowest (EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, run again with the page's
parameters).
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import PageRuns, StatementTimer, arguments, database_url, make_app  # noqa: E402
from flask import current_app  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402
from workers import DatabaseCPU  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import Department, User, UserRole  # noqa: E402
from portal.authoring.models import Assignment  # noqa: E402
from portal.clock import today as organisation_today  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.learning import models as learning  # noqa: E402
from portal.rollout.evidence.counting import recount_practice  # noqa: E402
from portal.rollout.models import GateCriterion, Goal, Phase, Plan, Wave, wave_departments  # noqa: E402
from portal.rollout.summaries import PENDING  # noqa: E402
from sandbox.models import Sandbox, SandboxEvent  # noqa: E402

PASSWORD = "bench-password-1"
EXECUTIVE = "exec@bench.test"
DEPARTMENTS = {
    "Sales": 2000,
    "Customer Service": 2000,
    "Marketing": 1200,
    "Billing": 1200,
    "Operations": 1200,
    "IT": 800,
    "Finance": 800,
    "Logistics": 800,
}
# lesson kinds of every course, in order
LESSON_PLAN = ["reading", "quiz", "reading", "exercise", "reading", "quiz"]
# How far each wave's learners are: (share, lowest, highest) fraction of their lessons done.
STAGES = {
    0: ((0.85, 1.0, 1.0), (0.15, 0.5, 0.95)),
    1: ((0.35, 1.0, 1.0), (0.5, 0.2, 0.9), (0.15, 0.0, 0.2)),
    2: ((0.08, 1.0, 1.0), (0.5, 0.05, 0.5), (0.42, 0.0, 0.05)),
}
COURSES = 7
CORE_COURSES = 4  # assigned to every department; the other three to some


def start(description: str):
    """The command line (--learners, --runs, --database) and an app on the emptied database;
    the dashboard and the gate benchmark start alike."""
    reuse = "--reuse" in sys.argv
    if reuse:
        sys.argv.remove("--reuse")
    explain = 0
    if "--explain" in sys.argv:  # --explain N: the N slowest statements' plans
        at = sys.argv.index("--explain")
        explain = int(sys.argv[at + 1])
        del sys.argv[at : at + 2]
    args = arguments(
        description, runs=15, learners=10_000, learners_help="learners to build", database=True
    )
    args.reuse = reuse
    args.explain = explain
    if reuse:
        app = create_app(
            {
                "MODE": "testing",
                "SQLALCHEMY_DATABASE_URI": database_url(args.database, test_database=True),
                "SERVER_NAME": None,
                "PASSWORD_HASH_METHOD": "scrypt:4096:8:1",
                "LOGIN_RATE_LIMIT": "10000 per minute",
            }
        )
        with app.app_context():
            upgrade()
        return args, app
    app = make_app(
        database_url(args.database, test_database=True),
        PASSWORD_HASH_METHOD="scrypt:4096:8:1",
        LOGIN_RATE_LIMIT="10000 per minute",
    )
    return args, app


def _chunks(rows: list[dict], size: int = 5000) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _bulk(model, rows: list[dict]) -> None:
    """Insert the rows: through the session (which notes them for learner_summaries), or
    with COPY on PostgreSQL, several times faster (the caller then counts again)."""
    if rows and db.session.get_bind().dialect.name == "postgresql":
        _copy(model, rows)
        return
    for chunk in _chunks(rows):
        db.session.execute(insert(model), chunk)


def _copy(model, rows: list[dict]) -> None:
    """COPY the rows into the model's table in the session's transaction: the columns the
    rows give, plus the Python-side defaults of the others, bound as a Core insert binds
    them (e.g. JSON serialised, timestamps checked to be aware)."""
    table = model.__table__
    dialect = db.session.get_bind().dialect
    given = [table.c[name] for name in rows[0]]
    defaults = {}
    for column in table.c:
        if column in given or column.default is None:
            continue
        default = column.default
        if default.is_scalar:
            defaults[column] = default.arg
        elif default.is_callable:
            defaults[column] = default.arg(None)
    columns = given + list(defaults)
    processors = [column.type._cached_bind_processor(dialect) for column in columns]
    fixed = [
        value if processor is None else processor(value)
        for value, processor in zip(defaults.values(), processors[len(given) :], strict=True)
    ]
    given_processors = list(enumerate(processors[: len(given)]))
    names = ", ".join(f'"{column.name}"' for column in columns)
    cursor = db.session.connection().connection.driver_connection.cursor()
    pick = itemgetter(*rows[0])
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = list(pick(row))
            for index, processor in given_processors:
                if processor is not None:
                    values[index] = processor(values[index])
            copy.write_row(values + fixed)


def build_dataset(learners: int = 10_000, seed: int = 7, today: date | None = None) -> dict:
    """Fill the database with a large organisation mid-rollout; returns counts and ids."""
    rng = random.Random(seed)
    today = today or organisation_today()
    now = datetime.now(UTC)
    scale = learners / sum(DEPARTMENTS.values())
    db.session.execute(insert(Department), [{"name": name} for name in DEPARTMENTS])
    departments = {d.name: d.id for d in db.session.scalars(select(Department))}

    password = generate_password_hash(PASSWORD, method="scrypt:4096:8:1")
    executive_id = db.session.scalar(
        insert(User).returning(User.id),
        [
            {
                "email": EXECUTIVE,
                "name": "Bench Executive",
                "password_hash": password,
                "password_change_required": False,
                "active": True,
                "session_version": 1,
                "job_title": "COO",
                "department_id": departments["Sales"],
            }
        ],
    )
    db.session.execute(insert(UserRole), [{"user_id": executive_id, "role": "executive"}])

    people = []
    for name, size in DEPARTMENTS.items():
        for index in range(max(1, round(size * scale))):
            start = now - timedelta(days=rng.uniform(1, 84))
            people.append(
                {
                    "email": f"{name.lower().replace(' ', '.')}.{index}@bench.test",
                    "name": f"{name} Learner {index:05d}",
                    "department_id": departments[name],
                    "password_hash": None,
                    "password_change_required": False,
                    "active": rng.random() > 0.02,
                    "session_version": 1,
                    "job_title": "Staff",
                    "first_login_at": start,
                    "last_login_at": start,
                }
            )
    user_ids = []
    for chunk in _chunks(people):
        user_ids += db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True), chunk
        ).all()
    _bulk(UserRole, [{"user_id": uid, "role": "learner"} for uid in user_ids])

    course_ids = db.session.scalars(
        insert(learning.Course).returning(learning.Course.id, sort_by_parameter_order=True),
        [
            {
                "slug": f"course-{n}",
                "title": f"Course {n}",
                "summary": "",
                "language": "en",
                "published": True,
                "version": 1,
                "source_hash": "",
            }
            for n in range(1, COURSES + 1)
        ],
    ).all()
    lessons = {}  # course id -> [(lesson id, kind)]
    for course_id in course_ids:
        ids = db.session.scalars(
            insert(learning.Lesson).returning(learning.Lesson.id, sort_by_parameter_order=True),
            [
                {
                    "course_id": course_id,
                    "key": f"lesson-{i}",
                    "title": f"Lesson {i}",
                    "kind": kind,
                    "position": i,
                    "minutes": 5,
                    "required": True,
                    "archived": False,
                    "body": "",
                    "content": {},
                }
                for i, kind in enumerate(LESSON_PLAN)
            ],
        ).all()
        lessons[course_id] = list(zip(ids, LESSON_PLAN, strict=True))

    # Plan: the pilot (Sales) went live a week ago; the rest follow.
    plan_id = db.session.scalar(
        insert(Plan).returning(Plan.id),
        [
            {
                "name": "Bench rollout",
                "description": "",
                "target_go_live": today + timedelta(days=60),
                "created_by_id": executive_id,
            }
        ],
    )
    phase_names = ["Strategy", "Selection", "Pilot", "Training", "Go-live", "Adoption"]
    _bulk(
        Phase,
        [
            {
                "plan_id": plan_id,
                "position": i,
                "name": name,
                "description": "",
                "starts_on": today + timedelta(days=-100 + 30 * i),
                "ends_on": today + timedelta(days=-71 + 30 * i),
                "status": "done" if i < 3 else ("in_progress" if i == 3 else "planned"),
            }
            for i, name in enumerate(phase_names)
        ],
    )
    waves = [
        ("Pilot: Sales", -7, ["Sales"]),
        ("Wave 2: Service and Billing", 21, ["Customer Service", "Billing"]),
        ("Wave 3: everyone else", 49, ["Marketing", "Operations", "IT", "Finance", "Logistics"]),
    ]
    wave_ids, due = [], {}
    for name, offset, names in waves:
        wave_id = db.session.scalar(
            insert(Wave).returning(Wave.id),
            [
                {
                    "plan_id": plan_id,
                    "name": name,
                    "go_live_on": today + timedelta(days=offset),
                    "lead_days": 14,
                }
            ],
        )
        wave_ids.append(wave_id)
        db.session.execute(
            insert(wave_departments),
            [{"wave_id": wave_id, "department_id": departments[n]} for n in names],
        )
        _bulk(
            GateCriterion,
            [
                {"wave_id": wave_id, "kind": kind, "threshold": threshold}
                for kind, threshold in (
                    ("completion_rate", 90),
                    ("avg_quiz_score", 80),
                    ("exercise_pass_rate", 85),
                    ("practice_actions_14d", 5),
                    ("max_overdue_days", 7),
                )
            ],
        )
        for n in names:
            due[departments[n]] = (wave_id, today + timedelta(days=offset - 14), len(wave_ids) - 1)
    _bulk(
        Goal,
        [
            {"plan_id": plan_id, "horizon": h, "title": t, "metric": m, "target": v}
            for h, t, m, v in (
                ("short", "Pilot trained", "completion_rate", 60),
                ("medium", "Quiz scores", "avg_quiz_score", 80),
                ("long", "Certificates", "certificates_issued", 50000),
            )
        ],
    )

    required = {}  # department id -> course ids
    assignment_rows = []
    for index, (_name, department_id) in enumerate(sorted(departments.items())):
        chosen = course_ids[:CORE_COURSES] + [
            c for k, c in enumerate(course_ids[CORE_COURSES:]) if (index + k) % 2 == 0
        ]
        required[department_id] = chosen
        wave_id, due_on, _stage = due[department_id]
        assignment_rows += [
            {
                "course_id": c,
                "department_id": department_id,
                "due_on": due_on,
                "required": True,
                "wave_id": wave_id,
                "lead_days": 14,
            }
            for c in chosen
        ]
    _bulk(Assignment, assignment_rows)

    progress, views, quizzes, exercises, certificates, practice = [], [], [], [], [], []
    for uid, person in zip(user_ids, people, strict=True):
        pick, level = rng.random(), 0.0
        for share, low, high in STAGES[due[person["department_id"]][2]]:
            if pick < share:
                level = rng.uniform(low, high)
                break
            pick -= share
        clock = person["first_login_at"]
        span = (now - clock).total_seconds()
        todo = [(c, lesson) for c in required[person["department_id"]] for lesson in lessons[c]]
        reach = round(level * len(todo))
        step = span / (reach + 1)
        done_in_course: dict[int, int] = {}
        for course_id, (lesson_id, kind) in todo[:reach]:
            clock += timedelta(seconds=step * rng.uniform(0.5, 1.0))
            finished = clock
            if kind == "quiz":
                skill = rng.random()
                tries = 1 if skill > 0.4 else rng.randint(2, 4)
                best = 0
                for attempt in range(tries):
                    score = rng.randint(70, 100) if attempt == tries - 1 else rng.randint(20, 69)
                    best = max(best, score)
                    quizzes.append(
                        {
                            "user_id": uid,
                            "lesson_id": lesson_id,
                            "score": score,
                            "passed": score >= 70,
                            "answers": {},
                            "submitted_at": clock + timedelta(minutes=5 * attempt),
                        }
                    )
                extra = {"best_score": best}
            elif kind == "exercise":
                tries = rng.randint(1, 2)
                for attempt in range(tries):
                    passed = attempt == tries - 1
                    exercises.append(
                        {
                            "user_id": uid,
                            "lesson_id": lesson_id,
                            "records": {},
                            "started_at": clock + timedelta(minutes=10 * attempt),
                            "checks_run": 1,
                            "score": 100 if passed else 50,
                            "passed": passed,
                            "results": [],
                        }
                    )
                extra = {"best_score": 100}
            else:
                extra = {"best_score": None}
            progress.append(
                {
                    "user_id": uid,
                    "lesson_id": lesson_id,
                    "course_id": course_id,
                    "first_viewed_at": clock,
                    "last_viewed_at": finished,
                    "completed_at": finished,
                    **extra,
                }
            )
            views.append({"user_id": uid, "lesson_id": lesson_id, "viewed_at": clock})
            done_in_course[course_id] = done_in_course.get(course_id, 0) + 1
            if done_in_course[course_id] == len(LESSON_PLAN):
                certificates.append(
                    {
                        "code": f"B{uid:07d}{course_id:03d}",
                        "user_id": uid,
                        "course_id": course_id,
                        "learner_name": person["name"],
                        "course_title": f"Course {course_id}",
                        "issued_at": finished,
                    }
                )
        # Practice in the sandbox: events spread over the learner's weeks of training.
        for _ in range(round(level * rng.uniform(5, 30))):
            practice.append(
                (uid, person["first_login_at"] + timedelta(seconds=rng.uniform(0, span)))
            )
        # A learner stuck on a quiz: three failed attempts, no pass.
        if rng.random() < 0.03 and reach < len(todo):
            course_id, (lesson_id, _kind) = todo[reach]
            quiz_id = next((lid for lid, k in lessons[course_id] if k == "quiz"), lesson_id)
            for attempt in range(3):
                quizzes.append(
                    {
                        "user_id": uid,
                        "lesson_id": quiz_id,
                        "score": 30,
                        "passed": False,
                        "answers": {},
                        "submitted_at": clock + timedelta(hours=attempt),
                    }
                )
            if all(row["lesson_id"] != quiz_id or row["user_id"] != uid for row in progress[-12:]):
                progress.append(
                    {
                        "user_id": uid,
                        "lesson_id": quiz_id,
                        "course_id": course_id,
                        "first_viewed_at": clock,
                        "last_viewed_at": clock,
                        "completed_at": None,
                        "best_score": 30,
                    }
                )
    for model, rows in (
        (learning.LessonProgress, progress),
        (learning.LessonView, views),
        (learning.QuizAttempt, quizzes),
        (learning.ExerciseAttempt, exercises),
        (learning.Certificate, certificates),
    ):
        _bulk(model, rows)
    owners = sorted({uid for uid, _at in practice})
    sandbox_ids = []
    for chunk in _chunks(
        [{"owner_id": uid, "seed": uid, "generation": 1, "clock": now} for uid in owners]
    ):
        sandbox_ids += db.session.scalars(
            insert(Sandbox).returning(Sandbox.id, sort_by_parameter_order=True), chunk
        ).all()
    sandbox_of = dict(zip(owners, sandbox_ids, strict=True))
    _bulk(
        SandboxEvent,
        [
            {
                "sandbox_id": sandbox_of[uid],
                "actor_id": uid,
                "verb": "lead.created",
                "entity": "lead",
                "entity_id": None,
                "sandbox_at": at,
                "at": at,
                "data": {},
            }
            for uid, at in practice
        ],
    )
    if db.engine.dialect.name == "postgresql":
        # COPY went past the session's notes: keep the rows, then count every learner
        # again with `flask evidence recount` (should that fail, the rows stay and the
        # command can be run again by hand).
        db.session.info.pop(PENDING, None)
        db.session.commit()
        # The practice kept per learner first: the command's recount() sums the
        # departments' practice from it before its own recount_practice() runs.
        recount_practice()
        result = current_app.test_cli_runner().invoke(args=["evidence", "recount"])
        assert result.exit_code == 0, (result.output, result.exception)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {
        "learners": len(user_ids),
        "progress": len(progress),
        "quiz_attempts": len(quizzes),
        "exercise_attempts": len(exercises),
        "lesson_views": len(views),
        "certificates": len(certificates),
        "sandbox_events": len(practice),
        "wave_ids": wave_ids,
        "rows": len(progress) + len(quizzes) + len(exercises),
    }


def signed_in_client(app):
    """A test client signed in as the benchmark's executive through the login form."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": EXECUTIVE, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code in (302, 303), response.status_code
    return client


def explain_slowest(engine, client, count: int) -> None:
    """Render the dashboard once more and print each statement's time, then the plans of
    the `count` slowest SELECTs run again (EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL,
    EXPLAIN QUERY PLAN on SQLite) with the parameters the page gave them."""
    seen: list[tuple[float, str, object]] = []

    def before(conn, _cursor, _statement, _params, _context, _many) -> None:
        conn.info["explain_started"] = time.perf_counter()

    def after(conn, _cursor, statement, params, _context, _many) -> None:
        seen.append((time.perf_counter() - conn.info["explain_started"], statement, params))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        assert client.get("/dashboard/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    print(f"statements of one render ({1000 * sum(t for t, _s, _p in seen):.1f} ms in all):")
    for index, (took, statement, _params) in enumerate(seen):
        print(f"  #{index:<2} {1000 * took:7.1f} ms  " + " ".join(statement.split())[:150])
    postgres = engine.dialect.name == "postgresql"
    slowest = sorted(
        (
            row
            for row in enumerate(seen)
            if row[1][1].lstrip().upper().startswith(("SELECT", "WITH"))
        ),
        key=lambda row: -row[1][0],
    )[:count]
    with engine.connect() as connection:
        for index, (took, statement, params) in slowest:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
            plan = connection.exec_driver_sql(prefix + statement, params).all()
            connection.rollback()
            print(f"\n#{index} took {1000 * took:.1f} ms on the page:")
            print("  " + " ".join(statement.split()))
            print(f"  parameters: {params}")
            for row in plan:
                print("    " + " | ".join(str(value) for value in row))


def main() -> None:
    """Build the data, render the dashboard repeatedly, print the figures."""
    args, app = start(__doc__.splitlines()[0])
    with app.app_context():
        started = time.perf_counter()
        if args.reuse:
            print(f"database: {db.engine.dialect.name}; reused as built before")
        else:
            counts = build_dataset(args.learners)
            print(
                f"database: {db.engine.dialect.name}; "
                f"built in {time.perf_counter() - started:.1f}s: "
                + ", ".join(f"{k}={v}" for k, v in counts.items() if k != "wave_ids")
            )
        engine = db.engine
    server = DatabaseCPU(engine)
    client = signed_in_client(app)
    timer = StatementTimer(engine)
    page = PageRuns(client, "/dashboard/", timer, server).run(args.runs)
    pages, cpu, server_cpu = page.wall, page.cpu, page.server_cpu
    statements = [len(run) for run in page.statements]
    heaviest = [max(run) for run in page.statements]
    slowest = max(heaviest)
    print(
        f"/dashboard/: median {1000 * statistics.median(pages):.1f} ms over {args.runs} runs "
        f"(min {1000 * min(pages):.1f}, max {1000 * max(pages):.1f}); "
        f"{statistics.mode(statements)} statements per page"
    )
    print(
        f"/dashboard/: median {1000 * statistics.median(cpu):.1f} ms of this process's CPU "
        "(steadier than wall time on a busy machine)"
        + (
            f" + {1000 * statistics.median(server_cpu):.1f} ms of the PostgreSQL server's"
            if server_cpu
            else ""
        )
    )
    print(
        f"heaviest statement: median {1000 * statistics.median(t for t, _ in heaviest):.1f} ms; "
        f"slowest seen {1000 * slowest[0]:.1f} ms:\n    " + " ".join(slowest[1].split())[:300]
    )
    if args.explain:
        explain_slowest(engine, client, args.explain)


if __name__ == "__main__":
    main()
