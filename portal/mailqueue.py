"""Email through the job queue: each message is a row, sent by a worker, retried, recorded.

`queue_mail(key, ...)` records the message and queues its delivery once the caller's
transaction commits. The key says what the message is ("invite:42:3", "remind:7:2026-12-05"):
a second message with a key already used is not recorded again, so a reminder job that
runs twice, or two admins pressing "resend" at once, send one email.

Delivery marks the row "sending" and commits before talking to the mail server. A worker
that dies after that leaves the row "sending": the next attempt does not send it again
(the server may have accepted it) and marks it "uncertain" for the admin to see, so a
message is never sent twice. A refused or unreachable server is retried with backoff
(1, 2, 4, 8 minutes, then 16) and the error kept on the row; after the last attempt it
is "failed".
"""

from __future__ import annotations

import smtplib
from datetime import datetime

from sqlalchemy import Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.jobs import after_commit, job
from portal.mail import MailNotConfigured, mail_configured, send_mail

RETRIES = 5
STATUSES = ("queued", "sending", "sent", "failed", "uncertain", "not_configured")


class OutgoingMail(db.Model):
    """One email the portal sends, and what became of it."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(10000))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def queue_mail(key: str, to: str, subject: str, body: str) -> OutgoingMail:
    """Record an email and send it after the commit; a key already used returns that one.

    Without a mail server nothing is queued: the row says "not_configured", and the
    caller tells the person another way (an admin hands out an invitation link).
    """
    existing = db.session.scalar(select(OutgoingMail).where(OutgoingMail.key == key))
    if existing is not None:
        return existing
    mail = OutgoingMail(key=key, to=to, subject=subject[:200], body=body[:10000])
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except IntegrityError:  # the same key recorded at the same moment by someone else
        return db.session.scalar(select(OutgoingMail).where(OutgoingMail.key == key))
    if not mail_configured():
        mail.status = "not_configured"
        return mail
    after_commit(deliver, mail.id)
    return mail


@job(retries=RETRIES, retry_delay=60, retry_backoff=2)
def deliver(mail_id: int) -> None:
    """Send one recorded email (see the module's docstring for what happens on failure)."""
    mail = db.session.get(OutgoingMail, mail_id, with_for_update=True)
    if mail is None or mail.status in ("sent", "failed", "uncertain"):
        return
    if mail.status == "sending":  # a worker died mid-send: it may have gone out
        mail.status = "uncertain"
        db.session.commit()
        return
    mail.status, mail.attempts = "sending", mail.attempts + 1
    db.session.commit()
    try:
        send_mail(mail.to, mail.subject, mail.body)
    except MailNotConfigured:
        mail.status = "not_configured"
    except (smtplib.SMTPException, OSError) as error:
        mail.error = f"{type(error).__name__}: {error}"[:500]
        mail.status = "failed" if mail.attempts > RETRIES else "queued"
        db.session.commit()
        if mail.status == "queued":
            raise  # Huey retries after the backoff
        return
    else:
        mail.status, mail.sent_at, mail.error = "sent", utcnow(), ""
    db.session.commit()
