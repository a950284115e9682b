"""Reminders (nudges): a trainer emails learners about a course; each message is recorded."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.authoring.models import Nudge
from portal.database import utcnow
from portal.extensions import db
from portal.learning.models import Course
from portal.mail import MailNotConfigured, send_mail


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
