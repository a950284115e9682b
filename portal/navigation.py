"""Role-aware navigation and home pages."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.accounts.roles import ROLE_CODES, ROLE_HOMES, Role

# (endpoint, label, icon, roles that see it)
NAV_ITEMS = [
    ("learning.home", _l("My learning"), "mortarboard", (Role.LEARNER,)),
    ("learning.catalogue", _l("Courses"), "collection", (Role.LEARNER,)),
    ("sandbox.home", _l("Practice sandbox"), "box-seam", (Role.LEARNER, Role.TRAINER)),
    ("authoring.home", _l("Authoring"), "pencil-square", (Role.TRAINER, Role.ADMIN)),
    ("dashboard.home", _l("Readiness"), "speedometer2", (Role.EXECUTIVE, Role.ADMIN)),
    ("rollout.home", _l("Rollout plan"), "signpost-split", (Role.EXECUTIVE, Role.ADMIN)),
    ("admin.user_list", _l("Users"), "people", (Role.ADMIN,)),
    ("admin.department_list", _l("Departments"), "diagram-3", (Role.ADMIN,)),
    ("admin.scim_token_list", _l("Provisioning"), "arrow-left-right", (Role.ADMIN,)),
]


def home_url(user) -> str:
    """The page a user lands on after signing in, from the roles they hold."""
    for role, endpoint in ROLE_HOMES:
        if user.has_role(role):
            return url_for(endpoint)
    return url_for("accounts.account")


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    return [
        {"endpoint": endpoint, "label": label, "icon": icon}
        for endpoint, label, icon, roles in NAV_ITEMS
        if current_user.has_role(*roles)
    ]


def role_label(code: str) -> str:
    return Role(code).label if code in ROLE_CODES else code


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_items": nav_items()})
    app.jinja_env.globals.update(role_label=role_label, role_codes=[r.value for r in Role], zip=zip)
