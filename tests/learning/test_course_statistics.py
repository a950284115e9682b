"""Lesson count and minutes are kept on the course when it is published, for the cards."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course, Lesson
from tests.learning.conftest import course_files


def _counted(course: Course) -> tuple[int, int]:
    """The course's current lessons and their minutes, counted from the rows."""
    return db.session.execute(
        select(func.count(Lesson.id), func.coalesce(func.sum(Lesson.minutes), 0)).where(
            Lesson.course_id == course.id, Lesson.archived.is_(False)
        )
    ).one()


def test_publishing_keeps_the_lesson_count_and_minutes(sample_course):
    assert (sample_course.lesson_count, sample_course.minutes) == _counted(sample_course)
    assert sample_course.lesson_count == 3

    course_yaml = course_files()["course.yaml"].replace("lessons: [wrap-up]", "lessons: []")
    course_yaml = course_yaml.replace("  - key: more\n    title: More\n    lessons: []\n", "")
    apply_bundle(read_course(course_files(**{"course.yaml": course_yaml, "wrap-up.md": None})))
    db.session.commit()
    db.session.refresh(sample_course)
    assert (sample_course.lesson_count, sample_course.minutes) == _counted(sample_course)
    assert sample_course.lesson_count == 2


def test_cards_and_the_course_page_show_the_kept_figures(client, make, sample_course):
    client.login(make.user(roles=("learner",)))
    sample_course.minutes = 42  # as if counted at publish; the pages do not recount
    db.session.commit()
    catalogue = client.get("/courses/").text
    assert "3 lessons" in catalogue and "about 42 min" in catalogue
    assert "about 42 min" in client.get("/courses/sample-course/").text
