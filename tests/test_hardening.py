"""Input the database cannot take, and pages that must not fail for it: control characters
in forms and query strings, numbers out of range in paths and query strings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Department, User
from portal.extensions import db
from portal.forms import PortalForm
from sandbox.models import Activity, Lead
from sandbox.services import get_or_create_sandbox
from tests.gunicorn_server import bound_socket

NOT_ALLOWED = "This contains characters that are not allowed."


@pytest.fixture
def learner_box(client, make):
    user = make.user(roles=("learner",))
    client.login(user)
    box = get_or_create_sandbox(user)
    db.session.commit()
    return box


@pytest.fixture
def admin(client, make):
    user = make.user(roles=("admin",), department="IT")
    client.login(user)
    return user


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _error_beside(page: str, field: str) -> str:
    """The page text from the field's input onwards, where its error message sits."""
    return page[page.index(f'id="{field}"') :][:1500]


def test_every_form_derives_from_the_portal_form(app):
    """A form built on FlaskForm directly would let control characters through."""
    from flask_wtf import FlaskForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    direct = [
        cls.__qualname__
        for cls in subclasses(FlaskForm)
        if not issubclass(cls, PortalForm) and cls.__module__.split(".")[0] != "flask_wtf"
    ]
    assert direct == []


def test_anonymous_sign_in_with_a_nul_in_the_email_is_refused_at_the_field(client, make):
    response = client.post("/login", data={"email": "a\x00b@x.test", "password": "whatever12"})
    assert response.status_code == 422
    assert NOT_ALLOWED in _error_beside(response.text, "email")


@pytest.mark.parametrize("value", ["Im\x00ran", "Im\x1bran", "Im\nran"])
def test_a_lead_name_with_a_control_character_is_refused_and_nothing_saved(
    client, learner_box, value
):
    before = _count(Lead, Lead.sandbox_id == learner_box.id)
    response = client.post(
        "/sandbox/leads/new",
        data={
            "first_name": value,
            "last_name": "Siddiqui",
            "company": "Harbour Bakeries",
            "email": "imran@harbour.example",
            "source": "trade_show",
        },
    )
    assert response.status_code == 422
    assert NOT_ALLOWED in _error_beside(response.text, "first_name")
    assert _count(Lead, Lead.sandbox_id == learner_box.id) == before


def test_an_activity_body_keeps_line_breaks_and_tabs_but_not_a_nul(client, learner_box):
    lead_id = db.session.scalar(select(Lead.id).where(Lead.sandbox_id == learner_box.id))
    url = f"/sandbox/activities/lead/{lead_id}"
    refused = client.post(url, data={"kind": "note", "subject": "Call", "body": "said\x00no"})
    assert refused.status_code == 422
    assert NOT_ALLOWED in refused.text
    assert _count(Activity, Activity.subject == "Call") == 0

    kept = client.post(url, data={"kind": "note", "subject": "Call", "body": "one\r\n\ttwo"})
    assert kept.status_code == 302
    body = db.session.scalar(select(Activity.body).where(Activity.subject == "Call"))
    assert body.replace("\r\n", "\n") == "one\n\ttwo"


def test_a_department_name_with_a_nul_is_refused(client, admin):
    response = client.post("/admin/departments", data={"name": "Le\x00gal"})
    assert response.status_code == 422
    assert NOT_ALLOWED in _error_beside(response.text, "name")
    assert _count(Department, Department.name.like("Le%")) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/sandbox/leads?q=a%00b",
        "/sandbox/tickets?q=%00",
        "/sandbox/customers?q=%1b",
        "/sandbox/leads?a%00=1",
    ],
)
def test_a_control_character_in_a_sandbox_query_string_is_a_400(client, learner_box, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "characters that are not allowed" in response.text


def test_a_nul_in_the_user_search_is_a_400(client, admin):
    response = client.get("/admin/users?q=%00")
    assert response.status_code == 400
    assert client.get("/admin/users?q=ok").status_code == 200


def test_a_nul_in_a_path_is_a_400(client, learner_box):
    assert client.get("/courses/a%00b/").status_code == 400


def test_a_nul_in_a_structure_title_is_refused_like_any_other_bad_title(client, make):
    """The editor's structure posts read a form too: the refusal is the usual message on the
    editor, and the session is usable again."""
    from tests.authoring.conftest import Author

    trainer = make.user(roles=("trainer",), department="Customer Service")
    client.login(trainer)
    course = Author(client).course()
    response = client.post(
        f"/author/courses/{course.slug}/modules", data={"title": "M\x00"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "characters that are not allowed" in response.text
    assert "M\x00" not in client.get(f"/author/courses/{course.slug}/").text


def test_a_password_with_a_nul_is_refused_and_the_user_signs_in_as_before(client, make):
    user = make.user()
    assert client.login(user.email, "wrong\x00password").status_code == 422
    assert client.login(user).status_code == 302
    assert db.session.get(User, user.id).active


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "99999999999999999999"])
def test_an_id_past_what_the_database_holds_is_not_found(client, make, number):
    learner, admin, executive = (
        make.user(roles=(role,)) for role in ("learner", "admin", "executive")
    )
    for user, path in [
        (learner, "/sandbox/leads/"),
        (learner, "/sandbox/customers/"),
        (admin, "/admin/users/"),
        (executive, "/dashboard/departments/"),
        (executive, "/rollout/plans/"),
    ]:
        client.login(user)
        assert client.get(path + number).status_code == 404, path
        assert client.get(path + "2147483647").status_code == 404, path
        client.post("/logout")


@pytest.mark.parametrize("value", ["99999999999999999999", "2147483648", "-3", "x", "١", "0"])
def test_a_page_or_id_in_the_query_string_out_of_range_shows_the_first_page(client, make, value):
    learner, admin, executive = (
        make.user(roles=(role,)) for role in ("learner", "admin", "executive")
    )
    sales = make.department("Sales")
    pages = {
        learner: [
            "/sandbox/leads",
            "/sandbox/customers",
            "/sandbox/tickets",
            "/sandbox/opportunities",
        ],
        admin: ["/admin/users", "/admin/users?department="],
        executive: [
            "/dashboard/?plan=",
            f"/dashboard/departments/{sales.id}",
            "/dashboard/export/departments.csv?plan=",
        ],
    }
    for user, paths in pages.items():
        client.login(user)
        for path in paths:
            url = path + value if path.endswith("=") else f"{path}?page={value}"
            assert client.get(url).status_code == 200, url
        client.post("/logout")


# When the database is away: a live gunicorn, started with the shipped configuration, whose
# database cannot be reached, answering a visitor who signed in while it could.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unreachable_database_url(app, tmp_path) -> str:
    """The same kind of database as the suite's, where nothing answers."""
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql":
        return f"postgresql://postgres@127.0.0.1:{_free_port()}/portal"
    return f"sqlite:///{tmp_path}/removed-directory/portal.db"


@contextmanager
def _gunicorn(env: dict[str, str], log_path: Path):
    listener = bound_socket()
    port = listener.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    with log_path.open("w") as log, listener:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(root / "gunicorn.conf.py"),
                "--bind",
                f"fd://{listener.fileno()}",
                "portal:create_app()",
            ],
            cwd=root,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url: str, cookie: str = "") -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept-Language": "ur"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_a_signed_in_visitor_gets_a_styled_503_when_the_database_is_away(
    app, client, make, tmp_path
):
    user = make.user(roles=("learner",))
    client.login(user)
    cookie = f"session={client.get_cookie('session').value}"
    env = {
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PORTAL_MODE": "production",
        "DATABASE_URL": _unreachable_database_url(app, tmp_path),
        "WEB_CONCURRENCY": "1",
        "PORTAL_THREADS": "2",
    }
    log_path = tmp_path / "gunicorn.log"
    with _gunicorn(env, log_path) as base:
        answers = [
            _get(base + path, cookie)
            for path in ("/learn/", "/sandbox/leads", "/", "/no-such-page")
        ]
        health, _headers, _body = _get(base + "/healthz")
    for status, headers, body in answers:
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert "bootstrap" in body and 'lang="ur"' in body and 'dir="rtl"' in body
        assert 'data-status="503"' in body
        assert headers["Cache-Control"] == "no-store"
    assert health == 503
    log = log_path.read_text()
    assert "Traceback" not in log
    assert log.count("database unavailable on GET") == len(answers)


# A GET whose bookkeeping write fails still shows its page.


@contextmanager
def _inserts_into(table: str, fail_with: str):
    """Make every INSERT into `table` fail as a full disk or a locked database would."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    with db.engine.connect() as connection:
        engine = connection.engine

    def refuse(_conn, _cursor, statement, parameters, *_args) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            raise OperationalError(statement, parameters, Exception(fail_with))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


def test_a_lesson_is_shown_when_its_view_cannot_be_recorded(client, make, caplog):
    from portal.courseformat import read_course
    from portal.learning.importer import apply_bundle
    from portal.learning.models import LessonView
    from tests.learning.conftest import course_files

    apply_bundle(read_course(course_files()))
    db.session.commit()
    client.login(make.user(roles=("learner",)))
    with _inserts_into("lesson_views", "database or disk is full"):
        response = client.get("/courses/sample-course/intro/")
    assert response.status_code == 200
    assert 'data-status="500"' not in response.text
    assert _count(LessonView) == 0
    assert "could not record a lesson view" in caplog.text
    # Once the disk has room again, views are recorded as before.
    assert client.get("/courses/sample-course/intro/").status_code == 200
    assert _count(LessonView) == 1


def test_the_reports_page_is_shown_when_its_event_cannot_be_logged(client, learner_box):
    from sandbox.models import SandboxEvent

    before = _count(SandboxEvent, SandboxEvent.verb == "report.viewed")
    with _inserts_into("sb_events", "database is locked"):
        response = client.get("/sandbox/reports")
    assert response.status_code == 200
    assert "sales" in response.text.lower()
    assert _count(SandboxEvent, SandboxEvent.verb == "report.viewed") == before


def test_json_text_that_names_a_nul_is_not_one():
    """A typed backslash before "u0000" is text; only a real or JSON-escaped NUL is refused."""
    import json

    from portal.security import _holds_nul

    assert _holds_nul(json.dumps({"body": "a\x00b"}))
    assert not _holds_nul(json.dumps({"body": "C:\\u0000 is how JSON writes a NUL"}))
    assert _holds_nul(["ok", ("x", "a\x00")])
