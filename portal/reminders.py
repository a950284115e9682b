"""Reminder emails about assigned courses, sent by the job queue without anyone pressing
anything, and a trainer's "remind" button, which goes through the same queue.

Every morning (REMINDER_HOUR, organisation time) a learner with an assigned course gets
one email at most, in their own language, about the most pressing of:
- a course due in 7 days that they have not started;
- a course due in 2 days that they have not finished;
- a course past its due date (the day after, then once a week).
The email links straight to the lesson to take next. People can switch these off on their
account page. The key "remind:<user>:<date>" makes a second run on the same day (two
workers, a restart) send nothing more.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import select

from portal.accounts.models import User, UserRole
from portal.authoring.models import Assignment
from portal.clock import now, today
from portal.extensions import db
from portal.jobs import periodic
from portal.learning.queries import CourseCard, learner_home
from portal.mailqueue import OutgoingMail, queue_mail

NOT_STARTED_DAYS, NOT_FINISHED_DAYS = 7, 2


def _language(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def link(endpoint: str, **values) -> str:
    """An absolute link for an email, also from a job (no request): BASE_URL's host."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def next_step_link(card: CourseCard) -> str:
    """The lesson to take next, or the course page when there is none."""
    if card.next_lesson is not None:
        return link("learning.lesson", slug=card.course.slug, key=card.next_lesson.key)
    return link("learning.course", slug=card.course.slug)


def reason(card: CourseCard, day: date) -> str | None:
    """Why this card calls for a reminder today ("soon", "nearly", "overdue"), or None."""
    if card.complete or card.due_on is None:
        return None
    left = (card.due_on - day).days
    if left < 0:
        return "overdue" if -left % 7 == 1 else None
    if left == NOT_FINISHED_DAYS:
        return "nearly"
    if left == NOT_STARTED_DAYS and not card.started:
        return "soon"
    return None


def _message(user: User, card: CourseCard, why: str) -> tuple[str, str]:
    with force_locale(_language(user)):
        title = card.course.title
        subject = {
            "soon": _("%(course)s is due in a week", course=title),
            "nearly": _("%(course)s is due in two days", course=title),
            "overdue": _("%(course)s is overdue", course=title),
        }[why]
        body = _(
            "Hello %(name)s,\n\n%(subject)s. You have done %(done)d of %(total)d lessons. "
            "Carry on where you are:\n%(link)s\n\nYou can switch these reminders off on "
            "your account page.",
            name=user.name,
            subject=subject,
            done=card.done,
            total=card.total,
            link=next_step_link(card),
        )
    return subject, body


def remind_learner(user: User, day: date) -> OutgoingMail | None:
    """Queue today's reminder for one learner, if anything calls for one."""
    cards, _others = learner_home(user, _language(user))
    order = {"overdue": 0, "nearly": 1, "soon": 2}
    due = sorted(
        ((why, card) for card in cards if (why := reason(card, day))),
        key=lambda pair: (order[pair[0]], pair[1].due_on),
    )
    if not due:
        return None
    why, card = due[0]
    subject, body = _message(user, card, why)
    return queue_mail(f"remind:{user.id}:{day.isoformat()}", user.email, subject, body)


def learners_to_remind(day: date) -> list[User]:
    """Active learners who want reminders, have an assignment, and have had none today."""
    reminded = select(OutgoingMail.key).where(OutgoingMail.key.like(f"remind:%:{day}"))
    done = {int(key.split(":")[1]) for key in db.session.scalars(reminded)}
    has_assignment = select(Assignment.id).limit(1)
    if db.session.scalar(has_assignment) is None:
        return []
    learners = (
        select(User)
        .join(UserRole)
        .where(UserRole.role == "learner", User.active.is_(True), User.reminder_emails.is_(True))
    )
    return [user for user in db.session.scalars(learners) if user.id not in done]


def send_daily_reminders(day: date | None = None) -> int:
    """Queue the day's reminders, committing per learner; returns how many were queued."""
    day = day or today()
    queued = 0
    for user in learners_to_remind(day):
        if remind_learner(user, day) is not None:
            queued += 1
        db.session.commit()
    return queued


@periodic(crontab(minute="5"))
def daily_reminders() -> None:
    """Hourly; sends once the organisation's morning has come (REMINDER_HOUR)."""
    if now().hour >= current_app.config["REMINDER_HOUR"]:
        send_daily_reminders()
