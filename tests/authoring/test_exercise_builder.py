"""The exercise builder: setup records and checks from forms, validated like the files."""

from __future__ import annotations

import pytest

from portal.authoring import services
from portal.extensions import db
from seed.learning_demo import import_builtin_courses


def _exercise(course):
    _draft, bundle = services.load(course)
    db.session.commit()
    return next(lesson for lesson in bundle.lessons if lesson.kind == "exercise")


@pytest.fixture
def exercise_course(author):
    course = author.course(title="Practice")
    key = author.lesson(course, "Handle the complaint", kind="exercise")
    return course, key


def test_builtin_exercise_opens_in_the_builder(client, trainer, app_ctx):
    import_builtin_courses()
    db.session.commit()
    page = client.get("/author/courses/after-sale-service/lessons/billing-and-defect-tickets")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-setup="billing-ticket"' in html and 'data-check="billing-closed"' in html
    assert "setup:sana" in html  # links show as setup:key


def test_setup_record_and_checks_built_from_forms(client, exercise_course):
    course, key = exercise_course
    base = f"/author/courses/{course.slug}/lessons/{key}"
    response = client.post(
        f"{base}/setup",
        data={
            "entity": "customer",
            "field-0-name": "first_name",
            "field-0-value": "Sana",
            "field-1-name": "email",
            "field-1-value": "sana@example.test",
            "field-2-name": "customer_since",
            "field-2-value": "@today-3y",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/setup",
        data={
            "entity": "ticket",
            "field-0-name": "customer",
            "field-0-value": "setup:customer",
            "field-1-name": "category",
            "field-1-value": "billing",
            "field-2-name": "first_response_due",
            "field-2-value": "@now+2h",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/checks",
        data={
            "type": "events_in_order",
            "required": "y",
            "description": "Responded before resolving",
            "hint": "Respond first.",
            "target_setup": "ticket",
            "event-0": "ticket.responded",
            "event-1": "ticket.resolved",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/checks",
        data={
            "type": "record_exists",
            "description": "A lead from the trade show",
            "hint": "Log it.",
            "target_entity": "lead",
            "filter-0-field": "source",
            "filter-0-op": "equals",
            "filter-0-value": "trade_show",
            "filter-1-field": "email",
            "filter-1-op": "contains",
            "filter-1-value": "@harbour",
        },
    )
    assert response.status_code == 302
    lesson = _exercise(course)
    assert lesson.content["setup"][1] == {
        "key": "ticket",
        "entity": "ticket",
        "fields": {
            "customer": {"setup": "customer"},
            "category": "billing",
            "first_response_due": "@now+2h",
        },
    }
    order, exists = lesson.content["checks"]
    assert order["events"] == [{"event": "ticket.responded"}, {"event": "ticket.resolved"}]
    assert order["target"] == {"setup": "ticket"} and order["required"] is True
    assert exists["target"] == {
        "entity": "lead",
        "filter": {"source": "trade_show", "email": {"contains": "@harbour"}},
    }
    assert exists["required"] is False


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        (
            "setup",
            {"entity": "ticket", "field-0-name": "category", "field-0-value": "weather"},
            "&#39;category&#39; must be one of: billing",
        ),
        (
            "setup",
            {"entity": "ticket", "field-0-name": "customer", "field-0-value": "setup:nobody"},
            "links to nobody, which is not a setup record",
        ),
        (
            "setup",
            {"entity": "customer", "field-0-name": "birthday", "field-0-value": "@tomorrow"},
            "is not a relative date",
        ),
        (
            "setup",
            {"entity": "spaceship", "field-0-name": "x", "field-0-value": "y"},
            "Choose what kind of record to add.",
        ),
        ("checks", {"type": "record_exists", "hint": "h"}, "Say which record the check is about."),
        (
            "checks",
            {"type": "events_in_order", "hint": "h", "event-0": "ticket.responded"},
            "Choose at least two events, in order.",
        ),
        (
            "checks",
            {"type": "within_sla", "hint": "h", "target_entity": "ticket"},
            "Choose first response or resolution.",
        ),
        ("checks", {"type": "record_exists", "target_entity": "lead"}, "Write the hint"),
    ],
)
def test_bad_exercise_input_is_refused_and_nothing_saved(
    client, exercise_course, path, data, message
):
    course, key = exercise_course
    before = _exercise(course).content
    response = client.post(f"/author/courses/{course.slug}/lessons/{key}/{path}", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _exercise(course).content == before


def test_a_setup_record_in_use_cannot_be_removed(client, exercise_course):
    course, key = exercise_course
    base = f"/author/courses/{course.slug}/lessons/{key}"
    client.post(
        f"{base}/setup",
        data={"entity": "customer", "field-0-name": "first_name", "field-0-value": "Ali"},
    )
    client.post(
        f"{base}/checks", data={"type": "record_exists", "hint": "h", "target_setup": "customer"}
    )
    response = client.post(f"{base}/setup/customer/remove")
    assert response.status_code == 422
    assert "Other records or checks use customer" in response.get_data(as_text=True)
    assert len(_exercise(course).content["setup"]) == 1
