"""Language choice, text direction, and dates and numbers in the locale's own formats.

The UI language is the user's stored locale, then the session, then Accept-Language.
Dates and times go through the filters registered here (`date`, `datetime`, `time`),
one style per kind of value, each wrapped in <bdi><time datetime="ISO"> so that a value
reads in one piece inside text of the other direction. Money, percentages and decimals
go through `money`, `percent` and `decimal` (Indian digit grouping in Hindi, for one).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from gettext import NullTranslations
from typing import NamedTuple

from babel import Locale, dates, numbers
from flask import Flask, current_app, g, has_app_context, has_request_context, session
from flask import request as flask_request
from flask_babel import Domain, get_domain, get_locale, get_timezone
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

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


@dataclass(frozen=True)
class Language:
    """What a page asks of the request's language, looked up once per request.

    Flask-Babel finds the locale, translations and time zone through several context
    look-ups on every call; a page with a table makes hundreds of such calls. The
    filters and the templates' gettext read this instead (current_language).
    """

    locale: Locale
    translations: NullTranslations
    tzinfo: tzinfo
    code: str
    direction: str
    time_pattern: str
    datetime_pattern: str  # how the locale joins a date {1} and a time {0}
    gettext: Callable = field(init=False, repr=False, compare=False)
    ngettext: Callable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        gettext, ngettext = _bound_gettext(self.translations)
        object.__setattr__(self, "gettext", gettext)
        object.__setattr__(self, "ngettext", ngettext)


def _bound_gettext(translations: NullTranslations) -> tuple[Callable, Callable]:
    """The templates' _(), gettext and ngettext bound to one catalogue (Jinja's "new style":
    the text is always a %-format, and escaped in HTML templates)."""
    ugettext, ungettext = translations.ugettext, translations.ungettext

    @pass_eval_context
    def gettext(eval_ctx, string: str, **variables) -> str:
        text = ugettext(string)
        if eval_ctx.autoescape:
            text = Markup(text)
        # No variables and no %: formatting would give the same text back.
        return text % variables if variables or "%" in text else text

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        text = ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext, ngettext


def current_language() -> Language:
    """The request's Language; it follows Flask-Babel's own choice, so force_locale
    (emails in the reader's language) and refresh() are obeyed."""
    state = g._get_current_object().__dict__.get("_flask_babel")
    if state is not None:
        language = state.__dict__.get("portal_language")
        if language is not None and language.locale is state.__dict__.get("babel_locale"):
            return language
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    code = str(locale)
    language = Language(
        locale=locale,
        translations=load_translations(),
        tzinfo=get_timezone() or UTC,
        code=code,
        direction="rtl" if code in RTL_LANGUAGES else "ltr",
        time_pattern=time_pattern(locale),
        datetime_pattern=str(locale.datetime_formats["medium"]).replace("'", ""),
    )
    state = g.get("_flask_babel")  # made by get_locale inside an app context
    if state is not None:
        state.portal_language = language
    return language


def load_translations() -> NullTranslations:
    """The locale's catalogue as Flask-Babel finds and caches it (once per request here)."""
    return Domain.get_translations(get_domain())


class RequestDomain(Domain):
    """Flask-Babel's message domain for the portal's Python gettext and lazy strings: it
    reads the catalogue current_language keeps instead of looking it up on every call."""

    def get_translations(self) -> NullTranslations:
        if not has_app_context():
            return super().get_translations()
        return current_language().translations


def text_direction() -> str:
    """'rtl' for right-to-left languages such as Urdu, else 'ltr'."""
    return current_language().direction


# The templates' _(), gettext and ngettext: those of the request's Language. A page's
# context has them bound already (language_context); these serve the macros imported
# without the page's context.
@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables) -> str:
    return current_language().gettext(eval_ctx, string, **variables)


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    return current_language().ngettext(eval_ctx, singular, plural, num, **variables)


class Arrows(NamedTuple):
    """Arrows that point back and forward in the page's reading direction."""

    back: str
    forward: str


ARROWS = {"ltr": Arrows("\u2190", "\u2192"), "rtl": Arrows("\u2192", "\u2190")}

# Kinds of date the portal shows; a template names the kind, never a pattern.
DATE_KINDS = {"medium": "medium", "long": "long", "day": "MMMd"}


@lru_cache(maxsize=256)
def content_attrs(language: str | None = None) -> Markup:
    """lang and dir attributes for a piece of content inside the page.

    Course text names its language; free text typed by people (plan goals, notes,
    customer names) has none and gets dir="auto", so the browser takes its direction
    from its first strong letter instead of from the page around it. Made once per
    language: a page of course cards asks for them thirty times.
    """
    if not language:
        return Markup(' dir="auto"')
    return Markup(' lang="{}" dir="{}"').format(language, content_direction(language))


def content_direction(language: str) -> str:
    """ "rtl" or "ltr": how text in `language` runs (for a form field's render keywords)."""
    return "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"


def bdi(value: object, language: str | None = None) -> Markup | str:
    """Inline content isolated from the text around it, with its lang and dir."""
    if value is None or value == "":
        return ""
    return Markup(f"<bdi{content_attrs(language)}>{escape(value)}</bdi>")


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
    return Markup(f'<bdi><time datetime="{escape(iso)}">{escape(text)}</time></bdi>')


def _local(value: datetime, language: Language) -> datetime:
    """A stored moment (UTC, naive or aware) in the organisation's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(language.tzinfo)


def date_filter(value: date | datetime | None, kind: str = "medium", plain: bool = False):
    """A day in the locale's format: `medium` (most places), `long`, or `day` (no year).

    plain=True gives the text alone, for attributes and chart labels.
    """
    if value is None:
        return ""
    language = current_language()
    if kind == "day":
        day = value.date() if isinstance(value, datetime) else value
    else:
        day = _local(value, language).date() if isinstance(value, datetime) else value
    return _wrapped(value, _date_text(day, kind, language.locale), plain)


@lru_cache(maxsize=4096)
def _date_text(day: date, kind: str, locale: Locale) -> str:
    """Formatted once per day, kind and locale: a list shows the same few due dates."""
    if kind == "day":
        return dates.format_skeleton(DATE_KINDS[kind], day, locale=locale)
    return dates.format_date(day, DATE_KINDS[kind], locale=locale)


def _time_text(value: datetime | time, language: Language) -> str:
    return dates.format_time(
        value, language.time_pattern, tzinfo=language.tzinfo, locale=language.locale
    )


def time_filter(value: datetime | time | None, plain: bool = False):
    """A time of day in the locale's format (24-hour where AM/PM would be English)."""
    if value is None:
        return ""
    return _wrapped(value, _time_text(value, current_language()), plain)


def datetime_filter(value: datetime | None, plain: bool = False):
    """A moment: the medium date and the time, joined the way the locale joins them."""
    if value is None:
        return ""
    language = current_language()
    day = dates.format_date(_local(value, language), "medium", locale=language.locale)
    text = language.datetime_pattern.replace("{1}", day).replace("{0}", _time_text(value, language))
    return _wrapped(value, text, plain)


def timedelta_filter(value: timedelta | datetime, granularity: str = "second") -> str:
    """A length of time in words, e.g. "3 hours" (Flask-Babel's timedeltaformat)."""
    if isinstance(value, datetime):
        value = datetime.utcnow() - value
    return dates.format_timedelta(
        value, granularity, threshold=0.85, locale=current_language().locale
    )


def money_filter(amount: Decimal | float | None) -> Markup:
    """An amount in the portal's currency (config CURRENCY), in the locale's format."""
    text = numbers.format_currency(
        amount or 0, current_app.config["CURRENCY"], locale=current_language().locale
    )
    return Markup("<bdi>{}</bdi>").format(text)


def percent_filter(points: float | None) -> str:
    """A share given in points from 0 to 100 (as the portal stores them), e.g. "87%"."""
    if points is None:
        return "—"
    return _percent(points, current_language().locale)


@lru_cache(maxsize=4096)
def _percent(points: float, locale: Locale) -> str:
    """Formatted once per value and locale: progress bars show the same few shares."""
    return numbers.format_percent(points / 100, locale=locale)


def decimal_filter(value: float | None, digits: int = 1) -> str:
    """A number with a fixed count of decimals in the locale's format, e.g. "4.0"."""
    if value is None:
        return "—"
    locale = current_language().locale
    pattern = copy.copy(locale.decimal_formats[None])  # keeps the locale's digit grouping
    pattern.frac_prec = (digits, digits)
    return pattern.apply(value, locale)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
    app.add_template_filter(timedelta_filter, "timedeltaformat")
    app.add_template_filter(date_filter, "date")
    app.add_template_filter(datetime_filter, "datetime")
    app.add_template_filter(time_filter, "time")
    app.add_template_filter(money_filter, "money")
    app.add_template_filter(percent_filter, "percent")
    app.add_template_filter(decimal_filter, "decimal")
    app.add_template_global(content_attrs)
    app.add_template_global(content_direction)
    app.add_template_filter(bdi, "bdi")

    @app.context_processor
    def language_context() -> dict:
        language = current_language()
        return {
            "_": language.gettext,
            "gettext": language.gettext,
            "ngettext": language.ngettext,
            "languages": app.config["LANGUAGES"],
            "current_locale": language.code,
            "text_direction": language.direction,
            "arrows": ARROWS[language.direction],
        }
