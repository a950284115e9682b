"""The job queue with a real worker: a `huey_consumer` process takes the email a request
queued and sends it to a real SMTP server, with the queue in a SQLite file (the
two-command set-up) and in Redis (several machines)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import jobs
from portal.bulkjobs import BulkJob
from portal.extensions import db
from portal.mailqueue import OutgoingMail

WORKER = Path(sys.executable).parent / "huey_consumer"


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, tmp_path):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "jobs.sqlite")
    return request.getfixturevalue("redis_url")


@pytest.fixture
def worker(app, queue, smtp_inbox, tmp_path):
    """A huey_consumer process on `queue`, with the test's database and mail server; the
    test app queues into the same place while it runs."""
    env = {
        **os.environ,
        "PORTAL_MODE": "testing",
        "PORTAL_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_JOB_QUEUE": queue,
        "PORTAL_MAIL_SERVER": "127.0.0.1",
        "PORTAL_MAIL_PORT": str(app.config["MAIL_PORT"]),
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(WORKER), "portal.jobs.worker.huey", "--workers", "1", "--delay", "0.1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app.config["JOB_QUEUE"] = queue
    jobs.init_app(app)
    try:
        yield process
    finally:
        app.config["JOB_QUEUE"] = "immediate"
        jobs.init_app(app)
        process.terminate()
        process.wait(10)
        log.close()


def _wait_for(predicate, seconds: float = 90.0):
    # Generous: in CI the worker process starts beside two busy test runs and a browser.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_worker_sends_what_a_request_queued(client, make, worker, smtp_inbox, tmp_path):
    person = make.user(email="someone@example.com")
    response = client.post("/forgot-password", data={"email": person.email})
    assert response.status_code == 302  # answered at once; the worker sends later
    sent = _wait_for(
        lambda: db.session.scalar(select(OutgoingMail).where(OutgoingMail.status == "sent"))
    )
    assert sent.to == person.email and sent.attempts == 1
    assert worker.poll() is None, (tmp_path / "worker.log").read_text()
    _wait_for(lambda: smtp_inbox.messages)
    assert b"/password/reset/" in smtp_inbox.messages[0].content


def test_a_worker_writes_a_large_export(app, client, make, worker, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 1)
    for n in range(2):
        make.user(roles=("learner",), department="Sales", name=f"Learner {n}")
    client.login(make.user(roles=("executive",), department="Sales"))
    path = client.get("/dashboard/export/at-risk.csv").headers["Location"]
    done = _wait_for(
        lambda: db.session.scalar(select(BulkJob).where(BulkJob.status.in_(["done", "failed"])))
    )
    assert done.status == "done", (tmp_path / "worker.log").read_text()
    page = client.get(path + "/status").get_data(as_text=True)
    assert 'data-status="done"' in page and "/download" in page
    written = client.get(path + "/download").get_data(as_text=True)
    assert written.startswith("name,email") and "Learner 1" in written
    assert worker.poll() is None, (tmp_path / "worker.log").read_text()
