"""Admin user management: list, live search, filters, pages, create, edit, disable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User, UserRole
from portal.extensions import db
from tests.accounts.conftest import alerts, count, field_errors
from tests.factories import user_form

ROW = re.compile(r'<tr id="user-(\d+)"')


def _listed(html: str) -> set[int]:
    return {int(user_id) for user_id in ROW.findall(html)}


def _state(user_id: int) -> tuple:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    return (
        user.email,
        user.name,
        user.department_id,
        user.job_title,
        user.locale,
        user.active,
        user.password_hash,
        user.password_change_required,
        tuple(sorted(user.roles)),
    )


# Listing, search, filters, pages


def test_list_shows_active_people_with_department_and_roles(client, admin, make):
    ann = make.user(
        name="Ann Lee",
        roles=("learner", "trainer"),
        department="Marketing",
        job_title="Campaign Manager",
    )
    gone = make.user(name="Gone Person", active=False)
    response = client.get("/admin/users")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _listed(page) == {admin.id, ann.id}
    row = page[page.index(f'id="user-{ann.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Ann Lee" in row and "Marketing" in row and "Campaign Manager" in row
    assert "Learner" in row and "Trainer" in row
    assert "2 people" in page
    assert gone.name not in page


def test_live_search_returns_only_the_results_fragment(client, admin, make):
    ann = make.user(name="Annika Rao", email="annika@example.test")
    make.user(name="Bilal Shah", email="bilal@example.test")

    response = client.get(
        "/admin/users", query_string={"q": "annika"}, headers={"HX-Request": "true"}
    )

    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in fragment and 'id="user-search"' not in fragment
    assert _listed(fragment) == {ann.id}
    assert "1 person" in fragment

    full = client.get("/admin/users", query_string={"q": "annika"})
    assert "HX-Request" in full.headers["Vary"]
    assert "<html" in full.get_data(as_text=True)
    assert 'value="annika"' in full.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ANNIKA", {"annika"}),
        ("@example.test", {"annika", "bilal", "under_score"}),
        ("rao", {"annika"}),
        ("under_", {"under_score"}),  # "_" is a character here, not a wildcard
        ("%", set()),
        ("nobody", set()),
    ],
)
def test_search_matches_name_or_email_without_regard_to_case(client, admin, make, query, expected):
    people = {
        "annika": make.user(name="Annika Rao", email="annika@example.test"),
        "bilal": make.user(name="Bilal Shah", email="bilal@example.test"),
        "under_score": make.user(name="Under Score", email="under_score@example.test"),
        "underxscore": make.user(name="Underx Score", email="underxscore@other.test"),
    }
    fragment = client.get(
        "/admin/users", query_string={"q": query}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert _listed(fragment) == {people[key].id for key in expected}
    if not expected:
        assert "Nobody matches these filters." in fragment


def test_filters_by_department_role_and_status(client, admin, make):
    sales_learner = make.user(roles=("learner",), department="Sales")
    sales_trainer = make.user(roles=("trainer",), department="Sales")
    billing_learner = make.user(roles=("learner",), department="Billing")
    disabled = make.user(roles=("learner",), department="Sales", active=False)
    sales = sales_learner.department_id

    def listed(**args):
        return _listed(client.get("/admin/users", query_string=args).get_data(as_text=True))

    assert listed(department=sales) == {sales_learner.id, sales_trainer.id}
    assert listed(role="trainer") == {sales_trainer.id}
    assert listed(department=sales, role="learner") == {sales_learner.id}
    assert listed(status="disabled") == {disabled.id}
    assert listed(status="all", department=sales) == {
        sales_learner.id,
        sales_trainer.id,
        disabled.id,
    }
    assert listed(role="learner") == {sales_learner.id, billing_learner.id}
    # Nonsense filter values are ignored rather than failing.
    assert listed(role="wizard", status="gone", department="x", page="-3") == {
        admin.id,
        sales_learner.id,
        sales_trainer.id,
        billing_learner.id,
    }


def test_pages_split_the_list_and_keep_the_filters(app, client, admin, make, monkeypatch):
    monkeypatch.setitem(app.config, "USERS_PER_PAGE", 5)
    # The admin's own department is the first one made: the filter must survive paging
    # whatever its id (it once vanished for department 1).
    first_department = admin.department
    people = [admin, *(make.user(department=first_department.name) for _ in range(6))]
    make.user(department="Beta team")

    first = client.get("/admin/users", query_string={"department": first_department.id})
    page_one = first.get_data(as_text=True)
    assert len(_listed(page_one)) == 5
    assert "7 people" in page_one
    links = re.findall(r'class="page-link" href="([^"]+)"', page_one)
    page_two_link = next(link for link in links if "page=2" in link)
    assert f"department={first_department.id}" in page_two_link

    second = client.get(page_two_link.replace("&amp;", "&"), headers={"HX-Request": "true"})
    page_two = second.get_data(as_text=True)
    assert len(_listed(page_two)) == 2
    assert _listed(page_one) | _listed(page_two) == {person.id for person in people}
    assert client.get("/admin/users", query_string={"page": 99}).status_code == 200


def test_users_page_runs_the_same_number_of_queries_for_10_and_100_people(
    client, admin, make, count_queries
):
    departments = ["Sales", "Customer Service", "Marketing", "Billing", "IT"]

    def add_people(total: int) -> None:
        for index in range(count(User), total):
            make.user(
                roles=("learner", "trainer") if index % 3 else ("learner",),
                department=departments[index % 5],
                password=None,
            )

    def queries_for_list() -> int:
        client.get("/admin/users")  # warm: the first request loads templates
        with count_queries() as counter:
            response = client.get("/admin/users")
        assert response.status_code == 200
        return counter.count

    add_people(10)
    with_10 = queries_for_list()
    add_people(100)
    with_100 = queries_for_list()

    assert with_100 == with_10, f"{with_10} statements for 10 people, {with_100} for 100"
    assert with_10 <= 8


# Creating


GOOD_NEW_USER = {
    "name": "Zara Khan",
    "email": "Zara.Khan@Example.test",
    "job_title": "Account Manager",
    "roles": ["learner", "trainer"],
    "locale": "ur",
    "password": "a-long-enough-secret",
    "require_change": "y",
}


def test_admin_creates_a_user_who_can_sign_in(app, client, admin, make):
    sales = make.department("Sales")
    response = client.post("/admin/users/new", data={**GOOD_NEW_USER, "department_id": sales.id})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Zara Khan can now be found in the user list." in page

    user = User.by_email("zara.khan@example.test")
    assert (user.name, user.job_title, user.department_id, user.locale) == (
        "Zara Khan",
        "Account Manager",
        sales.id,
        "ur",
    )
    assert user.roles == {"learner", "trainer"}
    assert user.password_change_required is True
    other = app.test_client()
    assert other.login("zara.khan@example.test", "a-long-enough-secret").status_code == 302
    assert other.get("/learn/").headers["Location"] == "/account"  # must choose a password


def test_admin_creates_a_user_without_password_who_cannot_sign_in_yet(app, client, admin):
    data = {**GOOD_NEW_USER, "password": "", "department_id": "0"}
    assert client.post("/admin/users/new", data=data).status_code == 302
    user = User.by_email("zara.khan@example.test")
    assert user.password_hash is None and user.department_id is None
    assert app.test_client().login(user.email, "a-long-enough-secret").status_code == 401


# Bad input to the user form, new or edited: (changed fields, field blamed, message there).
BAD_USER_INPUT = [
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"email": "bad@"}, "email", "Enter a valid email address."),
    ({"email": "taken@EXAMPLE.test"}, "email", "Another account already uses this email address."),
    ({"email": "Taken@Example.TEST"}, "email", "Another account already uses this email address."),
    ({"email": ""}, "email", "This field is required."),
    ({"name": ""}, "name", "This field is required."),
    ({"name": "   "}, "name", "This field is required."),
    ({"roles": []}, "roles", "Choose at least one role."),
    ({"roles": ["wizard"]}, "roles", "'wizard' is not a valid choice for this field."),
    ({"password": "short"}, "password", "Use at least 10 characters."),
    ({"department_id": "987654"}, "department_id", "Not a valid choice."),
    ({"locale": "xx"}, "locale", "Not a valid choice."),
    ({"name": "x" * 121}, "name", "Field cannot be longer than 120 characters."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_USER_INPUT)
def test_bad_new_user_is_refused_beside_the_field_and_nothing_is_saved(
    client, admin, make, changes, field, message
):
    make.user(email="taken@example.test")
    users, roles = count(User), count(UserRole)

    response = client.post("/admin/users/new", data={**GOOD_NEW_USER, **changes})

    assert response.status_code == 422
    assert message in field_errors(response.get_data(as_text=True), field)
    assert (count(User), count(UserRole)) == (users, roles)


# Editing


def test_admin_edits_a_user(client, admin, make):
    user = make.user(
        name="Old Name", roles=("learner", "executive"), department="Sales", locale="ur"
    )
    billing = make.department("Billing")
    form = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="Old Name"' in form
    checked = re.findall(r'<input checked[^>]*name="roles"[^>]*value="(\w+)"', form)
    assert sorted(checked) == ["executive", "learner"]
    selected = re.findall(r'<option selected value="([^"]*)">', form)
    assert sorted(selected) == sorted([str(user.department_id), "ur"])

    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "name": "New Name",
            "email": "NEW@example.test",
            "department_id": billing.id,
            "job_title": "Billing Officer",
            "roles": ["trainer", "executive"],
            "locale": "hi",
        },
    )

    assert response.status_code == 302
    assert "Changes to New Name are saved." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    user = db.session.get(User, user.id)
    assert (user.name, user.email, user.department_id, user.job_title, user.locale) == (
        "New Name",
        "new@example.test",
        billing.id,
        "Billing Officer",
        "hi",
    )
    assert user.roles == {"trainer", "executive"}


def test_admin_sets_a_new_password_which_ends_the_users_sessions(
    app, client, admin, make, signed_in
):
    user = make.user(roles=("learner",))
    their_session = signed_in(user)
    response = client.post(
        f"/admin/users/{user.id}",
        data=user_form(user, ["learner"], password="set-by-the-admin", require_change="y"),
    )
    assert response.status_code == 302
    assert their_session.get("/learn/").status_code == 302
    fresh = app.test_client()
    assert fresh.login(user, "set-by-the-admin").status_code == 302
    assert fresh.get("/learn/").headers["Location"] == "/account"


def test_admin_changing_their_own_password_stays_signed_in(client, admin):
    response = client.post(
        f"/admin/users/{admin.id}",
        data=user_form(admin, ["admin"], password="my-own-new-secret"),
    )
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize(("changes", "field", "message"), BAD_USER_INPUT)
def test_bad_edit_is_refused_beside_the_field_and_nothing_is_saved(
    client, admin, make, changes, field, message
):
    make.user(email="taken@example.test")
    user = make.user(name="Kept Name", roles=("learner",))
    before = _state(user.id)
    data = {"name": "Changed", "email": user.email, "roles": ["trainer"], "job_title": "Changed"}

    response = client.post(f"/admin/users/{user.id}", data={**data, **changes})

    assert response.status_code == 422
    assert message in field_errors(response.get_data(as_text=True), field)
    assert _state(user.id) == before


def test_admin_cannot_remove_their_own_admin_role(client, admin):
    before = _state(admin.id)
    response = client.post(
        f"/admin/users/{admin.id}",
        data=user_form(admin, ["learner"]),
    )
    assert response.status_code == 422
    assert "You cannot remove your own admin role." in field_errors(
        response.get_data(as_text=True), "roles"
    )
    assert _state(admin.id) == before
    assert client.get("/admin/users").status_code == 200


def test_admin_cannot_disable_themselves(client, admin):
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Disable account" not in page  # no button for it...
    response = client.post(
        f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "You cannot disable your own account." in alerts(response.get_data(as_text=True))
    assert db.session.get(User, admin.id).active is True  # ...and the rule holds without one
    assert client.get("/admin/users").status_code == 200


def test_admin_disables_and_re_enables_from_the_list_with_htmx(client, admin, make):
    user = make.user(name="Dana Mir")
    row = client.post(
        f"/admin/users/{user.id}/active", data={"active": "0"}, headers={"HX-Request": "true"}
    )
    assert row.status_code == 200
    assert "Disabled" in row.get_data(as_text=True) and "Enable" in row.get_data(as_text=True)
    assert db.session.get(User, user.id).active is False
    assert user.id not in _listed(client.get("/admin/users").get_data(as_text=True))

    row = client.post(
        f"/admin/users/{user.id}/active", data={"active": "1"}, headers={"HX-Request": "true"}
    )
    assert "Active" in row.get_data(as_text=True)
    assert db.session.get(User, user.id).active is True


def test_another_admin_can_be_disabled_and_demoted(client, admin, make):
    other = make.user(roles=("admin",))
    assert (
        client.post(
            f"/admin/users/{other.id}",
            data=user_form(other, ["trainer"]),
        ).status_code
        == 302
    )
    assert client.post(f"/admin/users/{other.id}/active", data={"active": "0"}).status_code == 302
    other = db.session.get(User, other.id)
    assert other.roles == {"trainer"} and other.active is False


@pytest.mark.parametrize("path", ["/admin/users/{missing}", "/admin/users/{missing}/active"])
def test_unknown_user_is_not_found(client, admin, path):
    missing = db.session.scalar(select(db.func.max(User.id))) + 1000
    method = client.post if path.endswith("active") else client.get
    response = method(path.format(missing=missing))
    assert response.status_code == 404
    assert "There is nothing at this address." in response.get_data(as_text=True)


def test_names_are_shown_as_text_never_as_markup(client, admin):
    name = '<img src=x onerror=alert(1)>"'
    response = client.post(
        "/admin/users/new", data={**GOOD_NEW_USER, "name": name}, follow_redirects=True
    )
    user = User.by_email("zara.khan@example.test")
    pages = [
        response.get_data(as_text=True),  # the list, with the flash naming them
        client.get(f"/admin/users/{user.id}").get_data(as_text=True),
        client.post(
            f"/admin/users/{user.id}/active", data={"active": "0"}, headers={"HX-Request": "true"}
        ).get_data(as_text=True),
    ]
    for page in pages:
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
