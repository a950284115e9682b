"""Pages read correctly in every language: dates, script fonts, content direction, identity."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.i18n import content_attrs, date_filter, datetime_filter, time_filter

FONT_CSS = {
    "ur": "vendor/fonts/noto-nastaliq-urdu/arabic-400.css",
    "hi": "vendor/fonts/noto-sans-devanagari/devanagari-400.css",
}


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


@pytest.mark.parametrize("locale", ["ur", "hi"])
def test_urdu_and_hindi_pages_load_their_script_font(client, locale):
    page = client.get("/login", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert FONT_CSS[locale] in page
    assert all(css not in page for other, css in FONT_CSS.items() if other != locale)
    stylesheet = client.get(f"/static/{FONT_CSS[locale]}")
    assert stylesheet.status_code == 200
    font_file = re.search(r"url\(\./(files/[^)]+\.woff2)\)", stylesheet.get_data(as_text=True))
    folder = FONT_CSS[locale].rsplit("/", 1)[0]
    response = client.get(f"/static/{folder}/{font_file.group(1)}")
    assert response.status_code == 200
    assert response.data[:4] == b"wOF2"


def test_english_pages_load_no_script_font(client):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "vendor/fonts/" not in page


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
