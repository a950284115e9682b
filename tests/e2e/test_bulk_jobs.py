"""A large export in a real browser: the job's page polls until the file is written, then
offers it for download, without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal import jobs
from portal.bulkjobs import BulkJob, export_job
from portal.extensions import db
from tests.e2e.conftest import login


@pytest.fixture
def waiting_queue(app, tmp_path):
    """A queue with no worker: jobs wait until the test runs them."""
    app.config["JOB_QUEUE"] = "sqlite:///" + str(tmp_path / "queue.sqlite")
    jobs.init_app(app)
    yield
    app.config["JOB_QUEUE"] = "immediate"
    jobs.init_app(app)


def test_the_job_page_polls_until_the_download_is_ready(
    app, page, make, waiting_queue, monkeypatch
):
    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 1)
    for n in range(2):
        make.user(roles=("learner",), department="Sales", name=f"Learner {n}")
    login(page, make.user(roles=("executive",), department="Sales"))

    page.goto("/dashboard/export/at-risk.csv")
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "queued")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()

    export_job.call_local(db.session.scalar(select(BulkJob.id)))  # what a worker would do
    download = page.get_by_test_id("job-download")
    expect(download).to_be_visible(timeout=8_000)  # the next poll, without a reload
    expect(status).to_have_attribute("data-status", "done")
    with page.expect_download() as info:
        download.click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("name,email") and "Learner 1" in text
