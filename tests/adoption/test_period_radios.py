"""The import pages' "Each row counts" choice shows as radios with labels, its error beside it."""

from __future__ import annotations

import io
import re

from tests.adoption.conftest import upload

CSV = "Email,Week start,Sign-ins,Leads created,Deals updated\nann@example.com,2026-11-02,5,3,2\n"


def _period_fieldset(page: str) -> str:
    match = re.search(r'<fieldset id="days"[^>]*>.*?</fieldset>', page, re.S)
    assert match, page
    return match.group(0)


def _assert_radios(fieldset: str) -> None:
    assert "<ul" not in fieldset and "form-control" not in fieldset
    assert '<legend class="form-label fs-6">Each row counts</legend>' in fieldset
    for index, (value, text) in enumerate([("1", "A day"), ("7", "A week")]):
        radio = re.search(rf'<input[^>]*id="days-{index}"[^>]*>', fieldset).group(0)
        assert 'class="form-check-input"' in radio and 'type="radio"' in radio
        assert f'value="{value}"' in radio
        assert f'<label class="form-check-label" for="days-{index}">{text}</label>' in fieldset


def test_the_upload_page_shows_the_period_as_radios(executive, staff):
    page = executive.get("/adoption/import").get_data(as_text=True)
    _assert_radios(_period_fieldset(page))
    assert 'checked class="form-check-input" id="days-1"' in page  # a week by default


def test_the_mapping_page_shows_the_period_as_radios(executive, staff):
    url = upload(executive, CSV)
    _assert_radios(_period_fieldset(executive.get(url).get_data(as_text=True)))


def test_a_refused_period_shows_its_error_beside_the_radios(executive, staff):
    answer = executive.post(
        "/adoption/import",
        data={"preset": "", "days": "3", "file": (io.BytesIO(CSV.encode()), "u.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    fieldset = _period_fieldset(answer.get_data(as_text=True))
    assert fieldset.startswith('<fieldset id="days" aria-describedby="days-error">')
    error = re.search(
        r'<div class="invalid-feedback d-block" id="days-error">(.*?)</div>', fieldset, re.S
    )
    assert error and "Not a valid choice" in error.group(1)
    assert fieldset.count("form-check-input is-invalid") == 2
