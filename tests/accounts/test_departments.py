"""Admin departments: add, rename, delete (never while people are in it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import Department
from portal.extensions import db
from tests.accounts.conftest import alerts, count, field_errors


def _names() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Department.name)))


def test_list_shows_each_department_with_its_head_count(client, admin, make):
    make.user(department="Sales")
    make.user(department="Sales", active=False)
    make.department("Legal")
    page = client.get("/admin/departments").get_data(as_text=True)
    for name in ("IT", "Sales", "Legal"):
        assert f'value="{name}"' in page
    sales = db.session.scalar(select(Department).where(Department.name == "Sales"))
    assert f'href="/admin/users?department={sales.id}">2</a>' in page


def test_admin_adds_a_department(client, admin):
    response = client.post("/admin/departments", data={"name": "  Field   Sales  "})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Department Field Sales added." in alerts(page)
    assert _names() == ["Field Sales", "IT"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("it", "A department with this name already exists."),
        ("  It  ", "A department with this name already exists."),
        ("x" * 81, "Field cannot be longer than 80 characters."),
    ],
)
def test_bad_department_name_is_refused_beside_the_field(client, admin, name, message):
    response = client.post("/admin/departments", data={"name": name})
    assert response.status_code == 422
    assert message in field_errors(response.get_data(as_text=True), "name")
    assert _names() == ["IT"]


def test_admin_renames_a_department(client, admin, make):
    legal = make.department("Legal")
    response = client.post(
        f"/admin/departments/{legal.id}/rename",
        data={"name": "Legal & Risk"},
        follow_redirects=True,
    )
    assert "Department renamed to Legal &amp; Risk." in response.get_data(as_text=True)
    assert _names() == ["IT", "Legal & Risk"]


def test_renaming_only_the_case_of_a_department_is_allowed(client, admin):
    it = admin.department
    client.post(f"/admin/departments/{it.id}/rename", data={"name": "it"})
    assert _names() == ["it"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("IT", "A department with this name already exists."),
        ("  it ", "A department with this name already exists."),
        ("", "Enter a department name."),
        ("x" * 81, "Field cannot be longer than 80 characters."),
    ],
)
def test_bad_rename_says_why_and_keeps_the_name(client, admin, make, name, message):
    legal = make.department("Legal")
    response = client.post(
        f"/admin/departments/{legal.id}/rename", data={"name": name}, follow_redirects=True
    )
    assert response.request.path == "/admin/departments"
    assert message in alerts(response.get_data(as_text=True))
    assert _names() == ["IT", "Legal"]


def test_admin_deletes_an_empty_department(client, admin, make):
    legal = make.department("Legal")
    response = client.post(f"/admin/departments/{legal.id}/delete", follow_redirects=True)
    assert "Department deleted." in alerts(response.get_data(as_text=True))
    assert _names() == ["IT"]


def test_department_with_people_cannot_be_deleted(client, admin, make):
    make.user(department="Sales")
    make.user(department="Sales", active=False)
    sales = db.session.scalar(select(Department).where(Department.name == "Sales"))
    page = client.get("/admin/departments").get_data(as_text=True)
    delete_form = page[page.index(f"/admin/departments/{sales.id}/delete") :]
    assert "disabled" in delete_form[: delete_form.index("</form>")]

    response = client.post(f"/admin/departments/{sales.id}/delete", follow_redirects=True)

    assert "Sales still has 2 people: move them to another department first." in alerts(
        response.get_data(as_text=True)
    )
    assert _names() == ["IT", "Sales"]


@pytest.mark.parametrize("action", ["rename", "delete"])
def test_unknown_department_is_not_found(client, admin, action):
    missing = db.session.scalar(select(db.func.max(Department.id))) + 1000
    response = client.post(f"/admin/departments/{missing}/{action}", data={"name": "X"})
    assert response.status_code == 404
    assert count(Department) == 1
