"""The demo plan's strategy: the mission and its objectives, the CRM selection (scored
requirements and the signed choice), who does what in each phase, and the budgets."""

from __future__ import annotations

from datetime import date

from portal.accounts.models import Department, User
from portal.extensions import db
from portal.rollout import services as rollout
from portal.rollout.models import Plan
from seed.rollout_demo.times import at

MISSION = (
    "Whoever a customer speaks to, in sales, service or billing, knows their story and "
    "helps them without asking twice."
)
# (objective, titles of the demo goals that serve it)
OBJECTIVES = [
    (
        "One record and one history per customer, shared by every department",
        ["Deals logged in the CRM, not in spreadsheets (%)"],
    ),
    (
        "A shared pipeline that sells and serves faster",
        ["Learners practising every week", "Hands-on exercises passed"],
    ),
    (
        "Every employee confident in the CRM before relying on it",
        [
            "Half of all learners through their required courses",
            "Quiz average across the organisation",
            "Everyone through their required courses by go-live",
            "Certificates issued",
        ],
    ),
]
# (requirement, priority, department or None, {candidate: (score, note)})
REQUIREMENTS = [
    (
        "Pipeline by stage with a probability per stage",
        "must",
        "Sales",
        {
            "espocrm": (5, "Stages and probabilities set up in the demo in minutes"),
            "suitecrm": (4, "Works; the stage editor is dated"),
            "hubspot": (5, "Very clear board view"),
        },
    ),
    (
        "Cases with response and resolution targets",
        "must",
        "Customer Service",
        {
            "espocrm": (4, "Case SLA through a workflow; shown in the demo"),
            "suitecrm": (4, "Case escalation built in"),
            "hubspot": (2, "SLA needs the paid service tier"),
        },
    ),
    (
        "Email consent recorded with when and how it was given",
        "should",
        "Marketing",
        {
            "espocrm": (4, "Opt-out and consent fields on the person"),
            "suitecrm": (3, "Consent needs a custom field"),
            "hubspot": (5, "Consent tracking is first class"),
        },
    ),
    (
        "Invoices visible beside the customer's deals",
        "could",
        "Billing",
        {
            "espocrm": (3, "Through the accounting extension"),
            "suitecrm": (3, "Quotes and invoices module"),
            "hubspot": (2, "Only with an integration"),
        },
    ),
    (
        "Hosted on our own servers, no fee per seat",
        "must",
        None,
        {
            "espocrm": (5, "Open source, runs on our servers"),
            "suitecrm": (5, "Open source, runs on our servers"),
            "hubspot": (1, "Cloud only; seats cost more as we grow"),
        },
    ),
]
DECISION = (
    "espocrm",
    "EspoCRM scored highest on what Sales and Customer Service must have, runs on our own "
    "servers without a fee per seat, and its consent fields cover Marketing's needs.",
)
# phase name -> {department: R/A/C/I}
RACI = {
    "Strategy and alignment": {"Sales": "A", "Customer Service": "C", "IT": "C", "Billing": "I"},
    "System selection and configuration": {"IT": "R", "Sales": "A", "Customer Service": "C"},
    "Pilot": {"Sales": "R", "IT": "C", "Customer Service": "I"},
    "Training": {"Sales": "R", "Customer Service": "R", "Billing": "R", "Marketing": "R"},
    "Go-live": {"IT": "R", "Sales": "A", "Billing": "C", "Marketing": "I"},
    "Adoption": {"Sales": "A", "Customer Service": "R", "Marketing": "R", "Billing": "R"},
}
# phase name -> (planned budget, approved budget or None)
BUDGETS = {
    "Strategy and alignment": (8000, 8000),
    "System selection and configuration": (25000, 24000),
    "Pilot": (15000, 15000),
    "Training": (30000, 30000),
    "Go-live": (20000, None),
    "Adoption": (12000, None),
}


def build_strategy(
    plan: Plan, executive: User, departments: dict[str, Department], today: date
) -> None:
    """Record the demo plan's mission, objectives, selection, RACI and budgets."""
    db.session.expire(plan, ["goals", "phases"])
    rollout.set_mission(plan, executive, MISSION)
    goals = {goal.title: goal for goal in plan.goals}
    for title, served in OBJECTIVES:
        objective = rollout.add_objective(plan, executive, title)
        for goal_title in served:
            if goal_title in goals:
                goals[goal_title].objective_id = objective.id
    for title, priority, department, scores in REQUIREMENTS:
        found = departments.get(department) if department else None
        requirement = rollout.add_requirement(
            plan, executive, title, priority, found.id if found else None
        )
        for candidate, (score, note) in scores.items():
            rollout.score_candidate(requirement, executive, candidate, score, note)
    selection = next((p for p in plan.phases if p.name.startswith("System selection")), None)
    signed = at(selection.ends_on if selection and selection.ends_on else today, 11)
    rollout.decide_crm(plan, executive, DECISION[0], DECISION[1], signed_at=signed)
    for phase in plan.phases:
        for name, role in RACI.get(phase.name, {}).items():
            if name in departments:
                rollout.set_raci(phase, executive, departments[name].id, role)
        phase.implementation = phase.name == "Go-live"
        planned, approved = BUDGETS.get(phase.name, (None, None))
        phase.budget_planned = planned
        if approved is not None:
            rollout.approve_budget(phase, executive, approved)
    db.session.flush()
