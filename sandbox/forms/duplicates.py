"""The merge screen's form: which records, which survives, and whose value each field keeps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField
from wtforms.validators import InputRequired

from portal.forms import PortalForm
from sandbox.forms import _record_id
from sandbox.services.duplicates import CHOICES


class MergeForm(PortalForm):
    """Merging records: `ids` the records, `survivor` the one kept, and one `keep_<field>`
    per field a merge chooses (sandbox.services.duplicates.MERGE_FIELDS), naming the record
    whose value the survivor keeps; unset means the survivor's own.

    The service checks that every id is among the records merged; the view that they are
    all this sandbox's.
    """

    ids = SelectMultipleField(_l("Records"), coerce=_record_id, validate_choice=False)
    survivor = RadioField(
        _l("Record to keep"),
        coerce=_record_id,
        validate_choice=False,
        validators=[InputRequired(_l("Choose which record survives."))],
    )

    def keep(self, name: str):
        """The choice field of one merge field."""
        return self[f"keep_{name}"]

    def kept(self, names) -> dict[str, int | None]:
        """Whose value each of `names` keeps (None: the survivor's)."""
        return {name: self.keep(name).data for name in names}


for _name in CHOICES:
    setattr(
        MergeForm,
        f"keep_{_name}",
        RadioField(_name, coerce=_record_id, validate_choice=False),
    )
