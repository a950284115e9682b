"""The demo organisation's rollout: a plan in its Training phase, a pilot wave already
live and a second wave in progress, with learners at varied, realistic stages.

Every trace of learning is made by the real services: record_view, complete_reading,
submit_quiz with right and wrong answers, issue_certificate_if_complete; hands-on
exercises run in each learner's own sandbox (start_exercise, the exercise's reference
solution carried out by the sandbox's services for those who get it right,
check_exercise); practice is real sandbox work (logging leads). Afterwards the timestamps
are moved into the past so that the weekly charts show weeks of work, not one afternoon.

`create_demo_rollout()` is idempotent: when the demo plan exists it changes nothing.
The caller commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from portal import clock
from portal.accounts.models import Department, User
from portal.database import utcnow
from portal.extensions import db
from portal.rollout.models import Plan
from seed.rollout_demo.activity import practise_freely, stuck_on_a_quiz, study
from seed.rollout_demo.adoption import create_demo_usage
from seed.rollout_demo.courses import ensure_courses
from seed.rollout_demo.plan import DEMO_PLAN, build_plan, sign_history
from seed.rollout_demo.times import at

__all__ = ["DEMO_PLAN", "DemoCounts", "create_demo_rollout", "demo_rollout_present"]

# How far each wave's learners have got: (share of learners, fraction of lessons done,
# how well they answer quizzes); the rest are spread between.
STAGES = {
    0: [(0.85, 1.0, 0.95), (0.1, 0.7, 0.8), (0.05, 0.4, 0.3)],
    1: [(0.3, 1.0, 0.9), (0.4, 0.55, 0.8), (0.2, 0.2, 0.6), (0.1, 0.0, 0.0)],
    2: [(0.15, 0.5, 0.85), (0.35, 0.15, 0.7), (0.5, 0.0, 0.0)],
}


@dataclass
class DemoCounts:
    created: bool
    learners: int = 0
    certificates: int = 0
    courses: list[str] = field(default_factory=list)


def demo_rollout_present() -> bool:
    """Whether the demo plan is already there."""
    return db.session.scalar(select(Plan.id).where(Plan.name == DEMO_PLAN)) is not None


def create_demo_rollout(today: date | None = None, seed: int = 2026) -> DemoCounts:
    """Build the demo rollout plan and the learning that makes its dashboard meaningful.

    Needs the demo organisation (seed.demo.create_demo_organisation) and creates it if it
    is missing. Does nothing when the demo plan is already there.
    """
    if demo_rollout_present():
        return DemoCounts(created=False)
    from seed.demo import create_demo_organisation, demo_present

    if not demo_present():
        create_demo_organisation(seed=seed)
    today = today or clock.today()
    rng = random.Random(seed)
    courses = {course.slug: course for course in ensure_courses()}
    departments = {d.name: d for d in db.session.scalars(select(Department))}
    executive = db.session.scalar(select(User).where(User.email == "exec@demo.test"))
    plan, waves = build_plan(today, executive, departments, courses)

    counts = DemoCounts(created=True, courses=sorted(courses))
    for index, (wave, chosen, tied) in enumerate(waves):
        learners = db.session.scalars(
            select(User)
            .where(
                User.department_id.in_([d.id for d in chosen]),
                User.active.is_(True),
                User.email.notlike("%admin@%"),
                User.email != "exec@demo.test",
                User.email != "trainer@demo.test",
            )
            .order_by(User.id)
        ).all()
        for user in learners:
            share, skill = _stage(index, rng)
            if user.email == "learner@demo.test":
                share, skill = 0.3, 0.8  # the demo learner has started, with plenty left
            start = at(
                today - timedelta(days=rng.randint(30, 55) if index == 0 else rng.randint(5, 30)),
                rng.uniform(8, 12),
            )
            end = at(wave.go_live_on - timedelta(days=15)) if index == 0 else utcnow()
            end = min(max(end, start + timedelta(days=3)), utcnow() - timedelta(hours=1))
            user.first_login_at = user.last_login_at = start
            # In their department since before the courses were assigned: not late joiners.
            user.created_at = user.department_since = start - timedelta(days=7)
            counts.certificates += study(user, tied, share, skill, start, end, rng)
            if share:
                practise_freely(user, rng.randint(0, 8 if index else 6), today, rng)
            if share and share < 1 and rng.random() < 0.15:
                stuck_on_a_quiz(user, tied, end - timedelta(days=1))
            counts.learners += 1
    sign_history(plan, waves, executive, today)
    create_demo_usage(waves, today, rng)
    db.session.flush()
    return counts


def _stage(wave_index: int, rng: random.Random) -> tuple[float, float]:
    pick = rng.random()
    for share, done, skill in STAGES[wave_index]:
        if pick < share:
            return done, skill
        pick -= share
    return 0.0, 0.0
