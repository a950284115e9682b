"""The contact details a lead and a customer share (and an import's rows hold), with one
rule for an email address and one for a phone number."""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from sandbox.services.events import SandboxError

PHONE = re.compile(r"^[+0-9][0-9 ()-]{5,24}$")


@dataclass
class ContactData:
    """Who a lead or a customer is and how to reach them, as a form gives it (conversion
    carries these from the lead to the customer)."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""


def normal_email(text: str) -> str:
    """`text` as an email address, normalised and in lower case; an address that is not
    one raises email_validator's EmailNotValidError."""
    return validate_email(
        text, check_deliverability=False, test_environment=True
    ).normalized.lower()


def clean_email(text: str) -> str:
    """The address trimmed and normalised, "" for none; a bad one is refused on its field."""
    text = text.strip()
    if not text:
        return ""
    try:
        return normal_email(text)
    except EmailNotValidError as exc:
        raise SandboxError(_("Enter a valid email address."), "email") from exc


def clean_phone(text: str) -> str:
    """The number trimmed; one of other than digits, spaces, + ( ) - is refused on its field."""
    text = text.strip()
    if text and not PHONE.match(text):
        raise SandboxError(_("Enter a phone number: digits, spaces, + ( ) -."), "phone")
    return text
