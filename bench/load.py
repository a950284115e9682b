"""Load test: 100 learners sign in and work for two minutes against gunicorn.

    .venv/bin/python bench/load.py                           # SQLite in a temporary folder
    .venv/bin/python bench/load.py --users 100 --duration 120 --ramp 30
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/load.py

Makes a new database with the demo organisation plus `--users` learners (password hashed
with the portal's own method), starts the portal under gunicorn with the shipped settings
(gunicorn.conf.py, on loopback only), and runs one asyncio client (httpx2) per learner.
Learners arrive evenly over `--ramp` seconds (as staff do at the start of a shift, not
all in the same instant), sign in through the form, then until `--duration` is up read
their learning pages and lessons, open their sandbox (the first visit creates it) and its
lists, and now and then log a lead (a write), pausing 0.5-2.5 s between requests as a
person does. Every request is bounded by a 30 s timeout. It prints, per kind of request,
the count, failures (an error or a status of 400 and above), median, p95 and maximum in
milliseconds, then the p95 of every page other than sign-in and of sign-in.

Everyone signs in from 127.0.0.1, so the per-address sign-in limit is raised for the run
(PORTAL_LOGIN_RATE_LIMIT); everything else is the shipped configuration. The database
named by BENCH_DATABASE_URL is emptied first: point it at a throw-away one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workers import cpu_seconds, workers  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-password-1"
COURSE = "/courses/crm-foundations/"
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
FORM_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# What a learner does after signing in, with how often (weights).
READS = [
    ("/learn/", 3),
    ("/courses/", 1),
    (COURSE, 2),
    ("lesson", 3),
    ("/sandbox/", 2),
    ("/sandbox/customers", 2),
    ("/sandbox/leads", 1),
    ("/sandbox/tickets", 2),
    ("lead.create", 1),
]
ADD_LEARNERS = """
import sys
from sqlalchemy import insert, select
from portal import create_app
from portal.accounts.models import Department, User, UserRole
from portal.accounts.services import hash_password
from portal.extensions import db

app = create_app()
with app.app_context():
    count, password = int(sys.argv[1]), sys.argv[2]
    department = db.session.scalar(select(Department.id).where(Department.name == "Sales"))
    hashed = hash_password(password)  # once: the same password for every learner
    ids = db.session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": f"load{i}@bench.test",
                "name": f"Load Learner {i}",
                "password_hash": hashed,
                "active": True,
                "session_version": 1,
                "job_title": "",
                "password_change_required": False,
                "department_id": department,
            }
            for i in range(count)
        ],
    ).all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
    db.session.commit()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="learners working at once")
    parser.add_argument("--duration", type=float, default=120, help="seconds of work")
    parser.add_argument("--ramp", type=float, default=30, help="seconds over which they arrive")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'portal.db'}"
    env = {
        **os.environ,
        "PORTAL_MODE": "demo",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "PORTAL_RATELIMIT_STORAGE_URI": f"portal+sqlite://{folder / 'ratelimit.sqlite'}",
        "PORTAL_JOB_QUEUE": f"sqlite:///{folder / 'jobs.sqlite'}",
        "PORTAL_LOGIN_RATE_LIMIT": "10000 per minute",
        "PYTHONPATH": str(ROOT),
    }
    if url.startswith("postgresql"):
        _empty_postgres(url)
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "seed", "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-c", ADD_LEARNERS, str(args.users), PASSWORD],
        env=env,
        cwd=ROOT,
        check=True,
    )
    log = folder / "gunicorn.log"
    process, port = _serve(env, log)
    try:
        print(
            f"database: {url.split(':', 1)[0]}; {args.users} learners over {args.ramp:.0f} s, "
            f"{args.duration:.0f} s of work; server log {log}"
        )
        pids = workers(process.pid)
        cpu = cpu_seconds(pids)
        results = asyncio.run(_run(f"http://127.0.0.1:{port}", args))
        cpu = cpu_seconds(pids) - cpu
    finally:
        process.terminate()
        process.wait(timeout=30)
    _report(results)
    served = sum(len(rows) for rows in results.values())
    print(
        f"server CPU: {cpu:.1f} s for {served} requests ({1000 * cpu / served:.1f} ms each, "
        f"sign-in hashing included); load average now {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )


def _empty_postgres(url: str) -> None:
    """Drop everything in the throw-away PostgreSQL database the run is pointed at."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    from portal.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _serve(env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn with the shipped settings on a free loopback port, once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "portal:create_app()",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    for _ in range(600):
        try:
            httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return process, port
        except httpx2.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not start; see {log}")


class Learner:
    """One simulated learner: a client with its own cookies, recording every request."""

    def __init__(self, base: str, index: int, results: dict, rng: random.Random) -> None:
        self.client = httpx2.AsyncClient(base_url=base, timeout=30, follow_redirects=False)
        self.index = index
        self.results = results
        self.rng = rng
        self.token = ""
        self.lesson = None
        self.leads = 0

    async def request(self, kind: str, method: str, path: str, **kwargs) -> httpx2.Response | None:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx2.HTTPError as error:
            self.results[kind].append((time.perf_counter() - started, repr(error)))
            return None
        failed = response.status_code >= 400
        self.results[kind].append(
            (time.perf_counter() - started, f"status {response.status_code}" if failed else None)
        )
        return None if failed else response

    async def sign_in(self) -> bool:
        page = await self.request("GET /login", "GET", "/login")
        if page is None:
            return False
        data = {
            "csrf_token": FORM_TOKEN.search(page.text).group(1),
            "email": f"load{self.index}@bench.test",
            "password": PASSWORD,
        }
        answer = await self.request("POST /login (sign-in)", "POST", "/login", data=data)
        if answer is None or answer.status_code != 302:
            return False
        home = await self.request("/learn/", "GET", "/learn/")
        if home is None:
            return False
        self.token = TOKEN.search(home.text).group(1)
        return True

    async def step(self) -> None:
        pages, weights = zip(*READS, strict=True)
        choice = self.rng.choices(pages, weights)[0]
        if choice == "lesson":
            if self.lesson is None:
                course = await self.request(COURSE, "GET", COURSE)
                found = course and re.findall(rf'href="({COURSE}[a-z0-9-]+/)"', course.text)
                self.lesson = found[0] if found else COURSE
            await self.request("lesson", "GET", self.lesson)
        elif choice == "lead.create":
            self.leads += 1
            data = {
                "csrf_token": self.token,
                "first_name": f"Load{self.index}",
                "last_name": f"Lead{self.leads}",
                "company": f"Loadtest {self.index}-{self.leads}",
                "source": "web_site",
                "owner_id": "",
            }
            await self.request("POST /sandbox/leads/new", "POST", "/sandbox/leads/new", data=data)
        else:
            await self.request(choice, "GET", choice)

    async def work(self, start_at: float, stop_at: float) -> None:
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        async with self.client:
            if not await self.sign_in():
                return
            while time.monotonic() < stop_at:
                await self.step()
                await asyncio.sleep(self.rng.uniform(0.5, 2.5))


async def _run(base: str, args: argparse.Namespace) -> dict:
    results: dict[str, list] = defaultdict(list)
    rng = random.Random(args.seed)
    began = time.monotonic()
    stop_at = began + args.duration
    learners = [Learner(base, i, results, random.Random(rng.random())) for i in range(args.users)]
    await asyncio.gather(
        *(
            learner.work(began + args.ramp * i / args.users, stop_at)
            for i, learner in enumerate(learners)
        )
    )
    return results


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _report(results: dict) -> None:
    print(f"{'request':32} {'count':>6} {'failed':>6} {'median':>8} {'p95':>8} {'max':>8}  ms")
    pages, sign_in, errors = [], [], defaultdict(int)
    for kind in sorted(results):
        rows = results[kind]
        times = [t * 1000 for t, _error in rows]
        failed = [error for _t, error in rows if error]
        for error in failed:
            errors[f"{kind}: {error}"] += 1
        (sign_in if "sign-in" in kind else pages).extend(times)
        print(
            f"{kind:32} {len(rows):6} {len(failed):6} {statistics.median(times):8.1f} "
            f"{_p95(times):8.1f} {max(times):8.1f}"
        )
    print(
        f"pages other than sign-in: {len(pages)} requests, p95 {_p95(pages):.1f} ms; "
        f"sign-in: {len(sign_in)}, p95 {_p95(sign_in):.1f} ms; "
        f"failures: {sum(errors.values())}"
    )
    for error, count in sorted(errors.items()):
        print(f"  {count} x {error}")


if __name__ == "__main__":
    main()
