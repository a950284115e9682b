"""Reminders (nudges): a trainer reminds learners about a course through the job queue."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.authoring.models import Nudge
from portal.clock import today
from portal.database import utcnow
from portal.extensions import db
from portal.learning.models import Course
from portal.mailqueue import queue_mail


def nudge(course: Course, users: list[User], actor: User, course_url: str) -> list[Nudge]:
    """Queue a reminder to each learner, in their language, and record each one; the
    page follows each email's status. One email per learner, course and day, however
    often the button is pressed."""
    nudges = []
    day = today().isoformat()
    for user in users:
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject = _("Reminder: %(course)s", course=course.title)
            body = _(
                'Hello %(name)s,\n\nThis is a reminder to continue the course "%(course)s" '
                "in CRM Academy:\n%(url)s\n\nThank you.",
                name=user.name,
                course=course.title,
                url=course_url,
            )
        mail = queue_mail(f"nudge:{course.id}:{user.id}:{day}", user.email, subject, body)
        nudge = Nudge(
            course_id=course.id,
            user_id=user.id,
            sent_by_id=actor.id,
            sent_at=utcnow(),
            status=mail.status,
            subject=subject,
            mail=mail,
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
