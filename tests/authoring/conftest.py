"""Trainer fixtures: a signed-in trainer and a course built through the editor's HTTP API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.learning.models import Course


@pytest.fixture
def trainer(client, make):
    user = make.user(roles=("trainer",), department="Customer Service")
    client.login(user)
    return user


class Author:
    """Drives the authoring pages the way the editor's forms do."""

    def __init__(self, client):
        self.client = client

    def course(self, title="Handling complaints", summary="Service basics.", language="en"):
        response = self.client.post(
            "/author/courses/new", data={"title": title, "summary": summary, "language": language}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return db.session.scalar(select(Course).order_by(Course.id.desc()))

    def lesson(self, course, title, kind="reading", module="module-1"):
        response = self.client.post(
            f"/author/courses/{course.slug}/modules/{module}/lessons",
            data={"title": title, "kind": kind},
        )
        assert response.status_code == 302
        from portal.authoring import services

        _draft, bundle = services.load(course)
        db.session.commit()
        return (
            bundle.lessons[-1].key
            if bundle.lessons[-1].title == title
            else next(lesson.key for lesson in bundle.lessons if lesson.title == title)
        )

    def reading(self, course, key, body, title=None, minutes=5):
        return self.client.post(
            f"/author/courses/{course.slug}/lessons/{key}",
            data={
                "title": title or key.replace("-", " ").title(),
                "minutes": minutes,
                "required": "y",
                "body": body,
            },
        )

    def question(self, course, key, prompt, choices, kind="single", question_key=""):
        data = {"prompt": prompt, "kind": kind, "explanation": "", "question_key": question_key}
        for index, (text, correct) in enumerate(choices):
            data[f"choice-{index}-text"] = text
            if correct:
                data[f"choice-{index}-correct"] = "y"
        return self.client.post(f"/author/courses/{course.slug}/lessons/{key}/questions", data=data)

    def publish(self, course, acknowledge: bool = True):
        """Publish, ticking the dry runs' warnings acknowledged unless told not to."""
        data = {"acknowledge_warnings": "1"} if acknowledge else {}
        return self.client.post(f"/author/courses/{course.slug}/publish", data=data)


@pytest.fixture
def author(client, trainer) -> Author:
    return Author(client)


@pytest.fixture
def exercise_course(author):
    """A draft course with one exercise lesson: the course and the lesson's key."""
    course = author.course(title="Practice")
    key = author.lesson(course, "Handle the complaint", kind="exercise")
    return course, key


@pytest.fixture
def builder(exercise_course):
    """The exercise course and the address of its lesson in the exercise builder."""
    course, key = exercise_course
    return course, f"/author/courses/{course.slug}/lessons/{key}"
