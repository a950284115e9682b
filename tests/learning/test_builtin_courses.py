"""The built-in curriculum in courses/ imports cleanly and idempotently."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.learning.models import Course, Lesson
from seed.learning_demo import COURSES_DIR, import_builtin_courses

ORIGINALS = {
    "crm-foundations",
    "crm-five-steps",
    "leads-and-qualification",
    "after-sale-service",
    "personal-relationships",
    "pipeline-and-targets",
    "why-our-rollout-works",
    "customer-data-and-consent",
    "data-quality-and-migration",
    "your-role-in-the-crm",
}
# Translations are folders named <original>-<language>.
TRANSLATIONS = {
    f"{slug}-{language}": slug
    for slug in ORIGINALS
    for language in ("ur", "hi")
    if (COURSES_DIR / f"{slug}-{language}").is_dir()
}
EXPECTED = ORIGINALS | set(TRANSLATIONS)


def test_builtin_courses_import_and_reimport_changes_nothing(app_ctx):
    assert import_builtin_courses() == len(EXPECTED)
    db.session.commit()
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    assert set(courses) == EXPECTED
    for translated, original in TRANSLATIONS.items():
        assert courses[translated].translation_of_id == courses[original].id
        assert courses[translated].language == translated.rsplit("-", 1)[1]
    lessons = db.session.scalar(select(func.count(Lesson.id)))
    import_builtin_courses()
    db.session.commit()
    assert {c.version for c in db.session.scalars(select(Course))} == {1}
    assert db.session.scalar(select(func.count(Lesson.id))) == lessons


def test_every_builtin_exercise_states_its_task_and_checks(app_ctx):
    import_builtin_courses()
    exercises = db.session.scalars(select(Lesson).where(Lesson.kind == "exercise")).all()
    assert len(exercises) == len(EXPECTED)  # one in every built-in course and translation
    for lesson in exercises:
        assert lesson.body.strip()
        assert lesson.content["checks"] and all(c.get("hint") for c in lesson.content["checks"])
    assert COURSES_DIR.is_dir()


def test_flask_courses_validate_finds_no_error_in_the_builtin_courses(app):
    """A hint with ': ' in it, unquoted, is a mapping to YAML, not text: the format
    refuses it, so every built-in course must validate clean."""
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(COURSES_DIR)])
    assert result.exit_code == 0, result.output
    assert " 0 error(s)" in result.output


def test_no_builtin_course_states_its_own_reading_time(client, make, app_ctx):
    """The course page and card compute the time from the lessons; a figure typed into
    the summary or cover (in any language) would drift from it, as "About 50 minutes"
    did from "about 43 min"."""
    import re

    minutes = re.compile(r"\d+\s*(minutes?|mins?\b|منٹ|मिनट)", re.IGNORECASE)
    import_builtin_courses()
    db.session.commit()
    for course in db.session.scalars(select(Course)):
        for text in (course.summary, course.cover or ""):
            assert not minutes.search(text), (course.slug, text)
    client.login(make.user(roles=("learner",)))
    course = db.session.scalar(select(Course).where(Course.slug == "after-sale-service"))
    total = db.session.scalar(
        select(func.sum(Lesson.minutes)).where(
            Lesson.course_id == course.id, Lesson.archived.is_(False)
        )
    )
    page = client.get("/courses/after-sale-service/").get_data(as_text=True)
    card = client.get("/courses/").get_data(as_text=True)
    assert f"about {total} min" in page and f"about {total} min" in card
