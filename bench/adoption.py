"""Benchmark: the adoption pages over 10,000 people and a year of daily CRM usage.

Builds the dashboard benchmark's organisation (10,000 learners in 8 departments, their
training evidence, three waves), moves the waves' go-live dates into the past (a year, six
months and three months ago), loads a year of daily usage rows for every learner (3.65
million: COPY on PostgreSQL, executemany on SQLite), sums them into weeks as an import
does, then renders a wave's training-and-adoption page and the adoption overview as an
executive and prints each page's median wall time and this process's CPU (plus the
PostgreSQL server's when it runs here), and the statement count.

    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/adoption.py
    .venv/bin/python bench/adoption.py --learners 2000 --runs 5     # SQLite, smaller

TEST_DATABASE_URL is used when BENCH_DATABASE_URL is not set. The database named is
emptied first: point it at a throw-away one. With BENCH_REUSE=1 nothing is built: the
pages are measured again on the database a previous run left.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import PageRuns, StatementTimer, arguments, database_url  # noqa: E402
from dashboard import build_dataset, signed_in_client, start  # noqa: E402
from sqlalchemy import insert, select, text, update  # noqa: E402
from workers import DatabaseCPU  # noqa: E402

import portal.mailqueue  # noqa: E402, F401 - its model, before the mappers are set up
from portal import create_app  # noqa: E402
from portal.accounts.models import UserRole  # noqa: E402
from portal.adoption import queries  # noqa: E402
from portal.adoption.models import COUNTS, Usage  # noqa: E402
from portal.adoption.weeks import refresh_weeks  # noqa: E402
from portal.clock import today as organisation_today  # noqa: E402
from portal.database import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.rollout import summaries  # noqa: E402
from portal.rollout.models import Wave  # noqa: E402

DAYS = 365
WENT_LIVE = (365, 182, 91)  # days ago, per wave in go-live order
COLUMNS = ("period_start", "user_id", "days", *COUNTS)


def _rows(user_ids: list[int], first: date, rng: random.Random):
    """One row per person and day: most people work weekdays and use the CRM then."""
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        weekend = day.weekday() >= 5
        for user_id in user_ids:
            if weekend or rng.random() < 0.25:
                yield (day, user_id, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                continue
            yield (
                day,
                user_id,
                1,
                rng.randint(1, 3),
                rng.randint(0, 3),
                rng.randint(0, 5),
                rng.randint(0, 2),
                rng.randint(0, 4),
                rng.randint(0, 2),
                rng.randint(0, 3),
                rng.randint(0, 6),
                rng.randint(0, 2),
            )


def load_usage(user_ids: list[int], first: date, seed: int = 11) -> int:
    """A year of daily usage for `user_ids` from `first`; returns the rows written."""
    rng = random.Random(seed)
    rows = _rows(user_ids, first, rng)
    written = 0
    if db.engine.dialect.name == "postgresql":
        connection = db.session.connection().connection.driver_connection
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY adoption_usage ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        return written
    batch = []
    for row in rows:
        batch.append(dict(zip(COLUMNS, row, strict=True)))
        if len(batch) == 20_000:
            db.session.execute(insert(Usage), batch)
            written += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(Usage), batch)
        written += len(batch)
    return written


def build(learners: int) -> list[int]:
    """The organisation, its waves live, its usage summed into weeks; returns wave ids."""
    started = time.perf_counter()
    counts = build_dataset(learners)
    today = organisation_today()
    wave_ids = counts["wave_ids"]
    for wave_id, days_ago in zip(wave_ids, WENT_LIVE, strict=True):
        db.session.execute(
            update(Wave)
            .where(Wave.id == wave_id)
            .values(go_live_on=today - timedelta(days=days_ago))
        )
    summaries.recount()  # learner_summaries, as the portal keeps them
    db.session.commit()
    print(f"organisation built in {time.perf_counter() - started:.1f}s")
    user_ids = list(
        db.session.scalars(
            select(UserRole.user_id).where(UserRole.role == "learner").order_by(UserRole.user_id)
        )
    )
    first = today - timedelta(days=DAYS)
    started = time.perf_counter()
    written = load_usage(user_ids, first)
    db.session.commit()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    refresh_weeks(first, today)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    print(
        f"database: {db.engine.dialect.name}; {written} usage rows for {len(user_ids)} people "
        f"loaded in {loaded:.1f}s, summed into weeks in {time.perf_counter() - started:.1f}s"
    )
    return wave_ids


def measure(client, timer: StatementTimer, server: DatabaseCPU, url: str, runs: int) -> None:
    """Render `url` `runs` times (after two warm-up runs) and print its figures."""
    page = PageRuns(client, url, timer, server).run(runs)
    wall, cpu, server_cpu = page.wall, page.cpu, page.server_cpu
    statements = [len(run) for run in page.statements]
    slowest = max(page.statements[-1])
    print(
        f"{url}: median {1000 * statistics.median(wall):.1f} ms wall over {runs} runs "
        f"(min {1000 * min(wall):.1f}); {1000 * statistics.median(cpu):.1f} ms this process's "
        "CPU"
        + (f" + {1000 * statistics.median(server_cpu):.1f} ms server CPU" if server_cpu else "")
        + f"; {statistics.mode(statements)} statements, slowest {1000 * slowest[0]:.1f} ms"
    )


def measure_query(app, server: DatabaseCPU, wave_id: int, runs: int) -> None:
    """The adoption view's data alone (portal.adoption.queries.wave_adoption), no page."""
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        today = organisation_today()
        now = utcnow()
        wall, cpu, server_cpu = [], [], []
        for run in range(runs + 2):
            db.session.expire_all()
            started, cpu_started = time.perf_counter(), time.process_time()
            server_started = server.seconds()
            queries.wave_adoption(wave, today, now)
            if run < 2:
                continue  # warm-up
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            if server_started is not None:
                server_cpu.append(server.seconds() - server_started)
        departments = len(wave.departments)
        db.session.rollback()
    print(
        f"adoption of wave {wave_id} ({departments} departments), the query alone: "
        f"median {1000 * statistics.median(wall):.1f} ms wall; "
        f"{1000 * statistics.median(cpu):.1f} ms this process's CPU"
        + (f" + {1000 * statistics.median(server_cpu):.1f} ms server CPU" if server_cpu else "")
    )


def reuse():
    """The command line, and an app on the database a previous run built (BENCH_REUSE=1):
    the pages are measured again without building anything."""
    args = arguments(__doc__.splitlines()[0], runs=15, learners=10_000, learners_help="unused")
    app = create_app(
        {
            "MODE": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url(test_database=True),
            "SERVER_NAME": None,
            "LOGIN_RATE_LIMIT": "10000 per minute",
        }
    )
    return args, app


def main() -> None:
    if os.environ.get("BENCH_REUSE"):
        args, app = reuse()
        with app.app_context():
            wave_ids = list(db.session.scalars(select(Wave.id).order_by(Wave.go_live_on)))
            engine = db.engine
    else:
        args, app = start(__doc__.splitlines()[0])
        with app.app_context():
            wave_ids = build(args.learners)
            engine = db.engine
    server = DatabaseCPU(engine)
    client = signed_in_client(app)
    timer = StatementTimer(engine)
    for wave_id in wave_ids:
        measure_query(app, server, wave_id, args.runs)
        measure(client, timer, server, f"/rollout/waves/{wave_id}/adoption", args.runs)
    measure(client, timer, server, "/rollout/adoption", args.runs)


if __name__ == "__main__":
    main()
