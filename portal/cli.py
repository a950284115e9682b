"""Command-line tools: `flask --app portal users ...` and `flask --app portal seed ...`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.accounts import services
from portal.accounts.roles import ROLE_CODES
from portal.accounts.services import AccountError, UserData
from portal.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")
seed_cli = AppGroup("seed", help="Load demo data.")


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--name", default=None, help="Full name (defaults to the part before @).")
@click.option(
    "--role", "roles", multiple=True, required=True,
    type=click.Choice(sorted(ROLE_CODES)), help="Role to give; repeat for several.",
)
@click.option("--department", default=None, help="Department name (created if new).")
@click.password_option(help="Asked for when not given.")
def users_create(email: str, name: str | None, roles: tuple[str, ...], department: str | None,
                 password: str) -> None:
    """Create a user who can sign in straight away."""
    try:
        department_id = None
        if department:
            found = services.find_department(department) or services.create_department(department)
            department_id = found.id
        user = services.create_user(
            UserData(email=email, name=name or email.split("@")[0], roles=list(roles),
                     department_id=department_id),
            password,
        )
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")


@seed_cli.command("demo")
@click.option("--seed", default=2026, show_default=True, help="Random seed for Faker.")
def seed_demo(seed: int) -> None:
    """Create the demo organisation once; bring the built-in courses up to date each time."""
    from sqlalchemy import func, select

    from portal.learning.bundle import BundleError
    from portal.learning.models import Assignment
    from seed.demo import create_demo_organisation, demo_present
    from seed.learning_demo import import_builtin_courses
    from seed.rollout_demo import create_demo_rollout

    try:
        courses = import_builtin_courses()
    except BundleError as error:
        db.session.rollback()
        raise click.ClickException(f"The built-in courses have problems:\n{error}") from error
    if demo_present():
        # A demo made before rollout plans existed gets its plan; otherwise nothing changes.
        rollout = create_demo_rollout(seed=seed)
        db.session.commit()
        click.echo(f"The demo organisation is already there; {courses} built-in courses current.")
        if rollout.created:
            click.echo(f"Added the demo rollout plan with {rollout.learners} learners in training.")
        return
    counts = create_demo_organisation(seed=seed)
    # The plan's waves tie the built-in courses to their departments, which assigns them.
    rollout = create_demo_rollout(seed=seed)
    assignments = db.session.scalar(select(func.count(Assignment.id)))
    db.session.commit()
    click.echo(
        f"Demo organisation created: {counts['users']} people, {courses} courses, "
        f"{assignments} course assignments, a rollout plan with "
        f"{rollout.learners} learners in training."
    )


courses_cli = AppGroup("courses", help="Manage the course library.")


@courses_cli.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False))
def courses_import(paths: tuple[str, ...]) -> None:
    """Import or update courses from folders (default: the built-in courses/ folder).

    Every folder is checked first; if any file has a problem, nothing is imported.
    Re-importing keeps learners' progress: lessons are matched by their keys.
    """
    from pathlib import Path

    from portal.learning.bundle import BundleError
    from portal.learning.importer import course_folders, import_folders

    roots = [Path(p) for p in paths] or [Path(__file__).resolve().parent.parent / "courses"]
    folders = [folder for root in roots for folder in course_folders(root)]
    if not folders:
        raise click.ClickException("No course folders (with a course.yaml) found.")
    try:
        results = import_folders(folders)
    except BundleError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(
            f"{len(error.problems)} problem(s) found; nothing was imported."
        ) from error
    db.session.commit()
    for result in results:
        click.echo(f"{result.slug}: {result.outcome} (version {result.version})")
