"""Every UI string has an Urdu and a Hindi translation with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Extract the messages from the code as it is now, not from a stale .pot file."""
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(out), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with out.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("locale", ["ur", "hi"])
def test_every_ui_string_is_translated(template, locale):
    with (ROOT / "portal/translations" / locale / "LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    missing, broken = [], []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        strings = (
            list(translated.string) if translated and isinstance(translated.string, tuple)
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
