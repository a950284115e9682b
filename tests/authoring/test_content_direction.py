"""The editor's course-text controls and previews carry the course's language and direction,
whatever the trainer's interface language."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class _Elements(HTMLParser):
    """Every element's tag and attributes, in page order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _element(page: str, tag: str, **wanted: str) -> dict[str, str | None]:
    """The first `tag` whose attributes include `wanted` (trailing _ dropped from names)."""
    reader = _Elements()
    reader.feed(page)
    wanted = {name.rstrip("_"): value for name, value in wanted.items()}
    for found, attrs in reader.elements:
        if found == tag and all(attrs.get(name) == value for name, value in wanted.items()):
            return attrs
    raise AssertionError(f"no <{tag}> with {wanted}")


def _course_with_every_editor(author, client, language: str):
    """A course in `language` with a reading, a quiz with a question and an exercise with a
    setup record and a solution step: its slug and the lessons' editor addresses."""
    course = author.course(title="Handling complaints", language=language)
    reading = author.lesson(course, "Read first")
    assert author.reading(course, reading, "# The situation").status_code == 302
    quiz = author.lesson(course, "Quick quiz", kind="quiz")
    response = author.question(
        course, quiz, "What comes first?", [("Listen", True), ("Talk", False)]
    )
    assert response.status_code == 302
    exercise = author.lesson(course, "Try it", kind="exercise")
    base = f"/author/courses/{course.slug}/lessons"
    response = client.post(
        f"{base}/{exercise}/setup",
        data={"entity": "customer", "field-0-name": "first_name", "field-0-value": "Ali"},
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/{exercise}/solution",
        data={
            "text": "Add a note.",
            "action-0-do": "note",
            "action-0-parent": "setup:customer",
            "action-0-kind": "note",
            "action-0-body": "Called back.",
        },
    )
    assert response.status_code in (200, 302), response.text[:2000]
    return course.slug, f"{base}/{reading}", f"{base}/{quiz}", f"{base}/{exercise}"


@pytest.mark.parametrize(
    ("course_language", "interface", "direction"), [("en", "ur", "ltr"), ("ur", "en", "rtl")]
)
def test_course_text_controls_carry_the_course_language(
    client, author, course_language, interface, direction
):
    slug, reading, quiz, exercise = _course_with_every_editor(author, client, course_language)
    client.post("/language", data={"locale": interface})
    expected = {"lang": course_language, "dir": direction}

    def carries(attrs):
        assert {name: attrs.get(name) for name in expected} == expected, attrs

    structure = client.get(f"/author/courses/{slug}/").text
    assert f'<html lang="{interface}"' in structure
    carries(_element(structure, "input", id="module-title-module-1"))
    carries(_element(structure, "input", id="new-lesson-module-1"))
    carries(_element(structure, "input", id="new-module"))
    carries(_element(structure, "input", name="title", id="title"))
    carries(_element(structure, "textarea", name="summary"))
    carries(_element(structure, "div", id="cover-preview"))

    page = client.get(reading).text
    carries(_element(page, "input", name="title"))
    carries(_element(page, "textarea", name="body"))
    carries(_element(page, "div", id="preview"))

    page = client.get(quiz).text
    carries(_element(page, "textarea", name="prompt"))
    carries(_element(page, "input", name="choice-0-text"))
    carries(_element(page, "input", name="choice-0-feedback"))
    carries(_element(page, "textarea", name="explanation"))

    page = client.get(exercise).text
    for control in ("ex-title", "ex-hints"):
        carries(_element(page, "input" if control == "ex-title" else "textarea", id=control))
    carries(_element(page, "textarea", id="ex-task"))
    carries(_element(page, "div", id="preview"))
    carries(_element(page, "input", id="setup-customer-field-0-value"))
    carries(_element(page, "textarea", id="step-0-text"))
    carries(_element(page, "textarea", id="step-0-action-0-body"))
    carries(_element(page, "input", name="description"))
    carries(_element(page, "textarea", name="event-0-body"))
