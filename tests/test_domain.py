"""portal.domain: a refused change is rolled back and shown where the page wants it."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from wtforms import Form, StringField

from portal.accounts.models import Department
from portal.domain import DomainError, transaction
from portal.extensions import db


class NameForm(Form):
    name = StringField()


def _departments() -> list[str]:
    return sorted(d.name for d in db.session.scalars(db.select(Department)))


def test_the_block_commits_when_nothing_refuses(app_ctx):
    with transaction(NameForm()) as saved:
        db.session.add(Department(name="Sales"))
    assert saved and saved.error is None
    db.session.rollback()  # what was committed stays
    assert _departments() == ["Sales"]


def test_a_refusal_rolls_back_and_stands_at_its_field(app_ctx):
    form = NameForm()
    with transaction(form) as saved:
        db.session.add(Department(name="Half-saved"))
        db.session.flush()
        raise DomainError("Taken.", "name")
    assert not saved
    assert form.name.errors == ["Taken."] and form.form_errors == []
    assert saved.aside_message is None
    assert _departments() == []


def test_a_refusal_without_a_field_goes_above_the_form(app_ctx):
    form = NameForm()
    with transaction(form) as saved:
        raise DomainError("Not now.")
    assert form.form_errors == ["Not now."] and saved.error.message == "Not now."


@pytest.mark.parametrize("field", ["emails", None])
def test_a_field_put_aside_stays_off_the_form(app_ctx, field):
    form = NameForm()
    with transaction(form, aside={field}) as saved:
        raise DomainError("Shown elsewhere.", field)
    assert saved.aside_message == "Shown elsewhere."
    assert form.errors == {}


def test_without_a_form_every_refusal_is_aside(app_ctx):
    with transaction() as saved:
        raise DomainError("No form.", "name")
    assert saved.aside_message == "No form."


def test_other_errors_roll_back_and_go_on(app_ctx):
    with pytest.raises(KeyError), transaction(NameForm()):
        db.session.add(Department(name="Half-saved"))
        db.session.flush()
        raise KeyError("boom")
    assert _departments() == []


def test_flash_says_done_or_what_refused(app):
    with app.test_request_context():
        with transaction() as saved:
            pass
        saved.flash("Done.")
        with transaction() as refused:
            raise DomainError("Refused.")
        refused.flash("Done.")
        assert get_flashed_messages(with_categories=True) == [
            ("success", "Done."),
            ("danger", "Refused."),
        ]
