"""What trainers read for the exercise format's codes: check types, kinds of record, fields,
events and SLA measures. The course files keep the codes; the builder shows these names.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sandbox.codes import EVENT_VERBS, MAPPING
from sandbox.models import ENTITIES
from sandbox.scenarios import DATE_FIELDS, LINK_FIELDS

CHECK_TYPE_LABELS = {
    "record_exists": _l("A record exists"),
    "field_equals": _l("A field has a given value"),
    "count_at_least": _l("There are at least so many records"),
    "event_happened": _l("Something happened"),
    "events_in_order": _l("Things happened in this order"),
    "within_sla": _l("A ticket was handled in time (SLA)"),
    "responded_within": _l("The learner replied in time to a customer's message"),
    "answer": _l("The learner's answer matches their sandbox"),
    "content": _l("Parts of a record are filled in properly"),
    "consent": _l("Marketing consent is respected"),
}
ENTITY_LABELS = {
    "customer": _l("Customer"),
    "product": _l("Product"),
    "purchase": _l("Purchase"),
    "lead": _l("Lead"),
    "opportunity": _l("Opportunity"),
    "ticket": _l("Ticket"),
    "activity": _l("Note, call, meeting or task"),
    "automation": _l("Automation"),
    "outbox_email": _l("Email sent by an automation"),
    "sales_target": _l("Sales target"),
    "colleague": _l("Colleague"),
}
FIELD_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "company": _l("Company"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "city": _l("City"),
    "birthday": _l("Birthday"),
    "customer_since": _l("Customer since"),
    "loyalty_card": _l("Loyalty card"),
    "tier": _l("Tier"),
    "preferences": _l("Preferences"),
    "title": _l("Job title"),
    "source": _l("Source"),
    "status": _l("Status"),
    "description": _l("Description"),
    "name": _l("Name"),
    "customer": _l("Customer"),
    "owner": _l("Owner"),
    "assignee": _l("Assigned to"),
    "stage": _l("Stage"),
    "amount": _l("Amount"),
    "close_date": _l("Close date"),
    "product": _l("Product"),
    "quantity": _l("Quantity"),
    "purchased_on": _l("Purchased on"),
    "purchase": _l("Purchase"),
    "subject": _l("Subject"),
    "category": _l("Category"),
    "channel": _l("Channel"),
    "priority": _l("Priority"),
    "first_response_due": _l("First response due"),
    "resolution_due": _l("Resolution due"),
    "trigger": _l("Trigger"),
    "body": _l("Text"),
    "active": _l("Active"),
    "period_start": _l("Period start"),
    "period_end": _l("Period end"),
    "created_at": _l("Created at"),
    "kind": _l("Kind"),
    "parent": _l("Record it is on"),
    "parent_type": _l("Kind of record it is on"),
    "due_on": _l("Due on"),
    "done": _l("Done"),
    "at": _l("When"),
    "to": _l("To"),
    "sent_at": _l("Sent at"),
    "opened_at": _l("Opened at"),
    "first_responded_at": _l("First responded at"),
    "resolved_at": _l("Resolved at"),
    "resolution": _l("Resolution"),
    "satisfaction": _l("Satisfaction"),
    "closed_reason": _l("Reason for closing"),
    "closed_on": _l("Closed on"),
    "price": _l("Price"),
    "role": _l("Role"),
    "is_learner": _l("Is the learner"),
    "lead_id": _l("Lead it came from"),
    "product_id": _l("Product"),
    "automation_id": _l("Automation that sent it"),
    "converted_customer_id": _l("Customer it became"),
    "converted_opportunity_id": _l("Opportunity it became"),
}
EVENT_LABELS = {
    "sandbox.reset": _l("The sandbox was reset"),
    "clock.advanced": _l("The sandbox clock was moved on"),
    "exercise.started": _l("The exercise was started"),
    "scenario.played": _l("A scenario event happened (a customer wrote, a ticket came in)"),
    "lead.created": _l("A lead was created"),
    "lead.updated": _l("A lead was edited"),
    "lead.status_changed": _l("A lead's status changed"),
    "lead.converted": _l("A lead was converted"),
    "customer.created": _l("A customer was created"),
    "customer.updated": _l("A customer was edited"),
    "customer.consent_changed": _l("A customer's marketing consent changed"),
    "opportunity.stage_changed": _l("An opportunity's stage changed"),
    "activity.created": _l("A note, call, meeting or task was added"),
    "task.completed": _l("A task was completed"),
    "ticket.created": _l("A ticket was logged"),
    "ticket.assigned": _l("A ticket was assigned"),
    "ticket.category_changed": _l("A ticket's category changed"),
    "ticket.priority_changed": _l("A ticket's priority changed"),
    "ticket.responded": _l("A ticket got its first response"),
    "ticket.pending": _l("A ticket was set to pending"),
    "ticket.resolved": _l("A ticket was resolved"),
    "ticket.closed": _l("A ticket was closed"),
    "ticket.rejected": _l("A ticket was rejected"),
    "ticket.duplicate": _l("A ticket was marked as a duplicate"),
    "ticket.reopened": _l("A ticket was reopened"),
    "automation.created": _l("An automation was created"),
    "automation.updated": _l("An automation was changed"),
    "outbox.sent": _l("An automation sent an email"),
    "outbox.skipped": _l("An automation held an email back"),
    "report.viewed": _l("A report was opened"),
    "import.completed": _l("A CSV file was imported"),
    "lead.assigned": _l("A lead was assigned"),
    "lead.merged": _l("Duplicate leads were merged"),
    "customer.merged": _l("Duplicate customers were merged"),
    "opportunity.updated": _l("An opportunity was changed"),
}
# What each event's data holds (sandbox.codes.EVENT_VERBS): what event conditions compare.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    verb: tuple(key for key, kind in data.items() if kind != MAPPING)
    for verb, data in EVENT_VERBS.items()
}
EVENT_FIELD_LABELS = {
    "generation": _l("Times reset"),
    "days": _l("Days moved on"),
    "source": _l("Source"),
    "fields": _l("Fields changed"),
    "from": _l("Old value"),
    "to": _l("New value"),
    "customer": _l("Customer"),
    "opportunity": _l("Opportunity"),
    "contact": _l("Contact"),
    "existing": _l("Into an existing customer"),
    "amount": _l("Amount"),
    "probability": _l("Probability (%)"),
    "kind": _l("Kind"),
    "parent": _l("Kind of record it is on"),
    "parent_id": _l("Record it is on"),
    "overdue": _l("Done late"),
    "assignee": _l("Assigned to"),
    "to_me": _l("Assigned to the learner"),
    "channel": _l("Channel"),
    "category": _l("Category"),
    "priority": _l("Priority"),
    "first": _l("First response"),
    "late": _l("Late"),
    "satisfaction": _l("Satisfaction"),
    "trigger": _l("Trigger"),
    "active": _l("Active"),
    "automation": _l("Automation"),
    "report": _l("Report"),
    "is_company": _l("A company"),
    "works_for": _l("Works for"),
    "reason": _l("Why it was held back"),
    "records": _l("Kind of records"),
    "imported": _l("Records imported"),
    "skipped": _l("Rows skipped"),
    "companies": _l("Companies imported"),
    "ids": _l("Which records were imported"),
    "data_keys": _l("Setup records"),
    "key": _l("Scenario event"),
    "owner": _l("Owner"),
    "survivor": _l("Record kept"),
    "merged": _l("Records merged into it"),
}
SLA_LABELS = {"first_response": _l("First response"), "resolution": _l("Resolution")}
# Fields that hold a date or a time: the builder offers "3 years before the sandbox's today".
TIME_FIELDS = frozenset(
    {*DATE_FIELDS, "created_at", "first_response_due", "resolution_due", "due_on"}
)
_LINK_NAMES = {column: name for name, column in {**LINK_FIELDS, "parent": "parent_id"}.items()}


def _filter_fields(model) -> tuple[str, ...]:
    columns = [c.key for c in model.__table__.columns if c.key not in ("id", "sandbox_id")]
    return tuple(_LINK_NAMES.get(column, column) for column in columns)


# The fields a check may look at on each kind of record: its columns, links by their names.
FILTER_FIELDS: dict[str, tuple[str, ...]] = {
    entity: _filter_fields(model) for entity, model in ENTITIES.items()
}


def label(table: dict, code) -> str:
    """The name shown for `code` (a readable form of the code when the table lacks it)."""
    code = "" if code is None else str(code)
    known = table.get(code)
    return str(known) if known is not None else code.replace("_", " ").capitalize()


def entities_with(field: str, fields: dict[str, tuple[str, ...]]) -> str:
    """The kinds of record (space-separated) that have `field`: what a field picker filters."""
    return " ".join(entity for entity, names in fields.items() if field in names)


def field_options(
    fields: dict[str, tuple[str, ...]], names: dict = FIELD_LABELS
) -> list[tuple[str, str, str]]:
    """(field, its name, the kinds of record that have it) for a picker, by name."""
    every = dict.fromkeys(name for group in fields.values() for name in group)
    options = [(name, label(names, name), entities_with(name, fields)) for name in every]
    return sorted(options, key=lambda option: option[1].casefold())


def fields_of(
    entity: str, fields: dict[str, tuple[str, ...]], every: bool = False, labels=FIELD_LABELS
):
    """(field, its name) of one kind of record (or event), by name; for an unknown kind,
    every field when `every` says so, else none (app.js fills the list once one is chosen)."""
    if entity in fields:
        names = fields[entity]
    else:
        names = dict.fromkeys(n for group in fields.values() for n in group) if every else ()
    options = [(name, label(labels, name)) for name in names]
    return sorted(options, key=lambda option: option[1].casefold())
