"""The demo rollout plan: its phases and milestones, goals, waves with their gates, and
the sign-offs the executive gave along the way."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.models import Department, User
from portal.extensions import db
from portal.learning.models import Course
from portal.rollout import services as rollout
from portal.rollout.models import Phase, Plan
from portal.rollout.services import GoalData, PhaseData, WaveData
from seed.people import DEMO_ACCOUNTS
from seed.rollout_demo.strategy import build_strategy
from seed.rollout_demo.times import at

DEMO_PLAN = "CRM go-live"

# (phase, first day, last day relative to today, status, milestones: (title, due, done))
PHASES = [
    (
        "Strategy and alignment",
        -120,
        -91,
        "done",
        [
            ("Mission and rollout goals agreed by the board", -110, True),
            ("Executive sponsor named for each department", -100, True),
        ],
    ),
    (
        "System selection and configuration",
        -90,
        -56,
        "done",
        [
            ("CRM chosen after a scored demo of three vendors", -80, True),
            ("Lead, opportunity and case fields configured", -60, True),
        ],
    ),
    (
        "Pilot",
        -55,
        -8,
        "done",
        [
            ("Pilot group in Sales trained and certified", -20, True),
            ("Pilot go-live and first two weeks reviewed", -8, True),
        ],
    ),
    (
        "Training",
        -30,
        35,
        "in_progress",
        [
            ("Every department has its courses assigned", -25, True),
            ("Customer Service and Billing certified", 7, False),
            ("Marketing and IT certified", 35, False),
        ],
    ),
    (
        "Go-live",
        36,
        49,
        "planned",
        [
            ("Data migrated from the old spreadsheets", 40, False),
            ("Old tools switched off", 49, False),
        ],
    ),
    (
        "Adoption",
        50,
        140,
        "planned",
        [
            ("Usage review with each department head", 80, False),
        ],
    ),
]
# (wave, go-live relative to today, departments, courses tied to it, in the order its
# learners take them: the foundations, then their own hands-on course, then the rest)
CORE = ["crm-foundations", "crm-five-steps", "why-our-rollout-works"]


def _courses(*own: str) -> list[str]:
    return [CORE[0], *own, *CORE[1:]]


WAVES = [
    ("Pilot: Sales", -21, ["Sales"], _courses("leads-and-qualification", "pipeline-and-targets")),
    (
        "Wave 2: Customer Service and Billing",
        21,
        ["Customer Service", "Billing"],
        _courses("after-sale-service", "customer-data-and-consent", "data-quality-and-migration"),
    ),
    (
        "Wave 3: Marketing and IT",
        49,
        ["Marketing", "IT"],
        _courses("personal-relationships", "customer-data-and-consent"),
    ),
]
CRITERIA = [
    ("completion_rate", 90),
    ("avg_quiz_score", 80),
    ("exercise_pass_rate", 85),
    ("practice_actions_14d", 3),
    ("max_overdue_days", 7),
]
GOALS = [
    ("short", "Half of all learners through their required courses", "completion_rate", 50),
    ("short", "Quiz average across the organisation", "avg_quiz_score", 80),
    ("medium", "Hands-on exercises passed", "exercise_pass_rate", 85),
    ("medium", "Learners practising every week", "practice_actions_14d", 3),
    ("long", "Everyone through their required courses by go-live", "completion_rate", 95),
    ("long", "Certificates issued", "certificates_issued", 150),
]


def build_plan(
    today: date, executive: User, departments: dict[str, Department], courses: dict[str, Course]
) -> tuple[Plan, list]:
    plan = rollout.create_plan(
        DEMO_PLAN,
        today + timedelta(days=49),
        "Sales pilots the CRM; the other departments follow in two "
        "waves, each going live only when its gate says go.",
        executive,
    )
    owners = {row[0]: row for row in DEMO_ACCOUNTS}
    staff = {email: db.session.scalar(select(User).where(User.email == email)) for email in owners}
    for name, first, last, status, milestones in PHASES:
        owner = staff.get("exec@demo.test" if name != "Training" else "trainer@demo.test")
        phase = rollout.add_phase(
            plan,
            PhaseData(
                name=name,
                starts_on=today + timedelta(days=first),
                ends_on=today + timedelta(days=last),
                owner_id=owner.id if owner else None,
            ),
        )
        phase.status = status  # history: sign_history signs the finished phases after
        for title, due, done in milestones:
            milestone = rollout.add_milestone(
                phase, title, owner.id if owner else None, today + timedelta(days=due)
            )
            if done:
                milestone.done_at = at(today + timedelta(days=due))
    for horizon, title, metric, target in GOALS:
        rollout.save_goal(
            plan, GoalData(horizon=horizon, title=title, metric=metric, target=target)
        )
    rollout.save_goal(
        plan,
        GoalData(
            horizon="long",
            title="Deals logged in the CRM, not in spreadsheets (%)",
            metric="manual",
            target=95,
            manual_value=40,
        ),
    )
    waves = []
    for name, go_live, names, slugs in WAVES:
        chosen = [departments[n] for n in names if n in departments]
        if not chosen:
            continue
        wave = rollout.create_wave(
            plan,
            WaveData(
                name=name,
                go_live_on=today + timedelta(days=go_live),
                lead_days=14,
                department_ids=[d.id for d in chosen],
            ),
        )
        for kind, threshold in CRITERIA:
            rollout.set_criterion(wave, kind, threshold)
        tied = [courses[slug] for slug in slugs if slug in courses] or list(courses.values())
        for course in tied:
            rollout.tie_course(wave, course.id, True, 14, executive)
        waves.append((wave, chosen, tied))
    db.session.flush()
    build_strategy(plan, executive, departments, today)
    return plan, waves


def sign_history(plan: Plan, waves: list, executive: User, today: date) -> None:
    """Sign off the finished phases and the pilot's gate, as the executive did then."""
    phases = db.session.scalars(
        select(Phase).where(Phase.plan_id == plan.id).order_by(Phase.position)
    ).all()
    for phase in phases:
        if phase.status == "done" and phase.ends_on:
            rollout.sign_phase(
                phase,
                executive,
                "go",
                "Done as planned; moving on.",
                signed_at=at(phase.ends_on, 17),
            )
    if waves:
        pilot = waves[0][0]
        rollout.sign_gate(
            pilot,
            executive,
            "go",
            "Go-live as planned: the few learners still open are booked on a refresher "
            "and their team lead covers their accounts until they finish.",
            signed_at=at(pilot.go_live_on, 9),
        )
