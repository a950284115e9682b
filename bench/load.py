"""Load test: 100 learners sign in and work for two minutes against gunicorn.

    .venv/bin/python bench/load.py                           # SQLite in a temporary folder
    .venv/bin/python bench/load.py --users 20 --seconds 30   # a short run
    .venv/bin/python bench/load.py --users 100 --seconds 120 --ramp 30
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/load.py

Makes a new database with the demo organisation plus `--users` learners (password hashed
with the portal's own method), starts the portal under gunicorn with the shipped settings
(gunicorn.conf.py, on loopback only), and runs one asyncio client (httpx2) per learner.
Learners arrive evenly over `--ramp` seconds (as staff do at the start of a shift, not
all in the same instant), sign in through the form, then until `--seconds` are up read
their learning pages and lessons, open their sandbox (the first visit creates it) and its
lists, and now and then log a lead (a write), pausing 0.5-2.5 s between requests (a brisk
person). Every request is bounded by a 30 s timeout. A sign-in answered 503 (every
password-checking turn taken) counts as a failure; the learner then does what the page
asks, tries again after Retry-After, up to three times.

Sign-in: the portal runs as production does behind its TLS proxy, PORTAL_TRUSTED_PROXIES=1,
and each learner's requests carry their own X-Forwarded-For address, as the proxy would
add. So every learner signs in through the form, with its password check, against the
shipped per-address limit (10 a minute), and no limit is raised for the run. Password
checks run at the shipped lower priority (LOGIN_HASH_NICENESS): on a machine busy with
other work they wait behind it, and more sign-ins hear 503; set it to 0 to compare.

It prints, per kind of request, the count, failures (an error or a status of 400 and
above), p50, p95, p99 and maximum in milliseconds, then the p95 of every page other than
sign-in and of sign-in, the same from the server's access log (time inside gunicorn, no
queueing before it), the CPU the gunicorn workers spent per request (from /proc), the CPU
of this client, and the load average before and after: the machine may be shared. The
database named by BENCH_DATABASE_URL is emptied first: point it at a throw-away one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workers import cpu_seconds, serve, workers  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-password-1"
COURSE = "/courses/crm-foundations/"
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
TLS = ssl.create_default_context()  # never used on plain-HTTP loopback, but shared
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
    parser.add_argument(
        "--seconds", "--duration", dest="duration", type=float, default=120, help="of work"
    )
    parser.add_argument("--ramp", type=float, default=30, help="seconds over which they arrive")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--database-from",
        type=Path,
        help="SQLite: start from a copy of this file, made by an earlier run of this same "
        "code and --users (its seeded portal.db.start, before any request), not a new one",
    )
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
        "PORTAL_TRUSTED_PROXIES": "1",  # behind one proxy; learners send X-Forwarded-For
        "PYTHONPATH": str(ROOT),
    }
    if args.database_from:
        shutil.copyfile(args.database_from, folder / "portal.db")
    else:
        _fill(url, env, args.users)
        if url.startswith("sqlite"):
            shutil.copyfile(folder / "portal.db", folder / "portal.db.start")
    log = folder / "gunicorn.log"
    process, port = serve("portal:create_app()", env, log, "/healthz")
    load_before = os.getloadavg()
    try:
        print(
            f"database: {url.split(':', 1)[0]}; {args.users} learners over {args.ramp:.0f} s, "
            f"{args.duration:.0f} s of work; server log {log}"
        )
        pids = workers(process.pid)
        cpu, client_cpu, began = cpu_seconds(pids), time.process_time(), time.monotonic()
        results = asyncio.run(_run(f"http://127.0.0.1:{port}", args))
        cpu, hashing = cpu_seconds(pids) - cpu, _hashing_seconds(pids)
        client_cpu, wall = time.process_time() - client_cpu, time.monotonic() - began
    finally:
        process.terminate()
        process.wait(timeout=30)
    _report(results)
    _report_server(log)
    served = sum(len(rows) for rows in results.values())
    sign_ins = sum(len(rows) for kind, rows in results.items() if "sign-in" in kind)
    print(
        f"{served} requests in {wall:.0f} s ({served / wall:.1f} a second). Server CPU: "
        f"{cpu:.1f} s, {1000 * cpu / served:.1f} ms a request; of it password checks "
        f"{hashing:.1f} s ({1000 * hashing / max(1, sign_ins):.0f} ms a sign-in), the rest "
        f"{1000 * (cpu - hashing) / max(1, served - sign_ins):.1f} ms a request. "
        f"Client CPU {client_cpu:.1f} s."
    )
    print(
        f"load average (1, 5, 15 min) before {_load(load_before)}, after "
        f"{_load(os.getloadavg())}, on {os.cpu_count()} cores"
    )


def _fill(url: str, env: dict, users: int) -> None:
    """A new database: the demo organisation and `users` learners."""
    if url.startswith("postgresql"):
        _empty_postgres(url)
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "seed", "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-c", ADD_LEARNERS, str(users), PASSWORD], env=env, cwd=ROOT, check=True
    )


def _load(averages: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


def _hashing_seconds(pids: list[int]) -> float:
    """CPU of the workers' password-checking threads: the ones running at a lower
    priority (portal.accounts.services), told apart by their niceness in /proc."""
    ticks = 0
    for pid in pids:
        for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[16]) > 0:  # nice
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _empty_postgres(url: str) -> None:
    """Drop everything in the throw-away PostgreSQL database the run is pointed at."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    from portal.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


class Learner:
    """One simulated learner: a client with its own cookies, recording every request."""

    def __init__(self, base: str, index: int, results: dict, rng: random.Random) -> None:
        # The address the proxy in front would add: one per learner (10.16.0.1, ...).
        address = f"10.16.{index // 250}.{index % 250 + 1}"
        self.client = httpx2.AsyncClient(
            base_url=base,
            timeout=30,
            follow_redirects=False,
            headers={"X-Forwarded-For": address},
            # One context for all: each client making its own costs ~0.25 s of this
            # process's CPU, which blocked every learner's requests while 100 were made.
            verify=TLS,
        )
        self.index = index
        self.results = results
        self.rng = rng
        self.token = ""
        self.lesson = None
        self.leads = 0
        self.retry_after = 0.0  # what the last 503 asked for

    async def request(self, kind: str, method: str, path: str, **kwargs) -> httpx2.Response | None:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx2.HTTPError as error:
            self.results[kind].append((time.perf_counter() - started, repr(error)))
            return None
        failed = response.status_code >= 400
        if response.status_code == 503:
            self.retry_after = float(response.headers.get("Retry-After", 5))
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
        for _attempt in range(3):  # "try again in a few seconds", as the page says
            self.retry_after = 0.0
            answer = await self.request("POST /login (sign-in)", "POST", "/login", data=data)
            if not self.retry_after:
                break
            await asyncio.sleep(self.retry_after)
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


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _spread(times: list[float]) -> str:
    """p50, p95, p99 and maximum, in columns."""
    figures = [_percentile(times, share) for share in (0.5, 0.95, 0.99)] + [max(times)]
    return " ".join(f"{figure:8.1f}" for figure in figures)


def _report(results: dict) -> None:
    heads = " ".join(f"{head:>8}" for head in ("p50", "p95", "p99", "max"))
    print(f"{'request':32} {'count':>6} {'failed':>6} {heads}  ms")
    pages, sign_in, errors = [], [], defaultdict(int)
    for kind in sorted(results):
        rows = results[kind]
        times = [t * 1000 for t, _error in rows]
        failed = [error for _t, error in rows if error]
        for error in failed:
            errors[f"{kind}: {error}"] += 1
        (sign_in if "sign-in" in kind else pages).extend(times)
        print(f"{kind:32} {len(rows):6} {len(failed):6} {_spread(times)}")
    print(f"{'pages other than sign-in':32} {len(pages):6} {'':6} {_spread(pages)}")
    print(f"{'sign-in':32} {len(sign_in):6} {'':6} {_spread(sign_in)}")
    print(
        f"p95: pages other than sign-in {_percentile(pages, 0.95):.0f} ms, sign-in "
        f"{_percentile(sign_in, 0.95):.0f} ms; failures: {sum(errors.values())}"
    )
    for error, count in sorted(errors.items()):
        print(f"  {count} x {error}")


ACCESS_LINE = re.compile(r'"(\w+) (\S+) HTTP/[\d.]+" (\d+) .* (\d+)ms$')


def _report_server(log: Path) -> None:
    """The same from gunicorn's access log: time inside the server, without the wait for
    a free thread or the client's own delays."""
    pages, sign_in = [], []
    for line in log.read_text(errors="replace").splitlines():
        found = ACCESS_LINE.search(line)
        if found and found[2] != "/healthz":
            signing_in = found[1] == "POST" and found[2].startswith("/login")
            (sign_in if signing_in else pages).append(float(found[4]))
    if pages and sign_in:
        print(f"{'server: pages other than sign-in':32} {len(pages):6} {'':6} {_spread(pages)}")
        print(f"{'server: sign-in':32} {len(sign_in):6} {'':6} {_spread(sign_in)}")


if __name__ == "__main__":
    main()
