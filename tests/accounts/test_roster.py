"""Roster import: a good file creates and updates everyone; any bad row imports nothing."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from portal.accounts.models import Department, User, UserRole
from portal.extensions import db
from tests.accounts.conftest import alerts, count, csv_upload, field_errors

GOOD_FILE = """\
name,email,department,job title,roles
Ann Lee,ann@example.test,Sales,Sales Executive,
Bilal Shah,BILAL@Example.test,Field Ops,Team Lead,trainer; executive
Kept Person,kept@example.test,IT,Engineer,learner
"""


def _import(client, text, filename="roster.csv", **data):
    return client.post("/admin/users/import", data={"file": csv_upload(text, filename), **data})


def _report_rows(page: str) -> list[tuple[str, str]]:
    """(email, what the report says happened to that row, with any problems), in order."""
    section = page[page.index('id="import-report"') :]
    rows = []
    for row in re.findall(r"<tr[^>]*>\s*<td>\d+</td>(.*?)</tr>", section, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        text = " ".join(re.sub(r"<[^>]+>", " ", cells[-1]).split())
        email = re.sub(r"<[^>]+>", "", cells[1])  # typed text comes inside <bdi>
        rows.append((html.unescape(email), html.unescape(text)))
    return rows


def _report(page: str) -> dict[str, str]:
    """Email -> what happened to its (first) row."""
    report: dict[str, str] = {}
    for email, result in _report_rows(page):
        report.setdefault(email, result)
    return report


def _summary(page: str) -> str:
    return " | ".join(alerts(page))


def _totals() -> tuple[int, int, int]:
    return count(User), count(UserRole), count(Department)


@pytest.fixture
def kept(make):
    """Someone already in the portal, whom the good file updates."""
    return make.user(
        email="kept@example.test",
        name="Kept Person",
        roles=("learner",),
        department="Sales",
        job_title="Old title",
    )


def test_good_file_creates_and_updates_people_and_departments(app, client, admin, kept):
    response = _import(client, GOOD_FILE, initial_password="first-time-secret")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Imported: 2 created, 1 updated, 0 unchanged. New departments: Field Ops." in _summary(
        page
    )
    assert _report(page) == {
        "ann@example.test": "Created",
        "bilal@example.test": "Created",
        "kept@example.test": "Updated",
    }
    ann, bilal = User.by_email("ann@example.test"), User.by_email("bilal@example.test")
    assert (ann.name, ann.department.name, ann.job_title, ann.roles) == (
        "Ann Lee",
        "Sales",
        "Sales Executive",
        {"learner"},
    )
    assert (bilal.department.name, bilal.roles) == ("Field Ops", {"trainer", "executive"})
    kept_now = db.session.get(User, kept.id)
    assert (kept_now.department.name, kept_now.job_title) == ("IT", "Engineer")
    assert kept_now.password_hash == kept.password_hash  # passwords of existing people stay

    newcomer = app.test_client()
    assert newcomer.login("ann@example.test", "first-time-secret").status_code == 302
    assert newcomer.get("/learn/").headers["Location"] == "/account"


def test_importing_the_same_file_again_reports_unchanged(client, admin, kept):
    _import(client, GOOD_FILE)
    totals = _totals()

    page = _import(client, GOOD_FILE).get_data(as_text=True)

    assert "Imported: 0 created, 0 updated, 3 unchanged." in _summary(page)
    assert set(_report(page).values()) == {"Unchanged"}
    assert _totals() == totals


def test_department_case_and_spacing_in_the_file_do_not_make_duplicates(client, admin, make):
    make.department("Customer Service")
    text = (
        "name,email,department\n"
        "One,one@example.test,customer  SERVICE\n"
        "Two,two@example.test,field ops\n"
        "Three,three@example.test,Field Ops\n"
    )
    page = _import(client, text).get_data(as_text=True)
    assert "New departments: field ops." in _summary(page)
    names = sorted(db.session.scalars(select(Department.name)))
    assert names == ["Customer Service", "IT", "field ops"]
    assert (
        User.by_email("two@example.test").department_id
        == User.by_email("three@example.test").department_id
    )

    again = _import(client, text).get_data(as_text=True)
    assert "Imported: 0 created, 0 updated, 3 unchanged." in _summary(again)


def test_semicolon_separated_file_with_byte_order_mark_is_read(client, admin):
    text = (
        "\ufeffName;E-mail address;Email;Job_Title;ROLES\nAnn Lee;x;ann@example.test;Rep;trainer\n"
    )
    page = _import(client, text).get_data(as_text=True)
    assert _report(page) == {"ann@example.test": "Created"}
    ann = User.by_email("ann@example.test")
    assert (ann.job_title, ann.roles) == ("Rep", {"trainer"})


GOOD_ROWS = "name,email,department,roles\nAnn Lee,ann@example.test,Sales,learner\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,department\nAnn,Sales\n", "The first row must name the columns; missing: email"),
        ("email\nann@example.test\n", "missing: name"),
        ("name,email\nJosé,jose@example.test\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"", "The file is empty."),
        ("name,email\n\n", "The file has a header but no people."),
        (
            "name,email\nAnn,ann@example.test\nN\x00ul,nul@example.test\n",
            "Line 3 holds a control character (such as a NUL byte)",
        ),
        (b"name,email\nA\x00n,ann@example.test\n", "Line 2 holds a control character"),
    ],
    ids=[
        "missing email column",
        "missing name column",
        "not UTF-8",
        "empty file",
        "header only",
        "NUL in a row",
        "NUL as raw bytes",
    ],
)
def test_unusable_file_is_refused_beside_the_file_field(client, admin, kept, content, message):
    totals = _totals()
    response = _import(client, content)
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response.get_data(as_text=True), "file"))
    assert _totals() == totals


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("Bad Email,not-an-email,Sales,learner", "Email address is not valid."),
        ("Twin,ANN@example.test,Sales,learner", "Email address also on line 2."),
        ("Wizard,wiz@example.test,Sales,wizard;learner", "Unknown role: wizard"),
        (",nameless@example.test,Sales,learner", "Name is empty."),
        (
            "Extra,extra@example.test,Sales,learner,surprise",
            "More cells than columns in the header.",
        ),
        ("Short", "Email address is not valid."),
        ("Long,long@example.test," + "D" * 81 + ",learner", "Department is longer than 80"),
        ("N" * 121 + ",long@example.test,Sales,learner", "Name is longer than 120 characters."),
    ],
    ids=[
        "bad email",
        "duplicate email",
        "unknown role",
        "empty name",
        "too many cells",
        "missing cells",
        "long department",
        "long name",
    ],
)
def test_one_bad_row_imports_nothing_and_the_report_says_why(client, admin, kept, bad_row, problem):
    totals = _totals()
    kept_before = (kept.name, kept.department_id, kept.job_title)
    text = GOOD_ROWS + "Kept Person,kept@example.test,Billing,learner\n" + bad_row + "\n"

    response = _import(client, text)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        "Nothing was imported: 1 row has a problem. Fix it and upload the file again."
        in _summary(page)
    )
    report = _report(page)
    assert report["ann@example.test"] == "Would be created"
    assert report["kept@example.test"] == "Would be updated"
    rejected = [result for _email, result in _report_rows(page) if result.startswith("Rejected")]
    assert len(rejected) == 1 and problem in rejected[0]
    assert _totals() == totals
    db.session.expire_all()
    assert (kept.name, kept.department_id, kept.job_title) == kept_before


def test_job_title_longer_than_the_form_allows_is_a_row_problem(client, admin):
    response = _import(client, "name,email,job title\nAnn,ann@example.test," + "J" * 121 + "\n")
    assert response.status_code == 422
    assert (
        "Job title is longer than 120 characters."
        in _report(response.get_data(as_text=True))["ann@example.test"]
    )
    assert User.by_email("ann@example.test") is None


def test_short_initial_password_is_refused_beside_its_field(client, admin):
    totals = _totals()
    response = _import(client, GOOD_ROWS, initial_password="short")
    assert response.status_code == 422
    assert "Use at least 10 characters." in field_errors(
        response.get_data(as_text=True), "initial_password"
    )
    assert _totals() == totals


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"file": (csv_upload(GOOD_ROWS)[0], "roster.xlsx")}, "Upload a .csv file."),
        ({}, "Choose a CSV file."),
    ],
    ids=["wrong file type", "no file"],
)
def test_upload_without_a_csv_file_is_refused(client, admin, data, message):
    totals = _totals()
    response = client.post("/admin/users/import", data=data)
    assert response.status_code == 422
    assert message in field_errors(response.get_data(as_text=True), "file")
    assert _totals() == totals


def test_roster_cannot_take_the_admin_role_from_the_admin_importing_it(client, admin):
    text = f"name,email,roles\n{admin.name},{admin.email.upper()},learner\n"
    response = _import(client, text)
    assert response.status_code == 422
    assert (
        "You cannot remove your own admin role."
        in _report(response.get_data(as_text=True))[admin.email]
    )
    assert db.session.get(User, admin.id).roles == {"admin"}
    assert client.get("/admin/users").status_code == 200


def test_roster_with_too_many_rows_is_refused(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_MAX_ROWS", 2)
    text = "name,email\n" + "".join(f"P{i},p{i}@example.test\n" for i in range(3))
    response = _import(client, text)
    assert response.status_code == 422
    assert "The file has more than 2 rows: split it." in field_errors(
        response.get_data(as_text=True), "file"
    )
    assert count(User) == 1


def test_the_import_page_states_its_limits(client, admin):
    page = client.get("/admin/users/import").text
    assert "a UTF-8 CSV file of at most 5 MB and 5000 people" in page
