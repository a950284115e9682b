"""A new course end to end in Urdu, in a real browser: an Urdu-speaking learner opens the
data-quality course by its English address, is given the Urdu translation, reads it right
to left answering every knowledge check, passes the quiz, does the hands-on import and
merge in the sandbox with the portal in Urdu, and passes the exercise."""

from __future__ import annotations

import re
from pathlib import Path

from babel.support import Translations
from playwright.sync_api import expect

from tests.e2e.conftest import merge_rahul_as_the_exercise_asks, open_as_learner
from tests.e2e.test_data_quality_exercise import BAD_LINES
from tests.e2e.test_reading_check import read_through

SLUG = "data-quality-and-migration-ur"
CATALOGS = Path(__file__).resolve().parents[2] / "portal" / "translations"


def test_an_urdu_learner_takes_the_data_quality_course(page, make, app_ctx, tmp_path):
    urdu = Translations.load(str(CATALOGS), ["ur"])
    assert urdu.gettext("Check my work") != "Check my work"  # the catalogue is compiled
    t = urdu.gettext
    learner = open_as_learner(
        page, make, "/courses/data-quality-and-migration/", department="Sales", locale="ur"
    )
    expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name=t("Start"), exact=True).click()
    body = page.locator("[lang=ur]").first
    expect(body).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_contain_text("پہلے تلاش کریں")

    read_through(page, SLUG, t)
    expect(page.get_by_role("button", name=t("Start the exercise"))).to_be_visible()
    page.get_by_role("button", name=t("Start the exercise")).click()
    page.get_by_role("link", name=t("Open my sandbox")).click()
    expect(page).to_have_url(re.compile(r"/sandbox/$"))
    panel = page.get_by_test_id("exercise-panel")

    page.goto("/sandbox/import")
    with page.expect_download() as download:
        page.get_by_role("link", name=t("practice leads (CSV)")).click()
    sample = tmp_path / "leads.csv"
    download.value.save_as(sample)
    page.locator("input[type=radio][value=lead]").check()
    page.locator("input[type=file]").set_input_files(sample)
    page.get_by_role("button", name=t("Upload and map columns")).click()
    page.get_by_label("Works at").select_option("company")
    page.get_by_role("button", name=t("Update the preview")).click()
    for line in BAD_LINES:
        page.locator(f"#skip-{line}").check()
    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-result")).to_be_visible()

    page.goto("/sandbox/duplicates")
    group = page.get_by_test_id("duplicate-group").filter(has_text="Rahul Verma")
    group.get_by_role("button", name=t("Compare and merge")).click()
    merge_rahul_as_the_exercise_asks(page, learner)

    panel.get_by_role("button", name=t("Check my work")).click()
    expect(panel.get_by_test_id("exercise-passed")).to_be_visible()
    expect(panel.locator("[data-passed=no]")).to_have_count(0)
