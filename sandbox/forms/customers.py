"""The customer form: a person's or a company's details, tier and marketing consent.

One form for both kinds; the page shows a company's name or a person's names and
employer. The view sets the company choices; the service checks the rules that need the
sandbox (a company in this CRM, a birthday not after the sandbox's today).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from portal.forms import PortalForm
from sandbox.forms import STRIP, LeadForm, _record_id
from sandbox.vocabulary import choices


class CustomerForm(PortalForm):
    """A customer's contact details, profile and consent, for a new record or an edit."""

    first_name = StringField(_l("First name"), filters=STRIP, validators=[Length(max=80)])
    last_name = StringField(_l("Last name"), filters=STRIP, validators=[Length(max=80)])
    company = StringField(_l("Company name"), filters=STRIP, validators=[Length(max=160)])
    company_id = SelectField(_l("Works for"), coerce=_record_id, validate_choice=False)
    title = StringField(_l("Job title"), filters=STRIP, validators=[Length(max=120)])
    # Checked as a lead's are: a valid address, a phone number of digits, spaces, + ( ) -.
    email = LeadForm.email
    phone = LeadForm.phone
    city = StringField(_l("City"), filters=STRIP, validators=[Length(max=80)])
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    tier = SelectField(_l("Tier"), default="bronze", validate_choice=False)
    preferences = StringField(
        _l("Interested in, preferences"),
        filters=STRIP,
        validators=[Length(max=255)],
        description=_l(
            "Product groups they are interested in (hardware, software, supplies, service) "
            "decide the offers on their page."
        ),
    )
    email_consent = BooleanField(_l("Agrees to marketing email"))
    consent_channel = SelectField(_l("Agreed or withdrew by"), default="", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = choices("tier")
        self.consent_channel.choices = [("", _l("Choose…"))] + choices("channel")
