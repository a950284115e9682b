"""Large CSV exports are written by a job (threshold set low here): the request sends the
person to the job's page, which offers "Download" when the file is ready; only they may
download it. Small exports are still answered at once, with the same file."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.authoring.models import Assignment
from portal.bulkjobs import BulkJob
from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course
from tests.learning.conftest import course_files


@pytest.fixture
def learners(make):
    sales = make.department("Sales")
    people = [
        make.user(roles=("learner",), department="Sales", name=f"Learner {n}") for n in range(3)
    ]
    return sales, people


def _via_job(app, client, url: str, monkeypatch) -> tuple[str, str]:
    """(the CSV answered at once, the CSV the job wrote) for `url`."""
    at_once = client.get(url)
    assert at_once.status_code == 200 and at_once.mimetype == "text/csv"
    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 2)
    queued = client.get(url)
    assert queued.status_code == 302
    path = queued.headers["Location"]
    assert re.fullmatch(r"/jobs/[\w-]{40,}", path)
    page = client.get(path).get_data(as_text=True)
    assert 'data-status="done"' in page and "hx-trigger" not in page
    download = re.search(r'href="(/jobs/[^"]+/download)"', page).group(1)
    response = client.get(download)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return at_once.get_data(as_text=True), response.get_data(as_text=True)


def test_large_dashboard_exports_are_written_by_a_job(app, client, make, learners, monkeypatch):
    sales, _people = learners
    client.login(make.user(roles=("executive",), department="Sales"))
    for url in ("/dashboard/export/at-risk.csv", f"/dashboard/departments/{sales.id}/learners.csv"):
        monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 1000)
        at_once, written = _via_job(app, client, url, monkeypatch)
        assert written == at_once, url
        assert "Learner 2" in written
    # Tables of departments, weeks or goals stay immediate whatever the threshold.
    assert client.get("/dashboard/export/departments.csv").status_code == 200


def test_large_course_progress_export_is_written_by_a_job(app, client, make, learners, monkeypatch):
    sales, _people = learners
    apply_bundle(read_course(course_files()))
    course = db.session.scalar(select(Course))
    db.session.add(Assignment(course_id=course.id, department_id=sales.id))
    db.session.commit()
    client.login(make.user(roles=("trainer",), department="Sales"))
    at_once, written = _via_job(
        app, client, f"/author/courses/{course.slug}/progress?format=csv", monkeypatch
    )
    assert written == at_once
    assert len(list(csv.reader(io.StringIO(written)))) == 4  # header and three learners


def test_only_the_person_who_asked_may_download(app, client, make, learners, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 2)
    client.login(make.user(roles=("executive",), department="Sales"))
    path = client.get("/dashboard/export/at-risk.csv").headers["Location"]
    other = app.test_client()
    other.login(make.user(roles=("executive",), department="Sales"))
    for suffix in ("", "/status", "/download"):
        assert other.get(path + suffix).status_code == 404
    assert client.get(path + "/download").status_code == 200


def test_a_file_above_the_size_limit_is_refused_with_a_clear_message(
    app, client, make, learners, monkeypatch
):
    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 2)
    monkeypatch.setitem(app.config, "EXPORT_MAX_BYTES", 100)
    client.login(make.user(roles=("executive",), department="Sales"))
    path = client.get("/dashboard/export/at-risk.csv").headers["Location"]
    page = client.get(path).get_data(as_text=True)
    assert 'data-status="failed"' in page and "too large" in page
    assert client.get(path + "/download").status_code == 404
    assert db.session.scalar(select(BulkJob.content)) is None


def test_the_page_polls_while_the_job_waits(app, client, make, learners, monkeypatch, tmp_path):
    from portal import jobs

    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 2)
    client.login(make.user(roles=("executive",), department="Sales"))
    app.config["JOB_QUEUE"] = "sqlite:///" + str(tmp_path / "queue.sqlite")
    jobs.init_app(app)  # a queue with no worker: the job waits
    try:
        path = client.get("/dashboard/export/at-risk.csv").headers["Location"]
    finally:
        app.config["JOB_QUEUE"] = "immediate"
        jobs.init_app(app)
    page = client.get(path).get_data(as_text=True)
    assert 'data-status="queued"' in page
    assert f'hx-get="{path}/status"' in page and 'hx-trigger="every 2s"' in page
    assert f'href="{path}"' in page  # the refresh link without JavaScript
    assert client.get(path + "/download").status_code == 404
    assert 'data-testid="job-late"' not in page
    job = db.session.scalar(select(BulkJob))
    job.created_at -= timedelta(hours=1)
    db.session.commit()
    assert 'data-testid="job-late"' in client.get(path).get_data(as_text=True)
    fragment = client.get(path + "/status").get_data(as_text=True)
    assert 'id="job-status"' in fragment and "<html" not in fragment  # only the fragment
