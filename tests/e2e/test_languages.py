"""Each role's home in English, Urdu and Hindi, in a fresh browser: the right language and
direction, the script font, no console error and no failed request (the favicon included).
A screenshot of each goes to test-results/screenshots/ (git-ignored) for people to look at.
Also: the pipeline board's stage menus show whole stage names on a 1366-pixel screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from sandbox.services import get_or_create_sandbox
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import open_page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
HOMES = {
    "learner": "/learn/",
    "trainer": "/author/",
    "executive": "/dashboard/",
    "admin": "/admin/users",
}
DIRECTIONS = {"en": "ltr", "ur": "rtl", "hi": "ltr"}
SCRIPT_FONTS = {"ur": "Noto Nastaliq Urdu", "hi": "Noto Sans Devanagari"}


@pytest.fixture
def fresh_page(browser, live_server):
    """A fresh context that records every console error and every failed request."""
    context = browser.new_context(
        base_url=live_server, locale="en-GB", viewport={"width": 1366, "height": 900}
    )
    page = open_page(context)
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(f"script: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()


def _sign_in(page, user) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(user.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("locale", ["en", "ur", "hi"])
@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_home_reads_correctly_in_each_language(fresh_page, make, app_ctx, role, locale):
    page = fresh_page
    user = make.user(roles=(role,))
    user.locale = locale
    db.session.commit()
    _sign_in(page, user)
    page.goto(HOMES[role])
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")

    assert page.evaluate("document.documentElement.lang") == locale
    assert page.evaluate("document.documentElement.dir") == DIRECTIONS[locale]
    fonts_loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    if locale in SCRIPT_FONTS:
        assert any(SCRIPT_FONTS[locale] in family for family in fonts_loaded), fonts_loaded
    assert not any("Noto" in family for family in fonts_loaded if locale == "en")
    icon = page.evaluate(
        "fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')])"
    )
    assert icon[0] == 200 and "icon" in icon[1]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{role}-{locale}.png", full_page=True)
    assert page.problems == []


MENU_FITS = """
async () => {
  await document.fonts.ready;
  return [...document.querySelectorAll('[data-testid=board] select')].map(select => {
    const style = getComputedStyle(select);
    const font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const context = document.createElement('canvas').getContext('2d');
    context.font = font;
    const names = [...select.options].map(o => o.text);
    const widest = Math.max(...names.map(name => context.measureText(name).width));
    const room = select.clientWidth - parseFloat(style.paddingLeft)
                 - parseFloat(style.paddingRight);
    return {widest, room, names, fontLoaded: document.fonts.check(font, names.join('')),
            right: select.getBoundingClientRect().right,
            card: select.closest('.card').getBoundingClientRect().right};
  });
}
"""
# Each language's stage names are written in its own script (Nastaliq being the widest).
STAGE_SCRIPTS = {"en": "[A-Za-z]", "hi": "[\u0900-\u097f]", "ur": "[\u0600-\u06ff]"}


@pytest.mark.parametrize("locale", ["en", "hi", "ur"])
def test_pipeline_stage_menus_show_whole_stage_names_at_1366_pixels(
    fresh_page, make, app_ctx, locale
):
    page = fresh_page
    learner = make.user(roles=("learner",))
    learner.locale = locale
    get_or_create_sandbox(learner)
    db.session.commit()
    _sign_in(page, learner)
    page.goto("/sandbox/opportunities")
    page.wait_for_load_state("networkidle")
    menus = page.evaluate(MENU_FITS)
    assert menus, "the board shows open deals with stage menus"
    for menu in menus:
        assert all(re.search(STAGE_SCRIPTS[locale], name) for name in menu["names"]), menu
        assert menu["fontLoaded"], menu
        assert menu["widest"] <= menu["room"] + 0.5, menu
        assert menu["right"] <= menu["card"] + 0.5, menu
    assert page.problems == []


def test_print_keeps_the_logo_and_theme_colour(fresh_page, make, app_ctx):
    page = fresh_page
    learner = make.user(roles=("learner",))
    _sign_in(page, learner)
    page.goto("/learn/")
    page.emulate_media(media="print")
    expect(page.locator(".navbar-brand img")).to_be_visible()
    expect(page.locator("#main-nav")).to_be_hidden()
    brand = page.evaluate("getComputedStyle(document.querySelector('.navbar-brand')).color")
    assert brand == "rgb(15, 110, 106)"
    assert page.problems == []


def _course_in(language: str, slug: str, title: str) -> None:
    """The sample course published as a course of its own in `language`."""
    from portal.courseformat import read_course
    from portal.learning.importer import apply_bundle
    from tests.learning.conftest import course_files

    files = course_files()
    files["course.yaml"] = (
        files["course.yaml"]
        .replace("slug: sample-course", f"slug: {slug}")
        .replace("title: Sample course", f"title: {title}")
        .replace("language: en", f"language: {language}")
    )
    apply_bundle(read_course(files))


def _loaded_fonts(page) -> list[str]:
    page.evaluate("document.fonts.ready.then(() => true)")
    return page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )


def test_text_in_another_script_gets_its_font_on_any_languages_page(fresh_page, make, app_ctx):
    """A Hindi course title in the Urdu interface is set in the Devanagari font, not in
    boxes."""
    _course_in("hi", "sample-course-hi", "ग्राहक सेवा की शुरुआत")
    trainer = make.user(roles=("trainer",))
    trainer.locale = "ur"
    db.session.commit()
    page = fresh_page
    _sign_in(page, trainer)
    page.goto("/author/")
    expect(page.get_by_role("link", name="ग्राहक सेवा की शुरुआत")).to_be_visible()
    loaded = _loaded_fonts(page)
    assert any("Noto Sans Devanagari" in family for family in loaded), loaded
    assert any("Noto Nastaliq Urdu" in family for family in loaded), loaded
    assert page.problems == []


def test_an_urdu_course_reads_in_nastaliq_in_the_english_interface(fresh_page, make, app_ctx):
    """Urdu content on an English page gets its font and the line height Nastaliq needs,
    and only the fonts of the scripts shown are fetched."""
    _course_in("ur", "sample-course-ur", "گاہک کی بات پوری سننا اور اس کا ریکارڈ رکھنا")
    learner = make.user(roles=("learner",))
    db.session.commit()
    page = fresh_page
    _sign_in(page, learner)
    page.goto("/courses/sample-course-ur/")
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_attribute("lang", "ur")
    size, height = title.evaluate(
        "e => ['fontSize', 'lineHeight'].map(p => parseFloat(getComputedStyle(e)[p]))"
    )
    assert height >= 1.7 * size, (size, height)
    loaded = _loaded_fonts(page)
    assert any("Noto Nastaliq Urdu" in family for family in loaded), loaded
    assert not any("Devanagari" in family for family in loaded), loaded
    assert page.problems == []
