"""The sandbox's vocabulary: stable codes in the database, translated labels on screen.

Lead statuses, deal stages, ticket statuses, priorities and categories are the active CRM
profile's (sandbox.profiles: its English labels, translated when the catalogue has them);
sources, tiers, activity kinds, ticket channels and triggers are the sandbox's own. An
organisation renames a profile's label with PORTAL_CRM_OVERRIDES (its ``labels`` key);
a label it sets is its own word and is shown as given.

Labels come back as strings in the current request's language.
"""

from __future__ import annotations

from flask import has_app_context, has_request_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.i18n import current_language
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
    "budget_status": {
        "unknown": _l("Not known yet"),
        "indicated": _l("Indicated, to be agreed"),
        "confirmed": _l("Confirmed"),
        "none": _l("No budget"),
    },
}
# The structured parts of a qualification and of a resolution note, as forms, record
# pages and content checks name them.
PART_LABELS = {
    "need": _l("Need"),
    "authority": _l("Who decides"),
    "budget": _l("Budget"),
    "budget_status": _l("Budget status"),
    "timing": _l("Timing"),
    "resolution_cause": _l("What was wrong"),
    "resolution_action": _l("What we did"),
    "resolution_expectation": _l("What the customer can expect"),
    "resolution": _l("Resolution"),
    "description": _l("Description"),
    "body": _l("Text"),
    "subject": _l("Subject"),
    "next_step": _l("Next step"),
    "closed_reason": _l("Reason"),
    "preferences": _l("Preferences"),
}


def label(group: str, code: str | None) -> str:
    """The label shown for `code` of `group` (e.g. "stage", "closed_won" -> "Closed Won").

    A label depends on the CRM profile and the language alone, so each is looked up once
    per process (`shown_labels`): a list page shows the same few labels on every row."""
    if code is None:
        return ""
    if not has_request_context():
        return _label(group, code)
    return shown_labels()[group, code]


def shown_labels() -> ShownLabels:
    """(group, code) -> label, for the request's CRM profile and language, kept per process
    (a profile chosen anew, or with other overrides, is another object: its own labels)."""
    profile = profiles.active()
    key = (id(profile), current_language().code)
    held = _SHOWN.get(key)
    if held is None or held[0] is not profile:
        if len(_SHOWN) >= 64:  # profiles read again over time: start again
            _SHOWN.clear()
        held = _SHOWN[key] = (profile, ShownLabels())
    return held[1]


class ShownLabels(dict):
    """(group, code) -> label, each worked out on first use; ("entity name" or "entity
    names", entity) -> what the CRM calls that kind of record (no group has a space)."""

    def __missing__(self, key: tuple[str, str]) -> str:
        group, code = key
        if group in ("entity name", "entity names"):
            found = _entity_label(code, plural=group == "entity names")
        else:
            found = _label(group, code)
        self[key] = found
        return found


# (id(profile), language) -> (the profile, its labels); the profile kept so its id stays its own
_SHOWN: dict[tuple[int, str], tuple[profiles.Profile, ShownLabels]] = {}


def _label(group: str, code: str) -> str:
    from_profile = profiles.active().label(group, code)
    if from_profile is not None:
        return _translated(from_profile)
    known = LABELS.get(group, {}).get(code)
    return str(known) if known is not None else code.replace("_", " ").capitalize()


def _translated(text: str) -> str:
    """A profile's English label in the request's language, when the catalogue has it."""
    return gettext(text) if has_app_context() and text in PROFILE_LABELS else text


def entity_label(entity: str, plural: bool = False) -> str:
    """What the organisation's CRM calls a kind of record: "Case", or "Cases" (kept with
    the shown labels: every sandbox page names its sections)."""
    if not has_request_context():
        return _entity_label(entity, plural)
    return shown_labels()["entity names" if plural else "entity name", entity]


def _entity_label(entity: str, plural: bool) -> str:
    return _translated(profiles.active().entity_label(entity, plural))


def choices(group: str, codes=None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select, in the vocabulary's (the profile's) order."""
    codes = codes or profiles.active().codes(group)
    if not has_request_context():
        return [(code, _label(group, code)) for code in codes]
    labels = shown_labels()  # once for the whole list
    return [(code, labels[group, code]) for code in codes]
