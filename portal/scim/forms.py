"""The admin's form for a new SCIM token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.forms import PortalForm


class ScimTokenForm(PortalForm):
    name = StringField(
        _l("Who uses it"),
        description=_l("For example: Microsoft Entra ID, or Okta (production)."),
        validators=[DataRequired(), Length(max=80)],
    )
