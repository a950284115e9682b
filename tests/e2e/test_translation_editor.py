"""A trainer starts an Urdu translation and translates a lesson beside the original."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from portal.authoring.services import peek
from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course
from tests.e2e.conftest import login
from tests.learning.conftest import course_files


def test_a_trainer_translates_a_lesson_side_by_side(page, make, app_ctx):
    apply_bundle(read_course(course_files()))
    db.session.commit()
    login(page, make.user(roles=("trainer",)))
    page.goto("/author/courses/sample-course/")
    page.get_by_role("link", name="Translations").click()
    page.get_by_label("Language").select_option("ur")
    page.get_by_role("button", name="Start a translation").click()
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("Translation started")
    expect(page.get_by_test_id("translation-state")).to_have_text("Current")

    page.locator('a[href$="/translate/intro"]').click()
    source = page.get_by_test_id("source-text").nth(1)
    expect(source).to_have_attribute("dir", "ltr")
    expect(source).to_contain_text("A CRM records")
    body = page.locator("textarea[name=body]")
    expect(body).to_have_attribute("dir", "rtl")
    expect(body).to_have_attribute("lang", "ur")
    page.locator("textarea[name=title]").fill("تعارف")
    body.fill("سی آر ایم گاہک سے ہر رابطہ درج کرتا ہے۔")
    page.get_by_role("button", name="Save translation").click()
    expect(page.locator(".alert-success")).to_contain_text("Translation saved to the draft.")
    expect(page.locator("textarea[name=title]")).to_have_value("تعارف")
    # The two sides sit next to each other on a wide screen.
    left = page.get_by_test_id("source-text").nth(1).bounding_box()
    right = body.bounding_box()
    assert abs(left["y"] - right["y"]) < 40 and left["x"] != right["x"]
    page.screenshot(path="test-results/translation-editor.png", full_page=True)

    urdu = db.session.scalar(select(Course).where(Course.slug == "sample-course-ur"))
    assert peek(urdu).lessons[0].title == "تعارف"
