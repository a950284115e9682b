"""The sandbox's vocabulary: stable codes in the database, translated labels on screen.

Lead statuses, deal stages, ticket statuses, priorities and categories are the active CRM
profile's (sandbox.profiles: its English labels, translated when the catalogue has them);
sources, tiers, activity kinds, ticket channels and triggers are the sandbox's own. An
organisation may still rename any single label in its configuration, whatever the profile:

    SANDBOX_LABELS = {"lead_status": {"in_process": "Working"}, "stage": {...}}

Labels come back as strings in the current request's language.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from sandbox import profiles
from sandbox.codes import CODES, EVENT_VERBS  # noqa: F401 - read from here by the forms
from sandbox.profiles.labels import LABELS as PROFILE_LABELS

LABELS = {
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
    "channel": {
        "phone": _l("Phone call"),
        "email": _l("Email"),
        "visit": _l("Visit"),
        "web": _l("Web form"),
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
    from_profile = profiles.active().label(group, code)
    if from_profile is not None:
        translate = has_app_context() and from_profile in PROFILE_LABELS
        return gettext(from_profile) if translate else from_profile
    known = LABELS.get(group, {}).get(code)
    return str(known) if known is not None else code.replace("_", " ").capitalize()


def choices(group: str, codes=None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select, in the vocabulary's (the profile's) order."""
    return [(code, label(group, code)) for code in (codes or profiles.active().codes(group))]
