"""Forms for signing in, account settings and admin user management."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.roles import Role
from portal.forms import PortalForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(PortalForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class UserForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    department_id = SelectField(_l("Department"), coerce=int, validators=[Optional()])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=120)])
    roles = MultiCheckboxField(_l("Roles"), choices=Role.choices)
    locale = SelectField(_l("Language"), validators=[Optional()])
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to keep the current password."),
    )
    require_change = BooleanField(_l("Ask for a new password at next sign-in"), default=True)
    manages_department = BooleanField(
        _l("Manages the department"),
        description=_l("Gets a weekly email naming who in the department is behind."),
    )
    invite = BooleanField(
        _l("Email an invitation to choose a password"),
        default=True,
        description=_l("Without a mail server you get the link to hand out instead."),
    )


class PasswordChangeForm(PortalForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class LanguageForm(PortalForm):
    locale = SelectField(_l("Language"), validators=[DataRequired()])


class DepartmentForm(PortalForm):
    name = StringField(_l("Department name"), validators=[DataRequired(), Length(max=80)])


class RosterForm(PortalForm):
    file = FileField(
        _l("Roster file (CSV)"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
        ],
    )
    invite = BooleanField(
        _l("Email each new person an invitation to choose a password"),
        default=True,
        description=_l("Without a mail server you get the links to hand out instead."),
    )
    initial_password = PasswordField(
        _l("Initial password for new accounts"),
        validators=[Optional(), Length(max=200)],
        description=_l(
            "Optional. New people sign in with it once and must then choose their own. "
            "Without it, new accounts cannot sign in until you set a password."
        ),
    )


class ConfirmForm(PortalForm):
    """An empty form: its CSRF token is what a POST button needs."""


class ActiveForm(ConfirmForm):
    """The enable/disable button on a user: "1" enables, anything else disables."""

    active = HiddenField()

    @property
    def make_active(self) -> bool:
        return self.active.data == "1"


class ForgotPasswordForm(PortalForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(PortalForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class EmailSettingsForm(PortalForm):
    reminder_emails = BooleanField(_l("Email me reminders about courses due soon or overdue"))
    digest_emails = BooleanField(
        _l("Email me the weekly digest"),
        description=_l(
            "For a department's manager: who is behind. For executives: readiness, gates "
            "that changed and the next go-live."
        ),
    )
