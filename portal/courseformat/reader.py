"""Read a course from its files, reporting every problem at file:line."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from portal.courseformat.checks import CHECK_TAGS
from portal.courseformat.course import (
    CourseBundle,
    CourseHead,
    ExerciseHead,
    LessonData,
    LessonHead,
    LessonKind,
    Module,
    ModuleData,
    Question,
    QuizHead,
    ReadingHead,
)
from portal.courseformat.exercise import OPTIONAL_PARTS, PARTS, validate_exercise
from portal.courseformat.files import FRONT_MATTER, YamlProblem, line_at, line_of, load_yaml, plain
from portal.courseformat.problems import FormatError, Problem, field_problems
from portal.courseformat.solution import STEP_TAGS
from portal.courseformat.values import Model

LESSON_FILE = re.compile(r"(\.md|\.quiz\.yaml|\.exercise\.yaml)$")
READING_LIMIT = 50000  # characters of a reading's Markdown (lessons.body)
TAGS = CHECK_TAGS | STEP_TAGS


class _Reader:
    def __init__(self, files: dict[str, str]):
        self.files = files
        self.problems: list[Problem] = []

    def problem(
        self,
        file: str,
        line: int | None,
        code: str,
        /,
        module: str | None = None,
        at: str = "",
        **params: Any,
    ) -> None:
        """Report a problem by its code (messages.TEXTS) and parameters."""
        problem = Problem.of(file, line, code, **params)
        problem.module = module
        problem.lesson = LESSON_FILE.sub("", file) if LESSON_FILE.search(file) else None
        if at:
            problem.at, problem.message = at, f"{at}: {problem.message}"
        self.problems.append(problem)

    def load_yaml(self, name: str, text: str, offset: int = 0) -> Any:
        try:
            return load_yaml(text, offset)
        except YamlProblem as problem:
            self.problem(name, problem.line, "yaml", detail=problem.detail)
            return None

    def model(
        self,
        name: str,
        model: type[Model],
        data: dict,
        module: str | None = None,
        worded: dict[tuple, tuple[str, dict]] | None = None,
    ) -> Any:
        """`data` read as `model`, or None with each problem reported at its line; `worded`
        gives some field paths their own code and parameters."""
        try:
            return model.model_validate(data)
        except ValidationError as error:
            for problem in field_problems(error, TAGS):
                code, params = (worded or {}).get(problem.loc, (problem.code, problem.params))
                line = line_at(data, problem.loc) or line_of(data)
                self.problem(name, line, code, module, **params)
            return None

    def mapping(self, name: str, value: Any, what: str, line: int | None = None) -> bool:
        if not isinstance(value, dict):
            self.problem(name, line, "not_mapping", what=what)
            return False
        return True

    # The course

    def read(self) -> CourseBundle | None:
        if "course.yaml" not in self.files:
            self.problem("course.yaml", None, "no_course_file")
            return None
        course = self.load_yaml("course.yaml", self.files["course.yaml"])
        if course is None or not self.mapping("course.yaml", course, "course.yaml"):
            return None
        head = self.model(
            "course.yaml", CourseHead, course, worded={("modules",): ("no_modules", {})}
        )
        if head is None:
            return None
        bundle = CourseBundle(
            **head.model_dump(exclude={"modules", "translation_of"}),
            translation_of=head.translation_of or None,
            modules=[],
            lessons=[],
        )
        seen_modules: set[str] = set()
        seen_lessons: set[str] = set()
        for module in head.modules:
            if not self.mapping("course.yaml", module, "each module", line_of(course)):
                continue
            module_key = str(module.get("key", ""))
            if module_key in seen_modules:
                self.problem("course.yaml", line_of(module), "module_twice", key=module_key)
            seen_modules.add(module_key)
            empty = ("module_empty", {"key": module_key})
            read = self.model("course.yaml", Module, module, module_key, {("lessons",): empty})
            if read is None:
                continue
            bundle.modules.append(ModuleData(**read.dump()))
            for lesson_key in read.lessons:
                if lesson_key in seen_lessons:
                    self.problem("course.yaml", line_of(module), "lesson_twice", key=lesson_key)
                    continue
                seen_lessons.add(lesson_key)
                lesson = self.read_lesson(lesson_key, module_key, line_of(module))
                if lesson is not None:
                    bundle.lessons.append(lesson)
        listed = (
            {f"{k}.md" for k in seen_lessons}
            | {f"{k}.quiz.yaml" for k in seen_lessons}
            | {f"{k}.exercise.yaml" for k in seen_lessons}
        )
        for name in self.files:
            if (
                name != "course.yaml"
                and name not in listed
                and name.endswith((".md", ".yaml"))
                and name.lower() != "readme.md"
            ):
                self.problem(name, None, "not_listed")
        return bundle

    def read_lesson(self, key: str, module_key: str, line: int | None) -> LessonData | None:
        found = [
            n for n in (f"{key}.md", f"{key}.quiz.yaml", f"{key}.exercise.yaml") if n in self.files
        ]
        if not found:
            self.problem("course.yaml", line, "no_lesson_file", key=key)
            return None
        if len(found) > 1:
            self.problem(found[1], None, "lesson_files", key=key, files=", ".join(found))
        name = found[0]
        if name.endswith(".md"):
            return self.read_reading(name, key, module_key)
        data = self.load_yaml(name, self.files[name])
        if data is None or not self.mapping(name, data, "the file"):
            return None
        if name.endswith(".quiz.yaml"):
            return self.read_quiz(name, key, module_key, data)
        return self.read_exercise(name, key, module_key, data)

    def head(self, name: str, key: str, module_key: str, model: type[LessonHead], data: dict):
        """A lesson file's fields as `model`, and the lesson they start (None if invalid)."""
        worded = {("questions",): ("quiz_empty", {})}
        head = self.model(name, model, data, worded=worded)
        if head is None:
            return None, None
        if head.key != key:
            self.problem(name, line_of(data, "key"), "key_not_file", key=key)
        kind = {ReadingHead: LessonKind.READING, QuizHead: LessonKind.QUIZ}.get(
            model, LessonKind.EXERCISE
        )
        lesson = LessonData(
            key=key,
            title=head.title,
            kind=kind,
            module_key=module_key,
            minutes=head.minutes,
            required=head.required,
        )
        return head, lesson

    def read_reading(self, name: str, key: str, module_key: str) -> LessonData | None:
        text = self.files[name]
        match = FRONT_MATTER.match(text)
        if not match:
            self.problem(name, 1, "front_matter")
            return None
        meta = self.load_yaml(name, match.group(1), offset=1)
        if meta is None or not self.mapping(name, meta, "the front matter", 1):
            return None
        _head, lesson = self.head(name, key, module_key, ReadingHead, meta)
        self.questions(name, meta, "check", lesson)
        body = text[match.end() :].strip()
        if len(body) > READING_LIMIT:
            self.problem(name, None, "reading_too_long", limit=READING_LIMIT)
        if not body:
            self.problem(name, None, "reading_empty")
        if lesson is not None:
            lesson.body = body
        return lesson

    def read_quiz(self, name: str, key: str, module_key: str, data: dict) -> LessonData | None:
        head, lesson = self.head(name, key, module_key, QuizHead, data)
        if head is not None:
            lesson.content = {"pass_mark": head.pass_mark}
            lesson.body = head.intro
        self.questions(name, data, "questions", lesson)
        return lesson

    def questions(self, name: str, data: dict, field: str, lesson: LessonData | None) -> None:
        """A quiz's questions, or a reading's knowledge check, each read as Question."""
        questions = data.get(field)
        seen: set[str] = set()
        for question in questions if isinstance(questions, list) else []:
            if not self.mapping(name, question, "each question", line_of(data)):
                continue
            qkey = str(question.get("key", ""))
            if qkey and qkey in seen:
                self.problem(name, line_of(question), "question_twice", key=qkey)
            seen.add(qkey)
            parsed = self.model(name, Question, question)
            if parsed is not None and lesson is not None:
                lesson.questions.append(parsed)

    def read_exercise(self, name: str, key: str, module_key: str, data: dict) -> LessonData | None:
        head, lesson = self.head(name, key, module_key, ExerciseHead, data)
        content = {part: plain(data.get(part, [])) for part in PARTS}
        content |= {part: plain(data[part]) for part in OPTIONAL_PARTS if part in data}
        exercise, problems = validate_exercise(content)
        for problem in problems:
            line = line_at(data, problem.loc) or line_of(data)
            if problem.loc == ("checks",) and not content["checks"]:
                self.problem(name, line, "no_checks")
            else:
                at = _where(content, problem.loc)
                self.problem(name, line, problem.code, at=at, **problem.params)
        checks = data.get("checks") if isinstance(data.get("checks"), list) else []
        for check in checks:
            if isinstance(check, dict) and not str(check.get("hint") or "").strip():
                self.problem(name, line_of(check), "missing", name="hint")
        if exercise is not None and not any(check.required for check in exercise.checks):
            self.problem(name, line_of(data, "checks"), "no_required_check")
        if head is None:
            return None
        lesson.body = head.task
        lesson.content = exercise.dump() if exercise is not None else content
        return lesson


def _where(content: dict, loc: tuple) -> str:
    """A problem's place in an exercise as people name it: "check 'closed' target"."""
    if len(loc) >= 2 and isinstance(loc[1], int) and loc[0] in ("checks", "setup"):
        items = content.get(loc[0])
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        what = "check" if loc[0] == "checks" else "setup"
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            rest = ".".join(str(p) for p in loc[2:])
            return f"{what} '{item['key']}'" + (f", {rest}" if len(loc) > 3 else "")
    return ".".join(str(p) for p in loc)


def read_course(files: dict[str, str]) -> CourseBundle:
    """Parse and validate one course's files; raise FormatError listing every problem."""
    reader = _Reader(files)
    bundle = reader.read()
    if reader.problems or bundle is None:
        raise FormatError(reader.problems)
    return bundle
