"""The lesson editor edits a reading's knowledge check: up to two questions, published
onto the reading as learners answer it."""

from __future__ import annotations

from sqlalchemy import select

from portal.authoring import services
from portal.extensions import db
from portal.learning.models import Lesson

CHOICES = [("The customer history", True), ("The payroll", False)]


def _questions(course, key):
    _draft, bundle = services.load(course)
    return next(lesson for lesson in bundle.lessons if lesson.key == key).questions


def test_a_reading_gets_a_check_of_at_most_two_questions(client, author):
    course = author.course()
    key = author.lesson(course, "What a CRM keeps")
    assert author.reading(course, key, "A CRM keeps **every** contact.").status_code == 302
    page = client.get(f"/author/courses/{course.slug}/lessons/{key}").get_data(as_text=True)
    assert "Knowledge check" in page and "Add a question" in page
    assert author.question(course, key, "What does a CRM keep?", CHOICES).status_code == 302
    assert author.question(course, key, "And what not?", CHOICES).status_code == 302
    page = client.get(f"/author/courses/{course.slug}/lessons/{key}").get_data(as_text=True)
    assert "What does a CRM keep?" in page and "Add a question" not in page
    refused = author.question(course, key, "A third?", CHOICES)
    assert refused.status_code == 422
    assert "at most 2 questions" in refused.get_data(as_text=True)
    assert len(_questions(course, key)) == 2
    assert author.publish(course).status_code == 302
    lesson = db.session.scalar(select(Lesson).where(Lesson.key == key))
    assert [q.prompt for q in lesson.questions] == ["What does a CRM keep?", "And what not?"]
