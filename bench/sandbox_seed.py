"""Benchmark: creating and resetting a learner's sandbox, against plain Core executemany,
and sandbox page times with one sandbox in the database and with a thousand.

    .venv/bin/python bench/sandbox_seed.py                  # SQLite in a temporary file
    .venv/bin/python bench/sandbox_seed.py --runs 41 --learners 1000
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/sandbox_seed.py

What is timed (medians, milliseconds, each run committed):
- faker: the once-per-process pool build, and what one Faker value costs;
- create: a learner's first visit, get_or_create_sandbox() + commit, ~1,500 rows;
- reset: reset_sandbox() + commit (bulk DELETE per table, then the same seeding), and
  the alternative of deleting the sandbox row and letting ON DELETE CASCADE clear it;
- CPU: the same create and core runs' CPU time in this process (all of it on SQLite,
  the client's share on PostgreSQL), which a busy machine does not inflate as it does
  wall time;
- core: the very same rows (read back from one create through the tables' types, less
  their ids) inserted with connection.execute(insert(table), rows) into an empty sandbox,
  nothing else;
- pages: GET of every sandbox list page and a detail page (status 200 checked) with one
  sandbox in the database, then with `--learners` sandboxes built by the same bulk path;
- storage: the KB each of those sandboxes takes on disk, per table and, for each table,
  its rows and each index apart (SQLite's dbstat pages; PostgreSQL's relation
  sizes, TOAST with the rows), as loaded (after VACUUM: the timed resets' churn
  aside), and the total before that VACUUM.

The database named by BENCH_DATABASE_URL is emptied first: point it at a throw-away one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import arguments, database_url, make_app, ms, timed  # noqa: E402
from flask import g  # noqa: E402
from sqlalchemy import String, delete, func, insert, select, text, type_coerce  # noqa: E402

from portal.accounts.models import User, UserRole  # noqa: E402
from portal.extensions import db  # noqa: E402
from sandbox.fill import company  # noqa: E402
from sandbox.fill.fakes import make_faker  # noqa: E402
from sandbox.models import SANDBOX_TABLES, Customer, Lead, Sandbox, Ticket  # noqa: E402
from sandbox.models_storage import SeededText  # noqa: E402
from sandbox.services import get_or_create_sandbox, reset_sandbox  # noqa: E402

PASSWORD = "bench-password-1"


def sandbox_app():
    """An app on the emptied BENCH_DATABASE_URL (or a temporary SQLite file), signing in
    without CSRF tokens or rate limits."""
    return make_app(
        database_url(),
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1",
    )


def make_learners(count: int) -> list[int]:
    """`count` learners, inserted in bulk; the first can sign in."""
    from werkzeug.security import generate_password_hash

    password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    ids = db.session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": f"learner{i}@bench.test",
                "name": f"Bench Learner {i}",
                "password_hash": password if i == 0 else None,
                "active": True,
                "session_version": 1,
                "job_title": "",
                "password_change_required": False,
            }
            for i in range(count)
        ],
    ).all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
    db.session.commit()
    return ids


def faker_costs() -> tuple[float, float]:
    """(ms to build the pools once, microseconds per Faker value)."""
    company.pools.cache_clear()
    started = time.perf_counter()
    company.pools()
    build = time.perf_counter() - started
    faker = make_faker(seed=1)
    started = time.perf_counter()
    for _ in range(2000):
        faker.first_name()
        faker.company()
    per_value = (time.perf_counter() - started) / 4000
    return build * 1000, per_value * 1e6


def sandbox_rows(sandbox_id: int) -> int:
    return sum(
        db.session.scalar(select(func.count()).where(m.sandbox_id == sandbox_id))
        for m in SANDBOX_TABLES
    )


def capture_rows(user: User) -> list[tuple]:
    """The (table, rows) one sandbox creation writes, for the Core yardstick: read back
    through the tables' own types, so the yardstick binds the same Python values (dates,
    amounts, codes) a plain Core executemany of these rows would. Seeded sentences are
    read as stored (their codes), as the fill writes them."""
    sandbox = get_or_create_sandbox(user)
    # Kept: the rows' links (a contact, a company) must point at rows that exist when the
    # yardstick inserts them again, foreign keys checked as in a real creation.
    db.session.commit()
    batches = []
    for model in SANDBOX_TABLES:
        table = model.__table__
        columns = [
            type_coerce(column, String) if isinstance(column.type, SeededText) else column
            for column in table.c
            if column.key != "id"  # the yardstick's rows get the table's own ids
        ]
        found = db.session.execute(
            select(*columns).where(table.c.sandbox_id == sandbox.id).order_by(table.c.id)
        )
        rows = [dict(row._mapping) for row in found]
        if rows:
            batches.append((table, rows))
    return batches


def bench_seeding(learners: list[int], runs: int) -> dict:
    """Create, reset (two ways) and the Core yardstick, interleaved run by run so that all
    four see the same machine (other processes, CPU frequency)."""
    # Users one at a time by id: a session holding a thousand objects is not a request's.
    users = (db.session.get(User, user_id) for user_id in learners[1:])
    first = next(users)
    get_or_create_sandbox(first)
    db.session.commit()
    target = db.session.scalar(select(Sandbox).where(Sandbox.owner_id == first.id))
    rows = sandbox_rows(target.id)
    cascaded = next(users)
    get_or_create_sandbox(cascaded)
    db.session.commit()

    spare = next(users)
    batches = capture_rows(spare)
    box = Sandbox(owner_id=None, seed=1, generation=1, clock=target.clock)
    db.session.add(box)
    db.session.commit()
    scratch = box.id
    batches = [
        (table, [{**row, "sandbox_id": scratch} for row in rows_]) for table, rows_ in batches
    ]

    newcomer: list[User] = []

    def create():
        get_or_create_sandbox(newcomer[0])  # loaded beforehand, as a request's current_user
        db.session.commit()

    def reset():
        reset_sandbox(target, first)
        db.session.commit()

    def reset_by_cascade():
        # The alternative design: drop the sandbox row, ON DELETE CASCADE clears its rows,
        # and a new sandbox row (a new id) is seeded.
        old = db.session.scalar(select(Sandbox).where(Sandbox.owner_id == cascaded.id))
        db.session.execute(delete(Sandbox).where(Sandbox.id == old.id))
        db.session.expunge(old)
        get_or_create_sandbox(cascaded)
        db.session.commit()

    def clear():
        with db.engine.begin() as connection:
            for model in reversed(SANDBOX_TABLES):
                connection.execute(delete(model.__table__).where(model.sandbox_id == scratch))

    def core():
        with db.engine.begin() as connection:
            for table, rows_ in batches:
                connection.execute(insert(table), rows_)

    times: dict[str, list[float]] = {"create": [], "reset": [], "cascade": [], "core": []}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    for _ in range(runs):
        clear()
        newcomer[:] = [next(users)]
        first.name, cascaded.name  # noqa: B018 - loaded, as a signed-in user would be
        for name, fn in (
            ("core", core),
            ("create", create),
            ("reset", reset),
            ("cascade", reset_by_cascade),
        ):
            started = time.process_time()
            times[name] += timed(fn, 1)
            cpu[name].append(time.process_time() - started)
    clear()
    return {
        "rows": rows,
        "core_rows": sum(len(rows_) for _t, rows_ in batches),
        **{name: ms(samples) for name, samples in times.items()},
        **{f"{name}_cpu": ms(samples) for name, samples in cpu.items()},
    }


def page_urls(user_id: int) -> list[str]:
    box = db.session.scalar(select(Sandbox).where(Sandbox.owner_id == user_id))
    first = {
        m: db.session.scalar(select(m.id).where(m.sandbox_id == box.id).limit(1))
        for m in (Customer, Lead, Ticket)
    }
    return [
        "/sandbox/",
        # ?page=1: a list opened bare brings back its remembered filter by a redirect
        "/sandbox/customers?page=1",
        "/sandbox/customers?q=an&tier=gold",
        f"/sandbox/customers/{first[Customer]}",
        "/sandbox/leads?page=1",
        f"/sandbox/leads/{first[Lead]}",
        "/sandbox/opportunities",
        "/sandbox/tickets?page=1",
        f"/sandbox/tickets/{first[Ticket]}",
        "/sandbox/automations",
        "/sandbox/outbox",
        "/sandbox/reports",
    ]


def page_times(client, urls: list[str], runs: int) -> dict[str, float]:
    out = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        out[url] = ms(timed(lambda url=url: client.get(url), runs))
    return out


def build_many(learners: list[int]) -> tuple[float, int]:
    """A sandbox for every learner without one, through the same bulk seeding path."""
    have = set(db.session.scalars(select(Sandbox.owner_id)))
    users = db.session.scalars(select(User).where(User.id.in_(learners))).all()
    started = time.perf_counter()
    for user in users:
        if user.id not in have:
            get_or_create_sandbox(user)
    db.session.commit()
    took = time.perf_counter() - started
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load: fresh planner statistics.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    # The sandboxes with rows: the yardstick's scratch sandbox is left empty.
    return took, db.session.scalar(select(func.count(func.distinct(Customer.sandbox_id))))


def compact() -> None:
    """Rewrite the tables as a fresh load lays them out (SQLite VACUUM, PostgreSQL VACUUM
    FULL): the timed resets above deleted and rewrote a few sandboxes' rows dozens of
    times, leaving part-empty pages that a database of real learners would not have in
    that proportion."""
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if db.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("VACUUM")
        else:
            tables = ", ".join(model.__tablename__ for model in (Sandbox, *SANDBOX_TABLES))
            connection.exec_driver_sql(f"VACUUM FULL {tables}")


def _largest(part: tuple[str, float]) -> float:
    return -part[1]


def storage_per_sandbox(sandboxes: int) -> tuple[dict[str, float], dict[str, list]]:
    """KB each sandbox takes per table on disk, indexes included (PostgreSQL: with TOAST),
    and under "total"; and per table, its rows' and each index's KB as (name, KB) pairs,
    largest first. Read from SQLite's dbstat or PostgreSQL's relation sizes."""
    tables = [model.__tablename__ for model in (Sandbox, *SANDBOX_TABLES)]
    parts: dict[str, list] = {table: [] for table in tables}
    if db.engine.dialect.name == "sqlite":
        # dbstat names a table's or index's pages; sqlite_master says which table an index is of.
        owner = dict(db.session.execute(text("SELECT name, tbl_name FROM sqlite_master")).all())
        pages = db.session.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
        for name, size in pages:
            table = owner.get(name, name)
            if table in parts:
                parts[table].append((name, size))
    else:
        size_of = text("SELECT pg_relation_size(:r)")
        for table in tables:
            # pg_table_size: the rows with their TOAST; then each index on its own.
            rows = db.session.scalar(text("SELECT pg_table_size(:t)"), {"t": table})
            indexes = db.session.scalars(
                text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": table}
            )
            parts[table] = [(table, rows)] + [
                (index, db.session.scalar(size_of, {"r": index})) for index in indexes
            ]
    kb = {
        table: sorted(((name, size / sandboxes / 1024) for name, size in found), key=_largest)
        for table, found in parts.items()
    }
    per = {table: sum(size for _name, size in found) for table, found in kb.items()}
    return {"total": sum(per.values()), **per}, kb


def run(app, runs: int, learners_wanted: int, between=None) -> None:
    """Measure and print everything; `between(learners)` runs with one sandbox present,
    after the seeding figures (bench/sandbox.py times an exercise check there)."""
    with app.app_context():
        learners = make_learners(max(learners_wanted, runs + 8))
        pool_ms, value_us = faker_costs()
        client = app.test_client()
        login = client.post("/login", data={"email": "learner0@bench.test", "password": PASSWORD})
        assert login.status_code == 302, "the bench learner could not sign in"
        assert client.get("/sandbox/").status_code == 200  # learner 0's sandbox: the only one
        urls = page_urls(learners[0])
        one = page_times(client, urls, runs)
        # The test client's requests share this app context: the last one's sandbox would
        # stay on `g` and limit every query below to it (sandbox.scoping), as no request
        # of the portal's own ever does.
        g.pop("sandbox", None)
        seeding = bench_seeding(learners, runs)
        if between is not None:
            between(learners)
        build_s, sandboxes = build_many(learners)
        many = page_times(client, urls, runs)
        churned, _parts = storage_per_sandbox(sandboxes)
        compact()
        storage, relations = storage_per_sandbox(sandboxes)
        url = str(db.engine.url)

    print(f"database: {url.split(':')[0]}")
    print(
        f"faker: pools built once per process in {pool_ms:.0f} ms; "
        f"one Faker value costs {value_us:.0f} us "
        f"(a sandbox's ~{seeding['rows']} rows would need several thousand values)"
    )
    print(
        f"standard sandbox: {seeding['rows']} rows ({seeding['core_rows']} inserted rows "
        "in the Core yardstick, sandbox row aside)"
    )
    print(f"create sandbox (first visit), median: {seeding['create']} ms")
    print(f"reset sandbox (bulk DELETE per table + reseed), median: {seeding['reset']} ms")
    print(
        f"reset by deleting the sandbox row (ON DELETE CASCADE) + reseed, median: "
        f"{seeding['cascade']} ms"
    )
    print(f"same rows with plain Core executemany, median: {seeding['core']} ms")
    print(
        f"create / core = {seeding['create'] / seeding['core']:.2f}x, "
        f"reset / core = {seeding['reset'] / seeding['core']:.2f}x"
    )
    print(
        f"this process's CPU, median: create {seeding['create_cpu']} ms, core "
        f"{seeding['core_cpu']} ms: create / core = "
        f"{seeding['create_cpu'] / seeding['core_cpu']:.2f}x"
    )
    print(f"{sandboxes} sandboxes in the database (the rest built in {build_s:.1f} s)")
    largest = sorted(((kb, t) for t, kb in storage.items() if t != "total"), reverse=True)
    print(
        f"storage: {storage['total']:.1f} KB per sandbox (tables and indexes over "
        f"{sandboxes} sandboxes, laid out as loaded); "
        + ", ".join(f"{table} {kb:.1f}" for kb, table in largest[:6])
    )
    print(
        f"  before that compaction, with the pages the timed resets part-emptied: "
        f"{churned['total']:.1f} KB per sandbox"
    )
    for _kb, table in largest:
        print(f"  {table}: " + ", ".join(f"{name} {kb:.1f}" for name, kb in relations[table]))
    print(f"{'page (median)':<40} {'1 sandbox':>10} {f'{sandboxes} sandboxes':>16}")
    for url in urls:
        print(f"{url:<40} {one[url]:>8} ms {many[url]:>13} ms")


def sandbox_arguments(description: str):
    """--runs (default 31) and --learners (default 1,000 sandboxes for the page test)."""
    return arguments(
        description, runs=31, learners=1000, learners_help="sandboxes for the page test"
    )


def main() -> None:
    args = sandbox_arguments(__doc__.split("\n")[0])
    run(sandbox_app(), args.runs, args.learners)


if __name__ == "__main__":
    main()
