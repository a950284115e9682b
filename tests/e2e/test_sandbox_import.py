"""A CSV import in a real browser: download the practice file, upload it, fix the mapping,
see the errors, skip the bad rows and import the rest."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import login

BAD_LINES = (5, 6, 7, 11, 12)  # a bad email, no name or contact, "Hot", a bad phone, "Radio ad"


def test_import_the_practice_leads(page, make, tmp_path):
    learner = make.user(roles=("learner",))
    login(page, learner)
    page.goto("/sandbox/")
    page.get_by_role("link", name="Import", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="practice leads (CSV)").click()
    sample = tmp_path / "leads.csv"
    download.value.save_as(sample)

    page.get_by_label("Leads").check()
    page.get_by_label("CSV file").set_input_files(sample)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_test_id("mapping-problems")).to_have_count(0)

    # "Works at" is not a header the CRM recognises: map it to the company.
    page.get_by_label("Works at").select_option("company")
    page.get_by_role("button", name="Update the preview").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_contain_text("12 rows: 5 with errors, 2 that may already be in the CRM")
    expect(page.locator('tr[data-line="5"]')).to_contain_text("is not a valid email address")
    expect(page.locator('tr[data-line="8"]')).to_contain_text("Same email as line 2")
    expect(page.locator('tr[data-line="2"]')).to_contain_text("Indus Textiles")

    # All or nothing: with the bad rows kept, nothing is imported.
    page.get_by_test_id("import-commit").click()
    expect(page.locator(".alert-danger")).to_contain_text("Nothing was imported")

    for line in BAD_LINES:
        page.get_by_label(f"Skip line {line}").check()
    page.get_by_test_id("import-commit").click()
    expect(page.get_by_test_id("import-result")).to_contain_text(
        "5 records imported, 7 rows skipped."
    )
    page.get_by_test_id("imported-records").get_by_role("link", name="Ayesha Malik").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ayesha Malik")
