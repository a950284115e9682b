"""The CSV import's forms: the upload, then one review form (column mapping, rows to
skip, what to do with duplicates) that either previews or imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from portal.accounts.forms import MultiCheckboxField
from portal.forms import PortalForm, csv_file_field
from sandbox.services.import_preview import FIELD_LABELS, FIELDS
from sandbox.services.imports import MAX_BYTES, MAX_ROWS
from sandbox.vocabulary import entity_label


class ImportUploadForm(PortalForm):
    """Which records the file holds, and the file."""

    entity = RadioField(_l("The file holds"), default="lead", validators=[InputRequired()])
    file = csv_file_field(MAX_BYTES, MAX_ROWS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity.choices = [
            ("lead", entity_label("lead", plural=True)),
            ("customer", entity_label("customer", plural=True)),
        ]


class ImportReviewForm(PortalForm):
    """A field per CSV column, the lines to skip and the duplicates choice.

    Built by `review_form` for one upload: one select per column of its header.
    """

    skip = MultiCheckboxField(_l("Skip"), coerce=int)
    duplicates = RadioField(
        _l("Rows that may already be in the CRM"),
        choices=[("skip", _l("Skip them")), ("import", _l("Import them anyway"))],
        default="skip",
    )
    # Sent by the Import button; any other submit only updates the preview.
    commit = SubmitField(_l("Import"))


def review_form(entity: str, columns: int, lines: list[int], **kwargs) -> ImportReviewForm:
    """The review form for an upload of `entity` with this many columns and these lines."""
    choices = [("", _l("— do not import —"))] + [
        (name, FIELD_LABELS[name]) for name in FIELDS[entity]
    ]
    form_class = type(
        "ImportReviewFormFor",
        (ImportReviewForm,),
        {
            "columns": FieldList(
                SelectField(choices=choices), min_entries=columns, max_entries=columns
            )
        },
    )
    form = form_class(**kwargs)
    form.skip.choices = [(line, str(line)) for line in lines]
    return form
