"""Large roster imports run as a job (thresholds set low here): the request checks the
file, the job applies it, the admin's page shows progress and then the report. Only the
admin who asked sees the job."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.bulkjobs import BulkJob
from portal.extensions import db
from tests.accounts.conftest import alerts, csv_upload

ROSTER = """\
name,email,department,job title,roles
Ann Lee,ann@example.test,Sales,Sales Executive,
Bilal Shah,bilal@example.test,Field Ops,Team Lead,trainer
Chen Wu,chen@example.test,Sales,Analyst,learner
"""


@pytest.fixture(autouse=True)
def _low_threshold(app, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_BACKGROUND_ROWS", 2)


def _import(client, text, **data):
    return client.post("/admin/users/import", data={"file": csv_upload(text), **data})


def _job_path(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert re.fullmatch(r"/jobs/[\w-]{40,}", location), location
    return location


def test_a_large_roster_is_applied_by_a_job_and_the_page_shows_the_report(client, admin):
    path = _job_path(_import(client, ROSTER, initial_password="first-time-secret"))

    page = client.get(path).get_data(as_text=True)
    assert 'data-status="done"' in page
    assert "Imported: 3 created, 0 updated, 0 unchanged. New departments: Sales, Field Ops." in (
        " | ".join(alerts(page))
    )
    assert "hx-trigger" not in page  # finished: no more polling
    assert User.by_email("chen@example.test").department.name == "Sales"
    job = db.session.scalar(select(BulkJob))
    assert job.kind == "roster" and job.content is None  # the roster is not kept
    assert "first-time-secret" not in str(job.result)
    status = client.get(path + "/status")
    assert status.status_code == 200 and 'id="job-status"' in status.get_data(as_text=True)


def test_a_small_roster_is_still_imported_in_the_request(client, admin):
    response = _import(client, "\n".join(ROSTER.splitlines()[:3]))
    assert response.status_code == 200
    assert "Imported: 2 created" in " | ".join(alerts(response.get_data(as_text=True)))
    assert db.session.scalar(select(BulkJob)) is None


def test_a_large_roster_with_a_bad_row_is_reported_at_once_and_queues_nothing(client, admin):
    response = _import(client, ROSTER + "Dee,not-an-address,Sales,,\n")
    assert response.status_code == 422
    assert "Nothing was imported: 1 row has a problem." in " | ".join(
        alerts(response.get_data(as_text=True))
    )
    assert db.session.scalar(select(BulkJob)) is None
    assert User.by_email("ann@example.test") is None


def test_invitation_links_of_a_large_roster_are_shown_once(client, admin):
    path = _job_path(_import(client, ROSTER, invite="y"))
    first = client.get(path).get_data(as_text=True)
    assert first.count("/password/invite/") == 3
    assert "/password/invite/" not in client.get(path).get_data(as_text=True)


def test_only_the_admin_who_asked_sees_the_job(app, client, admin, make):
    path = _job_path(_import(client, ROSTER))
    other = app.test_client()
    other.login(make.user(roles=("admin",), department="IT"))
    for suffix in ("", "/status", "/download"):
        assert other.get(path + suffix).status_code == 404
    assert client.get(path + "/download").status_code == 404  # a roster has no file


def test_a_job_is_gone_after_a_day(client, admin):
    from datetime import timedelta

    from portal.bulkjobs import purge_expired
    from portal.database import utcnow

    path = _job_path(_import(client, ROSTER))
    job = db.session.scalar(select(BulkJob))
    job.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 404
    purge_expired()
    assert db.session.scalar(select(BulkJob)) is None
