"""Converting a lead: into a new account, or into one the duplicate check found. The view
sets the `into` choices; the service checks the chosen record is this sandbox's and fits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import Length, NumberRange, Optional, StopValidation

from portal.forms import PortalForm
from sandbox import profiles
from sandbox.codes import BUDGET_STATUSES
from sandbox.forms import STRIP, part_field
from sandbox.vocabulary import PART_LABELS, choices


class ConvertForm(PortalForm):
    """Converting a lead: an account and a contact always, an opportunity if wanted.

    `into` is "new", or "account-<id>" / "person-<id>" for a record the duplicate check
    found (the view lists them).
    """

    into = RadioField(_l("Convert into"), default="new", validate_choice=False)
    create_opportunity = BooleanField(_l("Also create an opportunity"), default=True)
    opportunity_name = StringField(
        _l("Opportunity name"), filters=STRIP, validators=[Length(max=160)]
    )
    amount = DecimalField(
        _l("Amount"),
        places=2,
        validators=[Optional(), NumberRange(min=0, message=_l("The amount cannot be negative."))],
        render_kw={"inputmode": "decimal"},
    )
    stage = SelectField(_l("Stage"), default="prospecting")
    close_date = DateField(_l("Expected close date"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = choices("stage", profiles.active().open_stages())
        self.into.choices = [("new", _l("A new record"))]

    def validate_opportunity_name(self, field) -> None:
        """Required when an opportunity is wanted."""
        if self.create_opportunity.data and not field.data:
            raise StopValidation(str(_l("Name the opportunity.")))

    def target(self) -> tuple[str, int | None]:
        """The chosen kind ("new", "account", "person") and record id; ("", None) when the
        value is not one of those shapes."""
        kind, _dash, number = (self.into.data or "new").partition("-")
        if kind == "new" and not number:
            return kind, None
        if kind in ("account", "person") and number.isdigit() and len(number) < 10:
            return kind, int(number)
        return "", None


class QualificationForm(PortalForm):
    """Qualifying a lead (BANT): need, authority, budget, timing."""

    need = part_field("need", description=_l("What they want to solve or achieve."))
    authority = StringField(
        PART_LABELS["authority"],
        filters=STRIP,
        validators=[Length(max=200)],
        description=_l("Who signs off the purchase, and their role."),
    )
    budget = DecimalField(
        PART_LABELS["budget"],
        places=2,
        validators=[Optional(), NumberRange(min=0, message=_l("The budget cannot be negative."))],
        render_kw={"inputmode": "decimal"},
    )
    budget_status = SelectField(PART_LABELS["budget_status"], default="unknown")
    timing = DateField(
        PART_LABELS["timing"],
        validators=[Optional()],
        description=_l("When they want it in place."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget_status.choices = choices("budget_status", BUDGET_STATUSES)
