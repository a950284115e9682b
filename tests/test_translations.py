"""Every UI string has an Urdu and a Hindi translation with the same placeholders."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.util import pathmatch

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# The same options as the extract command in the README. Without --ignore-dirs, Babel
# skips every directory named _* (portal/templates/_macros/ was never extracted).
EXTRACT_OPTIONS = [
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "--no-location",
    "--ignore-dirs",
    ".* __pycache__ node_modules",
]
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__"}


@pytest.fixture(scope="module")
def extraction(tmp_path_factory):
    """Extract the messages from the code as it is now, not from a stale .pot file."""
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            *EXTRACT_OPTIONS,
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    visited = set(re.findall(r"^extracting messages from (\S+)", result.stderr, re.MULTILINE))
    with out.open("rb") as handle:
        return read_po(handle), visited


@pytest.fixture(scope="module")
def template(extraction):
    return extraction[0]


def _catalog(locale):
    with (ROOT / "portal/translations" / locale / "LC_MESSAGES/messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def test_extraction_reads_every_mapped_file(extraction):
    """Every file babel.cfg maps, in _macros/ and other _* directories too, is extracted."""
    parser = configparser.RawConfigParser()
    parser.read(ROOT / "babel.cfg")
    patterns = [section.split(":", 1)[1].strip() for section in parser.sections()]
    expected = set()
    for root, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = Path(root, name).relative_to(ROOT).as_posix()
            if any(pathmatch(pattern, path) for pattern in patterns):
                expected.add(path)
    assert "portal/templates/_macros/forms.html" in expected
    assert not expected - extraction[1], f"never extracted: {sorted(expected - extraction[1])}"


@pytest.mark.parametrize("locale", ["ur", "hi"])
def test_macro_strings_are_extracted_and_translated(template, locale):
    message_id = "The form expired. Send it again."  # portal/templates/_macros/forms.html
    assert template.get(message_id) is not None
    translated = _catalog(locale).get(message_id)
    assert translated is not None and translated.string and not translated.fuzzy


@pytest.mark.parametrize("locale", ["ur", "hi"])
def test_every_ui_string_is_translated(template, locale):
    catalog = _catalog(locale)
    missing, broken = [], []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        strings = (
            list(translated.string)
            if translated and isinstance(translated.string, tuple)
            else [translated.string if translated else ""]
        )
        if not translated or not all(strings) or translated.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - set(PLACEHOLDER.findall(str(message.id))):
                broken.append(source)
    assert not missing, f"{len(missing)} strings lack a {locale} translation: {missing[:10]}"
    assert not broken, f"placeholders differ in {locale}: {broken[:10]}"
