"""What the demo's learners did: lessons read, quizzes answered, exercises worked in
their sandboxes, free practice, all through the real services and then backdated."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.learning import exercises
from portal.learning import services as learning
from portal.learning.models import Course, Lesson, LessonKind, LessonView
from sandbox import computations, scenarios
from sandbox import services as sandbox_services
from sandbox.models import SandboxEvent
from sandbox.services import leads
from seed.rollout_demo.times import at

PRACTICE_NAMES = ("Ayesha", "Bilal", "Chandni", "Danish", "Esha", "Farhan", "Gul", "Hamza")


class _NotStarted:
    completed_at = None


_NOT_DONE = _NotStarted()


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


def _practise(user: User, lesson: Lesson, when: datetime, passed: bool, rng: random.Random) -> None:
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
    records = {key: tuple(value) for key, value in attempt.records.items()}
    sandbox = sandbox_services.get_or_create_sandbox(user)
    if done:
        scenarios.apply_solution(sandbox, user, done, records)
    answers = _answers_read(lesson, sandbox, records) if passed else {}
    attempt, _outcomes = exercises.check_exercise(user, lesson, answers)
    attempt.started_at = when
    attempt.last_checked_at = when + timedelta(minutes=20)
    for check in attempt.checks:
        check.checked_at = attempt.last_checked_at
    progress = learning.progress_for(user, lesson)
    if attempt.passed and progress is not None:
        progress.completed_at = attempt.last_checked_at
    _backdate_events(user, before, when + timedelta(minutes=10))
    db.session.flush()


def _answers_read(lesson: Lesson, sandbox, records: dict) -> dict[str, str]:
    """What a learner who did the work enters for each answer check: what their own
    sandbox (or the organisation's rollout plan) says, as they would type or pick it."""
    colleague = scenarios.learner_colleague(sandbox)

    def value(raw):
        return scenarios.resolve_value(raw, sandbox, records, colleague)

    answers = {}
    for check in lesson.content.get("checks", []):
        if check.get("type") != "answer":
            continue
        if check.get("source"):
            spec = computations.COMPUTATIONS[check["source"]]
            given = spec.defaults | check.get("params", {})
            expected = computations.compute(
                check["source"], sandbox, {name: value(v) for name, v in given.items()}
            )
        else:
            expected = value(check.get("value"))
        if expected is None:
            continue
        if check["answer"] == "choice":
            options = [value(option["value"]) for option in check.get("options", [])]
            if expected in options:
                answers[check["key"]] = str(options.index(expected))
        elif isinstance(expected, date):
            answers[check["key"]] = expected.isoformat()
        else:
            answers[check["key"]] = str(expected)
    return answers


def practise_freely(user: User, count: int, today: date, rng: random.Random) -> None:
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
            user, before, at(today - timedelta(days=rng.randint(1, 12)), rng.uniform(8, 17))
        )
    db.session.flush()


def study(
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
        if lesson.kind == LessonKind.READING and learning.has_check(lesson):
            # Its knowledge check answered right; a draw of its own leaves the rest as it was.
            right = _answers(lesson, random.Random(0), 1.0)
            attempt, _ = learning.answer_check(user, lesson, right)
            attempt.submitted_at = progress.completed_at = clock + timedelta(minutes=8)
        elif lesson.kind == LessonKind.READING:
            learning.complete_reading(user, lesson).completed_at = clock + timedelta(minutes=8)
        elif lesson.kind == LessonKind.QUIZ:
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


def stuck_on_a_quiz(user: User, courses: list[Course], when: datetime) -> None:
    """Three wrong attempts at a quiz and no pass yet: the dashboard flags this learner."""
    open_quizzes = (
        lesson
        for c in courses
        for lesson in _lessons(c)
        if lesson.kind == LessonKind.QUIZ
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
