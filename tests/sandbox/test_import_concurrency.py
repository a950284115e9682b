"""The same import sent from several tabs at once, through gunicorn: it lands once."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from sandbox.models import Lead, SandboxEvent
from sandbox.services.imports import store_upload
from tests.sandbox.test_concurrency import (  # noqa: F401 - fixtures used by name
    at_once,
    browser,
    live_server,
    sandbox_of,
)

CSV = b"First name,Email\nAnn,ann@race.example\nBob,bob@race.example\n"
TABS = 4


def test_one_import_pressed_in_several_tabs_lands_once(browser):  # noqa: F811 - the fixture
    sandbox = sandbox_of(browser)
    token = store_upload(sandbox, browser.user, "lead", "race.csv", CSV).token
    db.session.commit()
    form = {"columns-0": "first_name", "columns-1": "email", "commit": "1"}
    answers = at_once(*[lambda: browser.post(f"/sandbox/import/{token}", form)] * TABS)
    assert sorted(answers) == [302] + [404] * (TABS - 1)
    db.session.expire_all()
    imported = db.session.scalar(
        select(func.count(Lead.id)).where(
            Lead.sandbox_id == sandbox.id, Lead.email.like("%@race.example")
        )
    )
    events = db.session.scalar(
        select(func.count(SandboxEvent.id)).where(
            SandboxEvent.sandbox_id == sandbox.id, SandboxEvent.verb == "import.completed"
        )
    )
    assert (imported, events) == (2, 1)
