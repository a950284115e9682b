"""Reference-solution actions on customer data: consent, a CSV import, a merge.

`sandbox.scenarios.apply_solution` runs them as a learner would: through the same services
the customer form, the import wizard and the Duplicates page call.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from portal.accounts.models import User
from portal.extensions import db
from sandbox.models import Customer, Lead, Sandbox
from sandbox.scenarios import ScenarioError
from sandbox.services import customers, duplicates, import_preview, imports

SAMPLES = Path(__file__).resolve().parent / "samples"  # as the Import page offers them
SAMPLE_FILES = {"lead": "leads.csv", "customer": "customers.csv"}


def set_consent(
    sandbox: Sandbox, actor: User, customer: Customer, agreed: bool, channel: str
) -> None:
    """Give or withdraw the customer's marketing consent, by `channel`, as the form does."""
    data = _as_form(customer)
    data.email_consent, data.consent_channel = agreed, channel
    customers.update_customer(sandbox, actor, customer, data)


def set_preferences(sandbox: Sandbox, actor: User, customer: Customer, preferences: str) -> None:
    """Change what the customer is interested in, as the customer form does."""
    data = _as_form(customer)
    data.preferences = preferences
    customers.update_customer(sandbox, actor, customer, data)


def _as_form(customer: Customer) -> customers.CustomerData:
    """The customer's editable fields as the customer form holds them."""
    names = [f.name for f in fields(customers.CustomerData)]
    return customers.CustomerData(**{name: getattr(customer, name) for name in names})


def _words(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", text or "") if part.strip()]


def import_sample(
    sandbox: Sandbox, actor: User, entity: str, columns: str, skip: str, duplicates_: str
) -> None:
    """Upload the practice file, map it (the suggestions, then `Header=field` pairs),
    skip the listed line numbers and import."""
    raw = (SAMPLES / SAMPLE_FILES[entity]).read_bytes()
    upload = imports.store_upload(sandbox, actor, entity, SAMPLE_FILES[entity], raw)
    mapping = import_preview.suggest_mapping(entity, upload.header)
    for pair in _words(columns):
        header, _sep, field = pair.partition("=")
        if header.strip() not in upload.header:
            raise ScenarioError(f"the practice file has no column '{header.strip()}'")
        mapping[upload.header.index(header.strip())] = field.strip()
    lines = {int(line) for line in _words(skip)}
    imports.import_rows(
        sandbox, actor, upload, mapping, skip=lines, import_duplicates=duplicates_ == "import"
    )


def merge_group(sandbox: Sandbox, actor: User, survivor: Customer | Lead, take: str) -> None:
    """Merge the survivor's group on the Duplicates page into it, taking the fields in
    `take` from the other record."""
    kind = duplicates.kind_of(survivor)
    group = next(
        (g for g in duplicates.find_duplicates(sandbox)[kind] if survivor.id in g.ids), None
    )
    if group is None:
        raise ScenarioError("the Duplicates page shows no duplicate of that record")
    model = Lead if kind == "lead" else Customer
    others = [db.session.get(model, i) for i in group.ids if i != survivor.id]
    kept = {name: others[0].id for name in _words(take)}
    duplicates.merge_records(sandbox, actor, [survivor, *others], survivor.id, kept)
