"""Large roster imports and large CSV exports, done by a job while the page polls.

A request that would take long (a roster above ROSTER_BACKGROUND_ROWS people, an export
above EXPORT_BACKGROUND_ROWS rows) records a `BulkJob` and queues the work after its commit
(portal.jobs). The person who asked is sent to /jobs/<token>, which polls a small status
fragment every 2 seconds (htmx; without JavaScript, a refresh link) until the result is
there: a roster's import report, or a "Download" link for the CSV.

A job is keyed by a random token and seen only by the person who asked; it is kept a day
(BULK_JOB_SECONDS), then removed. A CSV is kept in the row, up to EXPORT_MAX_BYTES.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from huey import crontab
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.jobs import after_commit, job, periodic
from portal.rendering import attachment, render

DEFAULTS = {
    "ROSTER_BACKGROUND_ROWS": 500,
    "EXPORT_BACKGROUND_ROWS": 2000,
    "EXPORT_MAX_BYTES": 20 * 1024 * 1024,
    "BULK_JOB_SECONDS": 24 * 3600,
}
FINISHED = ("done", "failed")
LATE = timedelta(minutes=15)

bp = Blueprint("bulkjobs", __name__)


def setting(name: str) -> int:
    """A threshold or limit of this module (app config, else DEFAULTS)."""
    return int(current_app.config.get(name, DEFAULTS[name]))


class BulkJob(db.Model):
    """One background roster import or CSV export, and its result."""

    __tablename__ = "bulk_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "roster" or "export"
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200), default="")
    total: Mapped[int] = mapped_column(Integer, default=0)
    # The roster's CSV while it waits, the export's CSV when done.
    content: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def late(self) -> bool:
        """Unfinished after LATE: the worker may be stopped (or died with the job)."""
        return not self.finished and utcnow() - self.created_at > LATE


def start(kind: str, title: str, total: int, **values: Any) -> BulkJob:
    """Record a job for the signed-in person (flushed, not committed)."""
    now = utcnow()
    record = BulkJob(
        token=secrets.token_urlsafe(32),
        kind=kind,
        owner_id=current_user.id,
        status="queued",
        title=title[:200],
        total=total,
        created_at=now,
        expires_at=now + timedelta(seconds=setting("BULK_JOB_SECONDS")),
        **values,
    )
    db.session.add(record)
    db.session.flush()
    return record


def finish(record: BulkJob, status: str, error: str = "") -> None:
    record.status = status
    record.error = error[:500]
    record.finished_at = utcnow()


def fail(job_id: int, error: str) -> None:
    """Roll back the job's work and record that it failed."""
    db.session.rollback()
    record = db.session.get(BulkJob, job_id)
    if record is not None:
        record.content = None if record.kind == "roster" else record.content
        finish(record, "failed", error)
        db.session.commit()


def claim(job_id: int) -> BulkJob | None:
    """The job, marked running and committed; None if it is gone or already finished
    (a job that runs twice does its work once)."""
    record = db.session.get(BulkJob, job_id)
    if record is None or record.finished:
        return None
    record.status = "running"
    db.session.commit()
    return record


# CSV exports

# name -> builder(params) returning the CSV text; each area registers its own.
EXPORTS: dict[str, Callable[[dict[str, Any]], str]] = {}


def export_builder(name: str) -> Callable:
    """Register `fn(params) -> csv text` as the export called `name`."""

    def register(fn: Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], str]:
        EXPORTS[name] = fn
        return fn

    return register


def is_large(rows: int) -> bool:
    return rows > setting("EXPORT_BACKGROUND_ROWS")


def queue_export(name: str, params: dict[str, Any], filename: str, rows: int):
    """Record an export of about `rows` rows, queue it after the commit, commit, and send
    the person to its page."""
    record = start(
        "export",
        _("CSV file %(name)s", name=filename),
        rows,
        filename=filename,
        result={"export": name, "params": params},
    )
    after_commit(export_job, record.id)
    db.session.commit()
    return redirect(url_for("bulkjobs.show", token=record.token))


@job(retries=0)
def export_job(job_id: int) -> None:
    """Write the CSV of a queued export into its row."""
    record = claim(job_id)
    if record is None:
        return
    try:
        spec = record.result or {}
        text = EXPORTS[spec["export"]](spec.get("params", {}))
    except Exception:
        current_app.logger.exception("export %s failed", job_id)
        fail(job_id, "error")
        return
    if len(text.encode()) > setting("EXPORT_MAX_BYTES"):
        finish(record, "failed", "too_large")
    else:
        record.content = text
        finish(record, "done")
    db.session.commit()


@periodic(crontab(minute="23"))
def purge_expired() -> None:
    """Remove jobs older than a day, with their files."""
    db.session.execute(delete(BulkJob).where(BulkJob.expires_at < utcnow()))
    db.session.commit()


# Pages of a job: only the person who asked, only for a day


def _own_or_404(token: str) -> BulkJob:
    record = db.session.scalar(
        select(BulkJob).where(BulkJob.token == token, BulkJob.owner_id == current_user.id)
    )
    if record is None or record.expires_at < utcnow():
        abort(404)
    return record


def _view(record: BulkJob) -> dict[str, Any]:
    """What the page shows; a roster's invitation links only once."""
    view: dict[str, Any] = {"job": record, "report": None, "links": []}
    if record.kind == "roster" and record.result and "rows" in record.result:
        from portal.accounts.roster import report_from_data

        view["report"] = report_from_data(record.result)
        view["links"] = record.result.get("links", [])
        if view["links"]:
            record.result = {**record.result, "links": []}
            db.session.commit()
    return view


@bp.get("/<token>")
@login_required
def show(token: str):
    """The job's page: its state, polled until it is finished."""
    return render("bulkjobs/show.html", **_view(_own_or_404(token)))


@bp.get("/<token>/status")
@login_required
def status(token: str):
    """The polled fragment of the job's page."""
    return render("bulkjobs/_status.html", **_view(_own_or_404(token)))


@bp.get("/<token>/download")
@login_required
def download(token: str):
    """The export's CSV, for the person who asked."""
    record = _own_or_404(token)
    if record.kind != "export" or record.status != "done" or record.content is None:
        abort(404)
    return attachment(record.content, record.filename)
