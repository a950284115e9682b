"""Weekly digests by email, sent by the job queue on Monday mornings.

- A department's manager (Department.manager_id) hears who in the department is behind:
  an assigned course overdue, or due within a week and not started.
- Each executive hears the readiness figures per department, which go-live gates changed
  since a week ago (each gate judged now and as it stood then), and the next go-live.

Each person can switch their digest off on their account page (User.digest_emails). The
key "digest:<kind>:<user>:<ISO week>" makes a second run in the same week send nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import select

from portal.accounts.models import Department, User, UserRole
from portal.clock import now as local_now
from portal.clock import today
from portal.dashboard.queries import dashboard
from portal.database import utcnow
from portal.extensions import db
from portal.jobs import periodic
from portal.learning.queries import learner_home
from portal.mailqueue import OutgoingMail, queue_mail
from portal.reminders import link
from portal.rollout.gates import evaluate_gate
from portal.rollout.metrics import format_value


def _week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-w{week:02d}"


def _language(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def behind(department: Department, day: date) -> list[tuple[User, list[str]]]:
    """The department's active learners who are behind, and on which courses."""
    people = db.session.scalars(
        select(User)
        .where(User.department_id == department.id, User.active.is_(True))
        .order_by(User.sort_name)
    )
    found = []
    for person in people:
        cards, _others = learner_home(person, _language(person))
        late = [
            card.course.title
            for card in cards
            if not card.complete
            and card.due_on is not None
            and (card.due_on < day or (card.due_on <= day + timedelta(days=7) and not card.started))
        ]
        if late:
            found.append((person, late))
    return found


def _sent(key: str) -> bool:
    return db.session.scalar(select(OutgoingMail.id).where(OutgoingMail.key == key)) is not None


def manager_digest(manager: User, department: Department, day: date) -> OutgoingMail | None:
    """Queue a manager's weekly list of who is behind (nothing when nobody is, or when this
    week's went already)."""
    key = f"digest:manager:{manager.id}:{department.id}:{_week(day)}"
    if _sent(key):
        return None
    late = behind(department, day)
    if not late:
        return None
    with force_locale(_language(manager)):
        lines = "\n".join(f"- {person.name}: {', '.join(titles)}" for person, titles in late)
        subject = _(
            "%(department)s: %(count)d people behind on their courses",
            department=department.name,
            count=len(late),
        )
        body = _(
            "Hello %(name)s,\n\nThese people in %(department)s have a course overdue, or due "
            "within a week and not started:\n\n%(lines)s\n\nCRM Academy:\n%(link)s\n\n"
            "You can switch this weekly email off on your account page.",
            name=manager.name,
            department=department.name,
            lines=lines,
            link=link("core.index"),
        )
    return queue_mail(key, manager.email, subject, body)


def executive_summary(day: date) -> tuple[list[str], list[str], str]:
    """Readiness lines per department, gate changes this week, the next go-live."""
    now = utcnow()
    board = dashboard(None, now)
    readiness = [
        f"- {row.name or _('No department')}: "
        + ", ".join(
            f"{cell.metric.label} {format_value(cell.metric, cell.value)}" for cell in row.cells
        )
        for row in board.departments
    ]
    changes = []
    for status in board.waves:
        wave = status.wave
        before = evaluate_gate(wave, day - timedelta(days=7), now - timedelta(days=7)).go
        current = evaluate_gate(wave, day, now).go
        if before != current:
            said = _("now ready to go live") if current else _("no longer ready to go live")
            changes.append(f"- {wave.name}: {said}")
    upcoming = sorted(
        (status.wave for status in board.waves if status.wave.go_live_on >= day),
        key=lambda wave: wave.go_live_on,
    )
    next_live = (
        _(
            "%(wave)s goes live on %(date)s.",
            wave=upcoming[0].name,
            date=upcoming[0].go_live_on.isoformat(),
        )
        if upcoming
        else _("No go-live is planned.")
    )
    return readiness, changes, next_live


def executive_digest(executive: User, day: date) -> OutgoingMail | None:
    """Queue an executive's weekly readiness summary (once a week)."""
    key = f"digest:executive:{executive.id}:{_week(day)}"
    if _sent(key):
        return None
    with force_locale(_language(executive)):
        readiness, changes, next_live = executive_summary(day)
        subject = _("CRM rollout this week")
        body = _(
            "Hello %(name)s,\n\nReadiness by department:\n%(readiness)s\n\nGo-live gates "
            "that changed since last week:\n%(changes)s\n\n%(next)s\n\nThe dashboard:\n"
            "%(link)s\n\nYou can switch this weekly email off on your account page.",
            name=executive.name,
            readiness="\n".join(readiness) or "-",
            changes="\n".join(changes) or _("- None."),
            next=next_live,
            link=link("dashboard.home"),
        )
    return queue_mail(key, executive.email, subject, body)


def send_weekly_digests(day: date | None = None) -> int:
    """Queue this week's digests for managers and executives; returns how many."""
    day = day or today()
    queued = 0
    managed = db.session.execute(
        select(Department, User)
        .join(User, Department.manager_id == User.id)
        .where(User.active.is_(True), User.digest_emails.is_(True))
        .order_by(Department.id)
    ).all()
    for department, manager in managed:
        queued += manager_digest(manager, department, day) is not None
        db.session.commit()
    executives = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == "executive", User.active.is_(True), User.digest_emails.is_(True))
    )
    for executive in executives:
        queued += executive_digest(executive, day) is not None
        db.session.commit()
    return queued


@periodic(crontab(day_of_week="1", minute="15"))
def weekly_digests() -> None:
    """Mondays, hourly; sends once the organisation's morning has come."""
    if local_now().hour >= current_app.config["REMINDER_HOUR"]:
        send_weekly_digests()
