"""Checking an exercise with the running clock and scenario events: the after-sale
exercise, set up and solved in a standard-size sandbox, with its scenario event played
and more waiting on the clock, checked the way Check my work does (play what fell due,
then every check). The issue's bar: at most 10 ms median on SQLite.

    .venv/bin/python bench/exercise_check.py            # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/exercise_check.py

Prints medians in milliseconds, wall and CPU (with SQLite the database work is in this
process, so CPU is the figure a busy machine does not distort). The database it uses is
emptied first.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from common import arguments, ms, original_lesson, timed  # noqa: E402
from sandbox_seed import make_learners, sandbox_app  # noqa: E402

from portal.extensions import db  # noqa: E402

EXERCISE = "billing-and-defect-tickets"
WAITING = 20  # scenario events still waiting on the clock (later than the check)


def main(runs: int) -> None:

    from portal.accounts.models import User
    from sandbox import checks, scenarios
    from sandbox.services import get_or_create_sandbox, scenario_events
    from seed.learning_demo import import_builtin_courses

    import_builtin_courses()
    db.session.commit()
    lesson = original_lesson(EXERCISE)
    learner = db.session.get(User, make_learners(1)[0])
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, lesson.content["setup"], actor=learner)
    later = [
        {**spec, "key": f"later-{i}", "minutes": 60 * 24 * 7}
        for i, spec in enumerate(lesson.content["scenario_events"] * WAITING)
    ]
    scenario_events.schedule(
        sandbox, lesson.content["scenario_events"] + later, records, records.since
    )
    scenarios.apply_solution(sandbox, learner, lesson.content["solution"], records)
    db.session.commit()
    found = checks.evaluate(sandbox, lesson.content["checks"], records)
    assert all(r.passed for r in found), [r.key for r in found if not r.passed]
    # As in a request: a session holding only what the check loads, not the thousands of
    # rows the setup made (each query's autoflush looks at every object the session holds).
    db.session.commit()
    db.session.expunge_all()
    sandbox = db.session.get(type(sandbox), sandbox.id)

    def check() -> None:
        scenario_events.play_due(sandbox)
        checks.evaluate(sandbox, lesson.content["checks"], records)

    samples = timed(check, runs)
    cpu = timed(check, runs, time.process_time)
    count = len(lesson.content["checks"])
    print(
        f"check exercise ({EXERCISE}, {count} checks, 1 scenario event played, "
        f"{len(later)} waiting): median {ms(samples)} ms wall, {ms(cpu)} ms CPU "
        f"over {runs} runs"
    )
    timed_checks = [
        c for c in lesson.content["checks"] if c["type"] in ("within_sla", "responded_within")
    ]
    playing = timed(lambda: scenario_events.play_due(sandbox), runs)
    print(f"  of which playing due events: median {ms(playing)} ms")
    alone = timed(lambda: checks.evaluate(sandbox, timed_checks, records), runs)
    print(f"  of which the {len(timed_checks)} SLA checks alone: median {ms(alone)} ms")


if __name__ == "__main__":
    args = arguments(__doc__.split("\n")[0], runs=51, learners=1, learners_help="unused")
    app = sandbox_app()
    with app.app_context():
        main(args.runs)
