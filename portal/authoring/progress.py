"""Assignments, the per-course progress report, and reminders (nudges).

The report runs a fixed number of aggregate queries whatever the number of learners.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from portal.accounts.models import Department, User, UserRole, normalise_email
from portal.authoring.models import Nudge
from portal.database import utcnow
from portal.domain import DomainError
from portal.extensions import db
from portal.learning.models import (
    LATE_JOINER_DAYS,
    Assignment,
    Certificate,
    Course,
    ExerciseAttempt,
    ExerciseCheck,
    Lesson,
    LessonProgress,
    QuizAttempt,
    QuizQuestion,
)
from portal.mail import MailNotConfigured, send_mail
from portal.rollout.models import Wave

# A learner is stalled when nothing has moved for this long since the course reached them
# (assigned, or they joined a department it is assigned to) or since they last worked on it.
STALLED_AFTER = timedelta(days=7)
# Not started with the due date this close or closer: behind (see LearnerRow.behind).
DUE_SOON = timedelta(days=7)


class AssignmentError(DomainError):
    """A change the AssignmentError rules refuse."""


def assign_course(
    course: Course,
    *,
    department_ids: list[int],
    emails: list[str],
    due_on: date | None,
    required: bool,
    actor: User,
    late_joiner_days: int = LATE_JOINER_DAYS,
) -> int:
    """Assign the course to departments and/or people; returns how many were added.
    People who join an assigned department later get `late_joiner_days` from joining."""
    if not course.published:
        raise AssignmentError(_("Publish the course before assigning it."))
    if not department_ids and not emails:
        raise AssignmentError(_("Choose at least one department or person."), "departments")
    users: list[User] = []
    if emails:
        wanted = {normalise_email(e) for e in emails if e.strip()}
        users = list(db.session.scalars(select(User).where(User.email.in_(wanted))))
        unknown = wanted - {u.email for u in users}
        if unknown:
            raise AssignmentError(
                _("No account for: %(emails)s", emails=", ".join(sorted(unknown))), "emails"
            )
    known_departments = set(
        db.session.scalars(select(Department.id).where(Department.id.in_(department_ids)))
    )
    if set(department_ids) - known_departments:
        raise AssignmentError(_("Choose departments from the list."), "departments")
    existing = db.session.scalars(select(Assignment).where(Assignment.course_id == course.id))
    taken = {(a.department_id, a.user_id) for a in existing}
    added = 0
    targets = [(d, None) for d in department_ids] + [(None, u.id) for u in users]
    for department_id, user_id in targets:
        if (department_id, user_id) in taken:
            continue
        db.session.add(
            Assignment(
                course_id=course.id,
                department_id=department_id,
                user_id=user_id,
                due_on=due_on,
                required=required,
                assigned_by_id=actor.id,
                late_joiner_days=late_joiner_days,
            )
        )
        added += 1
    if not added:
        raise AssignmentError(_("Everyone chosen already has this course assigned."))
    db.session.flush()
    return added


def assign(
    course: Course,
    *,
    wave: Wave | None,
    lead_days: int,
    department_ids: list[int],
    emails: list[str],
    due_on: date | None,
    required: bool,
    actor: User,
    late_joiner_days: int = LATE_JOINER_DAYS,
) -> int:
    """Assign as the trainer's form says: to a rollout wave's departments (due `lead_days`
    before its go-live), and/or to other departments and people; late joiners get
    `late_joiner_days` from joining. Returns how many assignments were added."""
    from portal.rollout.services import RolloutError, tie_course

    count = select(func.count(Assignment.id)).where(Assignment.course_id == course.id)
    before = db.session.scalar(count)
    if wave is not None:
        try:
            tie_course(wave, course.id, required, lead_days, actor)
        except RolloutError as error:
            raise AssignmentError(error.message, "wave") from error
        in_wave = {d.id for d in wave.departments}
        department_ids = [d for d in department_ids if d not in in_wave]
        for tied in db.session.scalars(select(Assignment).where(
                Assignment.wave_id == wave.id, Assignment.course_id == course.id)):
            tied.late_joiner_days = late_joiner_days
    if wave is None or department_ids or any(e.strip() for e in emails):
        assign_course(
            course,
            department_ids=department_ids,
            emails=emails,
            due_on=due_on,
            required=required,
            actor=actor,
            late_joiner_days=late_joiner_days,
        )
    db.session.flush()
    return db.session.scalar(count) - before


def change_assignment(assignment: Assignment, due_on: date | None, required: bool,
                      late_joiner_days: int | None = None) -> None:
    """A new due date, required flag or days for late joiners for one assignment; a
    wave's assignment keeps the due date its wave gives it."""
    if assignment.wave_id is not None and due_on != assignment.due_on:
        raise AssignmentError(
            _("This due date follows its rollout wave: move the wave's go-live date instead."),
            "due_on",
        )
    if due_on is not None and due_on != assignment.due_on and due_on < date.today():
        raise AssignmentError(_("The due date is in the past."), "due_on")
    assignment.due_on = due_on
    assignment.required = required
    if late_joiner_days is not None:
        assignment.late_joiner_days = late_joiner_days
    db.session.flush()


def assignments_of(course: Course) -> list[AssignmentRow]:
    """Each assignment with who it names and how many active learners it reaches."""
    learners = (
        select(User.id, User.department_id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == "learner"))
        .where(User.active.is_(True))
        .subquery()
    )
    dept_counts = dict(
        db.session.execute(
            select(learners.c.department_id, func.count()).group_by(learners.c.department_id)
        ).all()
    )
    rows = db.session.execute(
        select(Assignment, Department.name, User.name, Wave.name)
        .outerjoin(Department, Department.id == Assignment.department_id)
        .outerjoin(User, User.id == Assignment.user_id)
        .outerjoin(Wave, Wave.id == Assignment.wave_id)
        .where(Assignment.course_id == course.id)
        .order_by(Assignment.created_at)
    ).all()
    return [
        AssignmentRow(
            a, dept or person or "", dept_counts.get(a.department_id, 0) if dept else 1, wave
        )
        for a, dept, person, wave in rows
    ]


@dataclass
class AssignmentRow:
    assignment: Assignment
    who: str
    reach: int  # active learners it reaches
    wave: str | None  # the rollout wave that sets its due date


# The progress report


@dataclass
class LearnerRow:
    user: User
    department: str
    due_on: date | None = None
    done: int = 0
    total: int = 0
    best_scores: list[int] = field(default_factory=list)
    attempts: int = 0
    last_activity: datetime | None = None
    certificate: Certificate | None = None
    assigned_at: datetime | None = None  # when the course first reached them

    @property
    def status(self) -> str:
        if self.certificate is not None:
            return "completed"
        return "in_progress" if self.last_activity else "not_started"

    @property
    def average_score(self) -> int | None:
        return round(sum(self.best_scores) / len(self.best_scores)) if self.best_scores else None

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today and self.certificate is None

    def stalled(self, now: datetime) -> bool:
        """No progress for STALLED_AFTER since the course reached them or they last
        worked on it."""
        since = self.last_activity or self.assigned_at
        return self.certificate is None and since is not None and now - since > STALLED_AFTER

    def behind(self, today: date, now: datetime) -> bool:
        """Overdue, stalled, or not started with the due date DUE_SOON away or closer:
        the learners "Select those behind" picks for a reminder."""
        due_soon = self.due_on is not None and self.due_on - today <= DUE_SOON
        return self.certificate is None and (
            self.overdue(today) or self.stalled(now)
            or (self.status == "not_started" and due_soon)
        )


@dataclass
class QuestionStat:
    lesson: str
    prompt: str
    answered: int = 0
    missed: int = 0
    wrong_picks: Counter = field(default_factory=Counter)

    @property
    def miss_rate(self) -> int:
        return round(100 * self.missed / self.answered) if self.answered else 0


@dataclass
class CheckStat:
    """How often one check of a published exercise failed in the learners' runs."""

    lesson: str  # the exercise's title
    key: str
    description: str  # what the check looks for, as the learner reads it
    failed: int
    runs: int


@dataclass
class Report:
    rows: list[LearnerRow]
    questions: list[QuestionStat]
    checks: list[CheckStat]


def _family(course: Course):
    """The ids of the course and its translations: one course for assignments and
    certificates."""
    return select(Course.id).where(
        func.coalesce(Course.translation_of_id, Course.id) == course.family_id)


def _learner_ids(course: Course, department_id: int | None):
    """Users reached by the assignments of the course (in any language), or with progress
    in it."""
    assigned_depts = select(Assignment.department_id).where(
        Assignment.course_id.in_(_family(course)), Assignment.department_id.is_not(None)
    )
    assigned_users = select(Assignment.user_id).where(
        Assignment.course_id.in_(_family(course)), Assignment.user_id.is_not(None)
    )
    started = select(LessonProgress.user_id).where(LessonProgress.course_id == course.id)
    query = select(User.id).where(
        or_(
            User.department_id.in_(assigned_depts),
            User.id.in_(assigned_users),
            User.id.in_(started),
        ),
        User.id.in_(select(UserRole.user_id).where(UserRole.role == "learner")),
    )
    if department_id:
        query = query.where(User.department_id == department_id)
    return query


def progress_report(course: Course, department_id: int | None = None) -> Report:
    """Per-learner status, per-question and per-check statistics for one course."""
    ids = _learner_ids(course, department_id)
    users = db.session.execute(
        select(User, Department.name)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.id.in_(ids))
        .order_by(func.lower(User.name))
    ).all()
    rows = {u.id: LearnerRow(u, dept or "") for u, dept in users}
    lessons = db.session.scalars(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.archived.is_(False))
    ).all()
    required = {lesson.id for lesson in lessons if lesson.required}
    for row in rows.values():
        row.total = len(required)

    for assignment in db.session.scalars(
        select(Assignment).where(Assignment.course_id.in_(_family(course)))
    ):
        for row in rows.values():
            by_name = assignment.user_id == row.user.id
            if not by_name and not (assignment.department_id is not None
                                    and assignment.department_id == row.user.department_id):
                continue
            # A late joiner's due date and stalled clock start when they joined.
            joined = None if by_name else row.user.department_since
            reached = max(assignment.created_at, joined or assignment.created_at)
            if row.assigned_at is None or reached < row.assigned_at:
                row.assigned_at = reached
            due_on = assignment.due_for(joined)
            if due_on and (row.due_on is None or due_on < row.due_on):
                row.due_on = due_on
    for user_id, lesson_id, completed_at, best, last_viewed in db.session.execute(
        select(
            LessonProgress.user_id,
            LessonProgress.lesson_id,
            LessonProgress.completed_at,
            LessonProgress.best_score,
            LessonProgress.last_viewed_at,
        ).where(LessonProgress.course_id == course.id, LessonProgress.user_id.in_(ids))
    ):
        row = rows[user_id]
        if completed_at is not None and lesson_id in required:
            row.done += 1
        if best is not None:
            row.best_scores.append(best)
        row.last_activity = max(filter(None, [row.last_activity, last_viewed, completed_at]))
    lesson_ids = [lesson.id for lesson in lessons]
    for model, stamp in (
        (QuizAttempt, QuizAttempt.submitted_at),
        (ExerciseAttempt, ExerciseAttempt.started_at),
    ):
        for user_id, count, last in db.session.execute(
            select(model.user_id, func.count(), func.max(stamp))
            .where(model.lesson_id.in_(lesson_ids), model.user_id.in_(ids))
            .group_by(model.user_id)
        ):
            row = rows[user_id]
            row.attempts += count
            row.last_activity = max(filter(None, [row.last_activity, last]))
    for certificate in db.session.scalars(  # a certificate in a translation counts too
        select(Certificate)
        .where(Certificate.course_id.in_(_family(course)), Certificate.user_id.in_(ids))
        .order_by(Certificate.course_id != course.id)
    ):
        row = rows[certificate.user_id]
        row.certificate = row.certificate or certificate

    return Report(list(rows.values()), _question_stats(lessons, ids), _check_stats(lessons, ids))


def _question_stats(lessons: list[Lesson], ids) -> list[QuestionStat]:
    quizzes = {lesson.id: lesson for lesson in lessons if lesson.kind == "quiz"}
    if not quizzes:
        return []
    questions = db.session.scalars(
        select(QuizQuestion)
        .where(QuizQuestion.lesson_id.in_(quizzes), QuizQuestion.archived.is_(False))
        .order_by(QuizQuestion.lesson_id, QuizQuestion.position)
    ).all()
    stats = {
        (q.lesson_id, q.key): QuestionStat(quizzes[q.lesson_id].title, q.prompt) for q in questions
    }
    texts = {(q.lesson_id, q.key, c.key): c.text for q in questions for c in q.choices}
    correct = {(q.lesson_id, q.key, c.key) for q in questions for c in q.choices if c.correct}
    for lesson_id, answers in db.session.execute(
        select(QuizAttempt.lesson_id, QuizAttempt.answers).where(
            QuizAttempt.lesson_id.in_(quizzes), QuizAttempt.user_id.in_(ids)
        )
    ):
        for question_key, answer in (answers or {}).items():
            stat = stats.get((lesson_id, question_key))
            if stat is None:
                continue
            stat.answered += 1
            if answer.get("points", 0) < 1:
                stat.missed += 1
            for choice_key in answer.get("chosen", []):
                if (lesson_id, question_key, choice_key) not in correct:
                    stat.wrong_picks[
                        texts.get((lesson_id, question_key, choice_key), choice_key)
                    ] += 1
    return sorted(stats.values(), key=lambda s: -s.miss_rate)


def _check_stats(lessons: list[Lesson], ids) -> list[CheckStat]:
    """Per exercise check: how many of the learners' check runs it failed, of how many."""
    exercises = {lesson.id: lesson for lesson in lessons if lesson.kind == "exercise"}
    if not exercises:
        return []
    runs = dict(
        db.session.execute(
            select(ExerciseAttempt.lesson_id, func.count(ExerciseCheck.id))
            .join(ExerciseCheck, ExerciseCheck.attempt_id == ExerciseAttempt.id)
            .where(ExerciseAttempt.lesson_id.in_(exercises), ExerciseAttempt.user_id.in_(ids))
            .group_by(ExerciseAttempt.lesson_id)
        ).all()
    )
    failed: Counter = Counter()
    for lesson_id, keys in db.session.execute(
        select(ExerciseAttempt.lesson_id, ExerciseCheck.failed)
        .join(ExerciseCheck, ExerciseCheck.attempt_id == ExerciseAttempt.id)
        .where(ExerciseAttempt.lesson_id.in_(exercises), ExerciseAttempt.user_id.in_(ids))
    ):  # a passing run may still have failed an optional check
        failed.update((lesson_id, key) for key in keys or [])
    rows = [
        CheckStat(lesson.title, check["key"], check.get("description") or check["key"],
                  failed[(lesson_id, check["key"])], runs[lesson_id])
        for lesson_id, lesson in exercises.items()
        if runs.get(lesson_id)
        for check in lesson.content.get("checks", [])
    ]
    return sorted(rows, key=lambda row: (-row.failed, row.lesson, row.key))


def _safe_cell(value) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ gets a quote first."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: Report, today: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "name",
            "email",
            "department",
            "status",
            "required_done",
            "required_total",
            "average_best_score",
            "attempts",
            "last_activity",
            "due_on",
            "overdue",
            "certificate",
        ]
    )
    for row in report.rows:
        writer.writerow(
            [
                _safe_cell(v)
                for v in (
                    row.user.name,
                    row.user.email,
                    row.department,
                    row.status,
                    row.done,
                    row.total,
                    row.average_score if row.average_score is not None else "",
                    row.attempts,
                    row.last_activity.isoformat() if row.last_activity else "",
                    row.due_on.isoformat() if row.due_on else "",
                    "yes" if row.overdue(today) else "no",
                    row.certificate.code if row.certificate else "",
                )
            ]
        )
    return out.getvalue()


# Nudges


def nudge(course: Course, users: list[User], actor: User, course_url: str) -> list[Nudge]:
    """Email each learner a reminder and record what happened to every message."""
    subject = _("Reminder: %(course)s", course=course.title)
    nudges = []
    for user in users:
        body = _(
            'Hello %(name)s,\n\nThis is a reminder to continue the course "%(course)s" '
            "in CRM Academy:\n%(url)s\n\nThank you.",
            name=user.name,
            course=course.title,
            url=course_url,
        )
        status, error = "sent", ""
        try:
            send_mail(user.email, subject, body)
        except MailNotConfigured:
            status = "not_configured"
        except (OSError, Exception) as exc:  # noqa: BLE001 - any SMTP failure is reported
            status, error = "failed", str(exc)[:500]
        nudge = Nudge(
            course_id=course.id,
            user_id=user.id,
            sent_by_id=actor.id,
            sent_at=utcnow(),
            status=status,
            subject=subject,
            error=error,
        )
        db.session.add(nudge)
        nudges.append(nudge)
    db.session.flush()
    return nudges


def recent_nudges(course: Course, limit: int = 20) -> list[Nudge]:
    return list(
        db.session.scalars(
            select(Nudge)
            .where(Nudge.course_id == course.id)
            .order_by(Nudge.sent_at.desc(), Nudge.id.desc())
            .limit(limit)
        )
    )
