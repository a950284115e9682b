"""Course files on disk or in a zip: YAML that remembers where each value is written.

Every mapping the loader builds knows its own line and the line of each of its keys, so a
problem found at a field path (("checks", 2, "target")) is reported at file:line.
Anchors and aliases are refused: course files never need them, and nested aliases expand
without limit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?", re.DOTALL)
COURSE_SUFFIXES = (".md", ".yaml", ".yml")
LESSON_SUFFIXES = (".md", ".quiz.yaml", ".exercise.yaml")


class LineDict(dict):
    """A mapping that knows its own line and the line of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class LineLoader(yaml.SafeLoader):
    """A safe loader that builds LineDicts and refuses anchors and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (& and *) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        str(key.value): key.start_mark.line + 1
        for key, _value in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class YamlProblem(ValueError):
    """Text that is not valid YAML; `line` is where the parser stopped (1-based)."""

    def __init__(self, detail: str, line: int | None):
        super().__init__(f"not valid YAML: {detail}")
        self.detail = detail
        self.line = line


def load_yaml(text: str, offset: int = 0) -> Any:
    """Parse YAML keeping lines (shifted by `offset`); raise YamlProblem when invalid."""
    try:
        data = yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + offset if mark else None
        raise YamlProblem(str(getattr(exc, "problem", exc)), line) from exc
    if offset:
        _shift(data, offset)
    return data


def _shift(data: Any, offset: int) -> None:
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
    if isinstance(data, dict):
        for value in data.values():
            _shift(value, offset)
    elif isinstance(data, list):
        for value in data:
            _shift(value, offset)


def line_of(data: Any, key: str | None = None) -> int | None:
    """The line of a mapping (or of one of its keys), if the loader recorded it."""
    if not isinstance(data, LineDict):
        return None
    if key is not None and key in data.key_lines:
        return data.key_lines[key]
    return data.line or None


def line_at(data: Any, loc: tuple[str | int, ...]) -> int | None:
    """The line of the value at a field path: the deepest mapping key on the way."""
    line = line_of(data)
    for part in loc:
        if isinstance(data, dict) and part in data:
            line = line_of(data, str(part)) or line
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            line = line_of(data) or line
        elif isinstance(data, dict | list):
            continue  # a union's tag in the path, not a key of the data
        else:
            break
    return line


def plain(value: Any) -> Any:
    """Plain JSON-ready data: the loader's LineDicts as dicts, dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def dump_yaml(data: Any) -> str:
    """YAML as course files write it: keys in their order, text as written."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def read_folder(folder: Path) -> dict[str, str]:
    """The text of every course file in a folder, keyed by file name."""
    files: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix in COURSE_SUFFIXES:
            files[path.name] = path.read_text(encoding="utf-8")
    return files


def write_folder(folder: Path, files: dict[str, str]) -> None:
    """Write course files into a folder (made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
