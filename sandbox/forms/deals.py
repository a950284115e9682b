"""The deal form: what a salesperson edits on an opportunity. The view sets the owner and
contact choices; the service checks they belong to this sandbox and this deal's account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.forms import PortalForm
from sandbox.forms import STRIP, _record_id, required_line

# The largest amount the column holds (Numeric(12, 2)).
AMOUNT_LIMIT = 9_999_999_999


def _picked_id(value):
    """A select's record id; None when nothing is picked, 0 (no record's id, so the service
    refuses it) when the value is not an id at all."""
    if value in ("", None):
        return None
    picked = _record_id(value)
    return 0 if picked is None else picked


class DealForm(PortalForm):
    """An opportunity's name, amount, expected close date, owner, contact and next step."""

    name = required_line(_l("Opportunity name"), _l("Name the opportunity."), 160)
    amount = DecimalField(
        _l("Amount"),
        places=2,
        validators=[
            InputRequired(_l("Enter the amount, 0 or more.")),
            NumberRange(min=0, message=_l("The amount cannot be negative.")),
            NumberRange(max=AMOUNT_LIMIT, message=_l("That amount is too large.")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    close_date = DateField(_l("Expected close date"), validators=[Optional()])
    owner_id = SelectField(_l("Owner"), coerce=_picked_id, validate_choice=False)
    contact_id = SelectField(_l("Contact"), coerce=_picked_id, validate_choice=False)
    next_step = StringField(_l("Next step"), filters=STRIP, validators=[Length(max=255)])
