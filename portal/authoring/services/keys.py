"""Keys and titles: how a trainer's title becomes a stable key, and what a title may be."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from portal.authoring.services.errors import AuthoringError

TITLE_MAX = 200  # course, module and lesson titles (the course format's limit)


def slugify(text: str, fallback: str = "item") -> str:
    """A lower-case key from a title ('Leads & Qualification' -> 'leads-qualification')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def unique_key(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not in `taken`."""
    key, n = base, 2
    while key in taken:
        key = f"{base[:70]}-{n}"
        n += 1
    return key


def edited_item(items: list[dict], key: str | None, missing: str) -> dict | None:
    """The item of `items` with `key`, when an edit names one (AuthoringError `missing` if
    none has it); None for a new item."""
    existing = next((item for item in items if item["key"] == key), None)
    if key and existing is None:
        raise AuthoringError(missing)
    return existing


def put_item(items: list[dict], existing: dict | None, item: dict) -> None:
    """`item` in the place of `existing`, or added at the end when it is new."""
    if existing is not None:
        items[items.index(existing)] = item
    else:
        items.append(item)


def clean_title(title: str | None, missing: str) -> str:
    """The title with its spaces tidied; AuthoringError (at "title") if empty or too long."""
    title = " ".join((title or "").split())
    if not title:
        raise AuthoringError(missing, "title")
    if len(title) > TITLE_MAX:
        raise AuthoringError(
            _("Keep the title to %(count)d characters or fewer.", count=TITLE_MAX), "title"
        )
    return title
