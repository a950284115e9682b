"""Checks across a folder of courses, for `flask courses validate`: each course's format
(the reader), slugs matching folders and used once, translations keeping their
original's keys, and style guidance (reading length, Markdown habits) as warnings.

Rules a course must keep are errors of the reader (an exercise has a required check and
every check a hint; true/false choices are keyed 'true' and 'false'). What the editor
lets a trainer's draft leave out (a question's explanation, a choice's feedback, an
exercise's reference solution) is a warning here, so `--strict` holds the built-in
courses to it without refusing a trainer's course at publishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from portal.courseformat.course import CourseBundle, LessonData, LessonKind
from portal.courseformat.files import FRONT_MATTER, read_folder
from portal.courseformat.problems import FormatError, Problem
from portal.courseformat.reader import read_course

# Reading length, in words. Urdu and Hindi spell out with separate words what English
# folds into word endings (postpositions, auxiliaries), so the same text runs longer.
READING_WORDS = {"en": (300, 700), "ur": (300, 1000), "hi": (300, 1000)}
# Callout labels: English everywhere; translations may use their own language's words.
CALLOUT_LABELS = {
    "en": ("Tip", "Note", "Warning"),
    "ur": ("Tip", "Note", "Warning", "مشورہ", "نوٹ", "انتباہ"),
    "hi": ("Tip", "Note", "Warning", "सुझाव", "नोट", "चेतावनी"),
}
CALLOUT_START = re.compile(r"^>\s*\*\*([^*]+?):?\*\*:?")
RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>|<!--")


@dataclass
class LibraryReport:
    """Errors (the course cannot be imported), warnings (style), and what was read."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    courses: dict[str, CourseBundle] = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)  # slug -> words in its readings


def _markdown(report: LibraryReport, file: str, body: str, first: int, language: str) -> int:
    """Check a Markdown body for raw HTML, callouts and fences; return its word count."""
    labels = CALLOUT_LABELS.get(language, CALLOUT_LABELS["en"])
    in_fence, words, previous_blank = False, 0, True
    for number, line in enumerate(body.splitlines(), start=first):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        prose = re.sub(r"`[^`]*`", "", line)
        if RAW_HTML.search(prose):
            report.errors.append(Problem(file, number, "raw HTML is not allowed; use Markdown"))
        if re.match(r"^#\s", stripped):
            report.warnings.append(
                Problem(file, number, "use '##' and below; the lesson title is the page heading")
            )
        match = CALLOUT_START.match(stripped)
        if match and previous_blank and match.group(1) not in labels:
            report.errors.append(
                Problem(
                    file,
                    number,
                    f"callout label '{match.group(1)}' is not one of: {', '.join(labels)}",
                )
            )
        previous_blank = not stripped or (previous_blank and stripped == ">")
        words += sum(1 for token in prose.split() if any(ch.isalnum() for ch in token))
    if in_fence:
        report.errors.append(Problem(file, None, "a code fence is never closed"))
    return words


def _style(report: LibraryReport, folder: Path, files: dict[str, str], bundle: CourseBundle):
    prefix = f"{folder.name}/"
    if not 2 <= len(bundle.modules) <= 4:
        report.warnings.append(
            Problem(f"{prefix}course.yaml", None, f"{len(bundle.modules)} modules (aim for 2 to 4)")
        )
    if not 4 <= len(bundle.lessons) <= 9:
        report.warnings.append(
            Problem(f"{prefix}course.yaml", None, f"{len(bundle.lessons)} lessons (aim for 4 to 9)")
        )
    total = 0
    for lesson in bundle.lessons:
        if lesson.kind != LessonKind.READING:
            continue
        name = f"{lesson.key}.md"
        match = FRONT_MATTER.match(files[name])
        first = files[name][: match.end()].count("\n") + 1 if match else 1
        words = _markdown(report, prefix + name, lesson.body, first, bundle.language)
        total += words
        low, high = READING_WORDS.get(bundle.language, READING_WORDS["en"])
        if not low <= words <= high:
            report.warnings.append(
                Problem(prefix + name, None, f"{words} words (aim for {low} to {high})")
            )
    report.words[bundle.slug] = total


def _complete(report: LibraryReport, folder: Path, bundle: CourseBundle) -> None:
    """Warnings for what the editor lets a draft leave out but a finished course has:
    an explanation on every question, feedback on every choice, a reference solution."""
    for lesson in bundle.lessons:
        where = _lesson_file(folder, lesson)
        for question in lesson.questions:
            if not question.explanation:
                report.warnings.append(
                    Problem(where, None, f"question '{question.key}' has no explanation")
                )
            if any(not choice.feedback for choice in question.choices):
                report.warnings.append(
                    Problem(where, None, f"a choice of '{question.key}' has no feedback")
                )
        if lesson.kind == LessonKind.EXERCISE and not lesson.content.get("solution"):
            report.warnings.append(Problem(where, None, "the exercise has no reference solution"))


def _lesson_file(folder: Path, lesson: LessonData) -> str:
    suffix = {LessonKind.READING: ".md", LessonKind.QUIZ: ".quiz.yaml"}.get(
        lesson.kind, ".exercise.yaml"
    )
    return f"{folder.name}/{lesson.key}{suffix}"


def _shape(lesson: LessonData) -> object:
    """What a translation must keep of a lesson: its kind and keys, and right answers."""
    if lesson.kind == LessonKind.QUIZ:
        return (
            lesson.content.get("pass_mark"),
            [(q.key, q.kind, [(c.key, c.correct) for c in q.choices]) for q in lesson.questions],
        )
    if lesson.kind == LessonKind.EXERCISE:
        return tuple(
            [item.get("key") for item in lesson.content.get(part, [])]
            for part in ("setup", "checks")
        )
    return None


def _translation(report: LibraryReport, folder: Path, course: CourseBundle, original):
    where = f"{folder.name}/course.yaml"
    if original is None:
        report.errors.append(
            Problem(where, None, f"translation_of: no course '{course.translation_of}'")
        )
        return
    if course.language == original.language:
        report.errors.append(
            Problem(where, None, f"a translation must not have the language of '{original.slug}'")
        )
    if original.translation_of:
        report.errors.append(
            Problem(
                where, None, f"'{original.slug}' is itself a translation; translate the original"
            )
        )
    # A translation made from an older text of the original (its `source_version`) is out
    # of date: its lessons and questions may differ until it is translated again, and
    # learners keep its last published version meanwhile; that is a warning, not an error.
    from portal.learning.translations import fingerprint

    stale = bool(course.source_version) and course.source_version != fingerprint(original)
    mine = [(m.key, m.lessons) for m in course.modules]
    theirs = [(m.key, m.lessons) for m in original.modules]
    if mine != theirs:
        message = "modules or their lessons differ from the original's (same keys, same order)"
        if stale:
            report.warnings.append(Problem(where, None, f"out of date: {message}"))
        else:
            report.errors.append(Problem(where, None, message))
    originals = {lesson.key: lesson for lesson in original.lessons}
    for lesson in course.lessons:
        other = originals.get(lesson.key)
        if other is None:
            continue
        if lesson.kind != other.kind:
            message = f"is a {lesson.kind}; in the original '{lesson.key}' is a {other.kind}"
        elif _shape(lesson) != _shape(other):
            message = "keys, kinds or correct answers differ from the original's"
            if stale:
                problem = Problem(_lesson_file(folder, lesson), None, f"out of date: {message}")
                report.warnings.append(problem)
                continue
        else:
            continue
        report.errors.append(Problem(_lesson_file(folder, lesson), None, message))


def _sibling(folder: Path, bundle: CourseBundle) -> CourseBundle | None:
    """The original of a translation from the folder beside it, when it was not asked for."""
    other = folder.parent / str(bundle.translation_of)
    if not (other / "course.yaml").is_file():
        return None
    try:
        return read_course(read_folder(other))
    except FormatError:
        return None


def check_library(folders: list[Path]) -> LibraryReport:
    """Read every course folder and check them together; nothing is written."""
    report = LibraryReport()
    read: dict[str, tuple[Path, CourseBundle]] = {}
    for folder in folders:
        files = read_folder(folder)
        try:
            bundle = read_course(files)
        except FormatError as error:
            report.errors += [replace(p, file=f"{folder.name}/{p.file}") for p in error.problems]
            continue
        if bundle.slug != folder.name:
            report.errors.append(
                Problem(
                    f"{folder.name}/course.yaml",
                    None,
                    f"slug '{bundle.slug}' must match its folder name '{folder.name}'",
                )
            )
        if bundle.slug in read:
            report.errors.append(
                Problem(f"{folder.name}/course.yaml", None, f"slug '{bundle.slug}' is used twice")
            )
        read[bundle.slug] = (folder, bundle)
        _style(report, folder, files, bundle)
        _complete(report, folder, bundle)
    for folder, bundle in read.values():
        if bundle.translation_of:
            original = read.get(bundle.translation_of)
            _translation(
                report, folder, bundle, original[1] if original else _sibling(folder, bundle)
            )
    report.courses = {slug: bundle for slug, (_folder, bundle) in read.items()}
    return report
