"""Outgoing email over SMTP, configured by MAIL_* settings; nothing is sent without them."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


class MailNotConfigured(RuntimeError):
    """No MAIL_SERVER is set, so the portal cannot send email."""


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text email; raises MailNotConfigured or smtplib/OSError on failure."""
    config = current_app.config
    if not mail_configured():
        raise MailNotConfigured("MAIL_SERVER is not set")
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "crm-academy@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    port = int(config.get("MAIL_PORT") or 25)
    with smtplib.SMTP(config["MAIL_SERVER"], port, timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
