"""Forms of the usage import (upload, then the mapping screen) and of adoption tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.adoption.importing import MAX_BYTES, MAX_ROWS
from portal.adoption.presets import PRESETS, REQUIRED, TARGETS
from portal.forms import PortalForm, csv_file_field

PERIOD_CHOICES = [("1", _l("A day")), ("7", _l("A week"))]


def _preset_choices() -> list[tuple[str, str]]:
    return [("", _l("None: I will map the columns"))] + [
        (key, preset.name) for key, preset in PRESETS.items()
    ]


class UsageUploadForm(PortalForm):
    """The CSV, the report it comes from, and how long a row's period is."""

    preset = SelectField(_l("The report comes from"), choices=_preset_choices(), default="")
    days = RadioField(
        _l("Each row counts"), choices=PERIOD_CHOICES, default="7", validators=[InputRequired()]
    )
    file = csv_file_field(MAX_BYTES, MAX_ROWS)


class UsageMappingForm(PortalForm):
    """A select per target field listing the file's headers; built by `mapping_form`."""

    days = RadioField(
        _l("Each row counts"), choices=PERIOD_CHOICES, default="7", validators=[InputRequired()]
    )
    preview = SubmitField(_l("Preview"))
    commit = SubmitField(_l("Import"))

    def mapping(self) -> dict[str, str]:
        """target -> the header chosen for it (unmapped targets left out)."""
        return {
            target: getattr(self, f"map_{target}").data
            for target in TARGETS
            if getattr(self, f"map_{target}").data
        }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for target in REQUIRED:
            field = getattr(self, f"map_{target}")
            if not field.data:
                field.errors = [*field.errors, _l("Choose the column that holds this.")]
                valid = False
        return valid

    def target_fields(self):
        return [getattr(self, f"map_{target}") for target in TARGETS]


def mapping_form(header: list[str], **kwargs) -> UsageMappingForm:
    """The mapping form for a file with this header: one select per target."""
    choices = [("", _l("— not in the file —"))] + [(name, name) for name in header if name]
    fields = {
        f"map_{target}": SelectField(label, choices=choices, default="")
        for target, label in TARGETS.items()
    }
    return type("UsageMappingFormFor", (UsageMappingForm,), fields)(**kwargs)


class AdoptionTokenForm(PortalForm):
    name = StringField(
        _l("Who uses it"),
        description=_l("For example: the nightly export from our CRM."),
        validators=[DataRequired(), Length(max=80)],
    )
