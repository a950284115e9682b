"""What the benchmarks share: the command line, a throw-away database with the schema built
by the migrations, the app on it, and timing (of a callable, and of each SQL statement).

The database a benchmark is given is emptied first: point it at a throw-away one.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from portal import create_app  # noqa: E402
from tests.schema import reset_schema  # noqa: E402


def arguments(
    description: str, runs: int, learners: int, learners_help: str, database: bool = False
) -> argparse.Namespace:
    """--runs and --learners with these defaults, and --database when asked for."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs, help="timed runs per figure")
    parser.add_argument("--learners", type=int, default=learners, help=learners_help)
    if database:
        parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file)")
    return parser.parse_args()


def database_url(url: str | None = None, *, test_database: bool = False) -> str:
    """`url`, else BENCH_DATABASE_URL (then TEST_DATABASE_URL when `test_database`), else
    SQLite in a new temporary folder. The word `postgresql` alone starts a PostgreSQL server
    of the benchmark's own, as bin/test starts one (`throwaway_postgresql`)."""
    url = url or os.environ.get("BENCH_DATABASE_URL")
    if not url and test_database:
        url = os.environ.get("TEST_DATABASE_URL")
    if url == "postgresql":
        return throwaway_postgresql()
    return url or "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="bench-"), "bench.db")


def throwaway_postgresql() -> str:
    """The URL of a PostgreSQL server started for this run as bin/test starts one: the
    newest server installed, a new cluster in a temporary folder (run as the postgres user
    when the benchmark runs as root), trusted on a Unix socket only, not waiting for the
    disk. It is stopped and removed when the benchmark ends."""
    servers = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda b: int(b.parent.name))
    if not servers:
        raise SystemExit("PostgreSQL's server programs are not installed (Debian: postgresql)")
    programs = servers[-1]
    folder = Path(tempfile.mkdtemp(prefix="bench-postgresql-"))
    folder.chmod(0o755)
    as_postgres = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]

    def run(program: str, *arguments: str) -> None:
        command = [*as_postgres, str(programs / program), *arguments]
        subprocess.run(command, check=True, capture_output=True)

    data = str(folder / "data")
    run("initdb", "-D", data, "-U", "postgres", "-A", "trust")
    settings = f"-p 5432 -k {folder} -c listen_addresses='' -c fsync=off"
    settings += " -c synchronous_commit=off -c full_page_writes=off"
    run("pg_ctl", "-D", data, "-w", "-l", str(folder / "log"), "-o", settings, "start")

    def stop() -> None:
        run("pg_ctl", "-D", data, "-m", "fast", "stop")
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    run("createdb", "-h", str(folder), "-p", "5432", "-U", "postgres", "bench")
    return f"postgresql://postgres@/bench?host={folder}&port=5432"


def make_app(url: str, **config):
    """An app on `url` (testing mode, plus `config`) over an emptied database whose schema the
    migrations build."""
    app = create_app(
        {"MODE": "testing", "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None, **config}
    )
    reset_schema(app)
    return app


def ms(samples: list[float]) -> float:
    """The median of `samples` (seconds) in milliseconds."""
    return round(statistics.median(samples) * 1000, 2)


def timed(fn, runs: int, clock=time.perf_counter) -> list[float]:
    """Seconds each of `runs` calls of `fn` took, on `clock`: wall time by default, or
    `time.process_time` for this process's CPU (all of it, with SQLite in the process),
    which a busy shared machine does not inflate the way it does wall time."""
    samples = []
    for _ in range(runs):
        started = clock()
        fn()
        samples.append(clock() - started)
    return samples


class StatementTimer:
    """Times every SQL statement run while installed."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.times: list[tuple[float, str]] = []

    def _before(self, conn, _cursor, _statement, _params, _context, _many) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, _cursor, statement, _params, _context, _many) -> None:
        started = conn.info["bench_started"].pop()
        self.times.append((time.perf_counter() - started, statement))

    @contextmanager
    def running(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._before)
            event.remove(self.engine, "after_cursor_execute", self._after)


class PageRuns:
    """A page rendered some times: per run its wall time, this process's CPU, the
    PostgreSQL server's CPU (when readable) and the statements it ran (seconds, SQL)."""

    def __init__(self, client, url: str, timer: StatementTimer, server) -> None:
        self.client, self.url, self.timer, self.server = client, url, timer, server
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.server_cpu: list[float] = []
        self.statements: list[list[tuple[float, str]]] = []

    def run(self, runs: int, warm: int = 2) -> PageRuns:
        """Render the page `warm` times unmeasured, then `runs` times measured."""
        for _ in range(warm):
            assert self.client.get(self.url).status_code == 200
        for _ in range(runs):
            self.timer.times.clear()
            with self.timer.running():
                started, cpu_started = time.perf_counter(), time.process_time()
                server_started = self.server.seconds()
                response = self.client.get(self.url)
                self.wall.append(time.perf_counter() - started)
                self.cpu.append(time.process_time() - cpu_started)
                if server_started is not None:
                    self.server_cpu.append(self.server.seconds() - server_started)
            assert response.status_code == 200
            self.statements.append(list(self.timer.times))
        return self


def original_lesson(key: str):
    """The built-in lesson `key` of an original (English) course: translations share keys."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.learning.models import Course, Lesson

    return db.session.scalar(
        select(Lesson)
        .join(Course, Course.id == Lesson.course_id)
        .where(Lesson.key == key, Course.translation_of_id.is_(None))
    )
