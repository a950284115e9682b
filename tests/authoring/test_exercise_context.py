"""What the exercise editor's templates read, and the step form's htmx GET, which only reads."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from portal.authoring.exercise.context import SOLUTION_FORMS, VOCABULARY
from portal.authoring.models import CourseDraft
from portal.extensions import db
from seed.learning_demo import import_builtin_courses

TEMPLATES = Path(__file__).resolve().parents[2] / "portal/authoring/templates/authoring"
# The templates call the lists and helpers as v.NAME (vocabulary) and s.NAME (solution_forms).
USED = re.compile(r"\b([vs])\.([A-Za-z_]\w*)")


def test_every_name_the_exercise_templates_call_is_provided():
    used = {
        (prefix, name)
        for path in TEMPLATES.glob("*.html")
        for prefix, name in USED.findall(path.read_text())
    }
    assert ("v", "check_fields") in used and ("s", "step_fields") in used
    provided = {"v": VOCABULARY, "s": SOLUTION_FORMS}
    missing = sorted(f"{p}.{name}" for p, name in used if not hasattr(provided[p], name))
    assert not missing, f"the templates call names the context does not give: {missing}"
    unused = sorted(
        f"{p}.{name}"
        for p, space in provided.items()
        for name in vars(space)
        if (p, name) not in used
    )
    assert not unused, f"the context gives names no template calls: {unused}"


def test_fetching_an_actions_fields_starts_no_draft(client, trainer, app_ctx):
    import_builtin_courses()
    db.session.commit()
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 0
    response = client.get(
        "/author/courses/after-sale-service/lessons/billing-and-defect-tickets/solution/action",
        query_string={"slot": "0", "index": "", "last": "1", "action-0-do": "ticket.respond"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'name="action-0-message"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 0


def test_the_builder_names_every_event_and_its_data():
    from portal.authoring.exercise.labels import EVENT_FIELD_LABELS, EVENT_FIELDS, EVENT_LABELS
    from sandbox.codes import EVENT_VERBS

    assert sorted(EVENT_LABELS) == sorted(EVENT_VERBS)
    assert sorted(EVENT_FIELDS) == sorted(EVENT_VERBS)
    unnamed = {key for keys in EVENT_FIELDS.values() for key in keys} - set(EVENT_FIELD_LABELS)
    assert not unnamed, f"event data the builder has no name for: {sorted(unnamed)}"
