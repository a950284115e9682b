"""Role-aware navigation and home pages."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, url_for
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
    # Trainers read the plan without edit or sign controls; someone who may also edit it gets
    # only the link above (nav_items keeps the first item of each label).
    ("rollout.plan_read", _l("Rollout plan"), "signpost-split", (Role.TRAINER,)),
    ("adoption.import_upload", _l("Usage import"), "upload", (Role.EXECUTIVE, Role.ADMIN)),
    ("admin.user_list", _l("Users"), "people", (Role.ADMIN,)),
    ("admin.department_list", _l("Departments"), "diagram-3", (Role.ADMIN,)),
    ("admin.scim_token_list", _l("Provisioning"), "arrow-left-right", (Role.ADMIN,)),
    ("admin.adoption_token_list", _l("Adoption API"), "key", (Role.ADMIN,)),
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
    held = current_user.roles
    build = current_app.extensions["portal.urls"].url_for
    items, labels = [], set()
    for endpoint, label, icon, roles in NAV_ITEMS:
        if held.isdisjoint(roles):
            continue
        text = str(label)  # translated once here, not again where the layout shows it
        if text not in labels:
            labels.add(text)
            items.append(
                {"endpoint": endpoint, "label": text, "icon": icon, "url": build(endpoint)}
            )
    return items


class BuiltUrls:
    """url_for with the URLs it built remembered, one per app: a page asks for dozens (the
    layout about twenty, every row of a list its links), and building one through the URL
    map costs more than the rest of its markup.

    A URL is kept by script root, endpoint and arguments when each argument is text or a
    whole number, which name one URL; anything else (relative endpoints such as
    ".page", `_external` and the other options, other kinds of value, no request) is built
    by url_for every time.
    """

    LIMIT = 20000  # a bound, should the arguments ever vary without end

    def __init__(self) -> None:
        self.built: dict[tuple, str] = {}

    def url_for(self, endpoint: str, **values) -> str:
        if endpoint[:1] == "." or not has_request_context():
            return url_for(endpoint, **values)
        key = [request.script_root, endpoint]
        for name, value in values.items():
            kind = type(value)
            if (kind is not str and kind is not int) or name[:1] == "_":
                return url_for(endpoint, **values)
            key += (name, value)
        key = tuple(key)
        url = self.built.get(key)
        if url is None:
            url = url_for(endpoint, **values)
            if len(self.built) >= self.LIMIT:
                self.built.clear()
            self.built[key] = url
        return url

    def fixed_url(self, endpoint: str, filename: str = "") -> str:
        """url_for(endpoint), or a static file's URL when `filename` is given."""
        return self.url_for(endpoint, filename=filename) if filename else self.url_for(endpoint)

    def static_url(self, filename: str) -> str:
        """url_for("static", filename=filename)."""
        return self.url_for("static", filename=filename)


def fixed_url(endpoint: str, filename: str = "") -> str:
    """url_for(endpoint) (or a static file's URL), built once per app and script root."""
    return current_app.extensions["portal.urls"].fixed_url(endpoint, filename)


def role_label(code: str) -> str:
    return Role(code).label if code in ROLE_CODES else code


def init_app(app: Flask) -> None:
    urls = app.extensions["portal.urls"] = BuiltUrls()
    app.context_processor(lambda: {"nav_items": nav_items()})
    app.jinja_env.globals.update(
        role_label=role_label,
        role_codes=[r.value for r in Role],
        zip=zip,
        url_for=urls.url_for,
        fixed_url=urls.fixed_url,
        static_url=urls.static_url,
    )
