"""Language choice, text direction, and dates and numbers in the locale's own formats.

The UI language is the user's stored locale, then the session, then Accept-Language.
Dates and times go through the filters registered here (`date`, `datetime`, `time`),
one style per kind of value, each wrapped in <bdi><time datetime="ISO"> so that a value
reads in one piece inside text of the other direction. Money, percentages and decimals
go through `money`, `percent` and `decimal` (Indian digit grouping in Hindi, for one).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time
from decimal import Decimal

from babel import Locale
from babel.dates import format_skeleton
from flask import Flask, current_app, has_request_context, session
from flask import request as flask_request
from flask_babel import (
    format_currency,
    format_date,
    format_percent,
    format_time,
    get_locale,
)
from flask_login import current_user
from markupsafe import Markup

from portal.config import RTL_LANGUAGES
from portal.extensions import babel


def select_locale() -> str:
    """Pick the UI language for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return flask_request.accept_languages.best_match(
        list(languages), default=current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def text_direction() -> str:
    """'rtl' for right-to-left languages such as Urdu, else 'ltr'."""
    return "rtl" if str(get_locale()) in RTL_LANGUAGES else "ltr"


# Kinds of date the portal shows; a template names the kind, never a pattern.
DATE_KINDS = {"medium": "medium", "long": "long", "day": "MMMd"}

# Stylesheets of the script fonts a language needs (copied from npm by bin/setup).
SCRIPT_FONTS = {
    "ur": (
        "vendor/fonts/noto-nastaliq-urdu/arabic-400.css",
        "vendor/fonts/noto-nastaliq-urdu/arabic-700.css",
    ),
    "hi": (
        "vendor/fonts/noto-sans-devanagari/devanagari-400.css",
        "vendor/fonts/noto-sans-devanagari/devanagari-700.css",
    ),
}


def content_attrs(language: str | None = None) -> Markup:
    """lang and dir attributes for a piece of content inside the page.

    Course text names its language; free text typed by people (plan goals, notes,
    customer names) has none and gets dir="auto", so the browser takes its direction
    from its first strong letter instead of from the page around it.
    """
    if not language:
        return Markup(' dir="auto"')
    direction = "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"
    return Markup(' lang="{}" dir="{}"').format(language, direction)


def bdi(value: object, language: str | None = None) -> Markup | str:
    """Inline content isolated from the text around it, with its lang and dir."""
    if value is None or value == "":
        return ""
    return Markup("<bdi{}>{}</bdi>").format(content_attrs(language), value)


def time_pattern(locale: Locale) -> str:
    """The locale's short time, or 24-hour time where its AM/PM markers are in English.

    CLDR gives Urdu and Hindi the Latin markers "AM"/"PM"; inside right-to-left text they
    jump to the wrong end ("PM 3:49"). A 24-hour clock reads the same in every script.
    """
    pattern = locale.time_formats["short"].pattern
    marker = locale.day_periods["format"]["abbreviated"].get("am", "")
    if "a" in pattern and locale.language != "en" and marker.isascii():
        return "HH:mm"
    return pattern


def _wrapped(value: date | datetime | time, text: str, plain: bool) -> Markup | str:
    if plain:
        return text
    if isinstance(value, datetime):
        value = value.replace(microsecond=0)
    iso = value.strftime("%H:%M") if isinstance(value, time) else value.isoformat()
    return Markup('<bdi><time datetime="{}">{}</time></bdi>').format(iso, text)


def date_filter(value: date | datetime | None, kind: str = "medium", plain: bool = False):
    """A day in the locale's format: `medium` (most places), `long`, or `day` (no year).

    plain=True gives the text alone, for attributes and chart labels.
    """
    if value is None:
        return ""
    if kind == "day":
        day = value.date() if isinstance(value, datetime) else value
        text = format_skeleton(DATE_KINDS[kind], day, locale=get_locale())
    else:
        text = format_date(value, DATE_KINDS[kind])
    return _wrapped(value, text, plain)


def time_filter(value: datetime | time | None, plain: bool = False):
    """A time of day in the locale's format (24-hour where AM/PM would be English)."""
    if value is None:
        return ""
    return _wrapped(value, format_time(value, time_pattern(get_locale())), plain)


def datetime_filter(value: datetime | None, plain: bool = False):
    """A moment: the medium date and the time, joined the way the locale joins them."""
    if value is None:
        return ""
    locale = get_locale()
    joined = str(locale.datetime_formats["medium"]).replace("'", "")
    text = joined.replace("{1}", format_date(value, "medium")).replace(
        "{0}", format_time(value, time_pattern(locale))
    )
    return _wrapped(value, text, plain)


def money_filter(amount: Decimal | float | None) -> Markup:
    """An amount in the portal's currency (config CURRENCY), in the locale's format."""
    text = format_currency(amount or 0, current_app.config["CURRENCY"])
    return Markup("<bdi>{}</bdi>").format(text)


def percent_filter(points: float | None) -> str:
    """A share given in points from 0 to 100 (as the portal stores them), e.g. "87%"."""
    if points is None:
        return "—"
    return format_percent(points / 100)


def decimal_filter(value: float | None, digits: int = 1) -> str:
    """A number with a fixed count of decimals in the locale's format, e.g. "4.0"."""
    if value is None:
        return "—"
    locale = get_locale()
    pattern = copy.copy(locale.decimal_formats[None])  # keeps the locale's digit grouping
    pattern.frac_prec = (digits, digits)
    return pattern.apply(value, locale)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_filter(date_filter, "date")
    app.add_template_filter(datetime_filter, "datetime")
    app.add_template_filter(time_filter, "time")
    app.add_template_filter(money_filter, "money")
    app.add_template_filter(percent_filter, "percent")
    app.add_template_filter(decimal_filter, "decimal")
    app.add_template_global(content_attrs)
    app.add_template_filter(bdi, "bdi")

    @app.context_processor
    def language_context() -> dict:
        return {
            "languages": app.config["LANGUAGES"],
            "current_locale": str(get_locale()),
            "text_direction": text_direction(),
            "script_fonts": SCRIPT_FONTS.get(str(get_locale()), ()),
        }
