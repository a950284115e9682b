"""An exercise's task (Markdown) and hints: the text a learner reads."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.authoring.services import AuthoringError, clean_title, lesson_in, load, save
from portal.learning.models import Course

TASK_MAX = 20000  # the course format's limit for an exercise's task
HINTS_MAX = 20
HINT_MAX = 1000


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
    title = clean_title(title, _("Enter a lesson title."))
    if not task.strip():
        raise AuthoringError(_("Describe the task."), "task")
    if len(task.strip()) > TASK_MAX:
        raise AuthoringError(
            _("Keep the task to %(count)d characters or fewer.", count=TASK_MAX), "task"
        )
    hint_lines = [line.strip() for line in hints.splitlines() if line.strip()]
    if len(hint_lines) > HINTS_MAX or any(len(line) > HINT_MAX for line in hint_lines):
        raise AuthoringError(
            _(
                "Give at most %(count)d hints of up to %(length)d characters each.",
                count=HINTS_MAX,
                length=HINT_MAX,
            ),
            "hints",
        )
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    lesson.title, lesson.minutes, lesson.required, lesson.body = (
        title,
        minutes,
        required,
        task.strip(),
    )
    lesson.content["hints"] = hint_lines
    save(draft, bundle, actor)
