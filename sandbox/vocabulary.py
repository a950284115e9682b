"""The sandbox's vocabulary: stable codes in the database, translated labels on screen.

Statuses, stages, sources and the rest follow the established open CRMs (EspoCRM,
SuiteCRM). An organisation rolling out a CRM with other words can rename any label
without touching a translation catalogue, in its configuration:

    SANDBOX_LABELS = {"lead_status": {"in_process": "Working"}, "stage": {...}}

Labels come back as strings in the current request's language.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from sandbox.codes import CODES, EVENT_VERBS  # noqa: F401 - read from here by the forms

LABELS = {
    "lead_status": {
        "new": _l("New"),
        "assigned": _l("Assigned"),
        "in_process": _l("In Process"),
        "converted": _l("Converted"),
        "recycled": _l("Recycled"),
        "dead": _l("Dead"),
    },
    "lead_source": {
        "call": _l("Call"),
        "email": _l("Email"),
        "existing_customer": _l("Existing Customer"),
        "partner": _l("Partner"),
        "public_relations": _l("Public Relations"),
        "web_site": _l("Web Site"),
        "campaign": _l("Campaign"),
        "trade_show": _l("Trade Show"),
        "referral": _l("Referral"),
        "other": _l("Other"),
    },
    "stage": {
        "prospecting": _l("Prospecting"),
        "qualification": _l("Qualification"),
        "proposal": _l("Proposal"),
        "negotiation": _l("Negotiation"),
        "closed_won": _l("Closed Won"),
        "closed_lost": _l("Closed Lost"),
    },
    "ticket_status": {
        "new": _l("New"),
        "assigned": _l("Assigned"),
        "pending": _l("Pending"),
        "closed": _l("Closed"),
        "rejected": _l("Rejected"),
        "duplicate": _l("Duplicate"),
    },
    "priority": {
        "low": _l("Low"),
        "normal": _l("Normal"),
        "high": _l("High"),
        "urgent": _l("Urgent"),
    },
    "category": {
        "billing": _l("Billing"),
        "technical": _l("Technical"),
        "delivery": _l("Delivery"),
        "defect": _l("Defect"),
        "return": _l("Return"),
    },
    "tier": {
        "bronze": _l("Bronze"),
        "silver": _l("Silver"),
        "gold": _l("Gold"),
        "platinum": _l("Platinum"),
    },
    "activity": {
        "call": _l("Call"),
        "email": _l("Email"),
        "meeting": _l("Meeting"),
        "note": _l("Note"),
        "task": _l("Task"),
    },
    "trigger": {
        "birthday": _l("Customer's birthday"),
        "purchase_anniversary": _l("Purchase anniversary"),
        "ticket_resolved": _l("Ticket resolved"),
    },
}


def label(group: str, code: str | None) -> str:
    """The label shown for `code` of `group` (e.g. "stage", "closed_won" -> "Closed Won")."""
    if code is None:
        return ""
    if has_app_context():
        renamed = (current_app.config.get("SANDBOX_LABELS") or {}).get(group) or {}
        if code in renamed:
            return str(renamed[code])
    known = LABELS.get(group, {}).get(code)
    return str(known) if known is not None else code.replace("_", " ").capitalize()


def choices(group: str, codes=None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select, in the vocabulary's order."""
    return [(code, label(group, code)) for code in (codes or CODES[group])]
