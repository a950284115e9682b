"""Opening a lesson records the view outside the request, and never fails because of it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.learning import services
from portal.learning.models import LessonProgress, LessonView

LESSON = "/courses/sample-course/intro/"


def _views() -> int:
    return db.session.scalar(select(func.count(LessonView.id)))


def test_a_lesson_view_is_recorded_by_the_job(client, make, sample_course):
    learner = make.user(roles=("learner",))
    client.login(learner)
    assert client.get(LESSON).status_code == 200
    assert _views() == 1  # the test queue runs jobs at once
    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == learner.id))
    assert progress is not None and progress.completed_at is None


def test_the_page_is_shown_when_the_view_cannot_be_written(
    client, make, sample_course, monkeypatch
):
    def refuse(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "record_view", refuse)
    client.login(make.user(roles=("learner",)))
    assert client.get(LESSON).status_code == 200
    assert _views() == 0


def test_the_page_is_shown_when_the_queue_is_down(client, make, sample_course, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise ConnectionError("queue unreachable")

    monkeypatch.setattr(services, "record_view_later", refuse)
    client.login(make.user(roles=("learner",)))
    assert client.get(LESSON).status_code == 200
    assert _views() == 0
