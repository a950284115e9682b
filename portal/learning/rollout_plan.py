"""The rollout plan as a learner reads it: the plan their department's wave belongs to,
its phases and goals, every wave's go-live date, and which wave is theirs.

Read-only: executives edit the plan (portal.rollout); learners see it so that the
training speaks about this rollout (the "Why our rollout works" course has them answer
from it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.rollout import queries as rollout_queries
from portal.rollout.models import Horizon, Plan, Wave, wave_departments


@dataclass
class LearnerPlan:
    plan: Plan
    my_wave: Wave | None  # the wave the learner's department goes live in, if any

    @property
    def phases(self) -> list:
        return sorted(self.plan.phases, key=lambda phase: phase.position)

    @property
    def waves(self) -> list[Wave]:
        return sorted(self.plan.waves, key=lambda wave: (wave.go_live_on, wave.id))

    def goals(self, horizon: Horizon) -> list:
        return [goal for goal in self.plan.goals if goal.horizon == horizon.value]


def my_wave(user: User) -> Wave | None:
    """The first wave to go live that includes the user's department (as the answer
    check `rollout.wave_go_live` reads it)."""
    if user.department_id is None:
        return None
    return db.session.scalar(
        select(Wave)
        .join(wave_departments, wave_departments.c.wave_id == Wave.id)
        .where(wave_departments.c.department_id == user.department_id)
        .order_by(Wave.go_live_on, Wave.id)
        .limit(1)
    )


def plan_for(user: User) -> LearnerPlan | None:
    """The plan of the user's wave, else the plan the dashboard shows; None without one."""
    wave = my_wave(user)
    plan = rollout_queries.load_plan(wave.plan_id) if wave else rollout_queries.latest_plan()
    return LearnerPlan(plan, wave if wave and plan else None) if plan else None
