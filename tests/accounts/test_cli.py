"""Command line: `users create` and `seed demo`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Department, User, UserRole
from portal.extensions import db
from portal.rollout.models import Plan
from seed.people import DEMO_ACCOUNTS, DEMO_PASSWORD, DEPARTMENTS
from seed.rollout_demo import DEMO_PLAN
from tests.accounts.conftest import count

PASSWORD = "typed-at-the-prompt"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input)

    return invoke


CREATE_X = ("users", "create", "--email", "x@y.test")  # the command, before its roles


def test_users_create_makes_an_account_that_can_sign_in(app_ctx, cli, client):
    result = cli(
        *CREATE_X, "--role", "admin", "--role", "trainer", input=f"{PASSWORD}\n{PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert "Created x@y.test with roles: admin, trainer" in result.output
    user = User.by_email("x@y.test")
    assert user.roles == {"admin", "trainer"} and user.name == "x"
    assert user.password_change_required is False
    assert client.login("x@y.test", PASSWORD).headers["Location"] == "/admin/users"


def test_users_create_with_name_and_new_department(app_ctx, cli):
    result = cli(
        "users",
        "create",
        "--email",
        "Head@Example.test",
        "--name",
        "Head of IT",
        "--role",
        "executive",
        "--department",
        "IT",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    user = User.by_email("head@example.test")
    assert (user.name, user.department.name) == ("Head of IT", "IT")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email"], "Enter a valid email address."),
        (["--email", "ok@example.test", "--password", "short"], "Use at least 10 characters."),
        (["--email", "taken@example.test"], "Another account already uses this email address."),
        (["--email", "ok@example.test", "--role", "wizard"], "'wizard' is not one of"),
    ],
    ids=["bad email", "short password", "taken email", "unknown role"],
)
def test_users_create_with_bad_input_says_why_and_creates_nothing(
    app_ctx, cli, make, args, message
):
    make.user(email="taken@example.test", department=None)
    before = (count(User), count(UserRole), count(Department))
    if "--role" not in args:
        args = [*args, "--role", "admin"]
    if "--password" not in args:
        args = [*args, "--password", PASSWORD]

    result = cli("users", "create", *args, "--department", "Brand New Team")

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert (count(User), count(UserRole), count(Department)) == before


def test_users_create_asks_twice_and_refuses_passwords_that_differ(app_ctx, cli):
    result = cli(
        *CREATE_X,
        "--role",
        "learner",
        input=f"{PASSWORD}\nsomething-else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert "do not match" in result.output
    assert result.exit_code == 0
    assert User.by_email("x@y.test") is not None


def test_seed_demo_creates_the_demo_organisation_once(app_ctx, cli, client):
    result = cli("seed", "demo")

    assert result.exit_code == 0, result.output
    assert "Demo organisation created: 44 people," in result.output
    assert sorted(db.session.scalars(select(Department.name))) == sorted(DEPARTMENTS)
    assert count(User) == 44
    per_department = dict(
        db.session.execute(
            select(Department.name, func.count(User.id))
            .join(User.department)
            .group_by(Department.name)
        ).all()
    )
    assert set(per_department) == set(DEPARTMENTS)
    assert all(per_department[name] >= 1 for name in DEPARTMENTS)
    assert per_department["Sales"] > per_department["IT"]
    for email, name, department, _title, roles in DEMO_ACCOUNTS:
        user = User.by_email(email)
        assert (user.name, user.department.name, user.roles) == (name, department, set(roles))
    everyone = db.session.scalars(select(User)).all()
    assert all(user.roles for user in everyone)
    learners = [u for u in everyone if u.email not in {a[0] for a in DEMO_ACCOUNTS}]
    assert len(learners) == 40 and all(u.roles == {"learner"} for u in learners)
    assert client.login("exec@demo.test", DEMO_PASSWORD).status_code == 302
    # The executive's first look is a plan under way, not an empty dashboard.
    assert "a rollout plan with" in result.output
    assert db.session.scalar(select(Plan.name)) == DEMO_PLAN
    assert DEMO_PLAN in client.get("/rollout/").get_data(as_text=True)

    before = [(u.email, u.name, u.department_id, u.password_hash) for u in everyone]
    again = cli("seed", "demo")

    assert again.exit_code == 0
    assert "already there" in again.output
    db.session.expire_all()
    after = [
        (u.email, u.name, u.department_id, u.password_hash)
        for u in db.session.scalars(select(User))
    ]
    assert sorted(after) == sorted(before)
    assert count(Department) == 5


def test_seed_demo_reuses_departments_that_exist_in_another_case(app_ctx, cli, make):
    make.department("customer service")
    assert cli("seed", "demo").exit_code == 0
    names = sorted(name.lower() for name in db.session.scalars(select(Department.name)))
    assert names == sorted(name.lower() for name in DEPARTMENTS)


def test_seed_demo_adds_the_rollout_plan_to_an_older_demo(app_ctx, cli):
    from seed.demo import create_demo_organisation

    create_demo_organisation(seed=2026)  # a demo made before rollout plans existed
    db.session.commit()
    result = cli("seed", "demo")
    assert result.exit_code == 0, result.output
    assert "already there" in result.output and "Added the demo rollout plan" in result.output
    assert db.session.scalar(select(Plan.name)) == DEMO_PLAN
    again = cli("seed", "demo")
    assert "Added" not in again.output
    assert db.session.scalar(select(func.count(Plan.id))) == 1
