"""Shared fixtures: one app per test session on a real database, emptied after each test.

The database is SQLite in a temporary file unless TEST_DATABASE_URL names another
(bin/test points it at PostgreSQL for the second run). Its schema is built by the
Alembic migrations, exactly as `flask db upgrade` builds it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from portal import create_app
from portal.extensions import db, limiter
from tests.factories import Factories
from tests.schema import reset_schema

TEST_PASSWORD = "correct-horse-battery"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class PortalClient(FlaskClient):
    """A test client that sends a CSRF token with every POST, as a browser form does.

    Pass ``csrf=False`` to send none, to check that the portal refuses the request.
    """

    def run_wsgi_app(self, environ, buffered: bool = False):
        # Each request (and each redirect hop) gets its own app context, so `g`, the
        # signed-in user and the database session are the request's own, as in production,
        # even while the test holds an app context open for its factories.
        with self.application.app_context():
            return super().run_wsgi_app(environ, buffered=buffered)

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test's own session sees what the request changed
        return response

    def csrf_token(self) -> str:
        page = self.get("/login", follow_redirects=True).get_data(as_text=True)
        match = _TOKEN.search(page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = kwargs.get("data", {})
            if isinstance(data, dict) and "csrf_token" not in data:
                # A copy: the caller's dict may be reused by another test with another session.
                kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)

    def login(self, user_or_email, password: str = TEST_PASSWORD, **kwargs):
        email = getattr(user_or_email, "email", user_or_email)
        return self.post("/login", data={"email": email, "password": password}, **kwargs)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[Flask]:
    app = create_app(
        {
            "MODE": "testing",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "PASSWORD_HASH_METHOD": "scrypt:4096:8:1",
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "SERVER_NAME": None,
            # The chosen CRM is read again every 30 s in production; a slow test (growing a
            # sandbox tenfold on a busy machine) would then count one statement more. Each
            # test starts with the choice forgotten (_empty_tables).
            "CRM_CHOICE_SECONDS": 24 * 3600,
        }
    )
    app.test_client_class = PortalClient
    reset_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_tables(app: Flask) -> None:
    app.extensions["crm_choice_cache"] = None  # the chosen CRM goes with the tables
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            _truncate(tables)
        else:
            _delete_all(tables)


def _truncate(tables: list[str]) -> None:
    """PostgreSQL: DELETE the rows of the tables that hold any, then restart the sequences
    they used, as `TRUNCATE ... RESTART IDENTITY` would. A TRUNCATE of every table costs
    about 0.3 s a test (new files for each table), and a test fills only a few small tables.
    A browser test's last request may still hold locks in the live server; if PostgreSQL
    picks the cleanup as a deadlock's victim, it tries again. Should the rows not go in
    this order (a foreign key the models do not declare), one TRUNCATE of all does it."""
    for attempt in range(5):
        try:
            with db.engine.begin() as connection:
                _delete_rows(connection, tables)
            return
        except IntegrityError:
            break
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2)
    for attempt in range(5):
        try:
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2)


def _delete_rows(connection, tables: list[str]) -> None:
    """DELETE, dependent tables first, from each table that holds rows; a table's own
    triggers (append-only sign-offs) step aside meanwhile, inside the transaction."""
    probe = " UNION ALL ".join(
        f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})" for table in tables
    )
    filled = set(connection.execute(text(probe)).scalars())
    guarded = (
        set(
            connection.execute(
                text(
                    "SELECT DISTINCT c.relname FROM pg_trigger t"
                    " JOIN pg_class c ON c.oid = t.tgrelid"
                    " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
                )
            ).scalars()
        )
        & filled
    )
    for table in guarded:
        connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    for table in tables:
        if table in filled:
            connection.execute(text(f"DELETE FROM {table}"))
    for table in guarded:
        connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    connection.execute(
        text(
            "SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false)"
            " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    )


def _delete_all(tables: list[str]) -> None:
    """SQLite: DELETE each table; triggers that guard rows (append-only sign-offs) step
    aside meanwhile."""
    with db.engine.begin() as connection:
        triggers = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        for name, _sql in triggers:
            connection.execute(text(f"DROP TRIGGER {name}"))
        for table in tables:
            connection.execute(text(f"DELETE FROM {table}"))
        for _name, sql in triggers:
            connection.execute(text(sql))


@pytest.fixture(autouse=True)
def _clean_state(request, app: Flask) -> Iterator[None]:
    yield
    _empty_tables(app)
    with app.app_context():
        limiter.reset()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> PortalClient:
    return app.test_client()


@pytest.fixture
def make(app_ctx) -> Factories:
    """Factory callables: make.user(**overrides), make.department(name)."""
    return Factories(password=TEST_PASSWORD)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):
    """Count the SQL statements run inside a `with count_queries() as counter:` block."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def record(_conn, _cursor, statement, *_args) -> None:
            counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def smtp_inbox(app: Flask):
    """A real SMTP server on loopback (aiosmtpd), set as the portal's mail server; yields
    the inbox whose `messages` holds every envelope it received."""
    from aiosmtpd.controller import Controller

    class AnyPortController(Controller):
        """Listens on a port the kernel picks (port 0), so two test runs side by side
        cannot both pick the same free port before either binds it."""

        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    class Inbox:
        def __init__(self) -> None:
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
            self.messages.append(envelope)
            return "250 OK"

    inbox = Inbox()
    controller = AnyPortController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield inbox
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=None)
        controller.stop()


@pytest.fixture
def redis_url(tmp_path):
    """TEST_REDIS_URL (.ci/run starts redis-server), or a redis-server of this test's own;
    emptied for the test."""
    import shutil
    import socket
    import subprocess
    import time

    url = os.environ.get("TEST_REDIS_URL")
    process = None
    if not url:
        server = shutil.which("redis-server")
        if server is None:
            pytest.skip("redis-server is not installed here (.ci/run installs and starts it)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [
                server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        url = f"redis://127.0.0.1:{port}/0"
    from redis import Redis

    Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)


@pytest.fixture(scope="module")
def provider():
    """A real OpenID Connect provider on a loopback port (tests/oidc_provider.py), one for
    each test module that signs in through it."""
    from tests.oidc_provider import running_provider

    yield from running_provider()


@pytest.fixture
def sso(app, provider, monkeypatch):
    """The portal set up for single sign-on against `provider`, which behaves again."""
    from tests.oidc_provider import use_provider

    return use_provider(app, provider, monkeypatch)
