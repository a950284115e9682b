"""Benchmark: evaluating a wave's go-live gate over its learners' training evidence.

Builds the same organisation as bench/dashboard.py (10,000 learners, ~300,000 progress
and attempt rows) and evaluates the gate of the pilot wave (Sales, 2,000 learners, five
criteria), printing the median time (wall clock, and this process's CPU), the statements
run and the slowest one.

    .venv/bin/python bench/gates.py
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/gates.py

With --reuse, a database this benchmark (or bench/dashboard.py) built before is migrated
to the head and measured again without a rebuild (see bench/dashboard.py):

    .venv/bin/python bench/gates.py --database sqlite:///gates.db --runs 31 --reuse
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import StatementTimer  # noqa: E402
from dashboard import build_dataset, start  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from workers import DatabaseCPU  # noqa: E402

from portal.extensions import db  # noqa: E402
from portal.rollout.gates import evaluate_gate  # noqa: E402
from portal.rollout.models import Wave  # noqa: E402


def main() -> None:
    """Build the data, evaluate the pilot's gate repeatedly, print the figures."""
    args, app = start(__doc__.splitlines()[0])
    with app.app_context():
        if args.reuse:
            print(f"database: {db.engine.dialect.name}; reused as built before")
            wave_id = db.session.scalar(select(func.min(Wave.id)))  # the pilot: built first
        else:
            counts = build_dataset(args.learners)
            print(
                f"database: {db.engine.dialect.name}; learners={counts['learners']}, "
                f"progress and attempt rows={counts['rows']}"
            )
            wave_id = counts["wave_ids"][0]
        wave = db.session.get(Wave, wave_id)
        server = DatabaseCPU(db.engine, db.session)
        timer = StatementTimer(db.engine)
        for _ in range(2):  # warm caches
            evaluate_gate(wave)
        times, cpu, server_cpu, statements, heaviest = [], [], [], [], []
        for _ in range(args.runs):
            db.session.expire_all()
            wave = db.session.get(Wave, wave_id)
            timer.times.clear()
            with timer.running():
                started, cpu_started = time.perf_counter(), time.process_time()
                server_started = server.seconds()
                gate = evaluate_gate(wave)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                if server_started is not None:
                    server_cpu.append(server.seconds() - server_started)
            statements.append(len(timer.times))
            heaviest.append(max(timer.times))
        print(
            f"gate of '{wave.name}': {gate.learners} learners, {len(gate.criteria)} criteria, "
            f"{gate.status}"
        )
        print(
            f"evaluate_gate: median {1000 * statistics.median(times):.1f} ms over {args.runs} "
            f"runs (min {1000 * min(times):.1f}, max {1000 * max(times):.1f}); "
            f"{statistics.mode(statements)} statements"
        )
        print(
            f"evaluate_gate: median {1000 * statistics.median(cpu):.1f} ms of this process's CPU"
            + (
                f" + {1000 * statistics.median(server_cpu):.1f} ms of the PostgreSQL server's"
                if server_cpu
                else ""
            )
        )
        print(
            f"heaviest statement: median {1000 * statistics.median(t for t, _ in heaviest):.1f} ms"
        )


if __name__ == "__main__":
    main()
