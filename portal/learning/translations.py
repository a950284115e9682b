"""Translations that know their source.

A translated course states which version of its original it was made from: the
fingerprint of the original's text (`source_version` in its course.yaml, beside
`translation_of`). The fingerprint is a digest of what a translator translates and what
a learner is checked on: titles, summary, cover, modules, and each lesson's text,
questions and exercise content; not minutes or whether a lesson is required. Empty
values are left out, so a field the format gains later does not change the fingerprint
of a course that does not use it. Files can state it because it is computed from the
files alone (`flask courses validate` prints it).

When the original is published with other text, each translation whose stated
fingerprint differs is out of date: trainers see which lessons changed, as a diff
against the version it was made from; learners keep the last published translation.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from portal.courseformat.course import CourseBundle, LessonData, LessonKind

FINGERPRINT_LENGTH = 16  # hex digits of SHA-256: short enough to read in a file


def _pruned(value: Any) -> Any:
    """`value` without empty strings, lists, mappings or None, at any depth."""
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ("", None, [], {})}
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


def _digest(data: Any) -> str:
    text = json.dumps(_pruned(data), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:FINGERPRINT_LENGTH]


def _lesson_data(lesson: LessonData) -> dict[str, Any]:
    return {
        "key": lesson.key,
        "kind": str(lesson.kind),
        "title": lesson.title,
        "body": lesson.body,
        "content": lesson.content,
        "questions": [
            question.model_dump(mode="json", warnings=False) for question in lesson.questions
        ],
    }


def lesson_fingerprint(lesson: LessonData) -> str:
    return _digest(_lesson_data(lesson))


def fingerprint(bundle: CourseBundle) -> str:
    """The fingerprint of the course's text (see the module's docstring)."""
    return _digest(
        {
            "title": bundle.title,
            "summary": bundle.summary,
            "cover": bundle.cover,
            "modules": [module.model_dump(mode="json") for module in bundle.modules],
            "lessons": [[lesson.key, lesson_fingerprint(lesson)] for lesson in bundle.lessons],
        }
    )


# What a trainer reads in a diff: each lesson as lines of text.


def _question_lines(question: Any) -> list[str]:
    lines = [f"? {question.prompt}"]
    for choice in question.choices:
        mark = "[x]" if choice.correct else "[ ]"
        lines.append(f"  {mark} {choice.text}")
        if choice.feedback:
            lines.append(f"      {choice.feedback}")
    if question.explanation:
        lines.append(f"  = {question.explanation}")
    return lines


def lesson_lines(lesson: LessonData) -> list[str]:
    """The lesson's text, line by line, as the diff shows it."""
    lines = [f"# {lesson.title}", ""]
    lines += lesson.body.splitlines()
    for question in lesson.questions:
        lines += ["", *_question_lines(question)]
    if lesson.kind == LessonKind.EXERCISE:
        for check in lesson.content.get("checks", []):
            lines += ["", f"check {check.get('key')}: {check.get('description', '')}"]
            if check.get("hint"):
                lines.append(f"  hint: {check['hint']}")
            rule = {k: v for k, v in check.items() if k not in ("key", "description", "hint")}
            lines.append("  " + json.dumps(rule, sort_keys=True, ensure_ascii=False))
        for hint in lesson.content.get("hints", []):
            lines.append(f"hint: {hint}")
        for record in lesson.content.get("setup", []):
            lines.append(f"setup {json.dumps(record, sort_keys=True, ensure_ascii=False)}")
    return lines


@dataclass
class LessonChange:
    key: str
    title: str
    change: str  # added | removed | edited
    diff: list[tuple[str, str]] = field(default_factory=list)  # (kind, line): add del ctx hunk


def _diff_lines(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    rows = []
    for line in difflib.unified_diff(old, new, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "ctx")
        rows.append((kind, line))
    return rows


def lesson_changes(old: CourseBundle | None, new: CourseBundle) -> list[LessonChange]:
    """Lesson by lesson, what changed in the original's text from `old` to `new`; with
    `old` unknown, every lesson is listed as changed, without a diff."""
    if old is None:
        return [LessonChange(lesson.key, lesson.title, "edited") for lesson in new.lessons]
    before = {lesson.key: lesson for lesson in old.lessons}
    now = {lesson.key for lesson in new.lessons}
    changes = []
    for lesson in new.lessons:
        previous = before.get(lesson.key)
        if previous is None:
            changes.append(
                LessonChange(
                    lesson.key, lesson.title, "added", _diff_lines([], lesson_lines(lesson))
                )
            )
        elif lesson_fingerprint(previous) != lesson_fingerprint(lesson):
            diff = _diff_lines(lesson_lines(previous), lesson_lines(lesson))
            changes.append(LessonChange(lesson.key, lesson.title, "edited", diff))
    for lesson in old.lessons:
        if lesson.key not in now:
            changes.append(LessonChange(lesson.key, lesson.title, "removed"))
    return changes


# Where each translation stands, from the database.


@dataclass
class TranslationStatus:
    """A translation against its original: `state` is current, stale or unstated (the
    translation names no source version); `made_from` is the original's version number
    whose text it states, when the portal has it."""

    course: Any  # the translation (a Course)
    original: Any
    state: str
    made_from: int | None = None
    changes: list[LessonChange] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return self.state == "current"


def course_fingerprint(course: Any) -> str:
    """The published text's fingerprint, worked out once for a course published before
    fingerprints were kept."""
    if not course.fingerprint:
        from portal.courseformat.course import bundle_from_dict
        from portal.learning.importer import latest_version

        version = latest_version(course)
        if version is not None:
            course.fingerprint = fingerprint(bundle_from_dict(version.data))
    return course.fingerprint


def stated_version(course: Any) -> str:
    """What the translation states it was made from: as published, or, for one never
    published, as its draft says."""
    if course.source_version or course.published:
        return course.source_version
    from sqlalchemy import select

    from portal.authoring.models import CourseDraft
    from portal.extensions import db

    data = db.session.scalar(select(CourseDraft.data).where(CourseDraft.course_id == course.id))
    return str((data or {}).get("source_version") or "")


def state_of(course: Any, original: Any) -> str:
    stated = stated_version(course)
    if not stated:
        return "unstated"
    return "current" if stated == course_fingerprint(original) else "stale"


def _version_with(original: Any, stated: str) -> Any:
    """The original's latest version whose text has the fingerprint `stated`."""
    from sqlalchemy import select

    from portal.authoring.models import CourseVersion
    from portal.courseformat.course import bundle_from_dict
    from portal.extensions import db

    versions = db.session.scalars(
        select(CourseVersion)
        .where(CourseVersion.course_id == original.id)
        .order_by(CourseVersion.number.desc())
    )
    for version in versions:
        if not version.fingerprint:  # published before fingerprints were kept
            version.fingerprint = fingerprint(bundle_from_dict(version.data))
        if version.fingerprint == stated:
            return version
    return None


def translation_status(course: Any, with_changes: bool = False) -> TranslationStatus | None:
    """Where the translation `course` stands against its original (None for an original);
    `with_changes` adds what changed in the original since, lesson by lesson."""
    from portal.courseformat.course import bundle_from_dict
    from portal.extensions import db
    from portal.learning.importer import latest_version
    from portal.learning.models import Course

    if course.translation_of_id is None:
        return None
    original = db.session.get(Course, course.translation_of_id)
    status = TranslationStatus(course, original, state_of(course, original))
    stated = stated_version(course)
    made_from = _version_with(original, stated) if stated else None
    status.made_from = made_from.number if made_from is not None else None
    if with_changes and not status.current:
        latest = latest_version(original)
        if latest is not None:
            old = bundle_from_dict(made_from.data) if made_from is not None else None
            status.changes = lesson_changes(old, bundle_from_dict(latest.data))
    return status


def translations_of(original: Any) -> list[TranslationStatus]:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.learning.models import Course

    courses = db.session.scalars(
        select(Course).where(Course.translation_of_id == original.id).order_by(Course.language)
    )
    return [TranslationStatus(c, original, state_of(c, original)) for c in courses]


def stale_translations(courses: list[Any]) -> set[int]:
    """Ids of the published translations among `courses` whose original has moved on."""
    by_id = {course.id: course for course in courses}
    return {
        course.id
        for course in courses
        if course.translation_of_id in by_id
        and course.published
        and state_of(course, by_id[course.translation_of_id]) == "stale"
    }


def library_languages(courses: dict[str, CourseBundle]) -> list[tuple[CourseBundle, list]]:
    """For `flask courses validate`: each original among `courses` with its translations,
    each as (translation, state): current, stale, or unstated."""
    rows = []
    for bundle in sorted(courses.values(), key=lambda b: b.slug):
        if bundle.translation_of:
            continue
        mine = fingerprint(bundle)
        translations = []
        for other in sorted(courses.values(), key=lambda b: b.language):
            if other.translation_of != bundle.slug:
                continue
            if not other.source_version:
                state = "unstated"
            else:
                state = "current" if other.source_version == mine else "stale"
            translations.append((other, state))
        rows.append((bundle, translations))
    return rows


TEXT_OF_A_CHECK = ("description", "hint", "question")


def _same(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def shared_checks(lesson: Any) -> list[dict[str, Any]]:
    """The checks a learner's work on the exercise `lesson` is graded by. A translation's
    exercise is graded by its original's checks, matched by key, in the translation's
    words (description, hint, an answer check's question and its options' labels): a
    translation never changes what is checked, even when
    its files copy a check differently. A check the original lacks stays the translation's."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.learning.models import Course, Lesson

    own = lesson.content.get("checks", [])
    original_id = db.session.scalar(
        select(Course.translation_of_id).where(Course.id == lesson.course_id)
    )
    if original_id is None:
        return own
    original = db.session.scalar(
        select(Lesson).where(
            Lesson.course_id == original_id, Lesson.key == lesson.key, Lesson.archived.is_(False)
        )
    )
    if original is None or original.kind != lesson.kind:
        return own
    theirs = {check.get("key"): check for check in original.content.get("checks", [])}
    graded = []
    for check in own:
        source = theirs.get(check.get("key"))
        if source is None:
            graded.append(check)
            continue
        words = {name: check[name] for name in TEXT_OF_A_CHECK if check.get(name)}
        if source.get("options") and check.get("options"):
            # An option's value may be a mapping (a setup record), so match on its JSON.
            labels = {
                _same(option.get("value")): option.get("label") for option in check["options"]
            }
            words["options"] = [
                {**option, "label": labels.get(_same(option.get("value"))) or option["label"]}
                for option in source["options"]
            ]
        graded.append({**source, **words})
    return graded
