"""The rollout plan as a learner reads it: the plan their department's wave belongs to,
its phases (and which are signed off, by whom and when) and goals, the mission with its
objectives, the CRM chosen and why, every wave's go-live date, and which wave is theirs.

Read-only: executives edit the plan (portal.rollout); learners see it so that the
training speaks about this rollout (the "Why our rollout works" course has them answer
from it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.rollout import queries as rollout_queries
from portal.rollout.models import Decision, Horizon, Plan, SignOff, Wave, wave_departments
from portal.rollout.strategy import Objective, SelectionDecision
from sandbox.profiles import ProfileError, load


@dataclass
class LearnerPlan:
    plan: Plan
    my_wave: Wave | None  # the wave the learner's department goes live in, if any
    decision: SelectionDecision | None = None  # the plan's newest signed choice of CRM
    sign_offs: dict[int, SignOff] = field(default_factory=dict)  # phase id -> its go

    @property
    def chosen_crm(self) -> str | None:
        """The name of the CRM the decision chose (its key if no profile has that key)."""
        if self.decision is None:
            return None
        try:
            return load(self.decision.profile).name
        except ProfileError:
            return self.decision.profile

    @property
    def objectives(self) -> list[Objective]:
        return list(self.plan.objectives)

    def objective_goals(self, objective: Objective) -> list:
        return [goal for goal in self.plan.goals if goal.objective_id == objective.id]

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
    if plan is None:
        return None
    decision = db.session.scalar(
        select(SelectionDecision)
        .where(SelectionDecision.plan_id == plan.id)
        .order_by(SelectionDecision.signed_at.desc(), SelectionDecision.id.desc())
        .limit(1)
    )
    # Each phase's first go: when the phase was signed off (later ones add nothing).
    sign_offs: dict[int, SignOff] = {}
    for sign_off in db.session.scalars(
        select(SignOff)
        .where(
            SignOff.plan_id == plan.id,
            SignOff.phase_id.is_not(None),
            SignOff.decision == Decision.GO.value,
        )
        .order_by(SignOff.signed_at, SignOff.id)
    ):
        sign_offs.setdefault(sign_off.phase_id, sign_off)
    return LearnerPlan(plan, wave if wave else None, decision, sign_offs)
