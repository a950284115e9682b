"""What the exercise editor's templates read, under the names they use.

The lesson page passes `vocabulary` (the task, check and setup forms' lists and helpers,
and the forms filled from the draft) and `solution_forms` (the step forms'); each gathers
the names its templates call.
"""

from __future__ import annotations

from types import SimpleNamespace

from portal.authoring.exercise import (
    actions,
    checks,
    conditions,
    entities,
    forms,
    labels,
    step_form,
    steps,
)


def options(codes, names) -> list[tuple[str, str]]:
    """(code, its name in `names`) for a select, in the order of `codes`."""
    return [(code, labels.label(names, code)) for code in codes]


VOCABULARY = SimpleNamespace(
    options=options,
    text_form=forms.text_form,
    setup_form=forms.setup_form,
    scenario_form=forms.scenario_form,
    check_fields=forms.check_fields,
    fields=forms.Fields,
    ENTITY_FIELDS=entities.ENTITY_FIELDS,
    SETUP_FIELDS=entities.SETUP_FIELDS,
    TARGET_ENTITIES=entities.TARGET_ENTITIES,
    relative_parts=entities.relative_parts,
    CHECK_TYPE_LABELS=labels.CHECK_TYPE_LABELS,
    ENTITY_LABELS=labels.ENTITY_LABELS,
    EVENT_LABELS=labels.EVENT_LABELS,
    EVENT_FIELDS=labels.EVENT_FIELDS,
    EVENT_FIELD_LABELS=labels.EVENT_FIELD_LABELS,
    SLA_LABELS=labels.SLA_LABELS,
    TIME_FIELDS=labels.TIME_FIELDS,
    FILTER_FIELDS=labels.FILTER_FIELDS,
    label=labels.label,
    field_options=labels.field_options,
    fields_of=labels.fields_of,
    value_words=entities.value_words,
    code_lists=entities.code_lists,
    OPERATORS=conditions.OPERATORS,
    OPERATOR_LABELS=conditions.OPERATOR_LABELS,
    row_numbers=conditions.row_numbers,
    can_link=conditions.can_link,
    CHECK_TYPES=checks.CHECK_TYPES,
    EVENTS=checks.EVENTS,
    SLA_MEASURES=checks.SLA_MEASURES,
    event_numbers=checks.event_numbers,
    event_detailed=checks.event_detailed,
    kept_fields=checks.kept_fields,
)
SOLUTION_FORMS = SimpleNamespace(
    step_fields=forms.step_fields,
    fields=forms.Fields,
    ACTIONS=actions.ACTIONS,
    ACTION_LABELS=actions.ACTION_LABELS,
    code_label=actions.code_label,
    slot_numbers=step_form.slot_numbers,
    kept_names=step_form.kept_names,
    fingerprint=steps.fingerprint,
    step_actions=steps.step_actions,
    names_before=steps.names_before,
    ref_options=steps.ref_options,
    relative_parts=entities.relative_parts,
)
