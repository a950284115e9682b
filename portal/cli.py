"""Command-line tools: `flask --app portal users ...` and `flask --app portal seed ...`."""

from __future__ import annotations

from pathlib import Path

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
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(sorted(ROLE_CODES)),
    help="Role to give; repeat for several.",
)
@click.option("--department", default=None, help="Department name (created if new).")
@click.password_option(help="Asked for when not given.")
def users_create(
    email: str, name: str | None, roles: tuple[str, ...], department: str | None, password: str
) -> None:
    """Create a user who can sign in straight away."""
    try:
        department_id = None
        if department:
            found = services.find_department(department) or services.create_department(department)
            department_id = found.id
        user = services.create_user(
            UserData(
                email=email,
                name=name or email.split("@")[0],
                roles=list(roles),
                department_id=department_id,
            ),
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

    from portal.authoring.models import Assignment
    from portal.courseformat import FormatError
    from seed.demo import create_demo_organisation, demo_present
    from seed.learning_demo import import_builtin_courses
    from seed.rollout_demo import create_demo_rollout

    try:
        courses = import_builtin_courses()
    except FormatError as error:
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
BUILTIN_COURSES = Path(__file__).resolve().parent.parent / "courses"


def _course_folders(paths: tuple[str, ...]) -> list[Path]:
    """The course folders under the given paths (default: the built-in courses/ folder)."""
    from portal.learning.importer import course_folders

    roots = [Path(p) for p in paths] or [BUILTIN_COURSES]
    folders = [folder for root in roots for folder in course_folders(root)]
    if not folders:
        raise click.ClickException("No course folders (with a course.yaml) found.")
    return folders


@courses_cli.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False))
def courses_import(paths: tuple[str, ...]) -> None:
    """Import or update courses from folders (default: the built-in courses/ folder).

    Every folder is checked first; if any file has a problem, nothing is imported.
    Re-importing keeps learners' progress: lessons are matched by their keys.
    """
    from portal.courseformat.problems import FormatError
    from portal.learning.importer import import_folders

    folders = _course_folders(paths)
    try:
        results = import_folders(folders)
    except FormatError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(
            f"{len(error.problems)} problem(s) found; nothing was imported."
        ) from error
    db.session.commit()
    for result in results:
        click.echo(f"{result.slug}: {result.outcome} (version {result.version})")


def _echo_languages(courses: dict) -> None:
    """Each course's languages and its translations' state (see courses_validate)."""
    from portal.learning.translations import fingerprint, library_languages

    click.echo("\nLanguages (the original first; its fingerprint is what translations state):")
    for original, translations in library_languages(courses):
        states = [
            f"{bundle.language} {state}"
            + (f" (made from {bundle.source_version})" if state == "stale" else "")
            for bundle, state in translations
        ]
        click.echo(
            f"{original.slug}: {original.language} {fingerprint(original)}"
            + ("; " + ", ".join(states) if states else "; no translations")
        )


@courses_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False))
@click.option("--stats", is_flag=True, help="Also print lessons and reading words per course.")
@click.option("--strict", is_flag=True, help="Fail on warnings (style guidance) too.")
def courses_validate(paths: tuple[str, ...], stats: bool, strict: bool) -> None:
    """Check course folders against the course format; change nothing.

    Prints one `file:line: message` line per problem and exits with status 1 on any
    error. Warnings (reading length and other style guidance) do not fail the run
    unless --strict is given. Then, for each course, its languages and whether each
    translation is current: made from the original's text as it is now (its
    `source_version` is the fingerprint printed for the original). A stale translation
    is reported, never an error: it does not change the exit status, even with --strict.
    """
    from portal.courseformat.course import LessonKind
    from portal.courseformat.library import check_library

    report = check_library(_course_folders(paths))
    for problem in report.errors:
        click.echo(f"{problem.file}:{problem.line or 0}: error: {problem.message}")
    for problem in report.warnings:
        click.echo(f"{problem.file}:{problem.line or 0}: warning: {problem.message}")
    if stats:
        click.echo(
            f"\n{'course':32} {'lang':4} {'readings':>8} {'quizzes':>7} "
            f"{'exercises':>9} {'words':>7}"
        )
        for slug, course in sorted(report.courses.items()):
            kinds = [lesson.kind for lesson in course.lessons]
            click.echo(
                f"{slug:32} {course.language:4} {kinds.count(LessonKind.READING):8} "
                f"{kinds.count(LessonKind.QUIZ):7} {kinds.count(LessonKind.EXERCISE):9} "
                f"{report.words.get(slug, 0):7}"
            )
    _echo_languages(report.courses)
    click.echo(
        f"{len(report.courses)} course(s), {len(report.errors)} error(s), "
        f"{len(report.warnings)} warning(s)"
    )
    if report.errors or (strict and report.warnings):
        raise SystemExit(1)
