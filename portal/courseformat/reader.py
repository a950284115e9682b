"""Read a course from its files, reporting every problem at file:line."""

from __future__ import annotations

import re
from typing import Any

from portal.courseformat import validate_exercise
from portal.courseformat.course import LANGUAGES, CourseBundle, LessonData, LessonKind, QuestionKind
from portal.courseformat.exercise import PARTS
from portal.courseformat.files import FRONT_MATTER, YamlProblem, line_at, line_of, load_yaml, plain
from portal.courseformat.problems import FormatError, Problem
from portal.courseformat.values import KEY, SLUG

LESSON_FILE = re.compile(r"(\.md|\.quiz\.yaml|\.exercise\.yaml)$")
READING_LIMIT = 50000  # characters of a reading's Markdown (lessons.body)
EXERCISE_FIELDS = ("key", "title", "minutes", "required", "task", *PARTS)


def _line(value: Any, offset: int = 0) -> int | None:
    """The line of a mapping (front matter is already shifted by its offset)."""
    return line_of(value)


class _Reader:
    def __init__(self, files: dict[str, str]):
        self.files = files
        self.problems: list[Problem] = []

    def problem(
        self, file: str, line: int | None, message: str, module: str | None = None, code: str = ""
    ) -> None:
        lesson = LESSON_FILE.sub("", file) if LESSON_FILE.search(file) else None
        self.problems.append(Problem(file, line, message, module, lesson, code))

    def load_yaml(self, name: str, text: str, offset: int = 0) -> Any:
        try:
            return load_yaml(text, offset)
        except YamlProblem as problem:
            self.problem(name, problem.line, str(problem))
            return None

    def text(
        self,
        name: str,
        data: dict,
        key: str,
        *,
        required: bool = True,
        offset: int = 0,
        limit: int = 200,
    ) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(
                    name, _line(data, offset), f"'{key}' is missing", code=f"missing:{key}"
                )
            return ""
        if not isinstance(value, str | int | float):
            self.problem(name, _line(data, offset), f"'{key}' must be text")
            return ""
        value = str(value).strip()
        if len(value) > limit:
            self.problem(name, _line(data, offset), f"'{key}' is longer than {limit} characters")
        return value

    def key(self, name: str, data: dict, offset: int = 0) -> str:
        value = self.text(name, data, "key", offset=offset, limit=80)
        if value and not KEY.match(value):
            self.problem(
                name,
                _line(data, offset),
                f"key '{value}' must be lower-case letters, digits, '-' or '_'",
            )
        return value

    def mapping(self, name: str, value: Any, what: str, line: int | None = None) -> bool:
        if not isinstance(value, dict):
            self.problem(name, line, f"{what} must be a mapping of names to values")
            return False
        return True

    # The course

    def read(self) -> CourseBundle | None:
        if "course.yaml" not in self.files:
            self.problem("course.yaml", None, "the course has no course.yaml")
            return None
        course = self.load_yaml("course.yaml", self.files["course.yaml"])
        if course is None or not self.mapping("course.yaml", course, "course.yaml"):
            return None
        slug = self.text("course.yaml", course, "slug", limit=80)
        if slug and not SLUG.match(slug):
            self.problem(
                "course.yaml",
                _line(course),
                f"slug '{slug}' must be lower-case letters, digits or '-'",
            )
        language = self.text("course.yaml", course, "language", required=False) or "en"
        if language not in LANGUAGES:
            self.problem(
                "course.yaml", _line(course), f"language must be one of {', '.join(LANGUAGES)}"
            )
        bundle = CourseBundle(
            slug=slug,
            title=self.text("course.yaml", course, "title"),
            summary=self.text("course.yaml", course, "summary", required=False, limit=2000),
            language=language,
            translation_of=self.text("course.yaml", course, "translation_of", required=False)
            or None,
            modules=[],
            lessons=[],
            cover=self.text("course.yaml", course, "cover", required=False, limit=20000),
        )
        modules = course.get("modules")
        if not isinstance(modules, list) or not modules:
            self.problem("course.yaml", _line(course), "'modules' must list at least one module")
            return bundle
        seen_modules: set[str] = set()
        seen_lessons: set[str] = set()
        for module in modules:
            if not self.mapping("course.yaml", module, "each module", _line(course)):
                continue
            module_key = self.key("course.yaml", module)
            if module_key in seen_modules:
                self.problem(
                    "course.yaml", _line(module), f"module key '{module_key}' is used twice"
                )
            seen_modules.add(module_key)
            lesson_keys = module.get("lessons") or []
            if not isinstance(lesson_keys, list) or not lesson_keys:
                self.problem(
                    "course.yaml",
                    _line(module),
                    f"module '{module_key}' lists no lessons",
                    module_key,
                    "module_empty",
                )
                lesson_keys = []
            bundle.modules.append(
                {
                    "key": module_key,
                    "title": self.text("course.yaml", module, "title"),
                    "lessons": [str(k) for k in lesson_keys],
                }
            )
            for lesson_key in lesson_keys:
                lesson_key = str(lesson_key)
                if lesson_key in seen_lessons:
                    self.problem(
                        "course.yaml", _line(module), f"lesson '{lesson_key}' is listed twice"
                    )
                    continue
                seen_lessons.add(lesson_key)
                lesson = self.read_lesson(lesson_key, module_key, _line(module))
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
                self.problem(name, None, "this file is not listed in any module of course.yaml")
        return bundle

    def read_lesson(self, key: str, module_key: str, line: int | None) -> LessonData | None:
        found = [
            n for n in (f"{key}.md", f"{key}.quiz.yaml", f"{key}.exercise.yaml") if n in self.files
        ]
        if not found:
            self.problem(
                "course.yaml",
                line,
                f"lesson '{key}' has no file ({key}.md, {key}.quiz.yaml or {key}.exercise.yaml)",
            )
            return None
        if len(found) > 1:
            self.problem(
                found[1], None, f"lesson '{key}' has more than one file: {', '.join(found)}"
            )
        name = found[0]
        if name.endswith(".md"):
            return self.read_reading(name, key, module_key)
        data = self.load_yaml(name, self.files[name])
        if data is None or not self.mapping(name, data, "the file"):
            return None
        if self.key(name, data) not in ("", key):
            self.problem(name, _line(data), f"key must be '{key}', as its file name says")
        lesson = LessonData(
            key=key,
            title=self.text(name, data, "title"),
            kind=LessonKind.QUIZ if name.endswith(".quiz.yaml") else LessonKind.EXERCISE,
            module_key=module_key,
            minutes=self.minutes(name, data),
            required=bool(data.get("required", True)),
        )
        if lesson.kind == LessonKind.QUIZ:
            self.read_quiz(name, data, lesson)
        else:
            self.read_exercise(name, data, lesson)
        return lesson

    def minutes(self, name: str, data: dict, offset: int = 0) -> int:
        value = data.get("minutes", 5)
        if not isinstance(value, int) or not 0 < value <= 600:
            self.problem(
                name, _line(data, offset), "'minutes' must be a whole number from 1 to 600"
            )
            return 5
        return value

    def read_reading(self, name: str, key: str, module_key: str) -> LessonData | None:
        text = self.files[name]
        match = FRONT_MATTER.match(text)
        if not match:
            self.problem(name, 1, "a reading starts with front matter between '---' lines")
            return None
        meta = self.load_yaml(name, match.group(1), offset=1)
        if meta is None or not self.mapping(name, meta, "the front matter", 1):
            return None
        if self.key(name, meta, offset=1) not in ("", key):
            self.problem(name, 2, f"key must be '{key}', as its file name says")
        if meta.get("kind", LessonKind.READING) != LessonKind.READING:
            self.problem(name, 2, "a .md lesson is a reading: kind must be 'reading'")
        body = text[match.end() :].strip()
        if len(body) > READING_LIMIT:
            self.problem(name, None, f"the reading is longer than {READING_LIMIT} characters")
        if not body:
            self.problem(name, None, "the reading has no text", code="reading_empty")
        return LessonData(
            key=key,
            title=self.text(name, meta, "title", offset=1),
            kind=LessonKind.READING,
            module_key=module_key,
            minutes=self.minutes(name, meta, 1),
            required=bool(meta.get("required", True)),
            body=body,
        )

    def read_quiz(self, name: str, data: dict, lesson: LessonData) -> None:
        pass_mark = data.get("pass_mark", 70)
        if not isinstance(pass_mark, int) or not 0 < pass_mark <= 100:
            self.problem(name, _line(data), "'pass_mark' must be a percentage from 1 to 100")
            pass_mark = 70
        lesson.content = {"pass_mark": pass_mark}
        lesson.body = self.text(name, data, "intro", required=False, limit=5000)
        questions = data.get("questions")
        if not isinstance(questions, list) or not questions:
            self.problem(name, _line(data), "a quiz needs at least one question", code="quiz_empty")
            return
        seen: set[str] = set()
        for question in questions:
            if not self.mapping(name, question, "each question", _line(data)):
                continue
            qkey = self.key(name, question)
            if qkey in seen:
                self.problem(name, _line(question), f"question key '{qkey}' is used twice")
            seen.add(qkey)
            kind = question.get("kind", "single")
            if kind not in tuple(QuestionKind):
                self.problem(
                    name,
                    _line(question),
                    f"question kind must be one of {', '.join(QuestionKind)}",
                )
            choices = question.get("choices")
            parsed: list[dict[str, Any]] = []
            if not isinstance(choices, list) or len(choices) < 2:
                self.problem(name, _line(question), f"question '{qkey}' needs at least two choices")
                choices = []
            choice_keys: set[str] = set()
            for choice in choices:
                if not self.mapping(name, choice, "each choice", _line(question)):
                    continue
                ckey = self.key(name, choice)
                if ckey in choice_keys:
                    self.problem(
                        name, _line(choice), f"choice key '{ckey}' is used twice in '{qkey}'"
                    )
                choice_keys.add(ckey)
                parsed.append(
                    {
                        "key": ckey,
                        "text": self.text(name, choice, "text", limit=1000),
                        "correct": choice.get("correct") is True,
                        "feedback": self.text(name, choice, "feedback", required=False, limit=2000),
                    }
                )
            correct = sum(1 for c in parsed if c["correct"])
            if parsed and correct == 0:
                self.problem(name, _line(question), f"question '{qkey}' has no correct choice")
            if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and correct > 1:
                self.problem(
                    name,
                    _line(question),
                    f"question '{qkey}' is {kind} but has {correct} correct choices",
                )
            if kind == QuestionKind.TRUE_FALSE and len(parsed) != 2:
                self.problem(
                    name, _line(question), f"true/false question '{qkey}' needs exactly two choices"
                )
            lesson.questions.append(
                {
                    "key": qkey,
                    "kind": kind,
                    "prompt": self.text(name, question, "prompt", limit=2000),
                    "explanation": self.text(
                        name, question, "explanation", required=False, limit=4000
                    ),
                    "choices": parsed,
                }
            )

    def read_exercise(self, name: str, data: dict, lesson: LessonData) -> None:
        lesson.body = self.text(name, data, "task", limit=20000)
        for unknown in [k for k in data if k not in EXERCISE_FIELDS]:
            self.problem(name, line_of(data, str(unknown)), f"unknown field '{unknown}'")
        content = {part: plain(data.get(part, [])) for part in PARTS}
        exercise, problems = validate_exercise(content)
        for problem in problems:
            code = "no_checks" if problem.loc == ("checks",) and not content["checks"] else ""
            message = (
                "an exercise needs at least one check"
                if code
                else f"{_where(content, problem.loc)}: {problem.message}"
            )
            self.problem(name, line_at(data, problem.loc) or line_of(data), message, code=code)
        checks = data.get("checks") if isinstance(data.get("checks"), list) else []
        for check in checks:
            if isinstance(check, dict) and not str(check.get("hint") or "").strip():
                self.problem(name, line_of(check), "'hint' is missing", code="missing:hint")
        lesson.content = exercise.dump() if exercise is not None else content


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
