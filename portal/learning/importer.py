"""Write a validated course bundle to the database, keeping learners' progress.

Content is matched by key: a lesson, question or choice with the same key is updated in
place (so progress and attempts that point at it stay valid); one that is no longer in
the files is archived, never deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.authoring.models import CourseVersion
from portal.courseformat import validate_exercise
from portal.courseformat.course import (
    CourseBundle,
    LessonKind,
    Question,
    bundle_from_dict,
    bundle_to_dict,
)
from portal.courseformat.files import read_folder
from portal.courseformat.problems import FormatError, Problem
from portal.courseformat.reader import read_course
from portal.extensions import db
from portal.learning.changes import describe_changes
from portal.learning.models import Course, Lesson, Module, QuizChoice, QuizQuestion
from portal.learning.translations import fingerprint


@dataclass
class ImportResult:
    slug: str
    outcome: str  # created | updated | unchanged
    version: int


def bundle_hash(bundle: CourseBundle) -> str:
    """A digest of the course's content. Fields added to the format later count only when
    set, so that a course which does not use them keeps the digest it was published with."""
    data = bundle.model_dump(mode="json", warnings=False)  # a draft may be unchecked
    for name in ("cover", "source_version"):
        if not data.get(name, True):
            del data[name]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _load_course(slug: str) -> Course | None:
    return db.session.scalar(
        select(Course).where(Course.slug == slug).options(selectinload(Course.modules))
    )


def _load_lessons(course: Course) -> dict[str, Lesson]:
    lessons = db.session.scalars(
        select(Lesson)
        .where(Lesson.course_id == course.id)
        .options(selectinload(Lesson.questions).selectinload(QuizQuestion.choices))
    )
    return {lesson.key: lesson for lesson in lessons}


def apply_bundle(
    bundle: CourseBundle, source: str = "course.yaml", actor_id: int | None = None
) -> ImportResult:
    """Create or update (publish) the course from the bundle; the caller commits.

    Each change makes a new CourseVersion holding the content and what changed.
    """
    _check_exercises(bundle, source)
    digest = bundle_hash(bundle)
    translation_of_id = None
    if bundle.translation_of:
        original = _load_course(bundle.translation_of)
        if original is None:
            raise FormatError([Problem.of(source, None, "no_original", slug=bundle.translation_of)])
        translation_of_id = original.id

    course = _load_course(bundle.slug)
    if course is not None and course.source_hash == digest:
        if not course.fingerprint:  # published before fingerprints were kept
            course.fingerprint = fingerprint(bundle)
            course.source_version = bundle.source_version
        return ImportResult(bundle.slug, "unchanged", course.version)
    outcome = "created" if course is None else "updated"
    if course is None:
        course = Course(slug=bundle.slug, version=1)
        db.session.add(course)
    else:
        course.version += 1
    course.title = bundle.title
    course.summary = bundle.summary
    course.cover = bundle.cover
    course.language = bundle.language
    course.translation_of_id = translation_of_id
    course.published = True
    course.source_hash = digest
    course.fingerprint = fingerprint(bundle)
    course.source_version = bundle.source_version if translation_of_id else ""
    db.session.flush()

    modules = {m.key: m for m in course.modules}
    for position, data in enumerate(bundle.modules):
        module = modules.get(data.key)
        if module is None:
            module = Module(course=course, key=data.key)
            db.session.add(module)
            modules[module.key] = module
        module.title, module.position, module.archived = data.title, position, False
    listed_modules = {m.key for m in bundle.modules}
    for module in modules.values():
        if module.key not in listed_modules:
            module.archived = True
    db.session.flush()

    lessons = _load_lessons(course) if outcome == "updated" else {}
    problems = []
    for position, data in enumerate(bundle.lessons):
        lesson = lessons.get(data.key)
        if lesson is not None and lesson.kind != data.kind:
            was, now = str(lesson.kind), str(data.kind)
            problems.append(
                Problem.of(source, None, "kind_changed", key=data.key, was=was, now=now)
            )
            continue
        if lesson is None:
            lesson = Lesson(course_id=course.id, key=data.key, kind=data.kind)
            db.session.add(lesson)
            lessons[data.key] = lesson
        lesson.module_id = modules[data.module_key].id
        lesson.title, lesson.position, lesson.minutes = data.title, position, data.minutes
        lesson.required, lesson.body, lesson.content = data.required, data.body, data.content
        lesson.archived = False
        _apply_questions(lesson, data.questions)
    if problems:
        raise FormatError(problems)
    listed = {lesson.key for lesson in bundle.lessons}
    for lesson in lessons.values():
        if lesson.key not in listed:
            lesson.archived = True
    course.lesson_count = len(bundle.lessons)
    course.minutes = sum(lesson.minutes for lesson in bundle.lessons)
    _record_version(course, bundle, actor_id)
    db.session.flush()
    return ImportResult(bundle.slug, outcome, course.version)


def _check_exercises(bundle: CourseBundle, source: str) -> None:
    """Refuse exercises the format does not accept, however the bundle was made: a check
    the sandbox cannot run must never reach a learner's "Check my work"."""
    problems = []
    for lesson in bundle.lessons:
        if lesson.kind != LessonKind.EXERCISE:
            continue
        _exercise, found = validate_exercise(lesson.content)
        file = f"{lesson.key}.exercise.yaml"
        problems += [
            Problem(file, None, str(p), None, lesson.key, p.code, p.params, p.field) for p in found
        ]
    if problems:
        raise FormatError(problems)


def latest_version(course: Course) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )


def _record_version(course: Course, bundle: CourseBundle, actor_id: int | None) -> None:
    previous = latest_version(course)
    old = bundle_from_dict(previous.data) if previous is not None else None
    db.session.add(
        CourseVersion(
            course_id=course.id,
            number=course.version,
            data=bundle_to_dict(bundle),
            changes=describe_changes(old, bundle),
            published_by_id=actor_id,
            fingerprint=course.fingerprint,
            source_version=course.source_version,
        )
    )


def _keyed(existing: dict, key: str, model: type, siblings: list, position: int):
    """The item with `key` in `existing`, or a new `model` added to `siblings`; either
    way listed (not archived) at `position`."""
    item = existing.get(key)
    if item is None:
        item = model(key=key)
        siblings.append(item)
    item.position, item.archived = position, False
    return item


def _apply_questions(lesson: Lesson, questions: list[Question]) -> None:
    existing = {q.key: q for q in lesson.questions} if lesson.id else {}
    for position, data in enumerate(questions):
        question = _keyed(existing, data.key, QuizQuestion, lesson.questions, position)
        question.kind, question.prompt = data.kind, data.prompt
        question.explanation = data.explanation
        choices = {c.key: c for c in question.choices}
        for choice_position, choice_data in enumerate(data.choices):
            choice = _keyed(choices, choice_data.key, QuizChoice, question.choices, choice_position)
            choice.text, choice.correct = choice_data.text, choice_data.correct
            choice.feedback = choice_data.feedback
        listed_choices = {c.key for c in data.choices}
        for choice in choices.values():
            if choice.key not in listed_choices:
                choice.archived = True
    listed_questions = {q.key for q in questions}
    for question in existing.values():
        if question.key not in listed_questions:
            question.archived = True


def import_folders(folders: list[Path]) -> list[ImportResult]:
    """Validate every course folder, then import them all, originals before translations.

    Raises FormatError (naming file and line) and imports nothing if any course is invalid.
    """
    bundles: list[tuple[Path, CourseBundle]] = []
    problems: list[Problem] = []
    for folder in folders:
        try:
            bundles.append((folder, read_course(read_folder(folder))))
        except FormatError as error:
            problems += [replace(p, file=f"{folder.name}/{p.file}") for p in error.problems]
    slugs = [b.slug for _, b in bundles]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        problems.append(Problem(slug, None, "two course folders use this slug"))
    if problems:
        raise FormatError(problems)
    bundles.sort(key=lambda item: item[1].translation_of is not None)
    results = []
    for folder, bundle in bundles:
        try:
            results.append(apply_bundle(bundle, f"{folder.name}/course.yaml"))
        except FormatError:
            db.session.rollback()
            raise
    return results


def course_folders(root: Path) -> list[Path]:
    """Every folder below `root` (or `root` itself) that holds a course.yaml."""
    if (root / "course.yaml").exists():
        return [root]
    return sorted(p.parent for p in root.glob("*/course.yaml"))
