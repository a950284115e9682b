"""Staff roster import from CSV: every row is checked first; any bad row stops all.

Columns: name, email, department, job title, roles (roles separated by ';', ',' or '|';
blank means learner). Headers are matched without regard to case, spaces or underscores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from portal import bulkjobs, csvfiles
from portal.accounts import onboarding
from portal.accounts.models import Department, User, UserRole
from portal.accounts.roles import Role, parse_roles
from portal.accounts.services import (
    AccountError,
    check_email,
    check_password_strength,
    hash_password,
)
from portal.domain import DomainError
from portal.extensions import db
from portal.jobs import after_commit, job

REQUIRED_COLUMNS = ("name", "email")
KNOWN_COLUMNS = ("name", "email", "department", "job_title", "roles")
MAX_COLUMNS = 100  # an HR export may carry a few dozen; the roster reads five of them
ACTION_LABELS = {
    "created": _l("Created"),
    "updated": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "rejected": _l("Rejected"),
}


@dataclass
class RosterRow:
    line: int
    name: str
    email: str
    department: str
    job_title: str
    roles: list[str]
    action: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


@dataclass
class RosterReport:
    rows: list[RosterRow] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    applied: bool = False
    created_ids: list[int] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def rejected(self) -> list[RosterRow]:
        return [row for row in self.rows if row.action == "rejected"]


def decode_upload(raw: bytes) -> str:
    """UTF-8 or UTF-16 text without control characters (`csvfiles.decode`); anything
    else is refused on the file field."""
    try:
        return csvfiles.decode(raw, "file")
    except DomainError as exc:
        raise AccountError(exc.message, "file") from exc


def _header_key(header: str) -> str:
    return "_".join(header.strip().lower().replace("_", " ").split())


def parse_roster(text: str) -> list[RosterRow]:
    """Read the CSV text into rows, or raise a DomainError if the file itself is unusable."""
    header, lines = csvfiles.read_rows(text, current_app.config["ROSTER_MAX_ROWS"], MAX_COLUMNS)
    keys = [_header_key(h) for h in header]
    missing = [col for col in REQUIRED_COLUMNS if col not in keys]
    if missing:
        raise AccountError(
            _(
                "The first row must name the columns; missing: %(columns)s",
                columns=", ".join(missing),
            ),
            "file",
        )
    rows: list[RosterRow] = []
    for line, values in lines:
        cells = dict(zip(keys, values, strict=False))
        roles, unknown = parse_roles(cells.get("roles", ""))
        row = RosterRow(
            line=line,
            name=" ".join(cells.get("name", "").split()),
            email=cells.get("email", ""),
            department=" ".join(cells.get("department", "").split()),
            job_title=" ".join(cells.get("job_title", "").split()),
            roles=roles or ([] if unknown else [Role.LEARNER.value]),
        )
        if len(values) > len(keys):
            row.problems.append(_("More cells than columns in the header."))
        if unknown:
            row.problems.append(_("Unknown role: %(role)s", role=", ".join(unknown)))
        rows.append(row)
    if not rows:
        raise AccountError(_("The file has a header but no people."), "file")
    return rows


def _validate(rows: list[RosterRow]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if not row.name:
            row.problems.append(_("Name is empty."))
        elif len(row.name) > 120:
            row.problems.append(_("Name is longer than 120 characters."))
        try:
            row.email = check_email(row.email)
        except AccountError:
            row.problems.append(_("Email address is not valid."))
        else:
            if row.email in seen:
                row.problems.append(_("Email address also on line %(line)d.", line=seen[row.email]))
            seen.setdefault(row.email, row.line)
        if len(row.department) > 80:
            row.problems.append(_("Department is longer than 80 characters."))
        if len(row.job_title) > 120:
            row.problems.append(_("Job title is longer than 120 characters."))


def import_roster(
    text: str,
    initial_password: str | None = None,
    *,
    apply: bool = True,
    actor: User | None = None,
    password_hash: str | None = None,
) -> RosterReport:
    """Create or update everyone in the roster, or nothing if any row is rejected.

    New accounts get `initial_password` (to be changed at first sign-in) when given;
    otherwise they cannot sign in until an admin sets a password (a job given the roster
    gets `password_hash` instead, hashed in the request). A row that would take
    the admin role from `actor` (the admin importing) is rejected, as in the user form.
    """
    if initial_password is not None:
        check_password_strength(initial_password, "initial_password")
    rows = parse_roster(text)
    _validate(rows)
    report = RosterReport(rows=rows)

    emails = [row.email for row in rows if not row.problems]
    existing: dict[str, User] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        for user in db.session.scalars(select(User).where(User.email.in_(chunk))):
            existing[user.email] = user
    departments = {d.name.lower(): d for d in db.session.scalars(select(Department))}

    new_department_keys: set[str] = set()
    for row in rows:
        user = existing.get(row.email)
        if (
            actor is not None
            and user is not None
            and user.id == actor.id
            and Role.ADMIN in user.roles
            and Role.ADMIN not in row.roles
        ):
            row.problems.append(_("You cannot remove your own admin role."))
        if row.problems:
            row.action = "rejected"
            continue
        # Departments are matched without regard to case, as everywhere else.
        department_key = row.department.lower()
        if user is None:
            row.action = "created"
        elif (
            user.name == row.name
            and user.job_title == row.job_title
            and (user.department.name.lower() if user.department else "") == department_key
            and user.roles == frozenset(row.roles)
        ):
            row.action = "unchanged"
        else:
            row.action = "updated"
        if row.department and department_key not in departments:
            if department_key not in new_department_keys:
                new_department_keys.add(department_key)
                report.new_departments.append(row.department)

    if report.rejected or not apply:
        return report

    if report.new_departments:
        db.session.execute(insert(Department), [{"name": n} for n in report.new_departments])
        departments = {d.name.lower(): d for d in db.session.scalars(select(Department))}

    def department_id(name: str) -> int | None:
        return departments[name.lower()].id if name else None

    new_rows = [row for row in rows if row.action == "created"]
    if new_rows:
        if initial_password:
            password_hash = hash_password(initial_password)
        ids = db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "email": row.email,
                    "name": row.name,
                    "job_title": row.job_title,
                    "department_id": department_id(row.department),
                    "password_hash": password_hash,
                    "password_change_required": password_hash is not None,
                    "active": True,
                    "session_version": 1,
                }
                for row in new_rows
            ],
        ).all()
        report.created_ids = list(ids)
        db.session.execute(
            insert(UserRole),
            [
                {"user_id": user_id, "role": role}
                for user_id, row in zip(ids, new_rows, strict=True)
                for role in row.roles
            ],
        )
    for row in rows:
        if row.action == "updated":
            user = existing[row.email]
            user.name = row.name
            user.job_title = row.job_title
            user.department_id = department_id(row.department)
            user.set_roles(row.roles)
    db.session.flush()
    report.applied = True
    return report


# Large rosters: checked in the request, applied by a job (portal.bulkjobs)

Links = list[tuple[Any, str]]  # (person with .name and .email, link to hand out)


@dataclass
class RosterOutcome:
    """What the import page shows: the report (and links) now, or the job doing it."""

    report: RosterReport | None = None
    links: Links = field(default_factory=list)
    job: bulkjobs.BulkJob | None = None


def import_or_queue(
    text: str, initial_password: str | None, invite: bool, actor: User
) -> RosterOutcome:
    """Import a roster of up to ROSTER_BACKGROUND_ROWS people now; a larger one is checked
    now (any rejected row stops it, with the report) and applied by `roster_job` after the
    commit. New people are invited when `invite` and no initial password is given."""
    report = import_roster(text, initial_password, apply=False, actor=actor)
    if report.rejected:
        return RosterOutcome(report=report)
    if len(report.rows) <= bulkjobs.setting("ROSTER_BACKGROUND_ROWS"):
        report = import_roster(text, initial_password, actor=actor)
        links = onboarding.invite_new_people(report.created_ids) if invite else []
        return RosterOutcome(report=report, links=links)
    record = bulkjobs.start(
        "roster",
        _("Import of a roster of %(count)d people", count=len(report.rows)),
        len(report.rows),
        content=text,
    )
    password_hash = hash_password(initial_password) if initial_password else None
    after_commit(roster_job, record.id, password_hash, invite and not initial_password)
    return RosterOutcome(job=record)


@job(retries=0)
def roster_job(job_id: int, password_hash: str | None, invite: bool) -> None:
    """Apply a checked roster in one transaction, then keep its report on the job."""
    record = bulkjobs.claim(job_id)
    if record is None:
        return
    try:
        actor = db.session.get(User, record.owner_id)
        report = import_roster(
            record.content or "", apply=True, actor=actor, password_hash=password_hash
        )
        if not report.applied:  # someone changed the portal since the roster was checked
            db.session.rollback()
            record = db.session.get(bulkjobs.BulkJob, job_id)
            record.result = report_data(report, [])
            record.content = None
            bulkjobs.finish(record, "failed", "rejected")
            db.session.commit()
            return
        links: Links = []
        if invite:
            with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
                links = onboarding.invite_new_people(report.created_ids)
        record.result = report_data(report, links)
        record.content = None
        bulkjobs.finish(record, "done")
        db.session.commit()
    except Exception:
        current_app.logger.exception("roster import %s failed", job_id)
        bulkjobs.fail(job_id, "error")


def report_data(report: RosterReport, links: Links) -> dict[str, Any]:
    """The report as plain data for the job's row (links: until shown once)."""
    return {
        "applied": report.applied,
        "new_departments": report.new_departments,
        "rows": [
            {
                "line": row.line,
                "name": row.name,
                "email": row.email,
                "department": row.department,
                "job_title": row.job_title,
                "roles": row.roles,
                "action": row.action,
                "problems": [str(p) for p in row.problems],
            }
            for row in report.rows
        ],
        "links": [[{"name": p.name, "email": p.email}, link] for p, link in links],
    }


def report_from_data(data: dict[str, Any]) -> RosterReport:
    """The report `report_data` kept."""
    return RosterReport(
        rows=[RosterRow(**row) for row in data["rows"]],
        new_departments=list(data.get("new_departments", [])),
        applied=bool(data.get("applied")),
    )
