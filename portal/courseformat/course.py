"""A course as typed data: the course, its modules, and lessons (readings, quizzes and
exercises) with their questions; `reader` reads them from course files and `writer`
writes them back.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from portal.courseformat.files import plain

LANGUAGES = ("en", "ur", "hi")


class LessonKind(StrEnum):
    READING = "reading"
    QUIZ = "quiz"
    EXERCISE = "exercise"


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


@dataclass
class LessonData:
    key: str
    title: str
    kind: str
    module_key: str
    minutes: int = 5
    required: bool = True
    body: str = ""
    content: dict[str, Any] = field(default_factory=dict)
    questions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class CourseBundle:
    slug: str
    title: str
    summary: str
    language: str
    translation_of: str | None
    modules: list[dict[str, Any]]
    lessons: list[LessonData]
    cover: str = ""  # Markdown: what the course page says before its outline


def bundle_to_dict(bundle: CourseBundle) -> dict[str, Any]:
    """Plain JSON-ready data (what drafts and versions store)."""
    return plain(asdict(bundle))


def bundle_from_dict(data: dict[str, Any]) -> CourseBundle:
    """A bundle from stored data; a deep copy, so editing it never touches the original."""
    data = copy.deepcopy(data)
    lessons = [LessonData(**lesson) for lesson in data.get("lessons", [])]
    return CourseBundle(
        slug=data["slug"],
        title=data.get("title", ""),
        summary=data.get("summary", ""),
        language=data.get("language", "en"),
        translation_of=data.get("translation_of"),
        modules=[dict(m) for m in data.get("modules", [])],
        lessons=lessons,
        cover=data.get("cover", ""),
    )
