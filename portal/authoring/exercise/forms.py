"""The exercise builder's forms: every repeated row is a FieldList of a row form.

The field names are the ones the builder's templates and readers use: a setup record's rows
are field-0-name, field-0-value; a check's condition rows filter-0-field, with rows of
their own for a linked record (filter-0-filter-0-field); a step's actions action-0-do,
action-0-ticket. A date control beside a value is <value>-amount, -unit and -direction.

WTForms reads and bounds what was sent (how many rows, how long each value, no control
characters, at any depth). What the rows mean (a code from the list, a setup key that
exists, a relative date) is the readers' rule in checks, conditions, step_form and
setup_records, which read a validated form through `values(form)`; a refusal names the
field by its full name and lands on that field (`BuilderForm` finds nested fields by name).

The templates render from the forms too: a stored item's form is filled as if it had been
sent (check_fields, step_fields, setup_form), a refused one is the form as sent, so either
way each control shows its field's data and its errors (`Fields` looks them up by name).
"""

from __future__ import annotations

from types import SimpleNamespace

from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length

from portal.authoring.exercise.actions import ACTIONS, MAX_ACTIONS
from portal.authoring.exercise.checks import MAX_EVENTS, check_form_values
from portal.authoring.exercise.conditions import MAX_DEPTH, MAX_ROWS
from portal.authoring.exercise.entities import relative_parts, show_value
from portal.authoring.exercise.labels import TIME_FIELDS
from portal.authoring.exercise.step_form import step_form_values
from portal.forms import PortalForm, walk

# What any one value may hold. Shorter limits are the readers' rules, with their own messages
# ("The minimum is a whole number of at least 1." rather than "too long").
SHORT = LONG = [Length(max=20000)]


def _text(**kwargs) -> StringField:
    return StringField(validators=SHORT, **kwargs)


def _kept(**kwargs) -> HiddenField:
    """A part carried through as JSON (it may be long, and hold line breaks)."""
    return HiddenField(validators=LONG, **kwargs)


def _date_control(name: str) -> dict:
    """The "3 years before the sandbox's today" control of field `name`."""
    return {
        f"{name}_amount": _text(name=f"{name}-amount"),
        f"{name}_unit": _text(name=f"{name}-unit"),
        f"{name}_direction": _text(name=f"{name}-direction"),
    }


def _condition_row(depth: int) -> type[Form]:
    """A condition row; below MAX_DEPTH a row that links to a record has rows of its own."""
    fields = {
        "field": _text(),
        "op": _text(),
        "value": _text(),
        **_date_control("value"),
        "entity": _text(),
    }
    if depth < MAX_DEPTH:
        fields["filter"] = FieldList(FormField(_condition_row(depth + 1)), max_entries=MAX_ROWS)
    return type(f"ConditionRow{depth}", (Form,), fields)


def _target() -> dict:
    """A check's (or an event's) record: a setup record, or a kind with condition rows."""
    return {
        "target_setup": _text(),
        "target_entity": _text(),
        "target_bare": _text(),
        "target_keep": _kept(),
        "filter": FieldList(FormField(_condition_row(1)), max_entries=MAX_ROWS),
    }


def values(form: Form) -> dict[str, str]:
    """The form's fields by full name (filter-0-value), as the readers and templates use them."""
    return {
        field.name: field.data
        for field in walk(form)
        if isinstance(field.data, str) and field.name != "csrf_token"
    }


def errors(form: Form) -> dict[str, str]:
    """The first error of each field at fault, by full name (templates mark those fields)."""
    return {field.name: str(field.errors[0]) for field in walk(form) if field.errors}


class Fields:
    """A builder form's fields by full name (filter-0-value), as its templates read them.

    The templates show a row or two more than the form holds (one to fill in); a name the
    form has no field for reads as an empty field without errors. `values` and `errors` are
    the form's, for the helpers that count rows and open sections.
    """

    def __init__(self, form: Form):
        self.form = form
        self._named = {field.name: field for field in walk(form)}
        self.values = values(form)
        self.errors = errors(form)

    def __getitem__(self, name: str):
        field = self._named.get(name)
        if field is None:
            return SimpleNamespace(name=name, data="", errors=[])
        return field


class BuilderForm(PortalForm):
    """A builder form: a domain error naming a row's field (filter-0-value) lands on it.

    `portal.domain.show_error` looks the field up with getattr; names of fields in rows
    are no attributes, so they are found here.
    """

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        for field in walk(self):
            if field.name == name:
                return field
        raise AttributeError(name)


class ExerciseTextForm(BuilderForm):
    """The task and hints; their limits are save_exercise_text's, with its messages."""

    # A field left out of the post reads as empty, so the service says what is missing.
    title = StringField(default="")
    minutes = StringField(default="")
    required = StringField(default="")
    task = TextAreaField(default="")
    hints = TextAreaField(default="")


def text_form(lesson) -> ExerciseTextForm:
    """The task form filled from the draft's exercise `lesson`."""
    data = {
        "title": lesson.title,
        "minutes": str(lesson.minutes),
        "required": "y" if lesson.required else "",
        "task": lesson.body,
        "hints": "\n".join(lesson.content.get("hints", [])),
    }
    return ExerciseTextForm(formdata=None, meta={"csrf": False}, data=data)


class SetupRow(Form):
    """One field of a setup record; a date may come from the date control instead."""

    name = _text()
    value = _text()
    amount = _text()
    unit = _text()
    direction = _text()


ROW_TEMPLATE = "__row__"  # the number app.js gives a row that "Add a row" copies


class SetupForm(BuilderForm):
    record_key = _text()
    entity = _text()
    field = FieldList(FormField(SetupRow), max_entries=MAX_ROWS)

    def rows(self) -> list[tuple[str, ...]]:
        """(name, value, amount, unit, direction) of each row, as save_setup_record takes them."""
        names = ("name", "value", "amount", "unit", "direction")
        return [tuple(row.form[name].data or "" for name in names) for row in self.field]

    def with_blank_row(self) -> SetupForm:
        """The form with an empty row at the end to fill in (the way to add one without
        JavaScript), unless its last row is empty already or there is no room."""
        last = self.field.entries[-1].form if self.field.entries else None
        filled = last is None or any(field.data for field in last)
        if filled and len(self.field.entries) < MAX_ROWS:
            self.field.append_entry()
        return self

    @staticmethod
    def blank_row() -> SetupRow:
        """The row "Add a row" copies, numbered ROW_TEMPLATE (app.js numbers it)."""
        return SetupRow(prefix=f"field-{ROW_TEMPLATE}-")


class ScenarioRow(Form):
    """One scenario event: its key and kind, the setup record it happens on, when (minutes
    after the start, or after the learner's action on a record), and what it says."""

    key = _text()
    kind = _text()
    record = _text()
    minutes = _text()
    after_event = _text()
    after_record = _text()
    subject = _text()
    body = TextAreaField(validators=[Length(max=5000)])
    category = _text()
    priority = _text()


class ScenarioForm(BuilderForm):
    """The exercise's running clock and its scenario events, one row each."""

    rate = _text()
    business_hours = BooleanField()
    event = FieldList(FormField(ScenarioRow), max_entries=MAX_ROWS)

    def rows(self) -> list[dict[str, str]]:
        """Each row's values, as save_scenario takes them."""
        return [{n: f.data or "" for n, f in row.form._fields.items()} for row in self.event]

    def with_blank_row(self) -> ScenarioForm:
        """The form with an empty row at the end to fill in, unless its last is empty."""
        last = self.event.entries[-1].form if self.event.entries else None
        if (last is None or any(f.data for f in last)) and len(self.event.entries) < MAX_ROWS:
            self.event.append_entry()
        return self


def scenario_form(content: dict) -> ScenarioForm:
    """The form for an exercise's stored clock and scenario events, with a row to fill."""
    rows = []
    for event in content.get("scenario_events") or []:
        field = next((f for f in ("ticket", "customer", "lead") if f in event), "ticket")
        after = event.get("after") or {}
        rows.append(
            {
                "key": event.get("key", ""),
                "kind": event.get("kind", ""),
                "record": (event.get(field) or {}).get("setup", ""),
                "minutes": str(event.get("minutes", 0)),
                "after_event": after.get("event", ""),
                "after_record": after.get("setup", "") or "",
                "subject": event.get("subject", ""),
                "body": event.get("body", ""),
                "category": event.get("category", ""),
                "priority": event.get("priority", ""),
            }
        )
    clock = content.get("clock") or {}
    data = {
        "rate": str(clock.get("rate", "")),
        "business_hours": bool(clock.get("business_hours")),
        "event": rows,
    }
    return ScenarioForm(formdata=None, meta={"csrf": False}, data=data).with_blank_row()


def setup_form(record: dict | None = None) -> SetupForm:
    """The setup form for a stored record (a new one when None), with an empty row to fill.

    A date one step from the sandbox's today shows in the date control, not as @today-3y.
    """
    rows = []
    for name, value in (record or {}).get("fields", {}).items():
        parts = relative_parts(value) if name in TIME_FIELDS else None
        row = {"name": name, "value": "" if parts else show_value(value)}
        if parts:
            row.update(zip(("amount", "unit", "direction"), parts, strict=True))
        rows.append(row)
    data = {
        "record_key": (record or {}).get("key", ""),
        "entity": (record or {}).get("entity", ""),
        "field": rows,
    }
    return SetupForm(formdata=None, meta={"csrf": False}, data=data).with_blank_row()


EventForm = type(
    "EventForm",
    (Form,),
    {
        "event": _text(),
        "data": FieldList(FormField(_condition_row(MAX_DEPTH)), max_entries=MAX_ROWS),
        **_target(),
    },
)
CheckForm = type(
    "CheckForm",
    (BuilderForm,),
    {
        "check_key": _text(),
        "type": _text(),
        "required": _text(),
        "description": _text(),
        "hint": _text(),
        "keep": _kept(),
        **_target(),
        "field": _text(),
        "value": _text(),
        **_date_control("value"),
        "not_empty": _text(),
        "min": _text(),
        "measure": _text(),
        "event": FieldList(FormField(EventForm), max_entries=MAX_EVENTS),
    },
)


def _action_fields() -> dict:
    """One field per argument any action takes (`as` is a keyword: the attribute is as_)."""
    fields: dict = {"do": _text(), "raw": _kept(), "keep": _kept()}
    for params in ACTIONS.values():
        for param in params:
            attribute = f"{param.name}_"
            if param.kind == "long":
                fields[attribute] = TextAreaField(name=param.name, validators=LONG)
            else:
                fields[attribute] = _text(name=param.name)
            if param.kind == "date":
                fields.update(_date_control(param.name))
    return fields


ActionForm = type("ActionForm", (Form,), _action_fields())


class StepForm(BuilderForm):
    index = _text()
    fingerprint = _text()
    layout = _text()
    keep = _kept()
    text = TextAreaField(validators=LONG)
    action = FieldList(FormField(ActionForm), max_entries=MAX_ACTIONS)


class StepMoveForm(BuilderForm):
    """Which step to move or remove, as the page saw it (its digest), and which way."""

    index = _text()
    fingerprint = _text()
    direction = _text()


def _filled(form_class: type[BuilderForm], shown: dict[str, str]) -> Fields:
    """A form holding `shown` (full names to text), as if it had been sent so."""
    return Fields(form_class(formdata=MultiDict(shown), meta={"csrf": False}))


def check_fields(check: dict | None) -> Fields:
    """The check form's fields for a stored check, or for a new one (None)."""
    shown = check_form_values(check) if check else {"type": "record_exists", "required": "y"}
    return _filled(CheckForm, shown)


def step_fields(step=None) -> Fields:
    """The step form's fields for a stored step, or for a new one (None)."""
    return _filled(StepForm, step_form_values(step) if step is not None else {})
