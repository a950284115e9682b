"""The exercise builder's forms after a refused submit: every row comes back as it was sent,
the message stands at the field at fault (tied to it for screen readers), nothing is saved."""

from __future__ import annotations

import re

import pytest

from tests.authoring.test_exercise_builder import _convert_noor, _exercise
from tests.authoring.test_exercise_round_trip import read_form


def _rows(*rows: tuple[str, ...]) -> dict[str, str]:
    """Numbered setup rows: name, value, then for a relative date amount, unit, direction."""
    keys = ("name", "value", "amount", "unit", "direction")
    return {
        f"field-{i}-{key}": text
        for i, row in enumerate(rows)
        for key, text in zip(keys, row, strict=False)
    }


FORM_NEW = ("data-setup-form", "new")


def _control(html: str, name: str) -> str:
    """The opening tag of the first control named `name`."""
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert match, f"no control named {name}"
    return match.group(0)


def assert_error_at(html: str, name: str, message: str) -> None:
    """`message` stands at field `name`, which is marked invalid and points at it."""
    tag = _control(html, name)
    assert 'aria-invalid="true"' in tag and "is-invalid" in tag, tag
    described = re.search(r'aria-describedby="([^"]+)"', tag)
    assert described, tag
    error = re.search(
        rf'<div[^>]*id="{re.escape(described.group(1))}"[^>]*data-error-for="{re.escape(name)}"'
        r"[^>]*>([^<]*)</div>",
        html,
    )
    assert error, f"no error element for {name}"
    assert message in error.group(1)


def assert_sent_back(response, form: tuple[str, str], sent: dict, field: str, message: str):
    """Refused (422) with `message` at `field`, and the form (attribute, value) shows every
    value of `sent` as it was sent; returns the page."""
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_error_at(html, field, message)
    shown = read_form(html, *form)
    assert {k: v for k, v in shown.items() if k in sent} == sent
    return html


def test_a_bad_setup_row_is_refused_at_its_field_and_every_row_comes_back(client, builder):
    course, base = builder
    rows = _rows(
        ("first_name", "Sana"),
        ("tier", "platinum-plus"),
        ("email", "sana@example.test"),
        ("birthday", "", "30", "y", "before"),
    )
    response = client.post(f"{base}/setup", data={"entity": "customer", **rows})
    sent = {"entity": "customer", **rows}
    html = assert_sent_back(response, FORM_NEW, sent, "field-1-value", "must be one of")
    shown = read_form(html, *FORM_NEW)
    assert shown["field-4-name"] == shown["field-4-value"] == ""  # a row to add one more
    for name in ("field-0-value", "field-2-value", "entity"):
        assert "aria-invalid" not in _control(html, name)
    assert _exercise(course).content.get("setup", []) == []

    rows["field-1-value"] = "gold"
    response = client.post(f"{base}/setup", data={"entity": "customer", **rows})
    assert response.status_code == 302
    (record,) = _exercise(course).content["setup"]
    assert record["fields"] == {
        "first_name": "Sana",
        "tier": "gold",
        "email": "sana@example.test",
        "birthday": "@today-30y",
    }


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ((("first_name", "Sana"), ("shoe_size", "9")), "field-1-name", "no field &#39;shoe_size"),
        (
            (("first_name", "Sana"), ("first_name", "Ali")),
            "field-1-name",
            "&#39;First name&#39; is set twice",
        ),
        ((("first_name", "Sana"), ("email", "")), "field-1-value", "Give &#39;Email&#39; a value"),
        (
            (("birthday", "", "three", "y", "before"),),
            "field-0-amount",
            "Give a whole number for the date",
        ),
        (
            (("birthday", "", "3", "fortnights", "before"),),
            "field-0-unit",
            "Choose days, weeks, months or years",
        ),
        ((("birthday", "@today", "3", "y", "before"),), "field-0-value", "a date or a value"),
        ((("", ""),), "field-0-name", "Fill in at least one field."),
    ],
)
def test_each_setup_refusal_stands_at_its_row(client, builder, rows, field, message):
    course, base = builder
    response = client.post(f"{base}/setup", data={"entity": "customer", **_rows(*rows)})
    assert response.status_code == 422
    assert_error_at(response.get_data(as_text=True), field, message)
    assert _exercise(course).content.get("setup", []) == []


def test_a_refused_edit_of_a_stored_record_reopens_it_as_sent(client, builder):
    course, base = builder
    client.post(f"{base}/setup", data={"entity": "customer", **_rows(("first_name", "Sana"))})
    sent = {"record_key": "customer", "entity": "customer"} | _rows(
        ("first_name", "Sana Mir"), ("works_for", "setup:nobody")
    )
    response = client.post(f"{base}/setup", data=sent)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<details[^>]*data-setup="customer"[^>]*\bopen\b', html)
    assert_error_at(html, "field-1-value", "not a setup record")
    shown = read_form(html, "data-setup-form", "customer")
    assert shown["field-0-value"] == "Sana Mir" and shown["field-1-value"] == "setup:nobody"
    assert read_form(html, "data-setup-form", "new")["field-0-value"] == ""
    (record,) = _exercise(course).content["setup"]
    assert record["fields"] == {"first_name": "Sana"}


def test_a_refused_task_keeps_what_was_typed(client, builder):
    course, base = builder
    response = client.post(
        f"{base}/exercise",
        data={"title": "Log the lead", "minutes": "12", "task": "", "hints": "Look left.\nRight."},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_error_at(html, "task", "Describe the task.")
    assert 'value="Log the lead"' in _control(html, "title")
    assert 'value="12"' in _control(html, "minutes")
    assert "Look left.\nRight.</textarea>" in html
    assert _exercise(course).title == "Handle the complaint"


def test_the_add_a_row_template_is_numbered_by_the_page_and_never_read_as_a_row(client, builder):
    course, base = builder
    html = client.get(base).get_data(as_text=True)
    template = re.search(r"<template data-row-template>(.*?)</template>", html, re.S).group(1)
    assert 'name="field-__row__-name"' in template and 'name="field-__row__-value"' in template
    assert "Field __number__" in template
    sent = read_form(html, "data-setup-form", "new") | {"field-0-name": "first_name"}
    sent["field-0-value"] = "Sana"
    response = client.post(f"{base}/setup", data=sent | {"entity": "customer"})
    assert response.status_code == 302
    assert _exercise(course).content["setup"][0]["fields"] == {"first_name": "Sana"}


def test_a_bad_condition_row_is_refused_at_its_field_and_every_row_comes_back(client, builder):
    course, base = builder
    check = {
        "type": "record_exists",
        "required": "y",
        "hint": "Log the lead.",
        "target_entity": "lead",
        "filter-0-field": "source",
        "filter-0-op": "equals",
        "filter-0-value": "trade_show",
        "filter-1-field": "status",
        "filter-1-op": "equals",
        "filter-1-value": "thinking-about-it",
        "filter-2-field": "created_at",
        "filter-2-op": "equals",
        "filter-2-value": "",
        "filter-2-value-amount": "2",
        "filter-2-value-unit": "d",
        "filter-2-value-direction": "before",
    }
    response = client.post(f"{base}/checks", data=check)
    assert_sent_back(
        response, ("data-check-form", "new"), check, "filter-1-value", "must be one of"
    )
    assert _exercise(course).content.get("checks", []) == []

    response = client.post(f"{base}/checks", data=check | {"filter-1-value": "in_process"})
    assert response.status_code == 302
    (stored,) = _exercise(course).content["checks"]
    assert stored["target"]["filter"] == {
        "source": "trade_show",
        "status": "in_process",
        "created_at": "@today-2d",
    }


def test_a_refused_step_keeps_its_actions_with_the_error_at_the_argument(client, builder):
    course, base = builder
    client.post(f"{base}/setup", data={"entity": "lead", **_rows(("first_name", "Noor"))})
    step = _convert_noor("lots")
    for htmx in (False, True):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(f"{base}/solution", data=step, headers=headers)
        form = ("data-step-form", "new")
        assert_sent_back(response, form, step, "action-0-close_date", "Give a whole number")
    assert _exercise(course).content.get("solution", []) == []


def test_a_format_problem_in_the_builder_reads_in_the_trainers_language(app, monkeypatch):
    """The builder shows a problem the course format finds in the trainer's language (its
    code's template, with its parameters), at the form field the problem's code points to."""
    from flask_babel import force_locale, get_translations

    from portal.authoring.exercise.validation import check_in_format
    from portal.authoring.services import AuthoringError
    from portal.courseformat.messages import TEXTS

    check = {
        "key": "won",
        "type": "field_equals",
        "target": {"setup": "deal"},
        "field": "colour",
        "value": "red",
        "hint": "Win the deal.",
    }
    with app.test_request_context(), force_locale("ur"):
        catalog = get_translations()._catalog
        monkeypatch.setitem(catalog, TEXTS["no_field"], "%(entity)s میں '%(name)s' نہیں")
        with pytest.raises(AuthoringError) as error:
            check_in_format(check, {"deal": "opportunity"}, {"field": "colour"})
    assert error.value.message == "opportunity میں 'colour' نہیں"
    assert error.value.field == "field"
    with app.test_request_context(), pytest.raises(AuthoringError) as error:
        check_in_format(check, {"deal": "opportunity"}, {"field": "colour"})
    assert "has no field 'colour'" in error.value.message  # English, the default
