"""Over-long titles and texts in the course editor are refused at the field, nothing saved."""

from __future__ import annotations

import pytest

from portal.authoring import services
from portal.extensions import db

HUGE = "M" * 100_000
TOO_LONG_TITLE = "Keep the title to 200 characters or fewer."


def _draft(course):
    bundle = services.peek(course)
    db.session.rollback()
    return bundle


@pytest.fixture
def course(author):
    course = author.course(title="Practice")
    author.lesson(course, "Handle the complaint", kind="exercise")
    return course


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("modules", {"title": HUGE}),
        ("modules/module-1/rename", {"title": HUGE}),
        ("modules/module-1/lessons", {"title": HUGE, "kind": "reading"}),
    ],
    ids=["new module", "module renamed", "new lesson"],
)
def test_a_100000_character_title_is_refused(client, course, path, data):
    before = _draft(course)
    response = client.post(
        f"/author/courses/{course.slug}/{path}", data=data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert TOO_LONG_TITLE in response.text
    assert _draft(course) == before


def test_a_title_of_exactly_the_limit_is_kept(client, course):
    title = "T" * 200
    response = client.post(
        f"/author/courses/{course.slug}/modules/module-1/rename", data={"title": title}
    )
    assert response.status_code == 302
    assert _draft(course).modules[0].title == title


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": HUGE}, TOO_LONG_TITLE),
        ({"task": "x" * 20_001}, "Keep the task to 20000 characters or fewer."),
        ({"hints": "\n".join(["a hint"] * 21)}, "Give at most 20 hints"),
        ({"hints": "h" * 1001}, "Give at most 20 hints of up to 1000 characters each."),
    ],
    ids=["title", "task", "too many hints", "long hint"],
)
def test_over_long_exercise_text_is_refused(client, course, data, message):
    key = _draft(course).lessons[0].key
    before = _draft(course)
    form = {"title": "Handle it", "minutes": "5", "task": "Do it.", "hints": "", **data}
    response = client.post(f"/author/courses/{course.slug}/lessons/{key}/exercise", data=form)
    assert response.status_code == 422
    assert message in response.text
    assert _draft(course) == before


def test_title_fields_say_their_limit_in_the_page(client, course):
    key = _draft(course).lessons[0].key
    editor = client.get(f"/author/courses/{course.slug}/").text
    assert 'name="title" placeholder="New module title" maxlength="200"' in editor
    exercise = client.get(f"/author/courses/{course.slug}/lessons/{key}").text
    assert 'id="ex-title" lang="en" maxlength="200" name="title"' in exercise
    assert 'name="task"' in exercise and 'maxlength="20000"' in exercise


def test_a_draft_cannot_grow_past_the_course_size_limit(client, author, monkeypatch):
    from portal.authoring import transfer

    course = author.course(title="Growing")
    key = author.lesson(course, "Long read")
    size = len(str(_draft(course)))
    monkeypatch.setattr(transfer, "MAX_COURSE_BYTES", size + 1000)
    before = _draft(course)

    response = author.reading(course, key, "x" * 2000)

    assert response.status_code == 422
    assert "The course is larger than" in response.text
    assert _draft(course) == before
    assert author.reading(course, key, "x" * 200).status_code == 302


def test_long_text_fields_say_how_much_they_take(client, course):
    page = client.get(f"/author/courses/{course.slug}/").text
    assert 'name="summary"' in page and 'maxlength="2000"' in page
    assert "Up to 2000 characters." in page
