"""Malformed CSV uploads: each is refused with 4xx (at the upload, or at the import if the
file itself reads) and nothing is saved."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.adoption.models import UsageUpload
from portal.extensions import db
from tests.adoption.conftest import import_count, mapping_data, upload, usage_rows

HEADER = b"email,period_start,sign_ins\r\n"
GOOD = b"ann@example.com,2026-11-02,3\r\n"
AT_UPLOAD = {
    "empty": b"",
    "blank lines": b"\r\n \r\n",
    "latin-1": "email,début\r\nann@example.com,é\r\n".encode("latin-1"),
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "nul byte": HEADER + b"ann@example.com,2026-11-02,\x003\r\n",
    "bom only": b"\xef\xbb\xbf",
    "huge field": HEADER + b'ann@example.com,2026-11-02,"' + b"9" * 200_000 + b'"\r\n',
    "long column name": b"email,period_start," + b"x" * 5000 + b"\r\n" + GOOD,
    "too many columns": b",".join(b"c%d" % n for n in range(60)) + b"\r\n" + GOOD,
}
AT_IMPORT = {
    "only headers": HEADER,
    "bom and only headers": b"\xef\xbb\xbf" + HEADER,
    "ragged short row": HEADER + b"ann@example.com,2026-11-02\r\n",
    "ragged long row": HEADER + b"ann@example.com,2026-11-02,3,4,5\r\n",
    "unclosed quote": HEADER + b'ann@example.com,"2026-11-02,3\r\n',
    "count a formula": HEADER + b"ann@example.com,2026-11-02,=1+2\r\n",
}


def post_file(client, raw: bytes):
    return client.post(
        "/adoption/import",
        data={"preset": "", "days": "7", "file": (io.BytesIO(raw), "usage.csv")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("raw", AT_UPLOAD.values(), ids=AT_UPLOAD.keys())
def test_an_unreadable_file_is_refused_at_the_upload(executive, staff, raw):
    answer = post_file(executive, raw)
    assert 400 <= answer.status_code < 500
    assert usage_rows() == 0 and import_count() == 0


@pytest.mark.parametrize("raw", AT_IMPORT.values(), ids=AT_IMPORT.keys())
def test_a_file_without_good_rows_is_refused_at_the_import(executive, staff, raw):
    answer = post_file(executive, raw)
    if answer.status_code == 302:
        url = answer.headers["Location"]
        answer = executive.post(url, data={**mapping_data(executive, url), "commit": "1"})
    assert 400 <= answer.status_code < 500
    assert usage_rows() == 0 and import_count() == 0


def test_an_upload_expires_after_an_hour(executive, staff):
    url = upload(executive, (HEADER + GOOD).decode())
    stored = db.session.scalars(select(UsageUpload)).one()
    stored.created_at -= timedelta(hours=1, minutes=1)
    db.session.commit()
    assert executive.get(url).status_code == 404
    answer = executive.post(url, data={"map_email": "email", "days": "7", "commit": "1"})
    assert answer.status_code == 404 and usage_rows() == 0
