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
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from portal.accounts.models import Department, User
from portal.database import utcnow
from portal.extensions import db
from portal.learning import exercises
from portal.learning import services as learning
from portal.learning.bundle import read_bundle
from portal.learning.importer import apply_bundle, course_folders, import_folders
from portal.learning.models import Course, Lesson, LessonView
from portal.rollout import services as rollout
from portal.rollout.models import Phase, Plan
from portal.rollout.services import GoalData, PhaseData, WaveData
from sandbox import scenarios
from sandbox import services as sandbox_services
from sandbox.models import SandboxEvent
from sandbox.services import leads
from seed.people import DEMO_ACCOUNTS

DEMO_PLAN = "CRM go-live"
PRACTICE_NAMES = ("Ayesha", "Bilal", "Chandni", "Danish", "Esha", "Farhan", "Gul", "Hamza")
COURSES_DIR = Path(__file__).resolve().parent.parent / "courses"

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
    ("Pilot: Sales", -7, ["Sales"], _courses("leads-and-qualification", "pipeline-and-targets")),
    (
        "Wave 2: Customer Service and Billing",
        21,
        ["Customer Service", "Billing"],
        _courses("after-sale-service"),
    ),
    ("Wave 3: Marketing and IT", 49, ["Marketing", "IT"], _courses("personal-relationships")),
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
# How far each wave's learners have got: (share of learners, fraction of lessons done,
# how well they answer quizzes); the rest are spread between.
STAGES = {
    0: [(0.85, 1.0, 0.95), (0.1, 0.7, 0.8), (0.05, 0.4, 0.3)],
    1: [(0.3, 1.0, 0.9), (0.4, 0.55, 0.8), (0.2, 0.2, 0.6), (0.1, 0.0, 0.0)],
    2: [(0.15, 0.5, 0.85), (0.35, 0.15, 0.7), (0.5, 0.0, 0.0)],
}

# A small course of its own, used only when no course can be found or imported.
FALLBACK_COURSE = {
    "course.yaml": "slug: crm-go-live-basics\ntitle: CRM go-live basics\nsummary: What "
    "changes on go-live day.\nlanguage: en\nmodules:\n  - key: basics\n    "
    "title: Basics\n    lessons: [why-a-crm, logging-calls, basics-quiz]\n",
    "why-a-crm.md": "---\nkey: why-a-crm\ntitle: Why a CRM\nkind: reading\n---\nOne record "
    "of every customer, shared by everyone who serves them.\n",
    "logging-calls.md": "---\nkey: logging-calls\ntitle: Logging calls\nkind: reading\n---\n"
    "Log every call while it is fresh.\n",
    "basics-quiz.quiz.yaml": "key: basics-quiz\ntitle: Basics quiz\npass_mark: 70\nquestions:\n"
    "  - key: where\n    kind: single\n    prompt: Where is a call "
    "logged?\n    choices:\n      - {key: crm, text: In the CRM, "
    "correct: true}\n      - {key: notebook, text: In a notebook, "
    "correct: false}\n",
}


class _NotStarted:
    completed_at = None


_NOT_DONE = _NotStarted()


@dataclass
class DemoCounts:
    created: bool
    learners: int = 0
    certificates: int = 0
    courses: list[str] = field(default_factory=list)


def demo_rollout_present() -> bool:
    """Whether the demo plan is already there."""
    return db.session.scalar(select(Plan.id).where(Plan.name == DEMO_PLAN)) is not None


def ensure_courses() -> list[Course]:
    """The published courses; imports the built-in ones (or a small fallback) if none."""
    if not db.session.scalar(select(Course.id).where(Course.published.is_(True)).limit(1)):
        folders = course_folders(COURSES_DIR) if COURSES_DIR.exists() else []
        if folders:
            import_folders(folders)
        else:
            apply_bundle(read_bundle(FALLBACK_COURSE))
        db.session.flush()
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.published.is_(True), Course.translation_of_id.is_(None))
            .order_by(Course.id)
        )
    )


def _at(day: date, hour: float = 10.0) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=hour)


def _lessons(course: Course) -> list[Lesson]:
    return list(
        db.session.scalars(
            select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.archived.is_(False))
            .order_by(Lesson.position)
        )
    )


def _answers(lesson: Lesson, rng: random.Random, skill: float) -> dict[int, set[int]]:
    """An answer to every question: right with probability `skill`, else a wrong choice."""
    answers = {}
    for question in lesson.questions:
        if question.archived:
            continue
        choices = [c for c in question.choices if not c.archived]
        right = {c.id for c in choices if c.correct}
        wrong = [c.id for c in choices if not c.correct]
        answers[question.id] = right if rng.random() < skill or not wrong else {rng.choice(wrong)}
    return answers


def _backdate_events(user: User, after: int, when: datetime) -> None:
    """Move the sandbox events logged since event id `after` to `when`."""
    for event in db.session.scalars(
        select(SandboxEvent).where(SandboxEvent.actor_id == user.id, SandboxEvent.id > after)
    ):
        event.at = when


def _last_event_id() -> int:
    return db.session.scalar(select(func.max(SandboxEvent.id))) or 0


def _practise(
    user: User, lesson: Lesson, when: datetime, passed: bool, rng: random.Random
) -> None:
    """A hands-on exercise in the learner's sandbox: start it, do the work (the reference
    solution) if this learner gets it right, or only its first part if not, then check it."""
    before = _last_event_id()
    attempt = exercises.start_exercise(user, lesson)
    steps = [
        step
        for step in lesson.content.get("solution", [])
        if isinstance(step, dict) and ("do" in step or "actions" in step)
    ]
    done = steps if passed else steps[: rng.randint(0, max(len(steps) - 1, 0))]
    if done:
        sandbox = sandbox_services.get_or_create_sandbox(user)
        records = {key: tuple(value) for key, value in attempt.records.items()}
        scenarios.apply_solution(sandbox, user, done, records)
    attempt, _outcomes = exercises.check_exercise(user, lesson)
    attempt.started_at = when
    attempt.last_checked_at = when + timedelta(minutes=20)
    for check in attempt.checks:
        check.checked_at = attempt.last_checked_at
    progress = learning.progress_for(user, lesson)
    if attempt.passed and progress is not None:
        progress.completed_at = attempt.last_checked_at
    _backdate_events(user, before, when + timedelta(minutes=10))
    db.session.flush()


def _practise_freely(user: User, count: int, today: date, rng: random.Random) -> None:
    """Practice outside the exercises: leads logged in the sandbox over the last 12 days."""
    sandbox = sandbox_services.get_or_create_sandbox(user)
    for number in range(count):
        before = _last_event_id()
        leads.create_lead(
            sandbox,
            user,
            leads.LeadData(
                first_name=rng.choice(PRACTICE_NAMES),
                last_name="Practice",
                source="web_site",
                company=f"Practice account {number + 1}",
            ),
        )
        _backdate_events(
            user, before, _at(today - timedelta(days=rng.randint(1, 12)), rng.uniform(8, 17))
        )
    db.session.flush()


def _study(
    user: User,
    courses: list[Course],
    share: float,
    skill: float,
    start: datetime,
    end: datetime,
    rng: random.Random,
) -> int:
    """Work through the courses in order until `share` of their lessons are done."""
    steps = [(c, lesson) for c in courses for lesson in _lessons(c)]
    todo = round(share * len(steps))
    if not todo:
        return 0
    clock, gap = start, (end - start) / (todo + 1)
    opened: list[datetime] = []
    certificates = 0
    for course, lesson in steps[:todo]:
        clock += gap * rng.uniform(0.6, 1.2)
        clock = min(clock, end)
        progress = learning.record_view(user, lesson)
        opened.append(clock)
        progress.first_viewed_at = progress.last_viewed_at = clock
        if lesson.kind == "reading":
            learning.complete_reading(user, lesson).completed_at = clock + timedelta(minutes=8)
        elif lesson.kind == "quiz":
            for attempt_number in range(4):
                attempt, _ = learning.submit_quiz(user, lesson, _answers(lesson, rng, skill))
                attempt.submitted_at = clock + timedelta(minutes=10 * (attempt_number + 1))
                if attempt.passed:
                    progress.completed_at = attempt.submitted_at
                    break
                skill = min(1.0, skill + 0.25)  # they read the feedback and try again
        else:
            # Those who finish everything passed their exercises; of the others, more
            # skilled learners more often did, and the rest left part of the work undone.
            passed = share >= 1 or rng.random() < 0.75 * skill
            _practise(user, lesson, clock, passed=passed, rng=rng)
        certificate = learning.issue_certificate_if_complete(user, course)
        if certificate is not None and certificate.issued_at > clock:
            certificate.issued_at = clock + timedelta(minutes=30)
            certificates += 1
    # The views record_view made, oldest first, get the times the learner opened lessons.
    views = db.session.scalars(
        select(LessonView).where(LessonView.user_id == user.id).order_by(LessonView.id)
    ).all()
    for view, when in zip(views[-len(opened) :], opened, strict=True):
        view.viewed_at = when
    db.session.flush()
    return certificates


def _stuck_on_a_quiz(user: User, courses: list[Course], when: datetime) -> None:
    """Three wrong attempts at a quiz and no pass yet: the dashboard flags this learner."""
    open_quizzes = (
        lesson
        for c in courses
        for lesson in _lessons(c)
        if lesson.kind == "quiz"
        and not (learning.progress_for(user, lesson) or _NOT_DONE).completed_at
    )
    quiz = next(open_quizzes, None)
    if quiz is None:
        return
    rng = random.Random(user.id)
    learning.record_view(user, quiz)
    for number in range(3):
        attempt, _ = learning.submit_quiz(user, quiz, _answers(quiz, rng, 0.0))
        attempt.submitted_at = when + timedelta(hours=number)
    db.session.flush()


def _build_plan(
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
                status=status,
                starts_on=today + timedelta(days=first),
                ends_on=today + timedelta(days=last),
                owner_id=owner.id if owner else None,
            ),
        )
        for title, due, done in milestones:
            milestone = rollout.add_milestone(
                phase, title, owner.id if owner else None, today + timedelta(days=due)
            )
            if done:
                milestone.done_at = _at(today + timedelta(days=due))
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
    return plan, waves


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
    today = today or date.today()
    rng = random.Random(seed)
    courses = {course.slug: course for course in ensure_courses()}
    departments = {d.name: d for d in db.session.scalars(select(Department))}
    executive = db.session.scalar(select(User).where(User.email == "exec@demo.test"))
    plan, waves = _build_plan(today, executive, departments, courses)

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
            start = _at(
                today - timedelta(days=rng.randint(30, 55) if index == 0 else rng.randint(5, 30)),
                rng.uniform(8, 12),
            )
            end = _at(wave.go_live_on - timedelta(days=15)) if index == 0 else utcnow()
            end = min(max(end, start + timedelta(days=3)), utcnow() - timedelta(hours=1))
            user.first_login_at = user.last_login_at = start
            # In their department since before the courses were assigned: not late joiners.
            user.created_at = user.department_since = start - timedelta(days=7)
            counts.certificates += _study(user, tied, share, skill, start, end, rng)
            if share:
                _practise_freely(user, rng.randint(0, 8 if index else 6), today, rng)
            if share and share < 1 and rng.random() < 0.15:
                _stuck_on_a_quiz(user, tied, end - timedelta(days=1))
            counts.learners += 1
    _sign_history(plan, waves, executive, today)
    db.session.flush()
    return counts


def _stage(wave_index: int, rng: random.Random) -> tuple[float, float]:
    pick = rng.random()
    for share, done, skill in STAGES[wave_index]:
        if pick < share:
            return done, skill
        pick -= share
    return 0.0, 0.0


def _sign_history(plan: Plan, waves: list, executive: User, today: date) -> None:
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
                signed_at=_at(phase.ends_on, 17),
            )
    if waves:
        pilot = waves[0][0]
        rollout.sign_gate(
            pilot,
            executive,
            "go",
            "Go-live as planned: the few learners still open are booked on a refresher "
            "and their team lead covers their accounts until they finish.",
            signed_at=_at(pilot.go_live_on, 9),
        )
