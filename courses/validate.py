#!/usr/bin/env python3
"""Check the built-in courses against the format described in courses/README.md.

Usage:
    .venv/bin/python courses/validate.py             # every course folder under courses/
    .venv/bin/python courses/validate.py FOLDER ...  # only these course folders
    .venv/bin/python courses/validate.py --stats     # also print word counts per course
    .venv/bin/python courses/validate.py --strict    # treat warnings as errors

Prints one line per problem as `file:line: message` (paths relative to courses/) and
exits with status 1 when there is any error. Warnings (style guidance such as reading
length) are printed but do not fail the run unless --strict is given.

Needs only the standard library and PyYAML. It mirrors the checks the portal's importer
(portal/learning/bundle.py) makes, and adds the ones the importer does not: required
explanations and feedback, the provisional exercise vocabulary, CRM code lists, and
translations keeping the original's keys.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
LANGUAGES = ("en", "ur", "hi")
QUESTION_KINDS = ("single", "multiple", "true_false")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n?", re.DOTALL)
COURSE_FILE_SUFFIXES = (".md", ".yaml", ".yml")

# Length limits the importer and database enforce.
LIMITS = {
    "title": 200,
    "summary": 2000,
    "prompt": 2000,
    "text": 1000,
    "feedback": 2000,
    "explanation": 4000,
    "intro": 5000,
    "task": 20000,
}

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

# The provisional exercise vocabulary (see README.md, "Exercises").
SETUP_ENTITIES = (
    "customer",
    "lead",
    "ticket",
    "opportunity",
    "purchase",
    "automation",
    "sales_target",
)
CHECK_ENTITIES = SETUP_ENTITIES + ("activity", "outbox_email")
CHECK_TYPES = (
    "record_exists",
    "field_equals",
    "count_at_least",
    "event_happened",
    "events_in_order",
    "within_sla",
)
EVENT_NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")
SLA_MEASURES = ("first_response", "resolution")
FILTER_OPERATORS = ("contains", "not_empty", "in", "at_least", "at_most")
RELATIVE_DATE = re.compile(r"^@(today|now)([+-]\d+[hdwmy])*$")
CODE_LISTS = {
    ("lead", "status"): (
        "new",
        "assigned",
        "in_process",
        "converted",
        "recycled",
        "dead",
    ),
    ("lead", "source"): (
        "call",
        "email",
        "existing_customer",
        "partner",
        "public_relations",
        "web_site",
        "campaign",
        "trade_show",
        "referral",
        "other",
    ),
    ("opportunity", "stage"): (
        "prospecting",
        "qualification",
        "proposal",
        "negotiation",
        "closed_won",
        "closed_lost",
    ),
    ("ticket", "status"): ("new", "assigned", "pending", "closed", "rejected", "duplicate"),
    ("ticket", "priority"): ("low", "normal", "high", "urgent"),
    ("ticket", "category"): ("billing", "technical", "delivery", "defect", "return"),
    ("automation", "trigger"): ("birthday", "purchase_anniversary", "ticket_resolved"),
    ("activity", "kind"): ("call", "email", "meeting", "note", "task"),
    ("customer", "tier"): ("bronze", "silver", "gold", "platinum"),
    ("outbox_email", "trigger"): ("birthday", "purchase_anniversary", "ticket_resolved"),
}


# ---------------------------------------------------------------------------------------
# YAML that remembers line numbers


class LineDict(dict):
    """A mapping that knows its own line and the line of each of its keys."""

    line: int | None = None
    key_lines: dict[str, int]


class LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        str(loader.construct_object(k)): k.start_mark.line + 1 for k, _ in node.value
    }
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def line_of(data: Any, key: str | None = None, offset: int = 0) -> int | None:
    if not isinstance(data, LineDict):
        return None
    if key is not None and key in data.key_lines:
        return data.key_lines[key] + offset
    return data.line + offset if data.line else None


# ---------------------------------------------------------------------------------------
# Reporting


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def _where(self, file: Path | str, line: int | None) -> str:
        name = str(file)
        if isinstance(file, Path):
            try:
                name = str(file.relative_to(ROOT))
            except ValueError:
                name = str(file)
        return f"{name}:{line}" if line else name

    def error(self, file: Path | str, line: int | None, message: str) -> None:
        self.errors.append(f"{self._where(file, line)}: error: {message}")

    def warn(self, file: Path | str, line: int | None, message: str) -> None:
        self.warnings.append(f"{self._where(file, line)}: warning: {message}")


# ---------------------------------------------------------------------------------------
# Parsed course (only what cross-checks need)


@dataclass
class Lesson:
    key: str
    kind: str  # reading | quiz | exercise
    module: str
    path: Path
    words: int = 0
    pass_mark: int | None = None
    questions: list[tuple[str, str, list[tuple[str, bool]]]] = field(default_factory=list)
    setup_keys: list[str] = field(default_factory=list)
    check_keys: list[str] = field(default_factory=list)


@dataclass
class Course:
    folder: Path
    slug: str = ""
    language: str = "en"
    translation_of: str | None = None
    modules: list[tuple[str, list[str]]] = field(default_factory=list)
    lessons: dict[str, Lesson] = field(default_factory=dict)


class Validator:
    def __init__(self, report: Report):
        self.report = report

    # -- helpers ---------------------------------------------------------------------

    def load_yaml(self, path: Path, text: str, offset: int = 0) -> Any:
        try:
            return yaml.load(text, Loader=LineLoader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 + offset if mark else None
            self.report.error(path, line, f"not valid YAML: {getattr(exc, 'problem', exc)}")
            return None

    def text(
        self,
        path: Path,
        data: dict,
        name: str,
        *,
        required: bool = True,
        offset: int = 0,
        limit: int | None = None,
    ) -> str:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.report.error(path, line_of(data, offset=offset), f"'{name}' is missing")
            return ""
        if not isinstance(value, str):
            self.report.error(path, line_of(data, name, offset), f"'{name}' must be text")
            return ""
        limit = limit or LIMITS.get(name)
        if limit and len(value.strip()) > limit:
            self.report.error(
                path, line_of(data, name, offset), f"'{name}' is longer than {limit} characters"
            )
        return value.strip()

    def key(self, path: Path, data: dict, offset: int = 0, what: str = "key") -> str:
        value = data.get("key")
        if value is None or value == "":
            self.report.error(path, line_of(data, offset=offset), f"'{what}' is missing")
            return ""
        value = str(value)
        if not KEY.match(value):
            self.report.error(
                path,
                line_of(data, "key", offset),
                f"key '{value}' must be lower-case letters, digits, '-' or '_' (max 80)",
            )
        return value

    def is_mapping(self, path: Path, value: Any, what: str, line: int | None) -> bool:
        if not isinstance(value, dict):
            self.report.error(path, line, f"{what} must be a mapping")
            return False
        return True

    # -- a course --------------------------------------------------------------------

    def course(self, folder: Path) -> Course | None:
        course = Course(folder=folder)
        path = folder / "course.yaml"
        if not path.exists():
            self.report.error(folder, None, "a course folder needs a course.yaml")
            return None
        data = self.load_yaml(path, path.read_text(encoding="utf-8"))
        if data is None or not self.is_mapping(path, data, "course.yaml", 1):
            return None
        known = {"slug", "title", "summary", "language", "translation_of", "modules"}
        for name in data:
            if name not in known:
                self.report.warn(path, line_of(data, name), f"unknown field '{name}'")
        course.slug = self.text(path, data, "slug", limit=80)
        if course.slug and not SLUG.match(course.slug):
            self.report.error(
                path, line_of(data, "slug"), "slug must be lower-case letters, digits and '-'"
            )
        if course.slug and course.slug != folder.name:
            self.report.error(
                path,
                line_of(data, "slug"),
                f"slug '{course.slug}' must match its folder name '{folder.name}'",
            )
        self.text(path, data, "title")
        self.text(path, data, "summary")
        course.language = self.text(path, data, "language")
        if course.language and course.language not in LANGUAGES:
            self.report.error(
                path, line_of(data, "language"), f"language must be one of {', '.join(LANGUAGES)}"
            )
        course.translation_of = self.text(path, data, "translation_of", required=False) or None

        modules = data.get("modules")
        if not isinstance(modules, list) or not modules:
            self.report.error(path, line_of(data, "modules"), "'modules' must list modules")
            return course
        seen_modules: set[str] = set()
        seen_lessons: set[str] = set()
        for module in modules:
            if not self.is_mapping(path, module, "each module", line_of(data, "modules")):
                continue
            mkey = self.key(path, module, what="module key")
            if mkey in seen_modules:
                self.report.error(
                    path, line_of(module, "key"), f"module key '{mkey}' is used twice"
                )
            seen_modules.add(mkey)
            self.text(path, module, "title")
            lesson_keys = module.get("lessons")
            if not isinstance(lesson_keys, list) or not lesson_keys:
                self.report.error(path, line_of(module), f"module '{mkey}' lists no lessons")
                lesson_keys = []
            keys = []
            for lkey in lesson_keys:
                lkey = str(lkey)
                if not KEY.match(lkey):
                    self.report.error(
                        path, line_of(module, "lessons"), f"lesson key '{lkey}' is not a valid key"
                    )
                if lkey in seen_lessons:
                    self.report.error(
                        path, line_of(module, "lessons"), f"lesson '{lkey}' is listed twice"
                    )
                    continue
                seen_lessons.add(lkey)
                keys.append(lkey)
                lesson = self.lesson(folder, lkey, mkey, module, course.language)
                if lesson is not None:
                    course.lessons[lkey] = lesson
            course.modules.append((mkey, keys))

        listed = {
            f"{k}{suffix}"
            for k in seen_lessons
            for suffix in (".md", ".quiz.yaml", ".exercise.yaml")
        }
        for item in sorted(folder.iterdir()):
            if item.is_dir():
                self.report.warn(item, None, "sub-folders of a course are ignored by the importer")
                continue
            if item.name == "course.yaml" or item.name.lower() == "readme.md":
                continue
            if item.suffix in COURSE_FILE_SUFFIXES and item.name not in listed:
                self.report.error(
                    item, None, "this file is not listed in any module of course.yaml"
                )
        self.style(course)
        return course

    def style(self, course: Course) -> None:
        """Guidance from the curriculum brief: warnings, not format errors."""
        path = course.folder / "course.yaml"
        if not 2 <= len(course.modules) <= 4:
            self.report.warn(path, None, f"{len(course.modules)} modules (aim for 2 to 4)")
        count = sum(len(keys) for _, keys in course.modules)
        if not 4 <= count <= 9:
            self.report.warn(path, None, f"{count} lessons (aim for 4 to 9)")

    def lesson(
        self, folder: Path, key: str, module: str, module_data: dict, language: str
    ) -> Lesson | None:
        names = [f"{key}.md", f"{key}.quiz.yaml", f"{key}.exercise.yaml"]
        found = [folder / n for n in names if (folder / n).exists()]
        if not found:
            self.report.error(
                folder / "course.yaml",
                line_of(module_data, "lessons"),
                f"lesson '{key}' has no file (expected one of {', '.join(names)})",
            )
            return None
        if len(found) > 1:
            self.report.error(
                found[1],
                None,
                f"lesson '{key}' has more than one file: " + ", ".join(p.name for p in found),
            )
        path = found[0]
        if path.name.endswith(".md"):
            return self.reading(path, key, module, language)
        data = self.load_yaml(path, path.read_text(encoding="utf-8"))
        if data is None or not self.is_mapping(path, data, "the file", 1):
            return None
        own_key = self.key(path, data)
        if own_key and own_key != key:
            self.report.error(
                path, line_of(data, "key"), f"key must be '{key}', as its file name says"
            )
        self.text(path, data, "title")
        self.minutes(path, data, required=False)
        if "required" in data and not isinstance(data["required"], bool):
            self.report.error(path, line_of(data, "required"), "'required' must be true or false")
        if path.name.endswith(".quiz.yaml"):
            lesson = Lesson(key=key, kind="quiz", module=module, path=path)
            self.quiz(path, data, lesson)
        else:
            lesson = Lesson(key=key, kind="exercise", module=module, path=path)
            self.exercise(path, data, lesson)
        return lesson

    def minutes(self, path: Path, data: dict, offset: int = 0, required: bool = True) -> None:
        if "minutes" not in data:
            if required:
                self.report.error(path, line_of(data, offset=offset), "'minutes' is missing")
            return
        value = data["minutes"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 600:
            self.report.error(
                path,
                line_of(data, "minutes", offset),
                "'minutes' must be a whole number from 1 to 600",
            )

    # -- readings --------------------------------------------------------------------

    def reading(self, path: Path, key: str, module: str, language: str) -> Lesson | None:
        text = path.read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        if not match:
            self.report.error(
                path, 1, "a reading starts with YAML front matter between '---' lines"
            )
            return None
        meta = self.load_yaml(path, match.group(1), offset=1)
        if meta is None or not self.is_mapping(path, meta, "the front matter", 1):
            return None
        own_key = self.key(path, meta, offset=1)
        if own_key and own_key != key:
            self.report.error(
                path, line_of(meta, "key", 1), f"key must be '{key}', as its file name says"
            )
        self.text(path, meta, "title", offset=1)
        if meta.get("kind") != "reading":
            self.report.error(
                path, line_of(meta, "kind", 1), "'kind' must be 'reading' in a .md lesson"
            )
        self.minutes(path, meta, offset=1)
        body_start = text[: match.end()].count("\n") + 1
        body = text[match.end() :]
        if not body.strip():
            self.report.error(path, body_start, "the reading has no text")
        words = self.markdown(path, body, body_start, language)
        low, high = READING_WORDS.get(language, READING_WORDS["en"])
        if not low <= words <= high:
            self.report.warn(path, None, f"{words} words (aim for {low} to {high})")
        return Lesson(key=key, kind="reading", module=module, path=path, words=words)

    def markdown(self, path: Path, body: str, first_line: int, language: str) -> int:
        """Check a Markdown body; return its word count (outside code)."""
        labels = CALLOUT_LABELS.get(language, CALLOUT_LABELS["en"])
        in_fence = False
        words = 0
        previous_blank = True
        for number, line in enumerate(body.splitlines(), start=first_line):
            stripped = line.strip()
            if stripped.startswith(("```", "~~~")):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            prose = re.sub(r"`[^`]*`", "", line)
            if re.search(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>|<!--", prose):
                self.report.error(path, number, "raw HTML is not allowed; use Markdown")
            if re.match(r"^#\s", stripped):
                self.report.warn(
                    path, number, "use '##' and below; the lesson title is the page heading"
                )
            match = CALLOUT_START.match(stripped)
            if match and previous_blank and match.group(1) not in labels:
                self.report.error(
                    path,
                    number,
                    f"callout label '{match.group(1)}' is not one of: {', '.join(labels)}",
                )
            previous_blank = not stripped or (previous_blank and stripped == ">")
            words += sum(1 for token in prose.split() if any(ch.isalnum() for ch in token))
        if in_fence:
            self.report.error(path, None, "a code fence is never closed")
        return words

    # -- quizzes ---------------------------------------------------------------------

    def quiz(self, path: Path, data: dict, lesson: Lesson) -> None:
        pass_mark = data.get("pass_mark")
        if (
            isinstance(pass_mark, bool)
            or not isinstance(pass_mark, int)
            or not 0 < pass_mark <= 100
        ):
            self.report.error(
                path, line_of(data, "pass_mark"), "'pass_mark' must be a percentage from 1 to 100"
            )
        else:
            lesson.pass_mark = pass_mark
        self.text(path, data, "intro", required=False)
        questions = data.get("questions")
        if not isinstance(questions, list) or not questions:
            self.report.error(
                path, line_of(data, "questions"), "a quiz needs at least one question"
            )
            return
        seen: set[str] = set()
        for question in questions:
            if not self.is_mapping(path, question, "each question", line_of(data, "questions")):
                continue
            qkey = self.key(path, question, what="question key")
            if qkey in seen:
                self.report.error(
                    path, line_of(question, "key"), f"question key '{qkey}' is used twice"
                )
            seen.add(qkey)
            kind = question.get("kind")
            if kind not in QUESTION_KINDS:
                self.report.error(
                    path,
                    line_of(question, "kind"),
                    f"question '{qkey}': kind must be one of {', '.join(QUESTION_KINDS)}",
                )
            self.text(path, question, "prompt")
            self.text(path, question, "explanation")
            choices = question.get("choices")
            if not isinstance(choices, list) or len(choices) < 2:
                self.report.error(
                    path, line_of(question), f"question '{qkey}' needs at least two choices"
                )
                choices = []
            parsed: list[tuple[str, bool]] = []
            choice_keys: set[str] = set()
            for choice in choices:
                if not self.is_mapping(path, choice, "each choice", line_of(question, "choices")):
                    continue
                ckey = self.key(path, choice, what="choice key")
                if ckey in choice_keys:
                    self.report.error(
                        path,
                        line_of(choice, "key"),
                        f"choice key '{ckey}' is used twice in '{qkey}'",
                    )
                choice_keys.add(ckey)
                self.text(path, choice, "text")
                self.text(path, choice, "feedback")
                correct = choice.get("correct")
                if not isinstance(correct, bool):
                    self.report.error(
                        path,
                        line_of(choice, "correct") or line_of(choice),
                        f"choice '{ckey}' in '{qkey}': 'correct' must be true or false",
                    )
                    correct = False
                parsed.append((ckey, correct))
            right = sum(1 for _, ok in parsed if ok)
            if parsed and right == 0:
                self.report.error(
                    path, line_of(question), f"question '{qkey}' has no correct choice"
                )
            if kind in ("single", "true_false") and right > 1:
                self.report.error(
                    path,
                    line_of(question),
                    f"question '{qkey}' is {kind} but has {right} correct choices",
                )
            if kind == "true_false" and sorted(k for k, _ in parsed) != ["false", "true"]:
                self.report.error(
                    path,
                    line_of(question),
                    f"true/false question '{qkey}' needs exactly two choices, "
                    'keyed "true" and "false"',
                )
            lesson.questions.append((qkey, str(kind), parsed))

    # -- exercises -------------------------------------------------------------------

    def exercise(self, path: Path, data: dict, lesson: Lesson) -> None:
        task = self.text(path, data, "task")
        if task:
            self.markdown(path, task, (line_of(data, "task") or 0) + 1, "en")
        for part in ("setup", "checks", "hints", "solution"):
            if part not in data:
                self.report.error(path, line_of(data), f"'{part}' is missing")
            elif not isinstance(data[part], list):
                self.report.error(path, line_of(data, part), f"'{part}' must be a list")
        for part in ("hints", "solution"):
            items = data.get(part)
            if isinstance(items, list):
                if not items:
                    self.report.error(path, line_of(data, part), f"'{part}' must not be empty")
                for number, item in enumerate(items, start=1):
                    if part == "solution" and isinstance(item, dict):
                        # A step the sandbox can carry out: its text plus `do` or `actions`.
                        item = item.get("step")
                    if not isinstance(item, str) or not item.strip():
                        where = line_of(item) or line_of(data, part)
                        self.report.error(
                            path,
                            where,
                            f"item {number} of '{part}' must be text "
                            "(quote it if it contains ': ')",
                        )

        setup = data.get("setup") if isinstance(data.get("setup"), list) else []
        entities: dict[str, str] = {}
        for record in setup:
            if not self.is_mapping(path, record, "each setup record", line_of(data, "setup")):
                continue
            rkey = self.key(path, record, what="setup key")
            if rkey in entities:
                self.report.error(path, line_of(record, "key"), f"setup key '{rkey}' is used twice")
            entity = record.get("entity")
            if entity not in SETUP_ENTITIES:
                self.report.error(
                    path,
                    line_of(record, "entity") or line_of(record),
                    f"setup '{rkey}': entity must be one of {', '.join(SETUP_ENTITIES)}",
                )
            entities[rkey] = str(entity)
            lesson.setup_keys.append(rkey)
        # Second pass, now that every setup key is known (records may refer to later ones).
        for record in setup:
            if isinstance(record, dict):
                fields = record.get("fields")
                if not isinstance(fields, dict) or not fields:
                    self.report.error(
                        path, line_of(record), f"setup '{record.get('key')}' needs 'fields'"
                    )
                    continue
                self.fields(path, str(record.get("entity")), fields, entities, setup=True)

        checks = data.get("checks") if isinstance(data.get("checks"), list) else []
        if not checks:
            self.report.error(path, line_of(data, "checks"), "an exercise needs at least one check")
        seen: set[str] = set()
        for check in checks:
            if not self.is_mapping(path, check, "each check", line_of(data, "checks")):
                continue
            ckey = self.key(path, check, what="check key")
            if ckey in seen:
                self.report.error(path, line_of(check, "key"), f"check key '{ckey}' is used twice")
            seen.add(ckey)
            lesson.check_keys.append(ckey)
            self.check(path, ckey, check, entities)
        if checks and not any(isinstance(c, dict) and c.get("required") is True for c in checks):
            self.report.error(path, line_of(data, "checks"), "at least one check must be required")

    def check(self, path: Path, ckey: str, check: dict, entities: dict[str, str]) -> None:
        kind = check.get("type")
        if kind not in CHECK_TYPES:
            self.report.error(
                path,
                line_of(check, "type") or line_of(check),
                f"check '{ckey}': type must be one of {', '.join(CHECK_TYPES)}",
            )
            return
        if not isinstance(check.get("required"), bool):
            self.report.error(
                path, line_of(check), f"check '{ckey}': 'required' must be true or false"
            )
        self.text(path, check, "hint", limit=1000)
        self.text(path, check, "description", required=False, limit=500)

        def target(name: str = "target", needed: bool = True) -> str | None:
            if name not in check:
                if needed:
                    self.report.error(path, line_of(check), f"check '{ckey}' needs '{name}'")
                return None
            return self.target(path, ckey, check[name], entities, line_of(check, name))

        if kind == "record_exists":
            target()
        elif kind == "field_equals":
            entity = target()
            fname = check.get("field")
            if not isinstance(fname, str) or not fname:
                self.report.error(path, line_of(check), f"check '{ckey}' needs 'field'")
            has_value = "value" in check
            has_not_empty = check.get("not_empty") is True
            if has_value == has_not_empty:
                self.report.error(
                    path,
                    line_of(check),
                    f"check '{ckey}' needs exactly one of 'value' or 'not_empty: true'",
                )
            value = check.get("value")
            if (
                isinstance(value, str)
                and value.startswith("@")
                and value != "@learner"
                and not RELATIVE_DATE.match(value)
            ):
                self.report.error(
                    path,
                    line_of(check, "value"),
                    f"check '{ckey}': '{value}' is not a relative date like @today or @now+4h",
                )
            if has_value and entity and isinstance(fname, str):
                self.code(path, line_of(check, "value"), entity, fname, value)
        elif kind == "count_at_least":
            target()
            minimum = check.get("min")
            if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
                self.report.error(
                    path,
                    line_of(check),
                    f"check '{ckey}' needs 'min', a whole number of at least 1",
                )
        elif kind == "event_happened":
            self.event(path, ckey, check, entities)
        elif kind == "events_in_order":
            events = check.get("events")
            if not isinstance(events, list) or len(events) < 2:
                self.report.error(
                    path, line_of(check), f"check '{ckey}' needs 'events', a list of at least two"
                )
                return
            shared = target(needed=False)
            for event in events:
                if self.is_mapping(path, event, "each event", line_of(check, "events")):
                    self.event(path, ckey, event, entities, shared)
        elif kind == "within_sla":
            entity = target()
            if entity and entity != "ticket":
                self.report.error(
                    path, line_of(check, "target"), f"check '{ckey}': within_sla needs a ticket"
                )
            if check.get("measure") not in SLA_MEASURES:
                self.report.error(
                    path,
                    line_of(check, "measure") or line_of(check),
                    f"check '{ckey}': measure must be one of {', '.join(SLA_MEASURES)}",
                )

    def event(
        self,
        path: Path,
        ckey: str,
        event: dict,
        entities: dict[str, str],
        shared: str | None = None,
    ) -> None:
        name = event.get("event")
        if not isinstance(name, str) or not EVENT_NAME.match(name):
            self.report.error(
                path,
                line_of(event, "event") or line_of(event),
                f"check '{ckey}': 'event' must be a name like lead.created",
            )
            return
        entity = shared
        if "target" in event:
            entity = self.target(path, ckey, event["target"], entities, line_of(event, "target"))
        prefix = name.split(".")[0]
        if entity is None and prefix in CHECK_ENTITIES:
            entity = prefix
        data = event.get("data")
        if data is None:
            return
        if not isinstance(data, dict):
            self.report.error(
                path, line_of(event, "data"), f"check '{ckey}': 'data' must be a mapping"
            )
            return
        for fname, value in data.items():
            line = line_of(data, str(fname))
            if isinstance(value, dict):
                if "setup" in value or "entity" in value:
                    self.target(path, ckey, value, entities, line)
                elif set(value) - set(FILTER_OPERATORS):
                    self.report.error(path, line, f"check '{ckey}': unknown operator in '{fname}'")
                continue
            field_name = str(fname)
            if field_name in ("from", "to") and entity in ("lead", "ticket", "opportunity"):
                field_name = "stage" if entity == "opportunity" else "status"
            if entity:
                self.code(path, line, entity, field_name, value)
            if field_name == "trigger":
                self.code(path, line, "automation", "trigger", value)

    def target(
        self, path: Path, ckey: str, value: Any, entities: dict[str, str], line: int | None
    ) -> str | None:
        """A target is {setup: key} or {entity: name, filter: {...}}; returns the entity."""
        if not isinstance(value, dict):
            self.report.error(
                path, line, f"check '{ckey}': a target must be {{setup: key}} or {{entity, filter}}"
            )
            return None
        if "setup" in value:
            key = value["setup"]
            if key not in entities:
                self.report.error(
                    path,
                    line_of(value, "setup") or line,
                    f"check '{ckey}': no setup record '{key}'",
                )
                return None
            if set(value) - {"setup"}:
                self.report.error(path, line, f"check '{ckey}': a setup target takes only 'setup'")
            return entities[key]
        entity = value.get("entity")
        if entity not in CHECK_ENTITIES:
            self.report.error(
                path,
                line_of(value, "entity") or line,
                f"check '{ckey}': target entity must be one of {', '.join(CHECK_ENTITIES)}",
            )
            return None
        extra = set(value) - {"entity", "filter"}
        if extra:
            self.report.error(path, line, f"check '{ckey}': unknown target fields {sorted(extra)}")
        filters = value.get("filter", {})
        if not isinstance(filters, dict):
            self.report.error(
                path,
                line_of(value, "filter") or line,
                f"check '{ckey}': 'filter' must be a mapping",
            )
        else:
            self.fields(path, entity, filters, entities, setup=False)
        return entity

    def fields(
        self, path: Path, entity: str, fields: dict, entities: dict[str, str], *, setup: bool
    ) -> None:
        for fname, value in fields.items():
            line = line_of(fields, str(fname))
            if isinstance(value, dict):
                if "setup" in value or "entity" in value:  # a link to another record
                    self.target(path, f"{fname}", value, entities, line)
                    continue
                if setup:
                    self.report.error(
                        path, line, f"'{fname}': setup values are plain values or {{setup: key}}"
                    )
                    continue
                unknown = set(value) - set(FILTER_OPERATORS)
                if unknown:
                    self.report.error(
                        path,
                        line,
                        f"'{fname}': unknown operator {sorted(unknown)} "
                        f"(use {', '.join(FILTER_OPERATORS)})",
                    )
                for op, operand in value.items():
                    if op == "in" and isinstance(operand, list):
                        for item in operand:
                            self.code(path, line, entity, str(fname), item)
                continue
            if isinstance(value, str) and value.startswith("@") and not RELATIVE_DATE.match(value):
                if value != "@learner":
                    self.report.error(
                        path,
                        line,
                        f"'{fname}': '{value}' is not a relative date like @today-1y+5d or @now+4h",
                    )
            self.code(path, line, entity, str(fname), value)

    def code(self, path: Path, line: int | None, entity: str, fname: str, value: Any) -> None:
        allowed = CODE_LISTS.get((entity, fname))
        if allowed and value not in allowed:
            self.report.error(
                path, line, f"{entity}.{fname} '{value}' is not one of: {', '.join(allowed)}"
            )


# ---------------------------------------------------------------------------------------
# Translations


def compare_translation(report: Report, course: Course, original: Course) -> None:
    path = course.folder / "course.yaml"
    if course.language == original.language:
        report.error(
            path, None, f"a translation must not have the same language as '{original.slug}'"
        )
    if original.translation_of:
        report.error(
            path, None, f"'{original.slug}' is itself a translation; translate the original"
        )
    mine = [(m, keys) for m, keys in course.modules]
    theirs = [(m, keys) for m, keys in original.modules]
    if [m for m, _ in mine] != [m for m, _ in theirs]:
        report.error(
            path,
            None,
            f"module keys {[m for m, _ in mine]} differ from "
            f"the original's {[m for m, _ in theirs]}",
        )
    for (module, keys), (_, their_keys) in zip(mine, theirs, strict=False):
        if keys != their_keys:
            report.error(
                path, None, f"module '{module}' lists {keys}, the original lists {their_keys}"
            )
    for key, lesson in course.lessons.items():
        other = original.lessons.get(key)
        if other is None:
            continue
        if lesson.kind != other.kind:
            report.error(
                lesson.path, None, f"is a {lesson.kind}; in the original '{key}' is a {other.kind}"
            )
            continue
        if lesson.kind == "quiz":
            if lesson.pass_mark != other.pass_mark:
                report.error(
                    lesson.path,
                    None,
                    f"pass_mark {lesson.pass_mark} differs from the original's {other.pass_mark}",
                )
            if [q[0] for q in lesson.questions] != [q[0] for q in other.questions]:
                report.error(
                    lesson.path,
                    None,
                    "question keys differ from the original's (same keys, same order)",
                )
            theirs_q = {q[0]: q for q in other.questions}
            for qkey, kind, choices in lesson.questions:
                if qkey not in theirs_q:
                    continue
                _, their_kind, their_choices = theirs_q[qkey]
                if kind != their_kind:
                    report.error(
                        lesson.path,
                        None,
                        f"question '{qkey}' is {kind}, the original is {their_kind}",
                    )
                if choices != their_choices:
                    report.error(
                        lesson.path,
                        None,
                        f"question '{qkey}': choice keys or correct answers "
                        "differ from the original's",
                    )
        if lesson.kind == "exercise":
            if lesson.setup_keys != other.setup_keys or lesson.check_keys != other.check_keys:
                report.error(lesson.path, None, "setup or check keys differ from the original's")


# ---------------------------------------------------------------------------------------


def course_folders(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p).resolve() for p in paths]
    return sorted(
        p
        for p in ROOT.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and p.name != "__pycache__"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", help="course folders (default: all under courses/)")
    parser.add_argument("--stats", action="store_true", help="print word counts per course")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    args = parser.parse_args(argv)

    report = Report()
    validator = Validator(report)
    courses: dict[str, Course] = {}
    for folder in course_folders(args.folders):
        course = validator.course(folder)
        if course is None:
            continue
        if course.slug in courses:
            report.error(
                folder / "course.yaml", None, f"slug '{course.slug}' is used by two folders"
            )
        courses[course.slug or folder.name] = course

    all_slugs = {p.name for p in course_folders([])}
    for course in courses.values():
        if not course.translation_of:
            continue
        original = courses.get(course.translation_of)
        if original is None:
            if course.translation_of in all_slugs:
                original = validator.course(ROOT / course.translation_of)
            if original is None:
                report.error(
                    course.folder / "course.yaml",
                    None,
                    f"translation_of: no course '{course.translation_of}'",
                )
                continue
        compare_translation(report, course, original)

    for line in report.errors + report.warnings:
        print(line)
    if args.stats:
        print()
        print(
            f"{'course':32} {'lang':4} {'readings':>8} {'quizzes':>7} {'exercises':>9} {'words':>7}"
        )
        for slug, course in sorted(courses.items()):
            kinds = [lesson.kind for lesson in course.lessons.values()]
            words = sum(lesson.words for lesson in course.lessons.values())
            print(
                f"{slug:32} {course.language:4} {kinds.count('reading'):8} "
                f"{kinds.count('quiz'):7} {kinds.count('exercise'):9} {words:7}"
            )
    failed = bool(report.errors) or (args.strict and bool(report.warnings))
    summary = (
        f"{len(courses)} course(s), {len(report.errors)} error(s), "
        f"{len(report.warnings)} warning(s)"
    )
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
