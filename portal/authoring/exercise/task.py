"""An exercise's task (Markdown) and hints: the text a learner reads."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.authoring.services import AuthoringError, lesson_in, load, save
from portal.learning.models import Course


def save_exercise_text(
    course: Course,
    lesson_key: str,
    *,
    title: str,
    minutes: int,
    required: bool,
    task: str,
    hints: str,
    actor: User,
) -> None:
    """The task (Markdown) and the hints, one per line; solution steps have their own forms."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    title = " ".join(title.split())
    if not title:
        raise AuthoringError(_("Enter a lesson title."), "title")
    if not task.strip():
        raise AuthoringError(_("Describe the task."), "task")
    lesson.title, lesson.minutes, lesson.required, lesson.body = (
        title,
        minutes,
        required,
        task.strip(),
    )
    lesson.content["hints"] = [line.strip() for line in hints.splitlines() if line.strip()]
    save(draft, bundle, actor)
