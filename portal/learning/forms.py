"""Learner forms: a quiz's answers (one row per question), and the lesson buttons' fields."""

from __future__ import annotations

from wtforms import FieldList, Form, FormField, HiddenField, IntegerField, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from portal.forms import PortalForm
from portal.learning.models import Lesson

MAX_QUESTIONS = 200  # more rows than any quiz has: a longer list was not sent by the page


class AnswerForm(Form):
    """One question's answer: the question's id and the ids of the choices picked.

    Which choices belong to which question is the scoring service's rule (it refuses
    others as tampering), so the field takes any whole numbers here.
    """

    question = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    choices = SelectMultipleField(coerce=int, validate_choice=False)


class QuizForm(PortalForm):
    answers = FieldList(FormField(AnswerForm), max_entries=MAX_QUESTIONS)

    @classmethod
    def blank(cls, lesson: Lesson) -> QuizForm:
        """The form as the quiz page first shows it: a row per question, nothing picked."""
        rows = [{"question": q.id, "choices": []} for q in lesson.questions if not q.archived]
        return cls(formdata=None, answers=rows)

    def chosen(self) -> dict[int, set[int]]:
        """Question id -> the choice ids picked, as the scoring service takes them."""
        return {row.question.data: set(row.choices.data or ()) for row in self.answers}


class DoneForm(PortalForm):
    """Mark a reading as done; `last` ("1") when it finishes the course."""

    last = HiddenField()


class LeaveForm(PortalForm):
    """Close an exercise's panel, then go back to the page it was on (`next`)."""

    next_page = HiddenField(name="next")
