"""A course as typed data: the course, its modules, and lessons (readings, quizzes and
exercises) with their questions; `reader` reads them from course files and `writer`
writes them back.
"""

from __future__ import annotations

import copy
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SkipValidation,
    field_validator,
    model_validator,
)

from portal.courseformat.files import plain
from portal.courseformat.messages import invalid
from portal.courseformat.values import SLUG, Key, Model, text_rule

LANGUAGES = ("en", "ur", "hi")


class LessonKind(StrEnum):
    READING = "reading"
    QUIZ = "quiz"
    EXERCISE = "exercise"


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


class Choice(Model):
    """One answer a question offers; `feedback` is what a learner reads after picking it."""

    KEEP = ("correct",)

    key: Key
    text: Annotated[str, text_rule(1000)]
    correct: bool = False
    feedback: Annotated[str, text_rule(2000, required=False)] = ""


class Question(Model):
    """One quiz question: its kind, prompt, choices and the explanation shown afterwards."""

    KEEP = ("kind",)

    key: Key
    kind: QuestionKind = QuestionKind.SINGLE
    prompt: Annotated[str, text_rule(2000)]
    explanation: Annotated[str, text_rule(4000, required=False)] = ""
    choices: list[Choice]

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        if value not in tuple(QuestionKind):
            raise invalid("question_kind", expected=", ".join(QuestionKind))
        return value

    @model_validator(mode="after")
    def _choices(self) -> Question:
        key, kind = self.key, self.kind
        if len(self.choices) < 2:
            raise invalid("two_choices", key=key)
        keys = [choice.key for choice in self.choices]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise invalid("choice_twice", choice=twice[0], key=key)
        correct = sum(1 for choice in self.choices if choice.correct)
        if correct == 0:
            raise invalid("no_correct", key=key)
        if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and correct > 1:
            raise invalid("many_correct", key=key, kind=str(kind), count=correct)
        if kind == QuestionKind.TRUE_FALSE and len(self.choices) != 2:
            raise invalid("true_false_two", key=key)
        if kind == QuestionKind.TRUE_FALSE and set(keys) != {"true", "false"}:
            raise invalid("true_false_keys", key=key)
        return self

    def dump(self) -> dict[str, Any]:
        """As lessons store it: every field, choices with their feedback."""
        return self.model_dump(mode="json")


class Module(Model):
    """A module of the course: its lessons' keys in order."""

    key: Key
    title: Annotated[str, text_rule(200)]
    lessons: list[Key] = Field(min_length=1)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class CourseHead(Model):
    """course.yaml: the course's own fields; `modules` are read one by one as Module."""

    KEEP = ("language",)

    slug: Annotated[str, text_rule(80)]
    title: Annotated[str, text_rule(200)]
    summary: Annotated[str, text_rule(2000, required=False)] = ""
    cover: Annotated[str, text_rule(20000, required=False)] = ""
    language: Annotated[str, text_rule(10, required=False)] = "en"
    translation_of: Annotated[str, text_rule(80, required=False)] = ""
    # A translation's: the fingerprint of the original's text it was made from.
    source_version: Annotated[str, text_rule(64, required=False)] = ""
    modules: list[Any] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _translation_of(cls, data: Any) -> Any:
        """`translation_of: {course: <slug>, version: <fingerprint>}` says the same as
        `translation_of: <slug>` with `source_version: <fingerprint>`."""
        if isinstance(data, dict) and isinstance(data.get("translation_of"), dict):
            given = data["translation_of"]
            version = given.get("version", data.get("source_version", ""))
            data = {**data, "translation_of": given.get("course", ""), "source_version": version}
        return data

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise invalid("slug_pattern", value=value)
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value and value not in LANGUAGES:
            raise invalid("language", expected=", ".join(LANGUAGES))
        return value or "en"


def _minutes(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 600:
        raise invalid("minutes")
    return value


class LessonHead(Model):
    """What every lesson file gives: key (as its file name), title, minutes, required."""

    KEEP: ClassVar[tuple[str, ...]] = ("minutes",)

    key: Key
    title: Annotated[str, text_rule(200)]
    minutes: Annotated[int, BeforeValidator(_minutes)] = 5
    required: bool = True


READING_CHECKS = 2  # questions a reading's knowledge check may ask


class ReadingHead(LessonHead):
    """A reading's front matter; its Markdown follows. `check` holds the one or two
    questions of its knowledge check (read one by one as Question, as a quiz's are)."""

    KEEP = ("minutes", "kind")

    kind: LessonKind = LessonKind.READING
    check: list[Any] = []

    @field_validator("kind", mode="before")
    @classmethod
    def _reading(cls, value: Any) -> Any:
        if value != LessonKind.READING:
            raise invalid("reading_kind")
        return value

    @field_validator("check", mode="before")
    @classmethod
    def _check(cls, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > READING_CHECKS:
            raise invalid("reading_check", most=READING_CHECKS)
        return value


def _pass_mark(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 100:
        raise invalid("pass_mark")
    return value


class QuizHead(LessonHead):
    """A quiz file; its `questions` are read one by one as Question."""

    KEEP = ("minutes", "pass_mark")

    pass_mark: Annotated[int, BeforeValidator(_pass_mark)] = 70
    intro: Annotated[str, text_rule(5000, required=False)] = ""
    questions: list[Any] = Field(min_length=1)


class ExerciseHead(LessonHead):
    """An exercise file; its parts are read together as an Exercise."""

    task: Annotated[str, text_rule(20000)]
    setup: Any = None
    checks: Any = None
    hints: Any = None
    solution: Any = None
    clock: Any = None
    scenario_events: Any = None


class ModuleData(BaseModel):
    """A module as drafts and versions store it: its lessons' keys in order (a draft's
    new module has none yet; publishing refuses it then, as Module does)."""

    key: str
    title: str
    lessons: list[str] = Field(default_factory=list)


def stored_question(data: Any) -> Any:
    """A question as a draft stores it, taken as it is: a draft may hold what the format
    refuses (an older draft, or one changed by hand), and editing it must still work;
    publishing reads the draft back through `Question` and names the problem at its field.
    Anything but a mapping is kept as it is too (the writer writes it, the reader refuses it)."""
    if not isinstance(data, dict):
        return data
    kind = data.get("kind", QuestionKind.SINGLE)
    choices = data.get("choices", [])
    return Question.model_construct(
        **{
            **data,
            "kind": QuestionKind(kind) if kind in tuple(QuestionKind) else kind,
            "choices": [
                Choice.model_construct(**choice) if isinstance(choice, dict) else choice
                for choice in choices
            ]
            if isinstance(choices, list)
            else choices,
        }
    )


def _stored_questions(value: Any) -> Any:
    return [stored_question(item) for item in value] if isinstance(value, list) else value


class LessonData(BaseModel):
    """A lesson as drafts and versions store it. Its questions are `Question`s taken as
    stored, unchecked (see `stored_question`); the reader checks them from files."""

    model_config = ConfigDict(validate_assignment=True)

    key: str
    title: str
    kind: LessonKind
    module_key: str
    minutes: int = 5
    required: bool = True
    body: str = ""
    content: dict[str, Any] = Field(default_factory=dict)
    questions: Annotated[
        list[Annotated[Question, SkipValidation]], BeforeValidator(_stored_questions)
    ] = Field(default_factory=list)


class CourseBundle(BaseModel):
    """A whole course as drafts and versions store it; `reader` reads it from files."""

    slug: str
    title: str
    summary: str
    language: str
    translation_of: str | None
    modules: list[ModuleData]
    lessons: list[LessonData]
    cover: str = ""  # Markdown: what the course page says before its outline
    source_version: str = ""  # a translation's: see portal.learning.translations


def bundle_to_dict(bundle: CourseBundle) -> dict[str, Any]:
    """Plain JSON-ready data (what drafts and versions store)."""
    return plain(bundle.model_dump(mode="json", warnings=False))  # a draft may be unchecked


def bundle_from_dict(data: dict[str, Any]) -> CourseBundle:
    """A bundle from stored data; a deep copy, so editing it never touches the original."""
    data = copy.deepcopy(data)
    return CourseBundle(
        slug=data["slug"],
        title=data.get("title", ""),
        summary=data.get("summary", ""),
        language=data.get("language", "en"),
        translation_of=data.get("translation_of"),
        modules=[ModuleData(**m) for m in data.get("modules", [])],
        lessons=[LessonData(**lesson) for lesson in data.get("lessons", [])],
        cover=data.get("cover", ""),
        source_version=data.get("source_version") or "",
    )
