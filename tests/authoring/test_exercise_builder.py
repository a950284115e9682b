"""The exercise builder: setup records and checks from forms, validated like the files."""

from __future__ import annotations

import re

import pytest

from portal.authoring import services
from portal.extensions import db
from seed.learning_demo import import_builtin_courses


def _setup_form(entity: str, *rows: tuple[str, ...]) -> dict[str, str]:
    """The setup record form: its entity and numbered field rows, each a name and a value,
    then for a relative date its amount, unit and direction."""
    keys = ("name", "value", "amount", "unit", "direction")
    return {"entity": entity} | {
        f"field-{i}-{key}": v
        for i, row in enumerate(rows)
        for key, v in zip(keys[: len(row)], row, strict=True)
    }


def _step(text: str, do: str, **fields: str) -> dict[str, str]:
    """The solution step form: what the learner does, and its one action `do` with the
    action's fields."""
    return {"text": text, "action-0-do": do} | {f"action-0-{k}": v for k, v in fields.items()}


def _convert_noor(months: str) -> dict[str, str]:
    """The solution step form converting the setup lead, its deal to close `months` months
    after the sandbox's today."""
    return _step(
        "Convert Noor.",
        "lead.convert",
        lead="setup:lead",
        opportunity_name="Noor's order",
        close_date="",
        **{"close_date-amount": months, "close_date-unit": "m", "close_date-direction": "after"},
    )


def _add_setup(client, base: str, entity: str, *rows: tuple[str, ...]) -> None:
    """Add a setup record in the exercise builder at `base` (rows as in `_setup_form`)."""
    response = client.post(f"{base}/setup", data=_setup_form(entity, *rows))
    assert response.status_code == 302


def _exercise(course):
    _draft, bundle = services.load(course)
    db.session.commit()
    return next(lesson for lesson in bundle.lessons if lesson.kind == "exercise")


def test_builtin_exercise_opens_in_the_builder(client, trainer, app_ctx):
    import_builtin_courses()
    db.session.commit()
    page = client.get("/author/courses/after-sale-service/lessons/billing-and-defect-tickets")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-setup="billing-ticket"' in html and 'data-check="billing-closed"' in html
    assert "setup:sana" in html  # links show as setup:key


def test_setup_record_and_checks_built_from_forms(client, builder):
    course, base = builder
    _add_setup(
        client,
        base,
        "customer",
        ("first_name", "Sana"),
        ("email", "sana@example.test"),
        ("customer_since", "@today-3y"),
    )
    _add_setup(
        client,
        base,
        "ticket",
        ("customer", "setup:customer"),
        ("category", "billing"),
        ("first_response_due", "@now+2h"),
    )
    response = client.post(
        f"{base}/checks",
        data={
            "type": "events_in_order",
            "required": "y",
            "description": "Responded before resolving",
            "hint": "Respond first.",
            "target_setup": "ticket",
            "event-0-event": "ticket.responded",
            "event-1-event": "ticket.resolved",
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
            _setup_form("ticket", ("category", "weather")),
            "&#39;Category&#39; must be one of: billing",
        ),
        (
            "setup",
            _setup_form("ticket", ("customer", "setup:nobody")),
            "links to nobody, which is not a setup record",
        ),
        (
            "setup",
            _setup_form("customer", ("birthday", "@tomorrow")),
            "is not a relative date",
        ),
        (
            "setup",
            _setup_form("spaceship", ("x", "y")),
            "Choose what kind of record to add.",
        ),
        (
            "setup",
            _setup_form("customer", ("birthday", "", "three", "y", "before")),
            "Give a whole number for the date",
        ),
        (
            "setup",
            _setup_form("customer", ("birthday", "@today", "3", "y", "before")),
            "Give &#39;Birthday&#39; a date or a value, not both.",
        ),
        (
            "setup",
            _setup_form("customer", ("birthday", "", "3", "fortnights", "before")),
            "Choose days, weeks, months or years, before or after.",
        ),
        ("checks", {"type": "record_exists", "hint": "h"}, "Say which record the check is about."),
        (
            "checks",
            {"type": "events_in_order", "hint": "h", "event-0-event": "ticket.responded"},
            "Choose at least two events, in order.",
        ),
        (
            "checks",
            {"type": "within_sla", "hint": "h", "target_entity": "ticket"},
            "Choose first response or resolution.",
        ),
        ("checks", {"type": "record_exists", "target_entity": "lead"}, "Write the hint"),
        # Numbers and dates past what the sandbox's columns and calendar hold.
        (
            "setup",
            _setup_form("customer", ("birthday", "", "9" * 5000, "y", "before")),
            "Give a whole number for the date, from 0 to 99.",
        ),
        (
            "setup",
            _setup_form("customer", ("birthday", "@today+9999y")),
            "is not a relative date",
        ),
        (
            "checks",
            {"type": "count_at_least", "hint": "h", "target_entity": "lead", "min": "9" * 5000},
            "The minimum is a whole number of at least 1.",
        ),
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


def test_a_setup_record_in_use_cannot_be_removed(client, builder):
    course, base = builder
    _add_setup(client, base, "customer", ("first_name", "Ali"))
    client.post(
        f"{base}/checks", data={"type": "record_exists", "hint": "h", "target_setup": "customer"}
    )
    response = client.post(f"{base}/setup/customer/remove")
    assert response.status_code == 422
    assert "Other records or checks use customer" in response.get_data(as_text=True)
    assert len(_exercise(course).content["setup"]) == 1


# Built entirely through the forms: setup, checks, solution steps with actions, dry run, publish.

EMAIL = "noor.hassan@lakeside.example"


def test_numbers_past_what_int_reads_are_no_server_error(client, builder):
    """Digits beyond int()'s 4,300 are refused or ignored, never a 500."""
    course, base = builder
    huge = "9" * 5000
    response = client.post(
        f"{base}/exercise",
        data={"title": "Qualify", "minutes": huge, "task": "Do it.", "hints": "h"},
    )
    assert response.status_code < 500
    assert _exercise(course).minutes <= 600
    for path in ("solution/move", "solution/remove"):
        assert client.post(f"{base}/{path}", data={"index": huge}).status_code < 500
    assert client.get(f"{base}/solution/action?slot={huge}&index={huge}").status_code < 500


def _build_lead_exercise(client, course, key):
    base = f"/author/courses/{course.slug}/lessons/{key}"
    posts = [
        (
            "exercise",
            {
                "title": "Qualify Noor's enquiry",
                "minutes": "10",
                "required": "y",
                "task": "Noor asked about loyalty cards. Qualify the lead and note what you learn.",
                "hints": "Set the status before you write the note.",
            },
        ),
        (
            "setup",
            _setup_form(
                "lead",
                ("first_name", "Noor"),
                ("company", "Lakeside Pharmacy"),
                ("email", EMAIL),
                ("status", "new"),
                ("source", "web_site"),
            ),
        ),
        (
            "checks",
            {
                "type": "field_equals",
                "required": "y",
                "description": "The lead is In Process",
                "hint": "Set the lead's status to In Process.",
                "target_setup": "lead",
                "field": "status",
                "value": "in_process",
            },
        ),
        (
            "checks",
            {
                "type": "events_in_order",
                "required": "y",
                "description": "Qualified, then noted",
                "hint": "Set the status first, then add the note.",
                "event-0-event": "lead.status_changed",
                "event-0-target_setup": "lead",
                "event-0-data-0-field": "to",
                "event-0-data-0-op": "equals",
                "event-0-data-0-value": "in_process",
                "event-1-event": "activity.created",
                "event-1-data-0-field": "kind",
                "event-1-data-0-op": "equals",
                "event-1-data-0-value": "note",
                "event-1-data-1-field": "parent_id",
                "event-1-data-1-op": "equals",
                "event-1-data-1-value": "setup:lead",
            },
        ),
        (
            "checks",
            {
                "type": "record_exists",
                "description": "A note on Noor's lead",
                "hint": "Add a note to the lead.",
                "target_entity": "activity",
                "filter-0-field": "kind",
                "filter-0-op": "equals",
                "filter-0-value": "note",
                "filter-1-field": "parent",
                "filter-1-op": "record",
                "filter-1-entity": "lead",
                "filter-1-filter-0-field": "email",
                "filter-1-filter-0-op": "equals",
                "filter-1-filter-0-value": EMAIL,
            },
        ),
        ("solution", {"text": "Open Noor's lead and read her enquiry."}),
        (
            "solution",
            _step(
                "Set the lead's status to In Process.",
                "lead.status",
                lead="setup:lead",
                status="in_process",
            ),
        ),
        (
            "solution",
            _step(
                "Add a note: budget confirmed, decision by the owner next month.",
                "note",
                parent="setup:lead",
                kind="note",
                body="Budget confirmed; the owner decides next month.",
            ),
        ),
    ]
    for path, data in posts:
        response = client.post(f"{base}/{path}", data=data)
        assert response.status_code == 302, (path, response.get_data(as_text=True)[:3000])
    return base


def test_a_trainer_builds_dry_runs_and_publishes_an_exercise_through_the_forms(
    client, author, exercise_course
):
    course, key = exercise_course
    base = _build_lead_exercise(client, course, key)
    content = _exercise(course).content
    assert content["checks"][1]["events"] == [
        {"event": "lead.status_changed", "target": {"setup": "lead"}, "data": {"to": "in_process"}},
        {"event": "activity.created", "data": {"kind": "note", "parent_id": {"setup": "lead"}}},
    ]
    assert content["checks"][2]["target"] == {
        "entity": "activity",
        "filter": {"kind": "note", "parent": {"entity": "lead", "filter": {"email": EMAIL}}},
    }
    assert content["solution"] == [
        "Open Noor's lead and read her enquiry.",
        {
            "step": "Set the lead's status to In Process.",
            "do": "lead.status",
            "lead": {"setup": "lead"},
            "status": "in_process",
        },
        {
            "step": "Add a note: budget confirmed, decision by the owner next month.",
            "do": "note",
            "parent": {"setup": "lead"},
            "kind": "note",
            "body": "Budget confirmed; the owner decides next month.",
        },
    ]
    page = client.get(base).get_data(as_text=True)
    assert 'data-step="2"' in page and 'data-action="note"' in page

    response = client.post(f"{base}/dry-run", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'data-testid="dry-run-ok"' in html, html
    rows = re.findall(r'<tr data-check="([^"]+)">(.*?)</tr>', html, re.S)
    assert [name for name, _row in rows] == [c["key"] for c in content["checks"]]
    for _name, row in rows:
        before, after = re.findall(r"<td>(.*?)</td>", row, re.S)[1:]
        assert "fails" in before and "passes" in after

    assert author.publish(course).status_code == 302
    db.session.refresh(course)
    assert course.published


def test_steps_are_moved_and_removed_with_htmx(client, exercise_course):
    course, key = exercise_course
    base = _build_lead_exercise(client, course, key)
    steps = _exercise(course).content["solution"]
    from portal.authoring.exercise.steps import fingerprint

    response = client.post(
        f"{base}/solution/move",
        data={"index": "2", "fingerprint": fingerprint(steps[2]), "direction": "up"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="solution"')
    assert "Step moved." in html
    moved = _exercise(course).content["solution"]
    assert moved == [steps[0], steps[2], steps[1]]

    # A form made before the move names a step that is no longer there: refused.
    response = client.post(
        f"{base}/solution/remove", data={"index": "2", "fingerprint": fingerprint(steps[2])}
    )
    assert response.status_code == 422
    assert "The solution has changed since this page was loaded" in response.get_data(as_text=True)
    response = client.post(
        f"{base}/solution/remove", data={"index": "0", "fingerprint": fingerprint(steps[0])}
    )
    assert response.status_code == 302
    assert _exercise(course).content["solution"] == [steps[2], steps[1]]


def test_a_step_cannot_move_above_the_step_that_makes_its_record(client, builder):
    course, base = builder
    for data in (
        _step(
            "Log Imran as a new lead from the trade show.",
            "lead.create",
            first_name="Imran",
            email="imran@harbour.example",
            source="trade_show",
            **{"as": "imran"},
        ),
        _step("Qualify him.", "lead.status", lead="imran", status="in_process"),
    ):
        assert client.post(f"{base}/solution", data=data).status_code == 302
    steps = _exercise(course).content["solution"]
    assert steps[0]["as"] == "imran" and steps[1]["lead"] == "imran"
    page = client.get(base).get_data(as_text=True)
    assert '<option value="imran" selected>imran (made by an earlier step)</option>' in page

    from portal.authoring.exercise.steps import fingerprint

    for path, data in (
        ("move", {"index": "1", "fingerprint": fingerprint(steps[1]), "direction": "up"}),
        ("remove", {"index": "0", "fingerprint": fingerprint(steps[0])}),
    ):
        response = client.post(f"{base}/solution/{path}", data=data)
        assert response.status_code == 422
        assert "imran is not a setup record or a record an earlier step makes" in (
            response.get_data(as_text=True)
        )
        assert _exercise(course).content["solution"] == steps


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (_step(" ", "ticket.assign"), "text", "Write what the learner does"),
        (
            _step("Qualify", "lead.status", lead="setup:nobody", status="in_process"),
            "action-0-lead",
            "nobody is not a setup record or a record an earlier step makes.",
        ),
        (
            _step("Reply", "ticket.respond", ticket="setup:lead", message="Thanks"),
            "action-0-ticket",
            "lead is a lead: choose a ticket.",
        ),
        (
            _step("Reply", "ticket.respond", ticket="setup:ticket"),
            "action-0-message",
            "Fill in &#39;Reply to the customer&#39;.",
        ),
        (
            _step("Qualify", "lead.status", lead="setup:lead", status="thinking"),
            "action-0-status",
            "Choose one of: new, assigned, in_process",
        ),
        (
            _step("Close", "ticket.close", ticket="setup:ticket", satisfaction="9"),
            "action-0-satisfaction",
            "Enter a whole number from 1 to 5.",
        ),
        (
            _step("Log", "lead.create", first_name="Ali"),
            "action-0-as",
            "A setup record is already called lead: choose another name.",
        ),
        (
            _step(
                "Automate",
                "automation.create",
                name="Hi",
                trigger="birthday",
                subject="Hi {nmae}",
                body="Dear {first_name}",
            ),
            "action-0-subject",
            "Unknown merge field: {nmae}",
        ),
        (
            _step(
                "Automate",
                "automation.create",
                name="Hi",
                trigger="birthday",
                subject="Hello",
                body="Dear {first_name}, thanks for your {product}.",
            ),
            "action-0-body",
            "{product} cannot be filled in for this trigger",
        ),
        (
            _step("Go", "lead.teleport"),
            "action-0-do",
            "Choose an action from the list.",
        ),
        (
            {
                "text": "Wait",
                "action-0-do": "clock.advance",
                "action-0-days": "3",
                "action-1-do": "note",
                "action-1-parent": "setup:lead",
            },
            "action-1-body",
            "Write a subject or what happened.",
        ),
    ],
)
def test_a_broken_step_is_refused_at_its_field_and_nothing_saved(
    client, builder, data, field, message
):
    course, base = builder
    for entity, name, value in (("lead", "first_name", "Noor"), ("ticket", "subject", "Broken")):
        _add_setup(client, base, entity, (name, value))
    before = _exercise(course).content
    for htmx in (False, True):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(f"{base}/solution", data=data, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert message in html
        assert f'data-error-for="{field}"' in html
        assert html.lstrip().startswith('<section id="solution"') == htmx
        assert _exercise(course).content == before


def test_picking_an_action_fetches_its_fields(client, builder):
    course, base = builder
    for entity, name, value in (("lead", "first_name", "Noor"), ("ticket", "subject", "Broken")):
        _add_setup(client, base, entity, (name, value))
    response = client.get(
        f"{base}/solution/action",
        query_string={"slot": "0", "index": "", "last": "1", "action-0-do": "ticket.respond"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(
        '<fieldset class="border rounded p-2 mb-2" data-action-slot="0"'
    )
    assert '<option value="setup:ticket">' in html and "setup:lead" not in html
    assert 'name="action-0-message"' in html
    assert 'data-action-slot="1"' in html  # room for another action after this one
    reading = _exercise(course)  # only an exercise's solution has actions
    assert reading.kind == "exercise"


def test_parts_a_form_cannot_edit_are_kept_and_said_to_be(client, trainer, exercise_course):
    course, key = exercise_course
    base = f"/author/courses/{course.slug}/lessons/{key}"
    _add_setup(client, base, "lead", ("first_name", "N"))
    draft, bundle = services.load(course)
    lesson = next(lesson for lesson in bundle.lessons if lesson.key == key)
    odd_check = {
        "key": "odd",
        "type": "count_at_least",
        "required": True,
        "target": {"entity": "lead", "filter": {"amount": {"at_least": 1, "at_most": 9}}},
        "min": 1,
        "hint": "h",
        "weight": 2,
    }
    odd_step = {
        "step": "Do something the builder does not know yet.",
        "actions": [
            {"do": "lead.teleport", "to": "Mars"},
            {"do": "lead.status", "lead": {"setup": "lead"}, "status": "dead", "why": "x"},
        ],
        "note": "for reviewers",
    }
    lesson.content["checks"] = [odd_check]
    lesson.content["solution"] = [odd_step]
    services.save(draft, bundle, trainer)
    db.session.commit()

    from tests.authoring.test_exercise_round_trip import read_form

    page = client.get(base).get_data(as_text=True)
    assert "Kept as written, not editable here: weight" in page
    assert "Kept as written: this form cannot edit it." in page
    assert "Kept as written, not editable here: why" in page
    for attribute, value, path in (
        ("data-check-form", "odd", "checks"),
        ("data-step-form", "0", "solution"),
    ):
        form = read_form(page, attribute, value)
        assert client.post(f"{base}/{path}", data=form).status_code == 302
    content = _exercise(course).content
    assert content["checks"] == [odd_check] and content["solution"] == [odd_step]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "type": "event_happened",
                "hint": "h",
                "event-0-event": "lead.status_changed",
                "event-0-data-0-field": "to",
                "event-0-data-0-value": "thinking",
            },
            "event-0-data-0-value",
            "&#39;To&#39; must be one of: new, assigned",
        ),
        (
            {
                "type": "event_happened",
                "hint": "h",
                "event-0-event": "outbox.sent",
                "event-0-data-0-field": "customer",
                "event-0-data-0-value": "setup:nobody",
            },
            "event-0-data-0-value",
            "links to nobody, which is not a setup record",
        ),
        (
            {
                "type": "record_exists",
                "hint": "h",
                "target_entity": "activity",
                "filter-0-field": "parent",
                "filter-0-op": "record",
            },
            "filter-0-entity",
            "Choose what kind of record &#39;Record it is on&#39; links to.",
        ),
        (
            {
                "type": "events_in_order",
                "hint": "h",
                "event-0-event": "lead.created",
                "event-1-data-0-field": "to",
                "event-1-data-0-value": "dead",
            },
            "event-1-event",
            "Choose the event these conditions are about.",
        ),
        (
            {
                "type": "field_equals",
                "hint": "h",
                "target_entity": "lead",
                "field": "status",
                "value": "thinking",
            },
            "value",
            "&#39;Status&#39; must be one of: new",
        ),
    ],
)
def test_a_broken_check_is_refused_at_its_field(client, exercise_course, data, field, message):
    course, key = exercise_course
    before = _exercise(course).content
    response = client.post(f"/author/courses/{course.slug}/lessons/{key}/checks", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and f'data-error-for="{field}"' in html
    assert _exercise(course).content == before


def test_a_setup_record_a_solution_step_uses_cannot_be_removed(client, builder):
    course, base = builder
    _add_setup(client, base, "ticket", ("subject", "Broken"))
    response = client.post(
        f"{base}/solution",
        data=_step("Take it.", "ticket.assign", ticket="setup:ticket"),
    )
    assert response.status_code == 302
    response = client.post(f"{base}/setup/ticket/remove")
    assert response.status_code == 422
    assert "A solution step uses ticket: change that step first." in response.get_data(as_text=True)
    assert len(_exercise(course).content["setup"]) == 1


def test_a_tampered_kept_field_is_refused_not_a_server_error(client, exercise_course):
    course, key = exercise_course
    before = _exercise(course).content
    response = client.post(
        f"/author/courses/{course.slug}/lessons/{key}/checks",
        data={"type": "record_exists", "hint": "h", "target_entity": "lead", "keep": "{bad"},
    )
    assert response.status_code == 422
    assert _exercise(course).content == before


def _form(html: str, attribute: str, value: str) -> str:
    start = html.index(f'{attribute}="{value}"')
    return html[start : html.index("</form>", start)]


def test_the_builder_shows_names_not_codes(client, exercise_course):
    course, key = exercise_course
    html = client.get(f"/author/courses/{course.slug}/lessons/{key}").get_data(as_text=True)
    check = _form(html, "data-check-form", "new")
    assert '<option value="record_exists" selected>A record exists</option>' in check
    assert ">record_exists<" not in check and ">field_equals<" not in check
    assert '<option value="sales_target">Sales target</option>' in check
    assert ">Customer since</option>" in html and ">customer_since<" not in html
    assert '<option value="first_response">First response</option>' in check
    assert ">A lead's status changed</option>" in check.replace("&#39;", "'")
    assert "(field_equals)" not in check and "(count_at_least)" not in check
    setup = _form(html, "data-setup-form", "new")
    assert '<option value="sales_target">Sales target</option>' in setup
    # One empty row to start with, and a button that adds more (app.js unhides it).
    rows = setup[: setup.index("<template")]
    assert rows.count("data-setup-row") == 1
    assert "data-add-row" in setup and "Add a row" in setup
    assert "@today" not in setup


def test_the_field_picker_lists_each_kind_of_records_fields(client, builder):
    course, base = builder
    _add_setup(client, base, "ticket", ("subject", "Broken"))
    response = client.post(
        f"{base}/checks",
        data={
            "type": "field_equals",
            "required": "y",
            "hint": "h",
            "target_setup": "ticket",
            "field": "priority",
            "value": "high",
        },
    )
    assert response.status_code == 302
    html = client.get(base).get_data(as_text=True)
    check = _form(html, "data-check-form", _exercise(course).content["checks"][0]["key"])
    picker = check[check.index('name="field"') :]
    picker = picker[: picker.index("</select>")]
    assert '<option value="priority" selected>Priority</option>' in picker
    # A ticket's fields are offered, a lead's are not; app.js refills the list from the
    # page's list of every field when the kind of record changes.
    assert '<option value="resolution_due" data-date>Resolution due</option>' in picker
    assert 'value="source"' not in picker
    assert '<option value="source" data-entities="lead">Source</option>' in html
    # A row whose kind of record is not chosen yet offers no fields until it is.
    new = _form(html, "data-check-form", "new")
    blank = new[new.index('name="filter-0-field"') :]
    assert blank[: blank.index("</select>")].count("<option") == 1


def test_relative_dates_are_picked_as_before_or_after_the_sandboxs_today(client, builder):
    course, base = builder
    _add_setup(
        client,
        base,
        "customer",
        ("first_name", "Sana"),
        ("customer_since", "", "3", "y", "before"),
        ("birthday", "", "0", "d", "after"),
    )
    _add_setup(
        client,
        base,
        "ticket",
        ("customer", "setup:customer"),
        ("first_response_due", "", "2", "h", "after"),
    )
    customer, ticket = _exercise(course).content["setup"]
    assert customer["fields"] == {
        "first_name": "Sana",
        "customer_since": "@today-3y",
        "birthday": "@today",
    }
    assert ticket["fields"]["first_response_due"] == "@now+2h"
    html = client.get(base).get_data(as_text=True)
    form = _form(html, "data-setup-form", "customer")
    assert 'name="field-1-amount" value="3"' in form
    assert '<option value="y" selected>years</option>' in form
    assert '<option value="before" selected>before</option>' in form
    assert "the sandbox's today" in form.replace("&#39;", "'")
    summary = html[html.index('data-setup="customer"') :]
    summary = summary[: summary.index("</summary>")].replace("&#39;", "'")
    assert "Customer" in summary and "3 years before the sandbox's today" in summary
    assert "@today" not in summary


def test_a_field_whose_values_are_codes_suggests_them_by_name(client, builder):
    course, base = builder
    _add_setup(client, base, "ticket", ("category", "billing"))
    html = client.get(base).get_data(as_text=True)
    form = _form(html, "data-setup-form", "ticket")
    assert 'name="field-0-value" value="billing"' in form
    assert 'list="codes-ticket-category"' in form
    codes = html[html.index('<datalist id="codes-ticket-category">') :]
    assert '<option value="billing">Billing</option>' in codes[: codes.index("</datalist>")]


def test_event_conditions_pick_from_the_events_details_by_name(client, builder):
    course, base = builder
    response = client.post(
        f"{base}/checks",
        data={
            "type": "event_happened",
            "required": "y",
            "hint": "h",
            "event-0-event": "lead.status_changed",
            "event-0-data-0-field": "to",
            "event-0-data-0-op": "equals",
            "event-0-data-0-value": "in_process",
        },
    )
    assert response.status_code == 302
    html = client.get(base).get_data(as_text=True).replace("&#39;", "'")
    check = _form(html, "data-check-form", _exercise(course).content["checks"][0]["key"])
    picker = check[check.index('name="event-0-data-0-field"') :]
    picker = picker[: picker.index("</select>")]
    assert '<option value="to" selected>New value</option>' in picker
    assert '<option value="from">Old value</option>' in picker
    assert 'value="days"' not in picker  # the clock's detail, not a status change's
    # app.js refills the list from every event's details when the event changes.
    assert '<option value="days" data-entities="clock.advanced">Days moved on</option>' in html
    help_text = check[check.index("What the event must hold") :]
    help_text = help_text[: help_text.index("</p>")]
    assert "New value" in help_text and "Days moved on" in help_text
    assert "in_process" not in help_text and " days " not in help_text


def test_step_and_filter_dates_are_picked_as_before_or_after_the_sandboxs_today(client, builder):
    course, base = builder
    _add_setup(client, base, "lead", ("first_name", "Noor"))
    step = _convert_noor("3")
    assert client.post(f"{base}/solution", data=step).status_code == 302
    check = {
        "type": "record_exists",
        "required": "y",
        "hint": "h",
        "target_entity": "customer",
        "filter-0-field": "customer_since",
        "filter-0-op": "equals",
        "filter-0-value": "",
        "filter-0-value-amount": "3",
        "filter-0-value-unit": "y",
        "filter-0-value-direction": "before",
    }
    assert client.post(f"{base}/checks", data=check).status_code == 302
    content = _exercise(course).content
    assert content["solution"][0]["close_date"] == "@today+3m"
    assert content["checks"][0]["target"]["filter"] == {"customer_since": "@today-3y"}
    html = client.get(base).get_data(as_text=True).replace("&#39;", "'")
    form = _form(html, "data-step-form", "0")
    assert 'name="action-0-close_date" value=""' in form
    assert 'name="action-0-close_date-amount" value="3"' in form
    assert '<option value="m" selected>months</option>' in form
    assert '<option value="after" selected>after</option>' in form
    assert "the sandbox's today" in form and "@today" not in form
    assert '<option value="h"' not in form  # a step's date is a day, never an hour
    form = _form(html, "data-check-form", content["checks"][0]["key"])
    assert 'name="filter-0-value" value=""' in form
    assert 'name="filter-0-value-amount" value="3"' in form
    assert '<option value="y" selected>years</option>' in form
    assert "@today" not in form
    # A date and a typed value at once, or no number, is refused at the field.
    for amount, typed in (("3", "@today"), ("soon", "")):
        bad = {**check, "filter-0-value": typed, "filter-0-value-amount": amount}
        response = client.post(f"{base}/checks", data=bad)
        assert response.status_code == 422
        assert 'data-error-for="filter-0-value"' in response.get_data(as_text=True)
    bad = {**step, "action-0-close_date-amount": "lots"}
    response = client.post(f"{base}/solution", data=bad)
    assert response.status_code == 422
    assert 'data-error-for="action-0-close_date"' in response.get_data(as_text=True)


def test_a_field_value_check_on_a_date_is_picked_as_before_or_after_the_sandboxs_today(
    client, builder
):
    course, base = builder
    _add_setup(client, base, "customer", ("first_name", "Sana"))
    check = {
        "type": "field_equals",
        "required": "y",
        "hint": "h",
        "target_setup": "customer",
        "field": "birthday",
        "value": "",
        "value-amount": "30",
        "value-unit": "y",
        "value-direction": "before",
    }
    response = client.post(f"{base}/checks", data=check)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    stored = _exercise(course).content["checks"][0]
    assert stored["value"] == "@today-30y"
    form = _form(client.get(base).get_data(as_text=True), "data-check-form", stored["key"])
    assert 'name="value" value=""' in form and 'name="value-amount" value="30"' in form
    assert "@today" not in form
    response = client.post(f"{base}/checks", data={**check, "value": "@today"})
    assert response.status_code == 422  # a date and a typed value at once


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"type": "field_equals", "target_entity": "lead", "field": "shoe_size", "value": "9"},
            "field",
        ),
        (
            {
                "type": "record_exists",
                "target_entity": "lead",
                "filter-0-field": "status",
                "filter-0-value": "new",
                "filter-1-field": "shoe_size",
                "filter-1-value": "9",
            },
            "filter-1-field",
        ),
    ],
)
def test_the_course_format_refuses_what_the_form_lets_through_at_its_field(
    client, exercise_course, data, field
):
    """The builder checks what it makes with the course format, as an imported file is."""
    course, key = exercise_course
    before = _exercise(course).content
    response = client.post(
        f"/author/courses/{course.slug}/lessons/{key}/checks", data={"hint": "h", **data}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "shoe_size" in html and f'data-error-for="{field}"' in html
    assert _exercise(course).content == before


def test_the_step_form_offers_the_actions_the_course_format_knows():
    from portal.authoring.exercise.actions import ACTION_LABELS, ACTIONS
    from portal.courseformat.solution import ACTIONS as FORMAT_ACTIONS

    assert tuple(ACTIONS) == FORMAT_ACTIONS and tuple(ACTION_LABELS) == FORMAT_ACTIONS
