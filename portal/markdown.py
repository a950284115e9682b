"""Markdown to safe HTML: the one renderer for lessons, previews and exercise tasks.

Trainers write Markdown; learners see HTML. Everything goes through nh3 (the Ammonia
sanitiser) after rendering, so no script, event handler or `javascript:` URL survives,
whatever the Markdown or raw HTML said.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "code": {"class"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

CALLOUTS = {"tip": "success", "note": "info", "warning": "warning"}
# The callout labels trainers write, in each UI language, and the kind each one marks.
CALLOUT_LABELS = {
    "tip": "tip",
    "note": "note",
    "warning": "warning",
    "مشورہ": "tip",
    "نوٹ": "note",
    "انتباہ": "warning",
    "सुझाव": "tip",
    "नोट": "note",
    "चेतावनी": "warning",
}
_CALLOUT = re.compile(
    r"<blockquote>\s*<p><strong>(" + "|".join(CALLOUT_LABELS) + r"):</strong>", re.IGNORECASE
)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .enable("strikethrough")
    )


def _mark_callout(match: re.Match) -> str:
    kind = CALLOUT_LABELS[match.group(1).lower()]
    return (
        f'<blockquote class="callout callout-{kind} border-start border-4 '
        f'border-{CALLOUTS[kind]} ps-3"><p><strong>{match.group(1)}:</strong>'
    )


def render_markdown(text: str) -> Markup:
    """Render trainer Markdown to sanitised HTML, safe to put in a page."""
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    clean = _CALLOUT.sub(_mark_callout, clean)
    clean = re.sub(r"<table>", '<table class="table table-sm table-bordered">', clean)
    return Markup(clean)
