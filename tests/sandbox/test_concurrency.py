"""Two tabs at once: real requests in parallel threads against gunicorn, no mocks.

Writes to one sandbox run one after the other (`lock_sandbox`), so nothing pressed twice
is lost: every clock advance and every "check my work" counts, two resets leave one
seed's data, and an edit racing a reset finds its record gone (404), never a 500.
"""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.learning.models import ExerciseAttempt
from sandbox.models import (
    SANDBOX_TABLES,
    Activity,
    Lead,
    SalesTarget,
    Sandbox,
    SandboxEvent,
)
from sandbox.services.activities import PARENTS
from seed.learning_demo import import_builtin_courses
from tests.conftest import TEST_PASSWORD
from tests.gunicorn_server import gunicorn

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EXERCISE = "/courses/after-sale-service/billing-and-defect-tickets"
LEAD = {
    "first_name": "Imran",
    "last_name": "Siddiqui",
    "company": "Harbour Bakeries",
    "email": "imran@harbour.example",
    "phone": "0300 1234567",
    "source": "trade_show",
    "confirm_duplicate": "1",  # the same lead again, on purpose
}
PARALLEL = 6


@pytest.fixture(scope="module")
def live_server(app) -> Iterator[str]:
    """The portal under gunicorn on the tests' database: two worker processes of four
    threads each, so the requests race in separate processes and connections."""
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=2) as url:
        yield url


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer


class Browser:
    """One signed-in browser; its tabs share the cookies, as a browser's do."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )
        self.token = ""

    def request(self, path: str, data: dict | None = None, **headers: str) -> tuple[int, str]:
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, email: str) -> None:
        _status, page = self.request("/login")
        self.token = TOKEN.search(page).group(1)
        status, _page = self.request("/login", {"email": email, "password": TEST_PASSWORD})
        assert status == 302
        _status, page = self.request("/sandbox/")  # the first visit makes the sandbox
        self.token = TOKEN.search(page).group(1)

    def post(self, path: str, data: dict | None = None, **headers: str) -> int:
        return self.request(path, data or {}, **headers)[0]


def at_once(*calls: Callable[[], int]) -> list[int]:
    """Run the calls in parallel threads, released together; their answers in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], int]) -> int:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def browser(live_server, make, app_ctx) -> Browser:
    user = make.user(roles=("learner",), department="Customer Service")
    db.session.commit()
    browser = Browser(live_server)
    browser.login(user.email)
    browser.user = user
    return browser


def sandbox_of(browser: Browser) -> Sandbox:
    db.session.expire_all()
    return db.session.scalar(select(Sandbox).where(Sandbox.owner_id == browser.user.id))


def counts(sandbox: Sandbox) -> dict[str, int]:
    """Rows per sandbox table (the event log aside)."""
    return {
        model.__tablename__: db.session.scalar(
            select(func.count(model.id)).where(model.sandbox_id == sandbox.id)
        )
        for model in SANDBOX_TABLES
        if model is not SandboxEvent
    }


def orphans(sandbox: Sandbox) -> list[tuple[str, int]]:
    """Activities whose parent record does not exist."""
    activities = db.session.execute(
        select(Activity.parent_type, Activity.parent_id).where(Activity.sandbox_id == sandbox.id)
    ).all()
    return [
        (kind, parent_id)
        for kind, parent_id in activities
        if db.session.get(PARENTS[kind], parent_id) is None
    ]


def new_lead(browser: Browser) -> int:
    """A lead the learner logs (no seed record has its id after a reset)."""
    assert browser.post("/sandbox/leads/new", LEAD) == 302
    db.session.expire_all()
    return db.session.scalar(select(func.max(Lead.id)))


def test_parallel_clock_advances_all_land(browser):
    before = sandbox_of(browser).clock
    answers = at_once(*[lambda: browser.post("/sandbox/clock", {"days": "1"})] * PARALLEL)
    assert answers == [302] * PARALLEL
    sandbox = sandbox_of(browser)
    assert sandbox.clock == before + timedelta(days=PARALLEL)
    advanced = db.session.scalar(
        select(func.count(SandboxEvent.id)).where(
            SandboxEvent.sandbox_id == sandbox.id, SandboxEvent.verb == "clock.advanced"
        )
    )
    assert advanced == PARALLEL


def test_parallel_checks_of_my_work_each_count(browser):
    import_builtin_courses()
    db.session.commit()
    htmx = {"HX-Request": "true"}
    assert browser.post(f"{EXERCISE}/start", **htmx) == 200
    answers = at_once(*[lambda: browser.post(f"{EXERCISE}/check", **htmx)] * PARALLEL)
    assert answers == [200] * PARALLEL
    db.session.expire_all()
    attempt = db.session.scalar(select(ExerciseAttempt))
    assert attempt.checks_run == PARALLEL


def test_two_parallel_resets_leave_one_seed_and_count_twice(browser):
    sandbox = sandbox_of(browser)
    seeded, generation = counts(sandbox), sandbox.generation
    new_lead(browser)
    assert at_once(*[lambda: browser.post("/sandbox/reset")] * 2) == [302, 302]
    sandbox = sandbox_of(browser)
    assert counts(sandbox) == seeded
    assert counts(sandbox)[SalesTarget.__tablename__] == seeded[SalesTarget.__tablename__]
    assert sandbox.generation == generation + 2


def test_an_edit_racing_a_reset_finds_its_record_gone(browser):
    for _round in range(3):
        lead = new_lead(browser)
        reset, edit, note = at_once(
            lambda: browser.post("/sandbox/reset"),
            lambda lead=lead: browser.post(
                f"/sandbox/leads/{lead}/edit", {**LEAD, "last_name": "Edited"}
            ),
            lambda lead=lead: browser.post(
                f"/sandbox/activities/lead/{lead}", {"kind": "note", "body": "Called back."}
            ),
        )
        assert reset == 302
        # Before the reset: saved; after it: the lead is gone. Never a 500.
        assert edit in (302, 404) and note in (302, 404)
        # Once the reset is in, the lead answers as a record that no longer exists.
        assert browser.post(f"/sandbox/leads/{lead}/edit", LEAD) == 404
    assert orphans(sandbox_of(browser)) == []


def test_no_note_outlives_its_lead_across_parallel_resets(browser):
    lead = new_lead(browser)
    notes = [
        lambda: browser.post(f"/sandbox/activities/lead/{lead}", {"kind": "note", "body": "Hi"})
    ] * 3
    answers = at_once(
        *notes, lambda: browser.post("/sandbox/reset"), lambda: browser.post("/sandbox/reset")
    )
    assert all(answer in (302, 404) for answer in answers), answers
    sandbox = sandbox_of(browser)
    assert orphans(sandbox) == []
    assert db.session.get(Lead, lead) is None
