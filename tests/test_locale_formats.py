"""Pages read correctly in every language: dates, script fonts, content direction, identity."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.i18n import content_attrs, date_filter, datetime_filter, time_filter

FONT_CSS = "vendor/fonts/scripts.css"


# Dates and times


@pytest.mark.parametrize(
    ("locale", "day", "moment"),
    [
        ("en", "Dec 5, 2026", "Dec 2, 2026, 3:49\u202fPM"),
        ("ur", "5 دسمبر، 2026", "2 دسمبر، 2026 15:49"),
        ("hi", "5 दिस॰ 2026", "2 दिस॰ 2026, 15:49"),
    ],
)
def test_dates_and_times_use_the_locale_format_without_english_am_pm(app, locale, day, moment):
    with app.test_request_context(), force_locale(locale):
        shown_day = date_filter(date(2026, 12, 5))
        shown_moment = datetime_filter(datetime(2026, 12, 2, 15, 49, 7, tzinfo=UTC))
        shown_time = time_filter(datetime(2026, 12, 2, 15, 49, tzinfo=UTC))
    assert shown_day == f'<bdi><time datetime="2026-12-05">{day}</time></bdi>'
    assert shown_moment == (
        f'<bdi><time datetime="2026-12-02T15:49:07+00:00">{moment}</time></bdi>'
    )
    if locale != "en":
        assert not re.search(r"\b[AaPp][Mm]\b", shown_moment + shown_time)
        assert "15:49" in shown_time


def test_plain_dates_for_attributes_carry_no_markup(app):
    with app.test_request_context(), force_locale("en"):
        assert date_filter(date(2026, 12, 5), "day", plain=True) == "Dec 5"
        assert date_filter(None) == ""


# Content direction


def test_content_names_its_language_or_lets_the_browser_decide():
    assert content_attrs("en") == ' lang="en" dir="ltr"'
    assert content_attrs("ur") == ' lang="ur" dir="rtl"'
    assert content_attrs(None) == ' dir="auto"'
    assert content_attrs('en" onclick="x') == (' lang="en&#34; onclick=&#34;x" dir="ltr"')


# Script fonts


@pytest.mark.parametrize("locale", ["en", "ur", "hi"])
def test_every_page_links_the_script_fonts(client, locale):
    """Urdu or Hindi text can show on any language's page (a course title, the language
    menu), so every page links the one stylesheet of both scripts' fonts."""
    page = client.get("/login", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert f"/static/{FONT_CSS}" in page


def _ranges(rule: str) -> list[tuple[int, int]]:
    """The code points a @font-face's unicode-range covers, as (first, last) pairs."""
    spans = re.search(r"unicode-range:\s*([^;]+);", rule).group(1).split(",")
    pairs = [span.strip().removeprefix("U+").split("-") for span in spans]
    return [(int(pair[0], 16), int(pair[-1], 16)) for pair in pairs]


def test_each_script_font_covers_its_own_script_only_and_is_served(client):
    """A browser fetches a font only for text in its script, and Latin text keeps the
    system font: each @font-face is limited to its script's code points."""
    stylesheet = client.get(f"/static/{FONT_CSS}")
    assert stylesheet.status_code == 200
    rules = re.findall(r"@font-face\s*\{[^}]*\}", stylesheet.get_data(as_text=True))
    scripts = {"Noto Nastaliq Urdu": "اردو", "Noto Sans Devanagari": "हिन्दी"}
    weights = {(family, weight) for family in scripts for weight in ("400", "700")}
    found = {
        (
            re.search(r"font-family:\s*'([^']+)'", rule).group(1),
            re.search(r"font-weight:\s*(\d+)", rule).group(1),
        )
        for rule in rules
    }
    assert found == weights
    for rule in rules:
        family = re.search(r"font-family:\s*'([^']+)'", rule).group(1)
        covers = _ranges(rule)
        for name, sample in scripts.items():
            inside = all(any(a <= ord(c) <= b for a, b in covers) for c in sample)
            assert inside == (name == family), (family, sample)
        assert not any(a <= ord(c) <= b for a, b in covers for c in "Aa1 .")
        for url in re.findall(r"url\(\./([^)]+)\)", rule):
            response = client.get(f"/static/vendor/fonts/{url}")
            assert response.status_code == 200
            assert response.data[:4] == (b"wOF2" if url.endswith(".woff2") else b"wOFF")


# Identity


def test_favicon_answers_with_an_icon(client):
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"


def test_pages_link_the_logo_icon_and_theme_colour(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/img/logo.svg"' in page
    assert '<meta name="theme-color" content="#0f6e6a">' in page
    assert client.get("/static/img/logo.svg").status_code == 200
    assert "--bs-primary: var(--brand)" in client.get("/static/css/app.css").get_data(as_text=True)


# Accessible names and hints


LITERAL_ATTRIBUTE = re.compile(r'\b(aria-label|title|placeholder|alt)="([^"{]*)"')


def test_every_accessible_label_title_and_placeholder_is_translated():
    """A literal English aria-label (the breadcrumb's was one) reaches Urdu and Hindi
    screen readers untranslated: every such attribute goes through gettext."""
    root = Path(__file__).resolve().parents[1]
    untranslated = []
    for template in sorted([*root.glob("portal/**/*.html"), *root.glob("sandbox/**/*.html")]):
        for name, value in LITERAL_ATTRIBUTE.findall(template.read_text(encoding="utf-8")):
            words = re.findall(r"[a-z]{3,}", value)
            if words and not value.startswith("@"):  # @today+3m: date syntax, not words
                untranslated.append(f"{template.relative_to(root)}: {name}={value!r}")
    assert untranslated == []
