"""Who may open what: every route of the app, for anonymous visitors and each role.

The matrix below names the expected outcome of every route. A route added to the app
without a line here fails `test_every_route_has_an_expectation`, so access is decided
on purpose, never by accident.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache, cached_property
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal import apitokens
from portal.apitokens import TokenPurpose
from portal.authoring.models import Assignment
from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Certificate, Course, Lesson, QuizQuestion
from portal.learning.services import new_certificate_code
from portal.scim import services as scim_services
from tests.learning.conftest import course_files

ROLES = ("learner", "trainer", "executive", "admin")
SCIM_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SANDBOX_IDS = {
    "customer_id": "Customer",
    "parent_id": "Customer",
    "lead_id": "Lead",
    "opportunity_id": "Opportunity",
    "ticket_id": "Ticket",
    "automation_id": "Automation",
    "activity_id": "Activity",
}
ANONYMOUS = None
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # anyone signed in, whatever the role
ADMINS = ("admin",)
TRAINERS = ("trainer", "admin")
EXECUTIVES = ("executive", "admin")
EXECUTIVE_ONLY = ("executive",)  # signing, the CRM selection and the mission
LEARNERS = ("learner",)
PRACTICE = ("learner", "trainer")  # who has a practice sandbox
LOGIN = "login"  # a redirect to the sign-in page, with `next` pointing back
BEARER = "bearer"  # an API for a bearer token only: without one, everyone gets 401

# A POST the role may make whose outcome depends on the form sent (here: none): the view
# ran and answered, rather than refusing access.
VIEW_RAN = frozenset({200, 302, 400, 422})


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    who: str | tuple[str, ...]
    ok: int | frozenset[int] = 200  # what those allowed get
    signed_in_ok: int | None = None  # public pages that send signed-in people elsewhere
    key: str = ""  # the lesson or module key for <key>

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"


def lesson_edit(path: str = "", method: str = "POST", ok: int | frozenset[int] = VIEW_RAN) -> Route:
    """A trainer's route at `path` below the matrix's lesson (the reading "intro")."""
    return Route(
        method, f"/author/courses/<slug>/lessons/<key>{path}", TRAINERS, ok=ok, key="intro"
    )


MATRIX = [
    # Site-wide
    Route("GET", "/", PUBLIC, ok=302),
    Route("GET", "/healthz", PUBLIC),
    Route("GET", "/favicon.ico", PUBLIC, ok=301),
    Route("POST", "/language", PUBLIC, ok=302),
    # Signing in and own account
    Route("GET", "/login", PUBLIC, signed_in_ok=302),
    Route("POST", "/login", PUBLIC, ok=422, signed_in_ok=302),
    Route("POST", "/logout", SIGNED_IN, ok=302),
    Route("GET", "/account", SIGNED_IN),
    Route("POST", "/account/password", SIGNED_IN, ok=422),
    Route("POST", "/account/email", SIGNED_IN, ok=302),
    Route("GET", "/forgot-password", PUBLIC),
    Route("POST", "/forgot-password", PUBLIC, ok=422),
    Route("GET", "/password/<any(invite, reset):purpose>/<token>", PUBLIC, ok=400),
    Route("POST", "/password/<any(invite, reset):purpose>/<token>", PUBLIC, ok=400),
    # Single sign-on: not set up here (tests/accounts/test_sso.py signs in through it)
    Route("GET", "/login/sso", PUBLIC, ok=404),
    Route("GET", "/login/sso/callback", PUBLIC, ok=404),
    # Background imports and exports: only the person who asked (tests/accounts/test_bulk_jobs.py)
    Route("GET", "/jobs/<token>", SIGNED_IN, ok=404),
    Route("GET", "/jobs/<token>/status", SIGNED_IN, ok=404),
    Route("GET", "/jobs/<token>/download", SIGNED_IN, ok=404),
    # Admin
    Route("GET", "/admin/users", ADMINS),
    Route("GET", "/admin/users/new", ADMINS),
    Route("POST", "/admin/users/new", ADMINS, ok=422),
    Route("GET", "/admin/users/<int:user_id>", ADMINS),
    Route("POST", "/admin/users/<int:user_id>", ADMINS, ok=422),
    Route("POST", "/admin/users/<int:user_id>/active", ADMINS, ok=302),
    Route("POST", "/admin/users/<int:user_id>/unlock", ADMINS, ok=302),
    Route("POST", "/admin/users/<int:user_id>/invite", ADMINS, ok=302),
    Route("GET", "/admin/users/import", ADMINS),
    Route("POST", "/admin/users/import", ADMINS, ok=422),
    Route("GET", "/admin/departments", ADMINS),
    Route("POST", "/admin/departments", ADMINS, ok=422),
    Route("POST", "/admin/departments/<int:department_id>/rename", ADMINS, ok=302),
    Route("POST", "/admin/departments/<int:department_id>/delete", ADMINS, ok=302),
    Route("GET", "/admin/scim-tokens", ADMINS),
    Route("POST", "/admin/scim-tokens", ADMINS, ok=422),
    Route("POST", "/admin/scim-tokens/<int:token_id>/revoke", ADMINS, ok=302),
    # SCIM provisioning: a signed-in session is no token (tests/accounts/test_scim.py)
    *(Route(method, "/scim/v2/<path:path>", BEARER) for method in SCIM_METHODS),
    # Adoption usage: CSV import, API tokens, the token API (tests/adoption/)
    Route("GET", "/admin/adoption-tokens", ADMINS),
    Route("POST", "/admin/adoption-tokens", ADMINS, ok=422),
    Route("POST", "/admin/adoption-tokens/<int:token_id>/revoke", ADMINS, ok=302),
    Route("GET", "/adoption/import", EXECUTIVES),
    Route("POST", "/adoption/import", EXECUTIVES, ok=422),
    Route("GET", "/adoption/import/<token>", EXECUTIVES, ok=404),
    Route("POST", "/adoption/import/<token>", EXECUTIVES, ok=404),
    Route("POST", "/api/adoption/usage", BEARER),
    Route("GET", "/api/adoption/openapi.json", PUBLIC),
    # Learning
    Route("GET", "/learn/", LEARNERS),
    Route("GET", "/learn/rollout", LEARNERS),
    Route("GET", "/courses/", LEARNERS),
    Route("GET", "/courses/<slug>/", LEARNERS),
    Route("GET", "/courses/<slug>/<key>/", LEARNERS, key="intro"),
    Route("POST", "/courses/<slug>/<key>/done", LEARNERS, ok=VIEW_RAN, key="intro"),
    Route("POST", "/courses/<slug>/<key>/quiz", LEARNERS, ok=VIEW_RAN, key="basics-quiz"),
    Route("POST", "/courses/<slug>/<key>/knowledge-check", LEARNERS, ok=VIEW_RAN, key="intro"),
    Route("POST", "/courses/<slug>/<key>/start", LEARNERS, ok=VIEW_RAN, key="intro"),
    Route("POST", "/courses/<slug>/<key>/check", LEARNERS, ok=VIEW_RAN, key="intro"),
    Route("POST", "/courses/<slug>/<key>/leave", LEARNERS, ok=VIEW_RAN, key="intro"),
    Route("GET", "/certificates/<code>", SIGNED_IN),  # one's own certificate
    Route("GET", "/verify/", PUBLIC),
    Route("GET", "/verify/<code>", PUBLIC),
    # Authoring
    Route("GET", "/author/", TRAINERS),
    Route("GET", "/author/courses/new", TRAINERS),
    Route("POST", "/author/courses/new", TRAINERS, ok=VIEW_RAN),
    Route("GET", "/author/import", TRAINERS),
    Route("POST", "/author/import", TRAINERS, ok=VIEW_RAN),
    Route("POST", "/author/preview", TRAINERS, ok=VIEW_RAN),
    Route("GET", "/author/courses/<slug>/", TRAINERS),
    Route("POST", "/author/courses/<slug>/details", TRAINERS, ok=VIEW_RAN),
    Route("POST", "/author/courses/<slug>/publish", TRAINERS, ok=VIEW_RAN),
    Route("POST", "/author/courses/<slug>/discard", TRAINERS, ok=VIEW_RAN),
    Route("GET", "/author/courses/<slug>/history", TRAINERS),
    Route("GET", "/author/courses/<slug>/translations", TRAINERS),
    Route("POST", "/author/courses/<slug>/translations", TRAINERS, ok=VIEW_RAN),
    Route("POST", "/author/courses/<slug>/translations/current", TRAINERS, ok=VIEW_RAN),
    # The course here is an original, which has nothing to translate side by side
    # (tests/authoring/test_course_translations.py translates one).
    Route("GET", "/author/courses/<slug>/translate/", TRAINERS, ok=404),
    Route("POST", "/author/courses/<slug>/translate/", TRAINERS, ok=404),
    Route("GET", "/author/courses/<slug>/translate/<key>", TRAINERS, ok=404, key="intro"),
    Route("POST", "/author/courses/<slug>/translate/<key>", TRAINERS, ok=404, key="intro"),
    Route("GET", "/author/courses/<slug>/export", TRAINERS),
    Route("POST", "/author/courses/<slug>/modules", TRAINERS, ok=VIEW_RAN),
    Route(
        "POST", "/author/courses/<slug>/modules/<key>/rename", TRAINERS, ok=VIEW_RAN, key="basics"
    ),
    Route("POST", "/author/courses/<slug>/modules/<key>/move", TRAINERS, ok=VIEW_RAN, key="basics"),
    Route(
        "POST", "/author/courses/<slug>/modules/<key>/remove", TRAINERS, ok=VIEW_RAN, key="basics"
    ),
    Route(
        "POST", "/author/courses/<slug>/modules/<key>/lessons", TRAINERS, ok=VIEW_RAN, key="basics"
    ),
    lesson_edit(method="GET", ok=200),
    lesson_edit(),
    lesson_edit("/move"),
    lesson_edit("/remove"),
    Route(
        "POST",
        "/author/courses/<slug>/lessons/<key>/questions",
        TRAINERS,
        ok=VIEW_RAN,
        key="basics-quiz",
    ),
    Route(
        "POST",
        "/author/courses/<slug>/lessons/<key>/questions/<question_key>/remove",
        TRAINERS,
        ok=VIEW_RAN,
        key="basics-quiz",
    ),
    Route("POST", "/author/courses/<slug>/withdraw", TRAINERS, ok=VIEW_RAN),
    Route("POST", "/author/courses/<slug>/delete", TRAINERS, ok=VIEW_RAN),
    Route("GET", "/author/courses/<slug>/assignments", TRAINERS),
    Route("POST", "/author/courses/<slug>/assignments", TRAINERS, ok=VIEW_RAN),
    Route(
        "POST",
        "/author/courses/<slug>/assignments/<int:assignment_id>/remove",
        TRAINERS,
        ok=VIEW_RAN,
    ),
    Route("POST", "/author/courses/<slug>/assignments/<int:assignment_id>", TRAINERS, ok=VIEW_RAN),
    lesson_edit("/exercise"),
    lesson_edit("/setup"),
    lesson_edit("/scenario"),
    lesson_edit("/setup/<record_key>/remove"),
    lesson_edit("/checks"),
    lesson_edit("/checks/<check_key>/remove"),
    lesson_edit("/solution"),
    lesson_edit("/solution/move"),
    lesson_edit("/solution/remove"),
    # The matrix's lesson is a reading: no solution steps, so the view answers 400.
    lesson_edit("/solution/action", "GET", ok=400),
    Route("GET", "/author/courses/<slug>/progress", TRAINERS),
    Route("POST", "/author/courses/<slug>/nudge", TRAINERS, ok=VIEW_RAN),
    # Readiness, rollout, sandbox
    Route("GET", "/dashboard/", EXECUTIVES),
    Route("GET", "/dashboard/departments/<int:department_id>", EXECUTIVES),
    Route("GET", "/dashboard/departments/<int:department_id>/learners.csv", EXECUTIVES),
    Route("GET", "/dashboard/export/<table>.csv", EXECUTIVES),
    Route("GET", "/dashboard/learners/<int:user_id>", EXECUTIVES),
    Route("GET", "/dashboard/static/<path:filename>", PUBLIC),
    Route("GET", "/rollout/", EXECUTIVES),
    Route("GET", "/rollout/plans/new", EXECUTIVES),
    Route("POST", "/rollout/plans/new", EXECUTIVES, ok=VIEW_RAN),
    Route("GET", "/rollout/plans/<int:plan_id>", EXECUTIVES),
    Route("GET", "/rollout/plans/<int:plan_id>/edit", EXECUTIVES),
    Route("POST", "/rollout/plans/<int:plan_id>/edit", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/plans/<int:plan_id>/delete", EXECUTIVES, ok=VIEW_RAN),
    Route("GET", "/rollout/plans/<int:plan_id>/phases/new", EXECUTIVES),
    Route("POST", "/rollout/plans/<int:plan_id>/phases/new", EXECUTIVES, ok=VIEW_RAN),
    Route("GET", "/rollout/plans/<int:plan_id>/goals/new", EXECUTIVES),
    Route("POST", "/rollout/plans/<int:plan_id>/goals/new", EXECUTIVES, ok=VIEW_RAN),
    Route("GET", "/rollout/plans/<int:plan_id>/waves/new", EXECUTIVES),
    Route("POST", "/rollout/plans/<int:plan_id>/waves/new", EXECUTIVES, ok=VIEW_RAN),
    Route("GET", "/rollout/phases/<int:phase_id>", EXECUTIVES),
    Route("GET", "/rollout/phases/<int:phase_id>/edit", EXECUTIVES),
    Route("POST", "/rollout/phases/<int:phase_id>/edit", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/phases/<int:phase_id>/move", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/phases/<int:phase_id>/delete", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/phases/<int:phase_id>/milestones", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/phases/<int:phase_id>/signoff", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("POST", "/rollout/milestones/<int:milestone_id>/toggle", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/milestones/<int:milestone_id>/delete", EXECUTIVES, ok=VIEW_RAN),
    Route("GET", "/rollout/goals/<int:goal_id>/edit", EXECUTIVES),
    Route("POST", "/rollout/goals/<int:goal_id>/edit", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/goals/<int:goal_id>/delete", EXECUTIVES, ok=VIEW_RAN),
    Route("GET", "/rollout/waves/<int:wave_id>", EXECUTIVES),
    Route("GET", "/rollout/waves/<int:wave_id>/gate", EXECUTIVES),
    Route("GET", "/rollout/waves/<int:wave_id>/edit", EXECUTIVES),
    Route("POST", "/rollout/waves/<int:wave_id>/edit", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/waves/<int:wave_id>/delete", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/waves/<int:wave_id>/criteria", EXECUTIVES, ok=VIEW_RAN),
    Route("POST", "/rollout/waves/<int:wave_id>/courses", EXECUTIVES, ok=VIEW_RAN),
    # The test's assignment is not tied to the wave: not found, once access is granted.
    Route(
        "POST",
        "/rollout/waves/<int:wave_id>/assignments/<int:assignment_id>/untie",
        EXECUTIVES,
        ok=404,
    ),
    Route("POST", "/rollout/waves/<int:wave_id>/signoff", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("POST", "/rollout/criteria/<int:criterion_id>/delete", EXECUTIVES, ok=VIEW_RAN),
    Route("GET", "/rollout/plans/<int:plan_id>/selection", EXECUTIVES),
    Route("POST", "/rollout/plans/<int:plan_id>/requirements", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("POST", "/rollout/requirements/<int:requirement_id>/delete", EXECUTIVE_ONLY, ok=302),
    Route("POST", "/rollout/requirements/<int:requirement_id>/scores", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("POST", "/rollout/plans/<int:plan_id>/selection/decide", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("GET", "/rollout/plans/<int:plan_id>/mission", EXECUTIVES),
    Route("POST", "/rollout/plans/<int:plan_id>/mission", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("POST", "/rollout/plans/<int:plan_id>/objectives", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("POST", "/rollout/objectives/<int:objective_id>/delete", EXECUTIVE_ONLY, ok=302),
    Route("POST", "/rollout/phases/<int:phase_id>/raci", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("POST", "/rollout/phases/<int:phase_id>/budget", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("POST", "/rollout/phases/<int:phase_id>/override", EXECUTIVE_ONLY, ok=VIEW_RAN),
    Route("GET", "/rollout/plans/<int:plan_id>/history/print", EXECUTIVES),
    Route("GET", "/rollout/overview", ("trainer", "executive", "admin")),  # read-only
    Route("GET", "/rollout/adoption", EXECUTIVES),
    Route("GET", "/rollout/waves/<int:wave_id>/adoption", EXECUTIVES),
    Route("GET", "/sandbox/", PRACTICE),
    Route("POST", "/sandbox/clock", PRACTICE, ok=302),
    Route("POST", "/sandbox/clock/tick", PRACTICE),
    Route("POST", "/sandbox/clock/pause", PRACTICE),
    Route("POST", "/sandbox/clock/resume", PRACTICE),
    Route("POST", "/sandbox/reset", PRACTICE, ok=302),
    Route("GET", "/sandbox/customers", PRACTICE),
    Route("GET", "/sandbox/customers/<int:customer_id>", PRACTICE),
    Route("GET", "/sandbox/customers/new", PRACTICE),
    Route("POST", "/sandbox/customers/new", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/customers/<int:customer_id>/edit", PRACTICE),
    Route("POST", "/sandbox/customers/<int:customer_id>/edit", PRACTICE, ok=VIEW_RAN),
    Route("POST", "/sandbox/activities/<parent>/<int:parent_id>", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/leads/<int:lead_id>/edit", PRACTICE),
    Route("POST", "/sandbox/leads/<int:lead_id>/edit", PRACTICE, ok=VIEW_RAN),
    Route("POST", "/sandbox/tasks/<int:activity_id>/done", PRACTICE, ok=302),
    Route("GET", "/sandbox/automations/<int:automation_id>", PRACTICE),
    Route("POST", "/sandbox/automations/<int:automation_id>/active", PRACTICE, ok=302),
    lesson_edit("/dry-run"),
    Route("GET", "/sandbox/leads", PRACTICE),
    Route("GET", "/sandbox/leads/new", PRACTICE),
    Route("POST", "/sandbox/leads/new", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/leads/<int:lead_id>", PRACTICE),
    Route("POST", "/sandbox/leads/<int:lead_id>/status", PRACTICE, ok=VIEW_RAN),
    Route("POST", "/sandbox/leads/<int:lead_id>/convert", PRACTICE, ok=VIEW_RAN),
    Route("POST", "/sandbox/leads/<int:lead_id>/qualification", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/opportunities", PRACTICE),
    Route("GET", "/sandbox/opportunities/<int:opportunity_id>", PRACTICE),
    Route("POST", "/sandbox/opportunities/<int:opportunity_id>/stage", PRACTICE, ok=VIEW_RAN),
    Route("POST", "/sandbox/opportunities/<int:opportunity_id>/edit", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/tickets", PRACTICE),
    Route("GET", "/sandbox/tickets/new", PRACTICE),
    Route("POST", "/sandbox/tickets/new", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/tickets/<int:ticket_id>", PRACTICE),
    Route("POST", "/sandbox/tickets/<int:ticket_id>/<action>", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/automations", PRACTICE),
    Route("POST", "/sandbox/automations", PRACTICE, ok=VIEW_RAN),
    Route("POST", "/sandbox/automations/preview", PRACTICE),
    Route("POST", "/sandbox/automations/<int:automation_id>", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/outbox", PRACTICE),
    Route("GET", "/sandbox/reports", PRACTICE),
    Route("GET", "/sandbox/duplicates", PRACTICE),
    # No records named: the merge screen sends the learner back to the list.
    Route("GET", "/sandbox/duplicates/<any(customer, lead):entity>/merge", PRACTICE, ok=302),
    Route("POST", "/sandbox/duplicates/<any(customer, lead):entity>/merge", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/import", PRACTICE),
    Route("POST", "/sandbox/import", PRACTICE, ok=VIEW_RAN),
    Route("GET", "/sandbox/import/sample.csv", PRACTICE),
    # No upload or import under these in a fresh sandbox: the view ran and found nothing.
    Route("GET", "/sandbox/import/<token>", PRACTICE, ok=404),
    Route("POST", "/sandbox/import/<token>", PRACTICE, ok=404),
    Route("GET", "/sandbox/import/done/<int:event_id>", PRACTICE, ok=404),
]


ROLLOUT_RECORDS = {
    "plan_id": "plan",
    "phase_id": "phase",
    "milestone_id": "milestone",
    "goal_id": "goal",
    "wave_id": "wave",
    "criterion_id": "criterion",
    "requirement_id": "requirement",
    "objective_id": "objective",
}


def expected(route: Route, role: str | None):
    if route.who == BEARER:
        return 401
    if route.who == PUBLIC:
        return route.ok if role is None else (route.signed_in_ok or route.ok)
    if role is None:
        return LOGIN
    if route.who == SIGNED_IN or role in route.who:
        return route.ok
    return 403


@cache
def _sample_bundle():
    return read_course(course_files())


class World:
    """The records a route's URL points at, made only when a route needs them."""

    def __init__(self, make, requester):
        self.make = make
        self.requester = requester

    @cached_property
    def course(self) -> Course:
        apply_bundle(copy.deepcopy(_sample_bundle()))
        db.session.commit()
        return db.session.scalar(select(Course).where(Course.slug == "sample-course"))

    @cached_property
    def other_learner(self):
        return self.make.user(roles=("learner",), department="Billing")

    def sandbox_record(self, model_name: str) -> int:
        """A record in the requester's own sandbox (any id will do for those refused)."""
        from sandbox import models as sandbox_models
        from sandbox.services import get_or_create_sandbox

        if self.requester is None or not self.requester.has_role("learner", "trainer"):
            return 1
        model = getattr(sandbox_models, model_name)
        box = get_or_create_sandbox(self.requester)
        if model is sandbox_models.Automation:
            db.session.add(
                model(
                    sandbox_id=box.id,
                    name="a",
                    trigger="birthday",
                    subject="s",
                    body="b",
                    active=False,
                )
            )
        db.session.commit()
        return db.session.scalar(select(model.id).where(model.sandbox_id == box.id).limit(1))

    @cached_property
    def rollout(self):
        """A plan with a phase, a milestone, a goal and a wave with a gate criterion."""
        from datetime import date, timedelta
        from types import SimpleNamespace

        from portal.rollout import services

        owner = self.make.user(roles=("executive",), department="Sales")
        plan = services.create_plan("Go-live", date.today() + timedelta(days=30), "", owner)
        phase = services.add_phase(plan, services.PhaseData(name="Training"))
        milestone = services.add_milestone(phase, "Everyone trained", None, None)
        goal = services.save_goal(plan, services.GoalData("short", "Trained", "manual", 90))
        wave = services.create_wave(
            plan,
            services.WaveData(
                "Pilot", date.today() + timedelta(days=20), 14, [self.make.department("Sales").id]
            ),
        )
        criterion = services.set_criterion(wave, "completion_rate", 90)
        requirement = services.add_requirement(plan, owner, "Pipeline by stage", "must", None)
        objective = services.add_objective(plan, owner, "Know every customer")
        db.session.commit()
        return SimpleNamespace(
            plan=plan,
            phase=phase,
            milestone=milestone,
            goal=goal,
            wave=wave,
            criterion=criterion,
            requirement=requirement,
            objective=objective,
        )

    @cached_property
    def scim_token(self):
        admin = self.make.user(roles=("admin",))
        token, _secret = scim_services.create_token("HR directory", admin)
        db.session.commit()
        return token

    @cached_property
    def adoption_token(self):
        admin = self.make.user(roles=("admin",))
        token, _secret = apitokens.create_token("CRM export", TokenPurpose.ADOPTION, admin)
        db.session.commit()
        return token

    def certificate_of(self, user) -> str:
        certificate = Certificate(
            code=new_certificate_code(),
            user_id=user.id,
            course_id=self.course.id,
            learner_name=user.name,
            course_title=self.course.title,
        )
        db.session.add(certificate)
        db.session.commit()
        return certificate.code

    def value(self, name: str, route: Route) -> str:
        if name == "slug":
            return self.course.slug
        if name == "key":
            return route.key
        if name == "question_key":
            return db.session.scalar(
                select(QuizQuestion.key)
                .join(QuizQuestion.lesson)
                .where(Lesson.course_id == self.course.id)
                .order_by(QuizQuestion.id)
            )
        if name == "assignment_id":
            assignment = Assignment(
                course_id=self.course.id, department_id=self.other_learner.department_id
            )
            db.session.add(assignment)
            db.session.commit()
            return str(assignment.id)
        if name == "user_id":
            return str(self.other_learner.id)
        if name == "department_id":
            return str(self.make.department("Empty department").id)
        if name in SANDBOX_IDS:
            return str(self.sandbox_record(SANDBOX_IDS[name]))
        if name in ("parent", "entity"):
            return "customer"
        if name == "purpose":
            return "reset"
        if name == "action":
            return "pending"
        if name in ("record_key", "check_key", "token"):
            return "nothing-here"
        if name == "event_id":
            return "0"
        if name in ROLLOUT_RECORDS:
            return str(getattr(self.rollout, ROLLOUT_RECORDS[name]).id)
        if name == "table":
            return "departments"
        if name == "path":  # a SCIM endpoint that takes the method
            return "Users" if route.method in ("GET", "POST") else "Users/1"
        if name == "token_id":
            return str((self.adoption_token if "adoption" in route.rule else self.scim_token).id)
        if name == "filename":
            return "dashboard.js"
        if name == "code":
            owner = self.requester
            if route.rule.startswith("/verify/") or owner is None:
                owner = self.other_learner
            return self.certificate_of(owner)
        raise AssertionError(f"no test value for <{name}> in {route.rule}")

    def path(self, route: Route) -> str:
        return re.sub(
            r"<(?:[^:<>]+:)?(\w+)>", lambda match: self.value(match.group(1), route), route.rule
        )


@pytest.fixture(autouse=True)
def _cheap_password_hashes(app, monkeypatch):
    """Hundreds of sign-ins here: a one-round hash keeps them quick (login is tested elsewhere)."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")


def _client_for(app, make, role):
    client = app.test_client()
    user = None
    if role is not None:
        user = make.user(roles=(role,), department="Sales")
        assert client.login(user).status_code == 302
    return client, user


def _csrf_token(client) -> str:
    """A token for this client's session, read from the cheapest page that carries one."""
    page = client.get("/no-such-page").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_every_route_has_an_expectation(app):
    """A new route fails here until its line in MATRIX says who may open it."""
    in_app = {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    in_matrix = [route.id for route in MATRIX]
    assert len(in_matrix) == len(set(in_matrix)), "a route is listed twice"
    assert sorted(in_app - set(in_matrix)) == [], "routes without an expected outcome"
    assert sorted(set(in_matrix) - in_app) == [], "expectations for routes that do not exist"


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES], ids=["anonymous", *ROLES])
@pytest.mark.parametrize("route", MATRIX, ids=[route.id for route in MATRIX])
def test_route_answers_as_expected_for_role(app, make, route, role):
    client, user = _client_for(app, make, role)
    path = World(make, user).path(route)

    if route.method == "POST":
        response = client.post(path, data={"csrf_token": _csrf_token(client)})
    else:
        response = client.open(path, method=route.method)

    want = expected(route, role)
    if want == LOGIN:
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [path]
    elif isinstance(want, frozenset):
        assert response.status_code in want
        assert not response.headers.get("Location", "").startswith("/login")
    else:
        assert response.status_code == want
    if want == 403:
        page = response.get_data(as_text=True)
        assert "Your account does not have access to this page." in page


NAV = re.compile(r'<ul class="navbar-nav me-auto">(.*?)</ul>', re.S)


@pytest.mark.parametrize("role", ROLES)
def test_navigation_links_only_to_pages_the_role_may_open(app, make, role):
    client, _user = _client_for(app, make, role)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    links = re.findall(r'href="([^"]+)"', NAV.search(home.get_data(as_text=True)).group(1))
    assert links, "a signed-in person sees at least their home in the navigation"
    assert home.request.path in links
    allowed = {
        route.rule for route in MATRIX if route.method == "GET" and expected(route, role) == 200
    }
    for link in links:
        assert link in allowed, f"{role} is shown {link} but may not open it"
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize(
    ("roles", "plan_link"),
    [(("trainer",), "/rollout/overview"), (("trainer", "executive"), "/rollout/")],
)
def test_the_rollout_plan_is_linked_once_read_only_for_trainers(make, client, roles, plan_link):
    client.login(make.user(roles=roles))
    page = client.get("/account").get_data(as_text=True)
    navigation = NAV.search(page).group(1)
    assert navigation.count("Rollout plan") == 1
    assert f'href="{plan_link}"' in navigation


def test_anonymous_visitors_see_no_navigation(client):
    page = client.get("/login").get_data(as_text=True)
    assert NAV.search(page).group(1).strip() == ""


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


@pytest.mark.parametrize("role", ROLES)
def test_every_form_that_changes_something_carries_the_csrf_token(app, make, role):
    """htmx sends the token in a header; the form itself must carry it too, so that the
    same form works when it is posted without JavaScript."""
    client, user = _client_for(app, make, role)
    world = World(make, user)
    forms = 0
    for route in MATRIX:
        if route.method != "GET" or expected(route, role) != 200:
            continue
        response = client.get(world.path(route))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for attributes, body in FORM.findall(response.get_data(as_text=True)):
            if re.search(r'method="post"', attributes, re.I):
                forms += 1
                assert 'name="csrf_token"' in body, (route.rule, attributes[:160])
    assert forms > 0


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)


@pytest.mark.parametrize("role", ROLES)
def test_pages_carry_no_inline_script_and_are_never_cached(app, make, role):
    """The Content-Security-Policy forbids inline script, so a page must not need any; and
    every page, fragment and export that can carry someone's data says no-store."""
    client, user = _client_for(app, make, role)
    world = World(make, user)
    seen = 0
    for route in MATRIX:
        if route.method != "GET" or expected(route, role) != 200 or "static" in route.rule:
            continue
        path = world.path(route)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] in ("no-store", "private, no-store"), path
            policy = response.headers["Content-Security-Policy"]
            scripts = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
            assert "unsafe-inline" not in scripts and "unsafe-eval" not in scripts
            if response.mimetype == "text/html":
                page = response.get_data(as_text=True)
                assert not INLINE_SCRIPT.search(page), path
                assert not INLINE_HANDLER.search(page), (path, INLINE_HANDLER.search(page))
            seen += 1
    assert seen > 4
