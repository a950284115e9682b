"""Translations in the browser: start one from a published course, edit its lessons'
text beside the original's, and state that it is up to date with the original.

A translation is a course of its own (portal.learning.translations): its draft is edited
and published like any other, keeping the original's keys, kinds and right answers.
Here only its text changes: the fields `text_fields` lists, each with the format's limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.authoring.services.drafts import load, save, start_draft
from portal.authoring.services.errors import AuthoringError
from portal.authoring.services.keys import unique_key
from portal.config import LANGUAGES
from portal.courseformat import CourseBundle, Problem, bundle_from_dict
from portal.courseformat.course import LessonData, LessonKind
from portal.extensions import db
from portal.forms import NOT_ALLOWED, has_forbidden_characters
from portal.learning.importer import latest_version
from portal.learning.models import Course
from portal.learning.translations import course_fingerprint


@dataclass
class TextField:
    """One piece of a lesson's text: `path` names it in the form and in the lesson."""

    path: str
    label: str
    value: str
    limit: int
    required: bool = False
    lines: int = 2


def _body_field(lesson: LessonData) -> TextField:
    if lesson.kind == LessonKind.READING:
        return TextField("body", _("Reading (Markdown)"), lesson.body, 50000, True, 18)
    if lesson.kind == LessonKind.QUIZ:
        return TextField("body", _("Introduction"), lesson.body, 5000, False, 4)
    return TextField("body", _("Task (Markdown)"), lesson.body, 20000, True, 14)


def text_fields(lesson: LessonData) -> list[TextField]:
    """Everything a translator translates in the lesson, in reading order."""
    fields = [TextField("title", _("Title"), lesson.title, 200, True, 1), _body_field(lesson)]
    for question in lesson.questions:
        q = f"q.{question.key}"
        fields.append(TextField(f"{q}.prompt", _("Question"), question.prompt, 2000, True))
        for choice in question.choices:
            c = f"{q}.c.{choice.key}"
            fields.append(TextField(f"{c}.text", _("Choice"), choice.text, 1000, True, 1))
            fields.append(TextField(f"{c}.feedback", _("Feedback"), choice.feedback, 2000))
        fields.append(TextField(f"{q}.explanation", _("Explanation"), question.explanation, 4000))
    if lesson.kind == LessonKind.EXERCISE:
        for check in lesson.content.get("checks", []):
            c = f"check.{check.get('key')}"
            description = check.get("description", "")
            fields.append(TextField(f"{c}.description", _("Check"), description, 500))
            fields.append(TextField(f"{c}.hint", _("Hint"), check.get("hint", ""), 1000))
        for number, hint in enumerate(lesson.content.get("hints", [])):
            fields.append(TextField(f"hint.{number}", _("Hint"), hint, 1000, True))
    return fields


def _set(lesson: LessonData, path: str, value: str) -> None:
    """Put `value` at `path` (one of text_fields' paths) in the lesson."""
    parts = path.split(".")
    if parts[0] in ("title", "body"):
        setattr(lesson, parts[0], value)
    elif parts[0] == "q":
        question = next(q for q in lesson.questions if q.key == parts[1])
        if len(parts) == 3:
            setattr(question, parts[2], value)
        else:
            choice = next(c for c in question.choices if c.key == parts[3])
            setattr(choice, parts[4], value)
    elif parts[0] == "check":
        content = dict(lesson.content)
        checks = [dict(check) for check in content.get("checks", [])]
        check = next(check for check in checks if check.get("key") == parts[1])
        if value:
            check[parts[2]] = value
        else:
            check.pop(parts[2], None)
        lesson.content = content | {"checks": checks}
    else:
        hints = list(lesson.content.get("hints", []))
        hints[int(parts[1])] = value
        lesson.content = dict(lesson.content) | {"hints": hints}


def course_fields(bundle: CourseBundle) -> list[TextField]:
    """The course's own text: title, summary, cover and module titles."""
    fields = [
        TextField("title", _("Course title"), bundle.title, 200, True, 1),
        TextField("summary", _("Summary"), bundle.summary, 2000, False, 3),
        TextField("cover", _("Cover text (Markdown)"), bundle.cover, 20000, False, 6),
    ]
    for module in bundle.modules:
        fields.append(TextField(f"module.{module.key}", _("Module"), module.title, 200, True, 1))
    return fields


def translated_values(fields: list[TextField], form: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The text of `fields` as posted in `form` (a mapping of path to text), and the
    problems found: path -> message. A field not posted keeps its text."""
    values, errors = {}, {}
    for item in fields:
        value = form.get(item.path)
        if value is None:
            continue
        value = value.replace("\r\n", "\n").strip()
        if len(value) > item.limit:
            errors[item.path] = _("At most %(limit)d characters.", limit=item.limit)
        elif item.required and not value:
            errors[item.path] = _("This text is required.")
        elif has_forbidden_characters(value, multi_line=True):
            errors[item.path] = str(NOT_ALLOWED)
        values[item.path] = value
    return values, errors


def _draft_of_translation(course: Course):
    if course.translation_of_id is None:
        raise AuthoringError(_("This course is not a translation."))
    return load(course)


def save_lesson_text(course: Course, key: str, values: dict[str, str], actor: User) -> None:
    """Store the lesson's translated text in the translation's draft."""
    draft, bundle = _draft_of_translation(course)
    lesson = next((item for item in bundle.lessons if item.key == key), None)
    if lesson is None:
        raise AuthoringError(_("That lesson is not in this course."))
    for path, value in values.items():
        _set(lesson, path, value)
    save(draft, bundle, actor)


def save_course_text(course: Course, values: dict[str, str], actor: User) -> None:
    """Store the course's translated title, summary, cover and module titles."""
    draft, bundle = _draft_of_translation(course)
    details = {name: values[name] for name in ("title", "summary", "cover") if name in values}
    modules = [
        module.model_copy(update={"title": values.get(f"module.{module.key}", module.title)})
        for module in bundle.modules
    ]
    save(draft, bundle.model_copy(update={**details, "modules": modules}), actor)


def original_bundle(course: Course) -> CourseBundle:
    """The original's text as learners see it now (its latest published version)."""
    original = db.session.get(Course, course.translation_of_id)
    version = latest_version(original) if original is not None else None
    if version is None:
        raise AuthoringError(_("The original of this translation has not been published."))
    return bundle_from_dict(version.data)


def start_translation(original: Course, language: str, actor: User) -> Course:
    """A new, unpublished translation of `original` into `language`, its draft a copy of
    the original's published text to translate, made from the original as it is now."""
    if original.translation_of_id is not None:
        raise AuthoringError(_("Translate the original course, not a translation of it."))
    if language not in LANGUAGES or language == original.language:
        raise AuthoringError(_("Choose another language than the original's."), "language")
    version = latest_version(original)
    if version is None:
        raise AuthoringError(_("Publish the course before translating it."))
    taken_language = db.session.scalar(
        select(Course.slug).where(
            Course.translation_of_id == original.id, Course.language == language
        )
    )
    if taken_language:
        raise AuthoringError(_("This course already has a translation in that language."))
    slug = unique_key(f"{original.slug}-{language}", set(db.session.scalars(select(Course.slug))))
    bundle = bundle_from_dict(version.data).model_copy(
        update={
            "slug": slug,
            "language": language,
            "translation_of": original.slug,
            "source_version": course_fingerprint(original),
        }
    )
    course = Course(
        slug=slug,
        title=bundle.title,
        summary=bundle.summary,
        language=language,
        translation_of_id=original.id,
        published=False,
        version=0,
    )
    db.session.add(course)
    db.session.flush()
    return start_draft(course, bundle, actor)


def follow_original(translation: CourseBundle, original: CourseBundle) -> CourseBundle:
    """The original's structure, keys, answers and checks, in the translation's words
    where it has them: a lesson it lacks comes in the original's words, to translate."""
    mine = {lesson.key: lesson for lesson in translation.lessons}
    lessons = []
    for source in original.lessons:
        lesson = source.model_copy(deep=True)
        translated = mine.get(source.key)
        if translated is not None and translated.kind == source.kind:
            paths = {item.path for item in text_fields(lesson)}
            for item in text_fields(translated):
                if item.path in paths and (item.value or not item.required):
                    _set(lesson, item.path, item.value)
        lessons.append(lesson)
    titles = {module.key: module.title for module in translation.modules}
    modules = [
        module.model_copy(update={"title": titles.get(module.key, module.title)})
        for module in original.modules
    ]
    return translation.model_copy(update={"modules": modules, "lessons": lessons})


def mark_current(course: Course, actor: User) -> None:
    """The trainer has brought the draft up to date with the original as published now:
    the draft takes the original's structure (see follow_original) and states its
    fingerprint, so publishing it makes the translation current."""
    if course.translation_of_id is None:
        raise AuthoringError(_("This course is not a translation."))
    original = db.session.get(Course, course.translation_of_id)
    draft, bundle = load(course)
    bundle = follow_original(bundle, original_bundle(course)).model_copy(
        update={"source_version": course_fingerprint(original)}
    )
    save(draft, bundle, actor)


def _answers(lesson: LessonData) -> object:
    """What a translation may not change in a lesson: its kind, questions' keys and right
    answers, a quiz's pass mark, and the exercise's setup and checks but for their words."""
    checks = [
        {k: v for k, v in check.items() if k not in ("description", "hint")}
        for check in lesson.content.get("checks", [])
    ]
    setup_keys = [record.get("key") for record in lesson.content.get("setup", [])]
    return (
        lesson.kind,
        lesson.content.get("pass_mark"),
        [(q.key, q.kind, [(c.key, c.correct) for c in q.choices]) for q in lesson.questions],
        setup_keys,
        checks,
    )


def translation_problems(course: Course, bundle: CourseBundle) -> list[Problem]:
    """What stops a translation draft that states the original's current text from
    publishing: its modules, lessons, answers or checks differ from the original's."""
    if course.translation_of_id is None or not bundle.source_version:
        return []
    original = db.session.get(Course, course.translation_of_id)
    if original is None or bundle.source_version != course_fingerprint(original):
        return []
    theirs = original_bundle(course)
    problems = []
    if [(m.key, m.lessons) for m in bundle.modules] != [(m.key, m.lessons) for m in theirs.modules]:
        problems.append(_differs("course.yaml", None))
    sources = {lesson.key: lesson for lesson in theirs.lessons}
    for lesson in bundle.lessons:
        source = sources.get(lesson.key)
        if source is not None and _answers(source) != _answers(lesson):
            problems.append(_differs(f"{lesson.key}", lesson.key))
    return problems


def _differs(file: str, lesson: str | None) -> Problem:
    message = _(
        "This translation states the original's current version but its lessons, answers "
        'or checks differ from the original\'s: use "I have brought it up to date" on the '
        "Translations tab."
    )
    return Problem(file, None, message, lesson=lesson, code="translation_differs")
