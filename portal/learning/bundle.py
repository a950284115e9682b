"""Course bundles: a course as files (course.yaml, lesson Markdown, quiz and exercise YAML).

`read_bundle` parses and validates a folder (or any mapping of file names to text, as a
zip upload gives) and reports every problem with its file and line. The bundle is plain
data; `portal.learning.importer` writes it to the database.
"""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
LANGUAGES = ("en", "ur", "hi")
QUESTION_KINDS = ("single", "multiple", "true_false")
LESSON_FILE = re.compile(r"(\.md|\.quiz\.yaml|\.exercise\.yaml)$")
READING_LIMIT = 50000  # characters of a reading's Markdown (lessons.body)
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?", re.DOTALL)


@dataclass
class Problem:
    """What is wrong and where: file and line for files; module or lesson key (and a
    `code` naming the kind of problem) for the editor, which names them by title."""

    file: str
    line: int | None
    message: str
    module: str | None = None
    lesson: str | None = None
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class BundleError(ValueError):
    """The files do not make a valid course; `problems` lists each one."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _LineDict(dict):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping and refuses anchors and
    aliases: course files never need them, and nested aliases expand without limit."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (& and *) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


def _construct_line_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_line_mapping)


def _line(value: Any, offset: int = 0) -> int | None:
    line = getattr(value, "line", 0)
    return line + offset if line else None


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
            return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 + offset if mark else None
            self.problem(name, line, f"not valid YAML: {getattr(exc, 'problem', exc)}")
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
        if slug and not KEY.match(slug):
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
            kind="quiz" if name.endswith(".quiz.yaml") else "exercise",
            module_key=module_key,
            minutes=self.minutes(name, data),
            required=bool(data.get("required", True)),
        )
        if lesson.kind == "quiz":
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
        if meta.get("kind", "reading") != "reading":
            self.problem(name, 2, "a .md lesson is a reading: kind must be 'reading'")
        body = text[match.end() :].strip()
        if len(body) > READING_LIMIT:
            self.problem(name, None, f"the reading is longer than {READING_LIMIT} characters")
        if not body:
            self.problem(name, None, "the reading has no text", code="reading_empty")
        return LessonData(
            key=key,
            title=self.text(name, meta, "title", offset=1),
            kind="reading",
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
            self.problem(
                name, _line(data), "a quiz needs at least one question", code="quiz_empty"
            )
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
            if kind not in QUESTION_KINDS:
                self.problem(
                    name,
                    _line(question),
                    f"question kind must be one of {', '.join(QUESTION_KINDS)}",
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
            if kind in ("single", "true_false") and correct > 1:
                self.problem(
                    name,
                    _line(question),
                    f"question '{qkey}' is {kind} but has {correct} correct choices",
                )
            if kind == "true_false" and len(parsed) != 2:
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
        content: dict[str, Any] = {}
        for part in ("setup", "checks", "hints", "solution"):
            value = data.get(part, [])
            if not isinstance(value, list):
                self.problem(name, _line(data), f"'{part}' must be a list")
                value = []
            content[part] = _plain(value)
        if not content["checks"]:
            self.problem(
                name, _line(data), "an exercise needs at least one check", code="no_checks"
            )
        keys = [c.get("key") for c in content["checks"] if isinstance(c, dict)]
        if len(keys) != len(set(keys)) or None in keys:
            self.problem(name, _line(data), "every check needs its own key")
        lesson.content = content


def _plain(value: Any) -> Any:
    """Strip the loader's line-number dicts down to plain JSON-ready data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def read_bundle(files: dict[str, str]) -> CourseBundle:
    """Parse and validate one course's files; raise BundleError listing every problem."""
    reader = _Reader(files)
    bundle = reader.read()
    if reader.problems or bundle is None:
        raise BundleError(reader.problems)
    return bundle


def read_folder(folder: Path) -> dict[str, str]:
    """The text of every course file in a folder, keyed by file name."""
    files: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix in (".md", ".yaml", ".yml"):
            files[path.name] = path.read_text(encoding="utf-8")
    return files


# Writing a bundle back out: the same files read_bundle reads.


def bundle_to_dict(bundle: CourseBundle) -> dict[str, Any]:
    """Plain JSON-ready data (what drafts and versions store)."""
    return _plain(asdict(bundle))


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


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def bundle_to_files(bundle: CourseBundle) -> dict[str, str]:
    """Write the bundle as course files: course.yaml plus one file per lesson."""
    course: dict[str, Any] = {"slug": bundle.slug, "title": bundle.title}
    if bundle.summary:
        course["summary"] = bundle.summary
    if bundle.cover:
        course["cover"] = bundle.cover
    course["language"] = bundle.language
    if bundle.translation_of:
        course["translation_of"] = bundle.translation_of
    course["modules"] = [
        {"key": m["key"], "title": m["title"], "lessons": list(m["lessons"])}
        for m in bundle.modules
    ]
    files = {"course.yaml": _dump(course)}
    for lesson in bundle.lessons:
        head: dict[str, Any] = {"key": lesson.key, "title": lesson.title}
        if lesson.kind == "reading":
            head |= {"kind": "reading", "minutes": lesson.minutes}
            if not lesson.required:
                head["required"] = False
            files[f"{lesson.key}.md"] = f"---\n{_dump(head)}---\n{lesson.body.strip()}\n"
            continue
        head["minutes"] = lesson.minutes
        if not lesson.required:
            head["required"] = False
        if lesson.kind == "quiz":
            head["pass_mark"] = lesson.content.get("pass_mark", 70)
            if lesson.body:
                head["intro"] = lesson.body
            head["questions"] = [
                {
                    "key": q["key"],
                    "kind": q["kind"],
                    "prompt": q["prompt"],
                    **({"explanation": q["explanation"]} if q.get("explanation") else {}),
                    "choices": [
                        {
                            "key": c["key"],
                            "text": c["text"],
                            "correct": bool(c["correct"]),
                            **({"feedback": c["feedback"]} if c.get("feedback") else {}),
                        }
                        for c in q["choices"]
                    ],
                }
                for q in lesson.questions
            ]
            files[f"{lesson.key}.quiz.yaml"] = _dump(head)
        else:
            head["task"] = lesson.body
            for part in ("setup", "checks", "hints", "solution"):
                head[part] = lesson.content.get(part, [])
            files[f"{lesson.key}.exercise.yaml"] = _dump(head)
    return files
