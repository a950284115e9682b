"""One rule for spreadsheet formulas in every CSV the portal writes."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from types import SimpleNamespace

import pytest

from portal.authoring.report import LearnerRow, Report, report_csv
from portal.csvfiles import decode, reader, safe_cell, to_csv
from portal.dashboard.exports import learners_csv
from portal.domain import DomainError
from portal.rollout.readiness import LearnerEvidence

HOSTILE = ['=HYPERLINK("http://evil.test")', "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_that_could_run_as_a_formula_stays_text(text):
    assert safe_cell(text) == "'" + text


def test_other_values_are_written_as_themselves():
    assert safe_cell("Zara Khan") == "Zara Khan"
    assert safe_cell(-5) == -5 and safe_cell(2.5) == 2.5  # numbers stay numbers
    assert safe_cell(True) == "yes" and safe_cell(False) == "no"
    assert safe_cell(None) == ""
    assert safe_cell(date(2026, 3, 1)) == "2026-03-01"
    assert safe_cell(datetime(2026, 3, 1, 9, 30)) == "2026-03-01T09:30:00"


def _first_cells(text: str) -> list[str]:
    return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]


def _evidence(name: str) -> LearnerEvidence:
    counts = dict.fromkeys(LearnerEvidence.COUNTS, 0)
    return LearnerEvidence(
        user_id=1,
        name=name,
        email="x@example.test",
        department_id=None,
        department="",
        overdue_since=None,
        **counts,
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_the_progress_and_dashboard_exports_neutralise_a_formula_the_same_way(name):
    user = SimpleNamespace(name=name, email="x@example.test")
    progress = report_csv(Report([LearnerRow(user, "Sales")], [], []), date(2026, 3, 1))
    dashboard = learners_csv([_evidence(name)], date(2026, 3, 1))
    assert _first_cells(progress) == _first_cells(dashboard) == ["'" + name]


def test_to_csv_writes_a_header_then_safe_rows():
    text = to_csv(["name", "score"], [["=1+1", 90]])
    assert list(csv.reader(io.StringIO(text))) == [["name", "score"], ["'=1+1", "90"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_reader_reads_the_delimiter_a_spreadsheet_saved(delimiter):
    text = delimiter.join(["name", "email"]) + "\n" + delimiter.join(["Ann", "a@x.test"]) + "\n"
    assert list(reader(text)) == [["name", "email"], ["Ann", "a@x.test"]]


@pytest.mark.parametrize(
    "raw",
    [
        "name\nJosé\n".encode(),
        "\ufeffname\nJosé\n".encode(),  # Excel's "CSV UTF-8"
        "name\nJosé\n".encode("utf-16"),  # Excel's "Unicode Text", BOM first
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16"],
)
def test_decode_reads_what_spreadsheets_save(raw):
    assert decode(raw) == "name\nJosé\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("name\nJosé\n".encode("cp1252"), "not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"name\nA\x00n\n", "Line 2 holds a control character"),
    ],
    ids=["cp1252", "binary", "NUL"],
)
def test_decode_refuses_other_files_on_the_named_field(raw, message):
    with pytest.raises(DomainError, match=message) as refused:
        decode(raw, "upload")
    assert refused.value.field == "upload"
