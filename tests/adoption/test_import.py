"""The usage CSV import through HTTP: mapping screen, preview, refusals per row, replace."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.adoption.models import Usage
from portal.extensions import db
from tests.adoption.conftest import import_count, mapping_data, upload, usage_rows

GENERIC = (
    "Email,Week start,Sign-ins,Leads created,Deals updated\n"
    "ann@example.com,2026-11-02,5,3,2\n"
    "bob@example.com,2026-11-02,0,0,0\n"
)


def test_mapping_screen_lists_the_headers_and_suggests_by_name(executive, staff):
    url = upload(executive, GENERIC)
    page = executive.get(url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for header in ("Email", "Week start", "Sign-ins", "Leads created", "Deals updated"):
        assert f'value="{header}"' in body
    data = mapping_data(executive, url)
    assert data["map_email"] == "Email"
    assert data["map_period_start"] == "Week start"
    assert data["map_sign_ins"] == "Sign-ins"
    assert data["map_leads_created"] == "Leads created"
    assert data["map_tickets_created"] == ""
    assert data["days"] == "7"


def test_preview_then_import_writes_every_row(executive, staff):
    url = upload(executive, GENERIC)
    data = mapping_data(executive, url)
    preview = executive.post(url, data={**data, "preview": "1"})
    assert preview.status_code == 200
    assert 'data-testid="ready"' in preview.get_data(as_text=True)
    assert usage_rows() == 0
    done = executive.post(url, data={**data, "commit": "1"})
    assert done.status_code == 302
    rows = db.session.scalars(select(Usage).order_by(Usage.user_id)).all()
    assert [
        (row.user_id, row.days, row.sign_ins, row.leads_created, row.deals_updated) for row in rows
    ] == [
        (staff[0].id, 7, 5, 3, 2),
        (staff[1].id, 7, 0, 0, 0),
    ]
    assert import_count() == 1
    listing = executive.get("/adoption/import").get_data(as_text=True)
    assert "usage.csv" in listing


def test_a_mapping_without_email_or_date_is_refused_at_its_select(executive, staff):
    url = upload(executive, GENERIC)
    data = {**mapping_data(executive, url), "map_email": "", "commit": "1"}
    answer = executive.post(url, data=data)
    assert answer.status_code == 422
    assert "Choose the column that holds this." in answer.get_data(as_text=True)
    assert usage_rows() == 0


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "nobody@example.com,2026-11-02,1,1,1",
            "No one in the portal has the email nobody@example.com.",
        ),
        ("ann@example.com,2026-11-02,lots,1,1", "Not a whole number: lots."),
        ("ann@example.com,2026-11-02,-2,1,1", "Cannot be negative: -2."),
        ("ann@example.com,2 Nov,1,1,1", "Not a date: 2 Nov (write it as YYYY-MM-DD)."),
        ("ann@example.com,2026-11-02,99999,1,1", "Too large: at most 32767."),
    ],
)
def test_each_refusal_shows_at_its_line_and_nothing_is_saved(executive, staff, line, reason):
    text = GENERIC + line + "\n"
    url = upload(executive, text)
    data = mapping_data(executive, url)
    answer = executive.post(url, data={**data, "commit": "1"})
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert 'data-testid="refused-4"' in body
    reasons = body.split('data-testid="reasons-4"', 1)[1].split("</ul>", 1)[0]
    assert reason in reasons.replace("&#39;", "'")
    assert "Nothing was imported" in body
    assert usage_rows() == 0
    assert import_count() == 0


def test_a_period_neither_a_day_nor_a_week_is_refused(executive, staff):
    text = (
        "Email,From,To,Sign-ins\n"
        "ann@example.com,2026-11-02,2026-11-08,4\n"
        "bob@example.com,2026-11-02,2026-11-05,4\n"
    )
    url = upload(executive, text)
    data = {**mapping_data(executive, url), "map_period_start": "From", "map_period_end": "To"}
    answer = executive.post(url, data={**data, "commit": "1"})
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert 'data-testid="refused-3"' in body
    assert "A period must be one day or one week (7 days), not 4." in body
    assert 'data-testid="refused-2"' not in body
    assert usage_rows() == 0


def test_the_same_user_and_period_twice_in_a_file_is_refused(executive, staff):
    text = GENERIC + "ANN@example.com,2026-11-02,1,0,0\n"
    url = upload(executive, text)
    answer = executive.post(url, data={**mapping_data(executive, url), "commit": "1"})
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "Line 2 already gives ann@example.com&#39;s usage for this period." in body
    assert usage_rows() == 0


def test_importing_the_same_period_again_replaces_it(executive, staff):
    for sign_ins in (5, 9):
        text = GENERIC.replace(",5,3,2", f",{sign_ins},3,2")
        url = upload(executive, text)
        assert (
            executive.post(url, data={**mapping_data(executive, url), "commit": "1"}).status_code
            == 302
        )
    rows = db.session.scalars(select(Usage).where(Usage.user_id == staff[0].id)).all()
    assert [row.sign_ins for row in rows] == [9]
    assert usage_rows() == 2
    assert import_count() == 2


def test_days_replace_the_week_they_fall_in(executive, staff):
    url = upload(executive, GENERIC)
    executive.post(url, data={**mapping_data(executive, url), "commit": "1"})
    daily = "Email,Date,Sign-ins\nann@example.com,2026-11-04,1\nann@example.com,2026-11-05,2\n"
    url = upload(executive, daily, days="1")
    assert (
        executive.post(url, data={**mapping_data(executive, url), "commit": "1"}).status_code == 302
    )
    ann = db.session.scalars(
        select(Usage).where(Usage.user_id == staff[0].id).order_by(Usage.period_start)
    ).all()
    assert [(row.period_start.day, row.days) for row in ann] == [(4, 1), (5, 1)]
    assert usage_rows() == 3  # Bob's week stays


def test_an_upload_belongs_to_its_uploader(executive, staff, make, client):
    url = upload(executive, GENERIC)
    other = make.user(roles=("admin",), department=None)
    client.post("/logout")
    client.login(other)
    assert client.get(url).status_code == 404


def test_a_file_that_is_not_utf8_is_refused_at_the_upload(executive, staff):
    import io

    answer = executive.post(
        "/adoption/import",
        data={"preset": "", "days": "7", "file": (io.BytesIO("Émail\n".encode("cp1252")), "u.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert "CSV UTF-8" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("limit", "value", "reason"),
    [
        ("MAX_ROWS", 1, "The file has more than 1 rows: split it."),
        ("MAX_BYTES", 50, "The file is larger than 0 KB: split it."),
    ],
)
def test_an_upload_over_a_limit_is_refused(executive, staff, monkeypatch, limit, value, reason):
    import io

    monkeypatch.setattr(f"portal.adoption.importing.{limit}", value)
    answer = executive.post(
        "/adoption/import",
        data={"preset": "", "days": "7", "file": (io.BytesIO(GENERIC.encode()), "u.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert reason in answer.get_data(as_text=True)
