"""Rollout workflows: plans, phases, milestones, goals, waves, gates and sign-offs.

Services flush and never commit; the view commits once per request. They raise
RolloutError (naming the form field it concerns) for anything the rules refuse, before
changing anything. Sign-offs can only be added: there is no service that edits or deletes
one, and nothing that holds a sign-off can be deleted.
"""

from portal.rollout.services.common import RolloutError
from portal.rollout.services.plans import (
    GoalData,
    PhaseData,
    add_milestone,
    add_phase,
    create_plan,
    delete_goal,
    delete_milestone,
    delete_phase,
    delete_plan,
    move_phase,
    save_goal,
    toggle_milestone,
    update_phase,
    update_plan,
)
from portal.rollout.services.signoff import MIN_JUSTIFICATION, sign_gate, sign_phase
from portal.rollout.services.strategy import (
    add_objective,
    add_requirement,
    approve_budget,
    check_executive,
    decide_crm,
    delete_objective,
    delete_requirement,
    implementation_missing,
    override_start,
    score_candidate,
    set_mission,
    set_raci,
)
from portal.rollout.services.waves import (
    MAX_LEAD_DAYS,
    WaveData,
    create_wave,
    delete_wave,
    due_date,
    remove_criterion,
    reschedule,
    set_criterion,
    tie_course,
    tied_assignments,
    untie_assignment,
    update_wave,
)

__all__ = [
    "MAX_LEAD_DAYS",
    "MIN_JUSTIFICATION",
    "GoalData",
    "PhaseData",
    "RolloutError",
    "WaveData",
    "add_milestone",
    "add_objective",
    "add_requirement",
    "approve_budget",
    "check_executive",
    "decide_crm",
    "delete_objective",
    "delete_requirement",
    "implementation_missing",
    "override_start",
    "score_candidate",
    "set_mission",
    "set_raci",
    "add_phase",
    "create_plan",
    "create_wave",
    "delete_goal",
    "delete_milestone",
    "delete_phase",
    "delete_plan",
    "delete_wave",
    "due_date",
    "move_phase",
    "remove_criterion",
    "reschedule",
    "save_goal",
    "set_criterion",
    "sign_gate",
    "sign_phase",
    "tie_course",
    "tied_assignments",
    "toggle_milestone",
    "untie_assignment",
    "update_phase",
    "update_plan",
    "update_wave",
]
