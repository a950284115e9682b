"""The sandbox's forms. They check the shape of the input (required, formats, choices);
the services check the CRM's rules and report a broken one on the field at fault."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
)

from portal.arguments import parse_id
from portal.forms import PortalForm
from sandbox import profiles
from sandbox.codes import LEAD_SOURCES
from sandbox.models import TEXT_LIMIT
from sandbox.services.contacts import PHONE
from sandbox.vocabulary import PART_LABELS, choices


def _strip(value):
    """Surrounding spaces off; a field missing from the request reads as empty text."""
    return value.strip() if isinstance(value, str) else ""


STRIP = [_strip]


def required_line(label, message, max_length: int) -> StringField:
    """A one-line text the learner must fill in (`message` when they do not), stripped of
    surrounding spaces, of at most `max_length` characters."""
    return StringField(
        label, filters=STRIP, validators=[DataRequired(message), Length(max=max_length)]
    )


def part_field(part: str, *validators, description="") -> TextAreaField:
    """A structured note's part (a resolution's cause, a lead's need...) as a two-row
    text of at most 5,000 characters, labelled as the part."""
    return TextAreaField(
        PART_LABELS[part],
        filters=STRIP,
        validators=[*validators, Length(max=5000)],
        description=description,
        render_kw={"rows": 2},
    )


class LeadForm(PortalForm):
    """A lead's details, for logging a new lead or editing one."""

    first_name = required_line(_l("First name"), _l("Enter the lead's first name."), 80)
    last_name = StringField(_l("Last name"), filters=STRIP, validators=[Length(max=80)])
    company = StringField(_l("Company"), filters=STRIP, validators=[Length(max=160)])
    title = StringField(_l("Job title"), filters=STRIP, validators=[Length(max=120)])
    email = EmailField(
        _l("Email"),
        filters=STRIP,
        validators=[Optional(), Email(_l("Enter a valid email address.")), Length(max=254)],
    )
    phone = StringField(
        _l("Phone"),
        filters=STRIP,
        validators=[
            Optional(),
            Regexp(PHONE, message=_l("Enter a phone number: digits, spaces, + ( ) -.")),
        ],
    )
    source = SelectField(_l("Source"), default="other", validate_choice=False)
    # A salesperson's id or "" (nobody); the view sets the choices, the service checks them.
    owner_id = SelectField(_l("Assigned to"), default="", validate_choice=False)
    description = TextAreaField(
        _l("Description"), filters=STRIP, validators=[Length(max=5000)], render_kw={"rows": 3}
    )
    # Set once the duplicate warning has been shown: saving again means "it is new".
    confirm_duplicate = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = choices("lead_source")

    def owner(self) -> int | None:
        """The chosen colleague's id; None for nobody, 0 (no record's id, so the service
        refuses it) when the value is not an id."""
        value = self.owner_id.data
        if value in ("", None):
            return None
        picked = value if isinstance(value, int) else parse_id(str(value))
        return 0 if picked is None else picked

    def validate_source(self, field) -> None:
        """Only the vocabulary's sources."""
        if field.data not in LEAD_SOURCES:
            raise StopValidation(str(_l("Choose where the lead came from.")))


class LeadStatusForm(PortalForm):
    """The inline status select on a lead's page."""

    status = SelectField(_l("Status"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Converting has its own form: it creates the customer and the deal.
        profile = profiles.active()
        statuses = profile.codes("lead_status")
        converted = profile.plays("lead_status", "converted")
        self.status.choices = choices("lead_status", [s for s in statuses if s not in converted])


class ActivityForm(PortalForm):
    """A call, email, meeting, note or task on a record."""

    kind = SelectField(_l("Kind"), default="note")
    subject = StringField(_l("Subject"), filters=STRIP, validators=[Length(max=200)])
    body = TextAreaField(
        _l("What happened"), filters=STRIP, validators=[Length(max=5000)], render_kw={"rows": 2}
    )
    due_on = DateField(_l("Due (tasks)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices("activity")


class StageForm(PortalForm):
    """Moving a deal to another stage (closing needs a reason)."""

    stage = SelectField(_l("Move to stage"))
    reason = StringField(
        _l("Reason (needed to close won or lost)"), filters=STRIP, validators=[Length(max=255)]
    )
    from_board = HiddenField()  # "1" when the move came from the pipeline board

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chance = profiles.active().probability
        self.stage.choices = [
            (code, f"{label} ({chance(code)}%)") for code, label in choices("stage")
        ]


def _record_id(value):
    """A select's record id, or None when empty, not a number or past the largest id (the
    service refuses it; a huge number would overflow the database's integer)."""
    if isinstance(value, int):
        return value
    return parse_id(value) if isinstance(value, str) else None


class TicketForm(PortalForm):
    """Logging a ticket from a customer's call, email, visit or web form.

    The view sets the customer and purchase choices; the service checks that both are this
    sandbox's and that the purchase is the customer's.
    """

    customer_id = SelectField(_l("Customer"), coerce=_record_id, validate_choice=False)
    channel = SelectField(_l("Contacted us by"), default="phone", validate_choice=False)
    subject = required_line(_l("Subject"), _l("Write what the customer needs, in a line."), 200)
    category = SelectField(_l("Category"), validate_choice=False)
    priority = SelectField(_l("Priority"), default="normal", validate_choice=False)
    purchase_id = SelectField(_l("About the purchase"), coerce=_record_id, validate_choice=False)
    description = TextAreaField(
        _l("Description"),
        filters=STRIP,
        validators=[Length(max=TEXT_LIMIT)],
        render_kw={"rows": 4},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = choices("channel")
        self.category.choices = choices("category")
        self.priority.choices = choices("priority")


class CategoryForm(PortalForm):
    """A ticket's new category and, if it changes hands, its new assignee (view's choices)."""

    category = SelectField(_l("Category"), validate_choice=False)
    assignee = SelectField(_l("Hand it to"), coerce=_record_id, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices("category")


class AssignForm(PortalForm):
    """Giving a ticket to a colleague (choices set by the view)."""

    assignee = SelectField(_l("Assign to"), coerce=int)


class PriorityForm(PortalForm):
    """A ticket's priority."""

    priority = SelectField(_l("Priority"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority.choices = choices("priority")


class RespondForm(PortalForm):
    """A reply to the customer on a ticket."""

    message = TextAreaField(
        _l("Reply to the customer"),
        filters=STRIP,
        validators=[DataRequired(_l("Write the reply.")), Length(max=5000)],
        render_kw={"rows": 3},
    )


class ResolveForm(PortalForm):
    """Resolving a ticket: what was wrong, what we did (required), what the customer
    should expect now."""

    resolution_cause = part_field("resolution_cause")
    resolution_action = part_field(
        "resolution_action", DataRequired(_l("Write what you did to resolve it."))
    )
    resolution_expectation = part_field(
        "resolution_expectation", description=_l("What happens next for them, and when.")
    )


class CloseForm(PortalForm):
    """Closing a resolved ticket with the customer's satisfaction."""

    satisfaction = SelectField(
        _l("Customer satisfaction"),
        coerce=int,
        choices=[(n, f"{n} / 5") for n in range(5, 0, -1)],
        validators=[InputRequired(_l("Record the customer's satisfaction, from 1 to 5."))],
    )


class SetAsideForm(PortalForm):
    """Rejecting a ticket or marking it a duplicate, with a reason."""

    status = SelectField(_l("Set aside as"))
    note = required_line(_l("Why"), _l("Say why, for the customer and your colleagues."), 500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices("ticket_status", ["rejected", "duplicate"])


class AutomationForm(PortalForm):
    """An automation rule and its email template."""

    name = required_line(_l("Name"), _l("Name the automation."), 120)
    trigger = SelectField(_l("Send when"))
    subject = required_line(_l("Subject"), _l("Write the email's subject."), 200)
    body = TextAreaField(
        _l("Email"),
        filters=[lambda value: value or ""],
        validators=[DataRequired(_l("Write the email.")), Length(max=5000)],
        render_kw={"rows": 6},
    )
    active = BooleanField(_l("Switched on"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trigger.choices = [("", _l("Choose…"))] + choices("trigger")

    def validate_trigger(self, field) -> None:
        """Only the vocabulary's triggers."""
        if field.data not in dict(choices("trigger")):
            raise StopValidation(str(_l("Choose when the email is sent.")))


class AutomationSwitchForm(PortalForm):
    """The on/off button on a rule: "y" switches it on, anything else off."""

    active = HiddenField()


class TaskDoneForm(PortalForm):
    """The "done" button on a task: next is "home" when ticked off on the sandbox home."""

    next = HiddenField()


class ClockForm(PortalForm):
    """Moving the sandbox clock on by a day or a week."""

    days = SelectField(_l("Days"), coerce=int, choices=[(1, "1"), (7, "7")])
    next = HiddenField()  # the sandbox page to go back to
