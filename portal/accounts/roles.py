"""The four roles, their codes, labels and home pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.labels import LabelledEnum


class Role(LabelledEnum):
    LEARNER = "learner", _l("Learner")
    TRAINER = "trainer", _l("Trainer")
    EXECUTIVE = "executive", _l("Executive")
    ADMIN = "admin", _l("Admin")


# Where each role lands after signing in; a user with several roles lands on the first
# of theirs in this order.
ROLE_HOMES = [
    (Role.ADMIN, "admin.user_list"),
    (Role.EXECUTIVE, "dashboard.home"),
    (Role.TRAINER, "authoring.home"),
    (Role.LEARNER, "learning.home"),
]

ROLE_CODES = frozenset(role.value for role in Role)


def parse_roles(text: str) -> tuple[list[str], list[str]]:
    """Split 'trainer; admin' (or commas, pipes, spaces) into known and unknown codes."""
    known: list[str] = []
    unknown: list[str] = []
    for raw in text.replace(",", " ").replace(";", " ").replace("|", " ").split():
        code = raw.strip().lower()
        target = known if code in ROLE_CODES else unknown
        if code not in target:
            target.append(code)
    return known, unknown
