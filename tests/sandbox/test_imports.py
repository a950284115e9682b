"""Importing a CSV of leads or customers through HTTP: upload, mapping, preview with errors
and duplicates per row, all-or-nothing commit, and the uploads refused at the field."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Customer, ImportUpload, Lead
from sandbox.profiles import load
from sandbox.services import import_preview, imports
from tests.sandbox.conftest import all_rows, count, first, last_event

SAMPLES = Path(__file__).resolve().parents[2] / "sandbox" / "samples"
LEADS = (
    "First name,Last name,Company,Email,Phone,Status,Source\n"
    "Imran,Siddiqui,Harbour Bakeries,imran@harbour.example,0300 1234567,New,Trade Show\n"
    "Sara,Khan,,sara@khan.example,,In Process,web_site\n"
)


def _upload(client, text: str | bytes, entity: str = "lead", name: str = "people.csv"):
    raw = text.encode() if isinstance(text, str) else text
    return client.post(
        "/sandbox/import",
        data={"entity": entity, "file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def _token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"].rsplit("/", 1)[-1]


def _mapping(client, token: str) -> list[str]:
    page = client.get(f"/sandbox/import/{token}").get_data(as_text=True)
    selects = re.findall(r'<select[^>]*name="(columns-\d+)".*?</select>', page, re.S)
    chosen = []
    for name in selects:
        block = re.search(rf'name="{name}".*?</select>', page, re.S).group(0)
        value = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block
        )
        chosen.append(next((v for v in value.groups() if v is not None), "") if value else "")
    return chosen


def _leads(sandbox, domain: str) -> list[Lead]:
    """The sandbox's leads with an email at `domain`, oldest first."""
    return all_rows(Lead, sandbox, Lead.email.like(f"%@{domain}"))


def _review(client, token: str, mapping: list[str], action: str = "preview", **extra):
    data = {f"columns-{i}": field for i, field in enumerate(mapping)}
    return client.post(f"/sandbox/import/{token}", data={**data, action: "1", **extra})


def test_leads_are_mapped_previewed_and_imported_with_one_event(client, sandbox):
    token = _token(_upload(client, LEADS))
    mapping = _mapping(client, token)
    assert mapping == ["first_name", "last_name", "company", "email", "phone", "status", "source"]
    preview = _review(client, token, mapping)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 rows: 0 with errors" in page

    response = _review(client, token, mapping, "commit")
    assert response.status_code == 302
    imported = all_rows(Lead, sandbox, Lead.email.like("%.example"))
    assert [(lead.name, lead.status, lead.source) for lead in imported][-2:] == [
        ("Imran Siddiqui", "new", "trade_show"),
        ("Sara Khan", "in_process", "web_site"),
    ]
    event = last_event(sandbox, "import.completed")
    assert (event.entity, event.data["imported"], event.data["skipped"]) == ("lead", 2, 0)
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    for lead in imported[-2:]:
        assert f"/sandbox/leads/{lead.id}" in done
    assert count(ImportUpload, sandbox) == 0  # the upload is gone with the import
    assert _review(client, token, mapping, "commit").status_code == 404


def test_the_suggested_mapping_reads_common_header_variants(client, sandbox):
    header = [
        "Given name",
        "Surname",
        "Organisation",
        "E-mail",
        "Mobile",
        "Lead source",
        "Notes",
        "x",
    ]
    assert import_preview.suggest_mapping("lead", header) == [
        "first_name",
        "last_name",
        "company",
        "email",
        "phone",
        "source",
        "description",
        "",
    ]
    assert import_preview.suggest_mapping("customer", ["Name", "Date of birth", "Newsletter"]) == [
        "full_name",
        "birthday",
        "email_consent",
    ]


def test_a_mapping_without_required_fields_is_refused_and_nothing_saved(client, sandbox):
    token = _token(_upload(client, LEADS))
    before = count(Lead, sandbox)
    mapping = ["", "last_name", "", "", "", "status", "source"]
    page = _review(client, token, mapping).get_data(as_text=True)
    assert "Map a column to the first name (or full name) or the company." in page
    assert "Map a column to the email or the phone." in page
    response = _review(client, token, mapping, "commit")
    assert response.status_code == 422 and count(Lead, sandbox) == before
    twice = ["first_name", "first_name", "", "email", "", "", ""]
    assert "First name is mapped to two columns." in _review(client, token, twice).get_data(
        as_text=True
    )


def test_the_preview_names_each_rows_errors_and_duplicates(client, sandbox):
    token = _token(_upload(client, (SAMPLES / "leads.csv").read_bytes(), name="leads.csv"))
    mapping = _mapping(client, token)
    assert mapping[2] == ""  # "Works at" is not a header the CRM knows: the learner maps it
    mapping[2] = "company"
    page = _review(client, token, mapping).get_data(as_text=True)

    def problems(line: int) -> str:
        row = re.search(rf'<tr data-line="{line}".*?</tr>', page, re.S)
        assert row, f"line {line} not shown"
        return row.group(0)

    assert "is not a valid email address" in problems(5)
    assert "A first name or a company is required." in problems(6)
    assert "An email or a phone is required." in problems(6)
    assert "Unknown status “Hot”." in problems(7)
    assert "Same email as line 2" in problems(8)
    assert "Same phone as line 2" in problems(10)
    assert "is not a phone number" in problems(11)
    assert "Unknown source “Radio ad”." in problems(12)
    assert "Unknown" not in problems(3)  # "In Process", "Web Site": the profile's labels


def test_duplicates_of_existing_records_are_skipped_or_imported_as_chosen(client, sandbox):
    customer = first(Customer, sandbox, Customer.is_company.is_(False))
    text = (
        "First name,Email,Phone\n"
        f"Copy,{customer.email.upper()},\n"
        "Fresh,fresh@new.example,\n"
        "Again,fresh@new.example,\n"
    )
    token = _token(_upload(client, text))
    page = _review(client, token, ["first_name", "email", "phone"]).get_data(as_text=True)
    assert f"/sandbox/customers/{customer.id}" in page and "Same email as line 3" in page
    before = count(Lead, sandbox)
    assert _review(client, token, ["first_name", "email", "phone"], "commit").status_code == 302
    assert count(Lead, sandbox) == before + 1
    assert last_event(sandbox, "import.completed").data["skipped"] == 2

    token = _token(_upload(client, text))
    response = _review(
        client, token, ["first_name", "email", "phone"], "commit", duplicates="import"
    )
    assert response.status_code == 302 and count(Lead, sandbox) == before + 4


def test_one_bad_row_saves_nothing_until_it_is_skipped(client, sandbox):
    text = LEADS + "Bad,Row,,not-an-email,,New,Call\n"
    token = _token(_upload(client, text))
    mapping = _mapping(client, token)
    before = count(Lead, sandbox)
    response = _review(client, token, mapping, "commit")
    assert response.status_code == 422
    assert "Nothing was imported: lines 4 have errors." in response.get_data(as_text=True)
    assert count(Lead, sandbox) == before and last_event(sandbox, "import.completed") is None
    response = _review(client, token, mapping, "commit", skip=["4"])
    assert response.status_code == 302 and count(Lead, sandbox) == before + 2
    assert last_event(sandbox, "import.completed").data["skipped"] == 1


def test_a_customer_import_makes_company_accounts_with_their_contacts(client, sandbox):
    token = _token(
        _upload(client, (SAMPLES / "customers.csv").read_bytes(), "customer", "customers.csv")
    )
    mapping = _mapping(client, token)
    assert mapping[:3] == ["full_name", "company", "title"]
    page = _review(client, token, mapping).get_data(as_text=True)
    assert "is not a date" in page and "The birthday is in the future." in page
    assert "Consent must be yes or no" in page and "Unknown tier “Diamond”." in page
    response = _review(client, token, mapping, "commit", skip=["5", "6", "7", "9"])
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    raza = first(Customer, sandbox, Customer.company == "Raza Interiors", Customer.is_company)
    people = db.session.scalars(
        select(Customer).where(Customer.sandbox_id == sandbox.id, Customer.company_id == raza.id)
    ).all()
    assert sorted(p.name for p in people) == ["Omar Farooq", "Zainab Raza"]
    zainab = next(p for p in people if p.first_name == "Zainab")
    assert (zainab.email_consent, zainab.consent_channel, zainab.consent_at) == (
        True,
        "email",
        sandbox.clock,
    )
    assert zainab.tier == "gold" and str(zainab.birthday) == "1985-04-12"
    bank = first(Customer, sandbox, Customer.company == "Crescent Bank", Customer.is_company)
    assert bank.email == "info@crescentbank.example" and bank.tier == "platinum"
    amna = first(Customer, sandbox, Customer.email == "amna.shah@mail.example")
    assert amna.is_account and amna.consent_channel == "phone"
    event = last_event(sandbox, "import.completed")
    # Crescent Bank (its own row) and four people; Raza Interiors and Rao Builders made
    # for the people who work there.
    assert event.data["companies"] == 2 and event.data["imported"] == 5
    assert event.data["skipped"] == 4 + 1  # the four ticked, and Hassan Ali's second row


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty."),
        (b"   \r\n", "The file is empty."),
        (b"First name,Email\n", "The file has a header but no rows."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it holds binary data"),
        ("First name,Email\nJosé,j@x.example\n".encode("cp1252"), "not UTF-8 text"),
        (b"First name\nA\x07b\n", "control character"),
    ],
    ids=["empty", "blank", "header-only", "binary", "cp1252", "control"],
)
def test_bad_uploads_are_refused_at_the_file_field(client, sandbox, raw, message):
    response = _upload(client, raw)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert re.search(r'is-invalid[^>]*name="file"|name="file"[^>]*is-invalid', page)
    assert count(ImportUpload, sandbox) == 0


def test_too_big_and_too_long_files_are_refused(client, sandbox, monkeypatch):
    big = b"First name,Email\n" + b"x" * (imports.MAX_BYTES + 1)
    response = _upload(client, big)
    assert response.status_code == 422 and "larger than 1024 KB" in response.get_data(as_text=True)
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    response = _upload(client, "First name,Email\n" + "a,a@x.example\n" * 4)
    assert response.status_code == 422 and "more than 3 rows" in response.get_data(as_text=True)
    response = _upload(client, LEADS, name="people.xlsx")
    assert response.status_code == 422 and "Upload a .csv file." in response.get_data(as_text=True)
    assert count(ImportUpload, sandbox) == 0


def test_utf16_and_semicolon_files_from_excel_are_read(client, sandbox):
    text = "First name;Email\r\nJosé;jose@x.example\r\n"
    token = _token(_upload(client, text.encode("utf-16")))
    assert _review(client, token, ["first_name", "email"], "commit").status_code == 302
    assert first(Lead, sandbox, Lead.email == "jose@x.example").first_name == "José"


def test_an_upload_is_only_found_by_its_uploader(client, sandbox, make, app):
    token = _token(_upload(client, LEADS))
    other = make.user(roles=("learner",))
    other_client = app.test_client()
    other_client.login(other)
    assert other_client.get(f"/sandbox/import/{token}").status_code == 404
    assert client.get("/sandbox/import/not-a-token").status_code == 404


def test_the_sample_files_download(client, sandbox):
    for entity, expected in (("lead", "Given name"), ("customer", "Full name")):
        response = client.get(f"/sandbox/import/sample.csv?entity={entity}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert expected in response.get_data(as_text=True)


def test_statuses_are_read_in_the_crm_profiles_words(client, sandbox, app, monkeypatch):
    monkeypatch.setitem(app.extensions, "crm_profile", load("salesforce"))
    text = (
        "First name,Email,Lead status\n"
        "Ann,ann@x.example,Working - Contacted\n"
        "Bob,bob@x.example,closed - not converted\n"
        "Cy,cy@x.example,Closed - Converted\n"
    )
    token = _token(_upload(client, text))
    mapping = ["first_name", "email", "status"]
    page = _review(client, token, mapping).get_data(as_text=True)
    assert "A lead cannot be imported as converted" in page
    assert _review(client, token, mapping, "commit", skip=["4"]).status_code == 302
    statuses = {lead.first_name: lead.status for lead in _leads(sandbox, "x.example")}
    assert statuses == {"Ann": "in_process", "Bob": "dead"}


def _people(start: int, rows: int) -> str:
    lines = [
        f"P{n},Co{start}-{n % 7},p{n}@bulk.example,0300 {n:07d}" for n in range(start, start + rows)
    ]
    return "First name,Company,Email,Phone\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("entity", ["lead", "customer"])
def test_preview_and_import_run_the_same_queries_at_20_and_2000_rows(
    client, sandbox, count_queries, entity
):
    counts = []
    for start, rows in ((0, 20), (100, 2000)):
        token = _token(_upload(client, _people(start, rows), entity))
        mapping = ["first_name", "company", "email", "phone"]
        with count_queries() as preview:
            assert _review(client, token, mapping).status_code == 200
        with count_queries() as commit:
            assert _review(client, token, mapping, "commit").status_code == 302
        counts.append((preview.count, commit.count))
    assert counts[0] == counts[1]
    event = last_event(sandbox, "import.completed")
    assert event.data["imported"] == 2000
    assert event.data["companies"] == (7 if entity == "customer" else 0)


def test_a_customer_import_keeps_loyalty_card_numbers_and_refuses_long_ones(client, sandbox):
    csv = (
        "Name,Email,Loyalty card\n"
        "Hira Baig,hira@mail.example,LC-204518\n"
        "Asad Mir,asad@mail.example,LC-" + "9" * 30 + "\n"
    )
    token = _token(_upload(client, csv, "customer", "cards.csv"))
    mapping = _mapping(client, token)
    assert mapping == ["full_name", "email", "loyalty_card"]
    page = _review(client, token, mapping).get_data(as_text=True)
    assert "Loyalty card is longer than 20 characters." in page
    response = _review(client, token, mapping, "commit", skip=["3"])
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    hira = first(Customer, sandbox, Customer.email == "hira@mail.example")
    assert hira.loyalty_card == "LC-204518"
    assert first(Customer, sandbox, Customer.email == "asad@mail.example") is None
