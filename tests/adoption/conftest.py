"""Fixtures for the adoption tests: staff with known emails, a signed-in executive, and
CSV uploads through the import pages."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from portal.adoption.models import Usage, UsageImport
from portal.extensions import db

TOKEN_IN_URL = re.compile(r"/adoption/import/([\w-]+)")


@pytest.fixture
def staff(make):
    """Two people whose usage the files report."""
    return [
        make.user(email="ann@example.com", name="Ann"),
        make.user(email="bob@example.com", name="Bob", department="Support"),
    ]


@pytest.fixture
def executive(client, make):
    person = make.user(roles=("executive",), department=None)
    client.login(person)
    return client


def upload(client, text: str, preset: str = "", days: str = "7", filename="usage.csv"):
    """Upload `text` as a CSV; returns the mapping page's URL (with its query) or the answer."""
    answer = client.post(
        "/adoption/import",
        data={
            "preset": preset,
            "days": days,
            "file": (io.BytesIO(text.encode()), filename),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"]


def mapping_data(client, url: str) -> dict:
    """The mapping form as the page pre-filled it: each select's chosen header, and days."""
    page = client.get(url).get_data(as_text=True)
    data: dict[str, str] = {}
    for select_match in re.finditer(
        r'<select[^>]*name="(map_\w+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option selected value="([^"]*)"', select_match.group(2))
        data[select_match.group(1)] = chosen.group(1) if chosen else ""
    days = re.search(r'<input checked[^>]*name="days"[^>]*value="(\d)"', page)
    data["days"] = days.group(1) if days else "7"
    return data


def usage_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Usage))


def import_count() -> int:
    return db.session.scalar(select(func.count()).select_from(UsageImport))
