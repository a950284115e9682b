"""Rollout forms. Choices that come from the database are filled in by the views."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from portal.forms import PortalForm
from portal.rollout.metrics import GATE_METRICS, GOAL_METRICS, METRICS, Metric
from portal.rollout.models import Horizon, PhaseStatus
from portal.rollout.strategy import MAX_SCORE, Priority, Raci

NOBODY = 0


class PlanForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    target_go_live = DateField(_l("Target go-live"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class PhaseForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    starts_on = DateField(_l("Starts"), validators=[Optional()])
    ends_on = DateField(_l("Ends"), validators=[Optional()])
    owner_id = SelectField(_l("Owner"), coerce=int, default=NOBODY)
    status = SelectField(_l("Status"), choices=PhaseStatus.choices())
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    implementation = BooleanField(
        _l("Implementation starts with this phase"),
        description=_l(
            "It cannot start before the plan has a goal for each horizon, an owner for "
            "every phase and a go-live date for every wave."
        ),
    )
    budget_planned = FloatField(_l("Planned budget"), validators=[Optional(), NumberRange(min=0)])

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise FieldError(_l("The phase cannot end before it starts."))


class MilestoneForm(PortalForm):
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=200)])
    owner_id = SelectField(_l("Owner"), coerce=int, default=NOBODY)
    due_on = DateField(_l("Due"), validators=[Optional()])


def _check_range(metric_field: str):
    """A validator: the number fits the chosen metric (a percentage is at most 100)."""

    def check(form, field) -> None:
        if field.data is None:
            return
        metric = getattr(form, metric_field).data
        if metric not in set(Metric):
            return  # the metric's own field says it is not a valid choice
        maximum = METRICS[Metric(metric)].maximum
        if not 0 <= field.data <= maximum:
            raise FieldError(
                _l("Enter a number between 0 and %(max)s.", max=format_decimal(maximum))
            )

    return check


class GoalForm(PortalForm):
    horizon = SelectField(_l("Horizon"), choices=Horizon.choices())
    title = StringField(_l("Goal"), validators=[DataRequired(), Length(max=200)])
    metric = SelectField(_l("Measured by"), choices=[(m.value, m.info.label) for m in GOAL_METRICS])
    target = FloatField(_l("Target"), validators=[InputRequired(), _check_range("metric")])
    manual_value = FloatField(
        _l("Measured value"),
        validators=[Optional(), _check_range("metric")],
        description=_l("Only for a goal measured by hand."),
    )
    due_on = DateField(_l("By"), validators=[Optional()])
    objective_id = SelectField(_l("Serves the objective"), coerce=int, default=NOBODY)


class WaveForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    go_live_on = DateField(_l("Go-live date"), validators=[DataRequired()])
    lead_days = IntegerField(
        _l("Lead time (days)"),
        default=14,
        validators=[InputRequired(), NumberRange(0, 365)],
        description=_l("Courses tied to the wave are due this many days before go-live."),
    )
    department_ids = SelectMultipleField(_l("Departments"), coerce=int)

    def validate_department_ids(self, field) -> None:
        if not field.data:
            raise FieldError(_l("Choose at least one department."))


class CriterionForm(PortalForm):
    kind = SelectField(_l("Criterion"), choices=[(m.value, m.info.label) for m in GATE_METRICS])
    threshold = FloatField(_l("Threshold"), validators=[InputRequired(), _check_range("kind")])


class TieCourseForm(PortalForm):
    course = SelectField(_l("Course"), coerce=int)
    required = BooleanField(_l("Required"), default=True)
    lead_days = IntegerField(
        _l("Due this many days before go-live"),
        default=14,
        validators=[InputRequired(), NumberRange(0, 365)],
    )


class SignOffForm(PortalForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("go", _l("Go")), ("no_go", _l("No-go"))],
        validators=[InputRequired(_l("Choose go or no-go."))],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Required for a no-go, and for a go on a gate that says no-go."),
    )


class MissionForm(PortalForm):
    mission = TextAreaField(
        _l("Mission in a sentence"), validators=[DataRequired(), Length(max=500)]
    )


class ObjectiveForm(PortalForm):
    title = StringField(_l("Objective"), validators=[DataRequired(), Length(max=300)])


class RequirementForm(PortalForm):
    title = StringField(_l("Requirement"), validators=[DataRequired(), Length(max=300)])
    priority = SelectField(_l("Priority"), choices=Priority.choices())
    department_id = SelectField(_l("Department"), coerce=int, default=NOBODY)


class ScoreForm(PortalForm):
    candidate = SelectField(_l("CRM"))
    score = IntegerField(_l("Score (0–5)"), validators=[InputRequired(), NumberRange(0, MAX_SCORE)])
    note = StringField(_l("Note from the demo"), validators=[DataRequired(), Length(max=1000)])


class DecisionForm(PortalForm):
    profile = SelectField(_l("Chosen CRM"))
    rationale = TextAreaField(_l("Rationale"), validators=[DataRequired(), Length(max=4000)])
    confirm = BooleanField(_l("Yes, change the CRM learners practise in"))


class RaciForm(PortalForm):
    department_id = SelectField(_l("Department"), coerce=int)
    role = SelectField(_l("Role"), choices=[("", _l("None"))] + Raci.choices())


class BudgetForm(PortalForm):
    amount = FloatField(_l("Approved budget"), validators=[InputRequired(), NumberRange(min=0)])


class OverrideForm(PortalForm):
    reason = TextAreaField(
        _l("Why this phase starts before the previous one is signed off"),
        validators=[DataRequired(), Length(min=20, max=4000)],
    )
