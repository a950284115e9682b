"""Write a course back out as the files the reader reads, from the format's own models.

Each file is the model the reader reads it as (CourseHead, Module, ReadingHead, QuizHead
with its Questions and Choices, ExerciseHead), dumped in its field order by `as_file`.
The models are built with `model_construct`: a draft is written as it is, so that reading
the files back reports what the format refuses, at file and line.
"""

from __future__ import annotations

from typing import Any

from portal.courseformat.course import (
    Choice,
    CourseBundle,
    CourseHead,
    ExerciseHead,
    LessonData,
    LessonKind,
    Module,
    Question,
    QuizHead,
    ReadingHead,
)
from portal.courseformat.exercise import OPTIONAL_PARTS, PARTS
from portal.courseformat.files import dump_yaml


def _question(question: Question) -> dict[str, Any]:
    """A question as its file writes it, each choice leaving out what is at its default."""
    written = question.choices
    if isinstance(written, list):
        written = [c.as_file() if isinstance(c, Choice) else c for c in written]
    return question.model_copy(update={"choices": []}).as_file() | {"choices": written}


def _lesson(lesson: LessonData) -> tuple[str, str]:
    """A lesson's file name and text."""
    head = {"key": lesson.key, "title": lesson.title, "minutes": lesson.minutes}
    head["required"] = lesson.required
    if lesson.kind == LessonKind.READING:
        check = [_question(question) for question in lesson.questions]
        front = ReadingHead.model_construct(**head, kind=LessonKind.READING, check=check)
        front = front.as_file()
        return f"{lesson.key}.md", f"---\n{dump_yaml(front)}---\n{lesson.body.strip()}\n"
    if lesson.kind == LessonKind.QUIZ:
        quiz = QuizHead.model_construct(
            **head,
            pass_mark=lesson.content.get("pass_mark", 70),
            intro=lesson.body,
            questions=[_question(question) for question in lesson.questions],
        )
        return f"{lesson.key}.quiz.yaml", dump_yaml(quiz.as_file())
    parts = {part: lesson.content.get(part, []) for part in PARTS}
    parts |= {part: lesson.content[part] for part in OPTIONAL_PARTS if part in lesson.content}
    exercise = ExerciseHead.model_construct(**head, task=lesson.body, **parts)
    return f"{lesson.key}.exercise.yaml", dump_yaml(exercise.as_file())


def bundle_to_files(bundle: CourseBundle) -> dict[str, str]:
    """Write the bundle as course files: course.yaml plus one file per lesson."""
    course = CourseHead.model_construct(
        slug=bundle.slug,
        title=bundle.title,
        summary=bundle.summary,
        cover=bundle.cover,
        language=bundle.language,
        translation_of=bundle.translation_of or "",
        source_version=bundle.source_version,
        modules=[
            Module.model_construct(**module.model_dump()).as_file() for module in bundle.modules
        ],
    )
    files = {"course.yaml": dump_yaml(course.as_file())}
    files.update(_lesson(lesson) for lesson in bundle.lessons)
    return files
