"""Sandbox benchmarks: creating and resetting a sandbox, checking an exercise, and page
times with one sandbox in the database and with a thousand.

    .venv/bin/python bench/sandbox.py            # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/sandbox.py

Prints medians in milliseconds. The database it uses is emptied first.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or "sqlite:///" + os.path.join(
        tempfile.mkdtemp(), "bench.db"
    )
    app = create_app(
        {
            "MODE": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            else:
                db.metadata.drop_all(connection)
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="heads")

        from portal.accounts.services import UserData, create_user
        from sandbox import checks, scenarios
        from sandbox.models import SANDBOX_TABLES, Sandbox
        from sandbox.services import get_or_create_sandbox, reset_sandbox
        from seed import sandbox as seed_sandbox
        from seed.learning_demo import import_builtin_courses

        learner = create_user(
            UserData(email="bench@demo.test", name="Bench Learner", roles=["learner"]),
            "bench-password-1",
        )
        db.session.commit()
        seed_sandbox.pools()  # Faker runs once per process; warm it like a running server

        # 1. Creating a standard sandbox, and resetting it.
        sandbox = get_or_create_sandbox(learner)
        db.session.commit()
        rows = sum(
            db.session.scalar(
                text(f"SELECT count(*) FROM {m.__tablename__} WHERE sandbox_id = {sandbox.id}")
            )
            for m in SANDBOX_TABLES
        )

        fresh_users = [
            create_user(
                UserData(email=f"fresh{i}@demo.test", name=f"Fresh {i}", roles=["learner"]), None
            )
            for i in range(15)
        ]
        db.session.commit()
        create = []
        for user in fresh_users:
            started = time.perf_counter()
            get_or_create_sandbox(user)
            db.session.commit()
            create.append(time.perf_counter() - started)
        sandbox = db.session.scalar(db.select(Sandbox).where(Sandbox.owner_id == learner.id))

        def reset():
            reset_sandbox(sandbox, learner)
            db.session.commit()

        reset_times = timed(reset, 15)

        # The same rows through plain Core executemany, as the yardstick.
        captured: list[tuple] = []

        def capture(_conn, clauseelement, multiparams, _params, _options):
            if multiparams and getattr(clauseelement, "table", None) is not None:
                rows = multiparams[0] if isinstance(multiparams[0], list) else multiparams
                captured.append((clauseelement.table, [dict(p) for p in rows]))

        event.listen(db.engine, "before_execute", capture)
        seed_sandbox.populate(sandbox.id, 7, sandbox.clock, learner.name)
        event.remove(db.engine, "before_execute", capture)
        db.session.rollback()

        scratch = Sandbox(owner_id=learner.id, seed=1, generation=1, clock=sandbox.clock)
        db.session.commit()
        scratch_user = create_user(
            UserData(email="scratch@demo.test", name="Scratch", roles=["learner"]),
            "bench-password-1",
        )
        scratch.owner_id = scratch_user.id
        db.session.add(scratch)
        db.session.commit()
        batches = [
            (table, [{**row, "sandbox_id": scratch.id} for row in params])
            for table, params in captured
        ]

        def clear_scratch():
            with db.engine.begin() as connection:
                for model in reversed(SANDBOX_TABLES):
                    connection.execute(
                        model.__table__.delete().where(model.__table__.c.sandbox_id == scratch.id)
                    )

        core = []
        for _ in range(15):
            clear_scratch()
            started = time.perf_counter()
            with db.engine.begin() as connection:
                for table, params in batches:
                    connection.execute(insert(table), params)
            core.append(time.perf_counter() - started)
        clear_scratch()

        # 2. Checking an exercise in a standard sandbox.
        import_builtin_courses()
        db.session.commit()
        from portal.learning.models import Lesson

        lesson = db.session.scalar(
            db.select(Lesson).where(Lesson.key == "billing-and-defect-tickets")
        )
        records = scenarios.inject(sandbox, lesson.content["setup"], actor=learner)
        scenarios.apply_solution(sandbox, learner, lesson.content["solution"], records)
        db.session.commit()
        check = timed(lambda: checks.evaluate(sandbox, lesson.content["checks"], records), 30)

    # 3. Sandbox pages with one sandbox, then with a thousand, over real HTTP (test client).
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    signed_in = client.post(
        "/login", data={"email": "bench@demo.test", "password": "bench-password-1"}
    )
    assert signed_in.status_code == 302, "bench sign-in failed"
    assert client.get("/sandbox/customers").status_code == 200
    pages = ["/sandbox/customers", "/sandbox/tickets", "/sandbox/opportunities", "/sandbox/"]

    def page_times() -> dict[str, float]:
        return {p: median_ms(timed(lambda p=p: client.get(p), 25)) for p in pages}

    one = page_times()
    with app.app_context():
        from portal.accounts.models import User, UserRole

        ids = db.session.scalars(
            insert(User).returning(User.id),
            [
                {
                    "email": f"l{i}@bench.test",
                    "name": f"Learner {i}",
                    "active": True,
                    "session_version": 1,
                    "job_title": "",
                    "password_change_required": False,
                }
                for i in range(999)
            ],
        ).all()
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
        started = time.perf_counter()
        for user_id in ids:
            box = Sandbox(owner_id=user_id, seed=user_id, generation=1, clock=sandbox.clock)
            db.session.add(box)
            db.session.flush()
            seed_sandbox.populate(box.id, user_id, box.clock, "Learner")
        db.session.commit()
        build = time.perf_counter() - started
    thousand = page_times()

    print(f"database: {url.split(':')[0]}")
    print(f"standard sandbox: {rows} rows")
    print(f"create sandbox: median {median_ms(create)} ms")
    print(f"reset sandbox: median {median_ms(reset_times)} ms")
    print(
        f"same rows via Core executemany: median {median_ms(core)} ms "
        f"(create/core = {median_ms(create) / median_ms(core):.2f}x)"
    )
    print(f"check exercise (billing-and-defect-tickets, 13 checks): median {median_ms(check)} ms")
    print(f"built 999 more sandboxes in {build:.1f} s")
    for p in pages:
        print(f"GET {p}: 1 sandbox {one[p]} ms, 1000 sandboxes {thousand[p]} ms")


if __name__ == "__main__":
    main()
