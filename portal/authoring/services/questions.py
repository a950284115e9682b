"""A quiz's questions, or a reading's knowledge check, and their choices."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.authoring.services.drafts import load, save
from portal.authoring.services.errors import AuthoringError
from portal.authoring.services.keys import slugify, unique_key
from portal.authoring.services.structure import lesson_in
from portal.courseformat import LessonKind, Question, QuestionKind, stored_question
from portal.courseformat.course import READING_CHECKS
from portal.learning.models import Course


def save_question(
    course: Course,
    lesson_key: str,
    question_key: str | None,
    *,
    kind: str,
    prompt: str,
    explanation: str,
    choices: list[dict],
    actor: User,
) -> str:
    """Add or replace one question; choices are dicts with text, correct and feedback."""
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    if lesson.kind not in (LessonKind.QUIZ, LessonKind.READING):
        raise AuthoringError(_("Only quizzes and readings have questions."))
    full = lesson.kind == LessonKind.READING and len(lesson.questions) >= READING_CHECKS
    if question_key is None and full:
        raise AuthoringError(
            _("A reading's check has at most %(count)d questions.", count=READING_CHECKS)
        )
    prompt = prompt.strip()
    if not prompt:
        raise AuthoringError(_("Write the question."), "prompt")
    if kind not in tuple(QuestionKind):
        raise AuthoringError(_("Choose a question type."), "kind")
    existing = next((q for q in lesson.questions if q.key == question_key), None)
    if kind == QuestionKind.TRUE_FALSE:
        choices = _true_false_choices(choices, existing, bundle.language)
    filled = [c for c in choices if c.get("text", "").strip()]
    if len(filled) < 2:
        raise AuthoringError(_("Fill in at least two choices."), "choices")
    if kind == QuestionKind.TRUE_FALSE and len(filled) != 2:
        raise AuthoringError(_("A true/false question has exactly two choices."), "choices")
    correct = sum(1 for c in filled if c.get("correct"))
    if correct == 0:
        raise AuthoringError(_("Mark at least one choice as correct."), "choices")
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and correct > 1:
        raise AuthoringError(
            _(
                "This question type has exactly one correct choice; %(count)d are marked.",
                count=correct,
            ),
            "choices",
        )
    if question_key and existing is None:
        raise AuthoringError(_("That question is not in this quiz."))
    old_choices = {c.key: c for c in existing.choices} if existing else {}
    taken_choice_keys: set[str] = set()
    parsed = []
    for choice in filled:
        key = choice.get("key") if choice.get("key") in old_choices else None
        key = key or unique_key(
            slugify(choice["text"], "choice"), taken_choice_keys | set(old_choices)
        )
        taken_choice_keys.add(key)
        parsed.append(
            {
                "key": key,
                "text": choice["text"].strip(),
                "correct": bool(choice.get("correct")),
                "feedback": choice.get("feedback", "").strip(),
            }
        )
    question = stored_question(
        {
            "key": question_key
            or unique_key(slugify(prompt, "question"), {q.key for q in lesson.questions}),
            "kind": kind,
            "prompt": prompt,
            "explanation": explanation.strip(),
            "choices": parsed,
        }
    )
    if existing is not None:
        lesson.questions[lesson.questions.index(existing)] = question
    else:
        lesson.questions.append(question)
    save(draft, bundle, actor)
    return question.key


def _true_false_choices(
    choices: list[dict], existing: Question | None, language: str
) -> list[dict]:
    """Exactly the two choices True and False, in the course's language, keeping the keys a
    true/false question had; `choices` gives each one's correct mark and feedback."""
    if len(choices) != 2:
        raise AuthoringError(_("A true/false question has exactly two choices."), "choices")
    if not any(c.get("correct") for c in choices):
        raise AuthoringError(_("Choose whether True or False is the correct answer."), "choices")
    with force_locale(language):
        texts = (_("True"), _("False"))
    was_true_false = existing is not None and existing.kind == QuestionKind.TRUE_FALSE
    kept = existing.choices if was_true_false else []
    keys = [c.key for c in kept] if len(kept) == 2 else ["true", "false"]
    return [
        {**choice, "key": key, "text": text}
        for choice, key, text in zip(choices, keys, texts, strict=True)
    ]


def remove_question(course: Course, lesson_key: str, question_key: str, actor: User) -> None:
    draft, bundle = load(course)
    lesson = lesson_in(bundle, lesson_key)
    before = len(lesson.questions)
    lesson.questions = [q for q in lesson.questions if q.key != question_key]
    if len(lesson.questions) == before:
        raise AuthoringError(_("That question is not in this quiz."))
    save(draft, bundle, actor)
