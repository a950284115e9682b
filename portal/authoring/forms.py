"""Authoring forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal import clock
from portal.config import LANGUAGES
from portal.forms import MoveForm, PortalForm
from portal.learning.models import LessonKind, QuestionKind

LANGUAGE_CHOICES = list(LANGUAGES.items())
KIND_CHOICES = [
    (LessonKind.READING.value, _l("Reading")),
    (LessonKind.QUIZ.value, _l("Quiz")),
    (LessonKind.EXERCISE.value, _l("Hands-on exercise")),
]
MAX_CHOICES = 20  # rows a question form reads
QUESTION_KINDS = [
    (QuestionKind.SINGLE.value, _l("Single choice")),
    (QuestionKind.MULTIPLE.value, _l("Multiple choice")),
    (QuestionKind.TRUE_FALSE.value, _l("True or false")),
]


class CourseForm(PortalForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown in the catalogue and on the course page."),
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    cover = TextAreaField(
        _l("Cover text"),
        validators=[Optional(), Length(max=20000)],
        description=_l(
            "Markdown. The course page opens with it: who the course is for, what they will "
            "be able to do, how long it takes."
        ),
    )


class TitleForm(PortalForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])


class NewLessonForm(PortalForm):
    title = StringField(_l("Lesson title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)


class StructureForm(MoveForm):
    """What the editor's structure buttons post (see TitleForm, NewLessonForm for the boxes).

    No rules of its own beyond PortalForm's: the services check title and kind, each with a
    message naming what is missing, and those messages are the ones the editor shows.
    """

    title = StringField(default="")
    kind = StringField(default="")


class LessonBasicsForm(PortalForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    minutes = IntegerField(_l("Minutes"), validators=[DataRequired(), NumberRange(1, 600)])
    required = BooleanField(_l("Required to finish the course"))


class ReadingForm(LessonBasicsForm):
    body = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=50000)])


class QuizSettingsForm(LessonBasicsForm):
    pass_mark = IntegerField(_l("Pass mark (%)"), validators=[DataRequired(), NumberRange(1, 100)])
    intro = TextAreaField(
        _l("Introduction (Markdown, optional)"), validators=[Optional(), Length(max=5000)]
    )


class ChoiceForm(Form):
    key = HiddenField()
    text = StringField(_l("Choice"), validators=[Optional(), Length(max=1000)])
    correct = BooleanField(_l("Correct"), false_values=("", "n"))
    feedback = StringField(_l("Feedback when chosen"), validators=[Optional(), Length(max=2000)])


class TrueFalseRow(Form):
    """True or False: the feedback a learner sees after picking it."""

    feedback = StringField(_l("Feedback when chosen"), validators=[Optional(), Length(max=2000)])


class QuestionForm(PortalForm):
    question_key = HiddenField()  # empty for a new question
    kind = SelectField(_l("Type"), choices=QUESTION_KINDS)
    prompt = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    explanation = TextAreaField(
        _l("Explanation shown after answering"), validators=[Optional(), Length(max=4000)]
    )
    # Single and multiple choice: rows choice-0-text, choice-0-correct... (empty rows drop out
    # in the service). True or false: which of the two is correct, and each one's feedback.
    choice = FieldList(FormField(ChoiceForm), max_entries=MAX_CHOICES)
    tf_correct = StringField(name="tf-correct", validators=[Optional(), Length(max=1)])
    tf = FieldList(FormField(TrueFalseRow), min_entries=2, max_entries=2)

    def submitted_choices(self) -> list[dict]:
        """The choices as save_question takes them, for the question's kind."""
        if self.kind.data == QuestionKind.TRUE_FALSE:
            return [
                {"correct": self.tf_correct.data == str(i), "feedback": row.feedback.data or ""}
                for i, row in enumerate(self.tf)
            ]
        return [
            {
                "key": row.key.data or "",
                "text": row.text.data or "",
                "correct": row.correct.data,
                "feedback": row.feedback.data or "",
            }
            for row in self.choice
        ]

    def choice_errors(self) -> list[str]:
        """The errors of the choice rows, shown together below them."""
        rows = [*self.choice, *self.tf]
        return [error for row in rows for field in row.form for error in field.errors]


class AssignmentForm(PortalForm):
    departments = SelectMultipleField(_l("Departments"), coerce=int, validators=[Optional()])
    # Email addresses, one per line or comma-separated; the service names any it cannot find.
    emails = TextAreaField(_l("People (email addresses, one per line)"), default="")
    due_on = DateField(_l("Due date"), validators=[Optional()])
    required = BooleanField(_l("Required"), default=True)
    # A rollout wave assigns the course to the wave's departments, due a number of days
    # before its go-live; the due date then moves with the go-live date.
    wave = SelectField(_l("Rollout wave"), coerce=int, default=0, validators=[Optional()])
    lead_days = IntegerField(
        _l("Days before go-live"), default=14, validators=[Optional(), NumberRange(0, 365)]
    )
    # Empty: the portal's LATE_JOINER_DAYS.
    late_joiner_days = IntegerField(
        _l("Days for people who join later"),
        description=_l(
            "Someone who joins an assigned department after today is due this "
            "many days after joining, or on the due date if that is later."
        ),
        validators=[Optional(), NumberRange(1, 365)],
    )

    def validate_due_on(self, field) -> None:
        if field.data and field.data < clock.today():
            raise ValidationError(_l("The due date is in the past."))


class AssignmentChangeForm(PortalForm):
    """One assignment's due date and whether it is required, changed in place."""

    due_on = DateField(_l("Due date"), validators=[Optional()])
    required = BooleanField(_l("Required"))
    late_joiner_days = IntegerField(
        _l("Days for people who join later"), validators=[Optional(), NumberRange(1, 365)]
    )


class NudgeForm(PortalForm):
    """The learners ticked on the progress report; only learners of the report may be."""

    user = SelectMultipleField(coerce=int, validators=[DataRequired()])

    def __init__(self, learner_ids, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = [(learner_id, "") for learner_id in learner_ids]


class UploadForm(PortalForm):
    file = FileField(
        _l("Course bundle (.zip)"), validators=[FileRequired(_l("Choose a .zip file."))]
    )
    existing = RadioField(
        _l("If a course with the same short name already exists"),
        choices=[
            ("stop", _l("Stop and tell me")),
            ("replace", _l("Replace its draft with the upload")),
            ("copy", _l("Import as a copy, beside it")),
        ],
        default="stop",
    )
