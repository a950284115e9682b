"""Sandbox benchmarks: everything bench/sandbox_seed.py measures (creating and resetting a
sandbox against plain Core executemany, page times with one sandbox and with a thousand),
plus checking an exercise's work in a standard sandbox.

    .venv/bin/python bench/sandbox.py            # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/sandbox.py

Prints medians in milliseconds. The database it uses is emptied first.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from common import ms, original_lesson, timed  # noqa: E402
from sandbox_seed import run, sandbox_app, sandbox_arguments  # noqa: E402

from portal.extensions import db  # noqa: E402

EXERCISE = "billing-and-defect-tickets"


def check_exercise(learners: list[int]) -> None:
    """Set up, solve and check a built-in exercise in learner 0's sandbox; time the check."""

    from portal.accounts.models import User
    from sandbox import checks, scenarios
    from sandbox.services import get_or_create_sandbox
    from seed.learning_demo import import_builtin_courses

    import_builtin_courses()
    db.session.commit()
    lesson = original_lesson(EXERCISE)
    learner = db.session.get(User, learners[0])
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, lesson.content["setup"], actor=learner)
    scenarios.apply_solution(sandbox, learner, lesson.content["solution"], records)
    db.session.commit()
    samples = timed(lambda: checks.evaluate(sandbox, lesson.content["checks"], records), 30)
    count = len(lesson.content["checks"])
    print(f"check exercise ({EXERCISE}, {count} checks): median {ms(samples)} ms")


if __name__ == "__main__":
    args = sandbox_arguments(__doc__.split("\n")[0])
    run(sandbox_app(), args.runs, args.learners, between=check_exercise)
