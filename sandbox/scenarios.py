"""Exercise scenarios: put an exercise's setup records into one sandbox, and apply a
reference solution step by step (what a trainer's dry run and the tests do).

Setup values may be links to other setup records ({setup: key}), "@learner" (the
learner's own colleague record) or dates relative to the sandbox clock ("@today-3y",
"@now+2h"), parsed by `portal.courseformat.values`, the format's one parser.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func

from portal.accounts.models import User
from portal.courseformat.values import resolve_relative
from portal.domain import DomainError
from portal.extensions import db
from sandbox.codes import LINK_FIELDS
from sandbox.models import (
    Automation,
    Colleague,
    Customer,
    Lead,
    Opportunity,
    Product,
    Purchase,
    SalesTarget,
    Sandbox,
    Ticket,
    scoped,
)
from sandbox.services.events import log_event

__all__ = ["LINK_FIELDS", "Scenario", "ScenarioError", "apply_solution", "inject"]
DATE_FIELDS = {
    "birthday",
    "customer_since",
    "purchased_on",
    "close_date",
    "period_start",
    "period_end",
}
# How a setup customer who agreed to marketing email gave consent, when the record is silent.
CONSENT_CHANNEL = "web"


class ScenarioError(DomainError):
    """A setup or solution the sandbox cannot carry out."""


class Scenario(dict[str, tuple[str, int]]):
    """An exercise's setup records in one sandbox: {key: (entity, id)}, and `since`, the
    id of the exercise.started event (only events after it count for the attempt)."""

    def __init__(self, records: Any = (), since: int = 0, answers: dict | None = None):
        super().__init__(records)
        self.since = since
        self.answers: dict[str, str] = dict(answers or {})  # answer checks', by check key


def relative_time(text: str, sandbox: Sandbox) -> datetime | date:
    """'@today-3y' -> a date; '@now+2h' -> a datetime, both on the sandbox clock."""
    try:
        return resolve_relative(text, sandbox.clock)
    except ValueError as error:
        raise ScenarioError(str(error)) from error


def resolve_value(
    value: Any, sandbox: Sandbox, records: dict[str, tuple[str, int]], learner_colleague: int | None
) -> Any:
    """A setup or check value as the database holds it."""
    if isinstance(value, dict) and "setup" in value:
        if value["setup"] not in records:
            raise ScenarioError(f"no setup record '{value['setup']}'")
        return records[value["setup"]][1]
    if value == "@learner":
        return learner_colleague
    if isinstance(value, str) and value.startswith(("@today", "@now")):
        return relative_time(value, sandbox)
    return value


def learner_colleague(sandbox: Sandbox) -> int | None:
    """The id of the learner's own colleague record in the sandbox."""
    return db.session.scalar(
        scoped(Colleague, sandbox)
        .with_only_columns(Colleague.id)
        .where(Colleague.is_learner.is_(True))
    )


def _product(sandbox: Sandbox, name: str) -> Product:
    product = db.session.scalar(
        scoped(Product, sandbox).where(func.lower(Product.name) == name.strip().lower())
    )
    if product is None:
        product = Product(
            sandbox_id=sandbox.id, name=name.strip()[:120], category="", price=Decimal(250)
        )
        db.session.add(product)
        db.session.flush()
    return product


def _build(entity: str, fields: dict[str, Any], sandbox: Sandbox):
    now = sandbox.clock
    values = dict(fields)
    for name in list(values):
        if name in LINK_FIELDS:
            values[LINK_FIELDS[name]] = values.pop(name)
        elif name in DATE_FIELDS and isinstance(values[name], datetime):
            values[name] = values[name].date()
    created = values.pop("created_at", None)
    if isinstance(created, date) and not isinstance(created, datetime):
        created = datetime.combine(created, now.timetz())
    if entity == "customer":
        if values.get("email_consent"):
            # Agreed now (the sandbox clock), by the web form unless the record says how.
            values["consent_at"] = now
            values["consent_channel"] = values.get("consent_channel") or CONSENT_CHANNEL
        return Customer(
            first_name=values.pop("first_name", "Customer"),
            created_at=created or now,
            customer_since=values.pop("customer_since", now.date()),
            **values,
        )
    if entity == "lead":
        return Lead(
            first_name=values.pop("first_name", "Lead"), created_at=created or now, **values
        )
    if entity == "opportunity":
        values["amount"] = Decimal(str(values.get("amount", 0)))
        return Opportunity(**values)
    if entity == "purchase":
        product = _product(sandbox, str(values.pop("product", "Product")))
        quantity = int(values.pop("quantity", 1))
        return Purchase(
            product_id=product.id,
            quantity=quantity,
            amount=product.price * quantity,
            purchased_on=values.pop("purchased_on", now.date()),
            **values,
        )
    if entity == "ticket":
        return Ticket(opened_at=created or now, subject=values.pop("subject", "Ticket"), **values)
    if entity == "automation":
        return Automation(**values)
    if entity == "sales_target":
        values["amount"] = Decimal(str(values.get("amount", 0)))
        return SalesTarget(**values)
    raise ScenarioError(f"unknown setup entity '{entity}'")


def inject(sandbox: Sandbox, setup: list[dict], actor: User | None = None) -> Scenario:
    """Insert the setup records and log that the exercise started: the records by key,
    and the id of the started event (events up to it do not count for this attempt)."""
    colleague = learner_colleague(sandbox)
    records = Scenario()
    for record in setup:
        fields = {
            name: resolve_value(value, sandbox, records, colleague)
            for name, value in (record.get("fields") or {}).items()
        }
        row = _build(record["entity"], fields, sandbox)
        row.sandbox_id = sandbox.id
        db.session.add(row)
        db.session.flush()
        records[record["key"]] = (record["entity"], row.id)
    marker = log_event(sandbox, actor, "exercise.started", data_keys=sorted(records))
    db.session.flush()
    records.since = marker.id
    return records


# Reference solutions: each step may carry `do`, an action the sandbox carries out.


def _ref_key(value: Any) -> str:
    return value.get("setup") if isinstance(value, dict) else value


def _ref(value: Any, records: dict[str, tuple]) -> int:
    key = _ref_key(value)
    if key not in records:
        raise ScenarioError(f"the solution refers to '{key}', which no step or setup made")
    return records[key][1]


def apply_solution(sandbox: Sandbox, actor: User, steps: list, records: dict[str, tuple]) -> int:
    """Carry out the machine-readable steps of a reference solution; returns how many ran.

    A step is plain text (for people, skipped), or carries `do` (one action) or `actions`
    (several), each naming a sandbox service and its arguments.
    """
    from sandbox import solution_data
    from sandbox.services import (
        automations,
        clock,
        conversion,
        leads,
        opportunities,
        scenario_events,
        tickets,
    )

    actions = []
    for step in steps:
        if isinstance(step, dict):
            actions += step.get("actions") or ([step] if "do" in step else [])
    ran = 0
    for step in actions:
        action = step["do"]
        args = {k: v for k, v in step.items() if k not in ("do", "step", "as")}

        def get(model, name: str, args=args):
            return db.session.get(model, _ref(args.pop(name), records))

        if action == "lead.create":
            made = leads.create_lead(sandbox, actor, leads.LeadData(**args))
            records[step.get("as", "lead")] = ("lead", made.id)
        elif action == "lead.status":
            leads.set_lead_status(sandbox, actor, get(Lead, "lead"), args["status"])
        elif action == "note":
            parent_key = args.pop("parent")
            entity, parent_id = records[
                parent_key.get("setup") if isinstance(parent_key, dict) else parent_key
            ]
            leads.add_note(
                sandbox,
                actor,
                entity,
                parent_id,
                args.get("subject", ""),
                args.get("body", ""),
                kind=args.get("kind", "note"),
            )
        elif action == "lead.convert":
            lead = get(Lead, "lead")
            close_date = args.get("close_date")
            if isinstance(close_date, str) and close_date.startswith("@"):
                close_date = relative_time(close_date, sandbox)
            made = conversion.convert_lead(
                sandbox,
                actor,
                lead,
                create_opportunity=bool(args.get("opportunity_name")),
                opportunity_name=args.get("opportunity_name", ""),
                amount=str(args.get("amount", "")),
                stage=args.get("stage", "prospecting"),
                close_date=close_date,
            )
            records[step.get("as", "customer")] = ("customer", made.account.id)
            if made.opportunity is not None:
                records[step.get("opportunity_as", "opportunity")] = (
                    "opportunity",
                    made.opportunity.id,
                )
        elif action == "ticket.assign":
            to = learner_colleague(sandbox)
            if args.get("to") == "other":  # handed to the first colleague who is not the learner
                to = db.session.scalar(
                    scoped(Colleague, sandbox)
                    .with_only_columns(Colleague.id)
                    .where(Colleague.id != to)
                    .order_by(Colleague.id)
                    .limit(1)
                )
            tickets.assign_ticket(sandbox, actor, get(Ticket, "ticket"), to)
        elif action == "ticket.respond":
            tickets.respond(sandbox, actor, get(Ticket, "ticket"), args["message"])
        elif action == "ticket.resolve":
            parts = [args.get(name, "") for name in ("cause", "action", "expectation")]
            note = tickets.Resolution(*parts) if parts[1] else args["resolution"]
            tickets.resolve(sandbox, actor, get(Ticket, "ticket"), note)
        elif action == "lead.qualify":
            timing = args.get("timing")
            if isinstance(timing, str):
                timing = (
                    relative_time(timing, sandbox)
                    if timing.startswith("@")
                    else date.fromisoformat(timing)
                )
            budget = args.get("budget")
            leads.qualify_lead(
                sandbox,
                actor,
                get(Lead, "lead"),
                leads.Qualification(
                    args.get("need", ""),
                    args.get("authority", ""),
                    Decimal(str(budget)) if budget is not None else None,
                    args.get("budget_status", "unknown"),
                    timing.date() if isinstance(timing, datetime) else timing,
                ),
            )
        elif action == "task":
            due = args.get("due") or "@today+1d"
            due = relative_time(due, sandbox) if due.startswith("@") else date.fromisoformat(due)
            entity = records.get(_ref_key(args["parent"]), ("",))[0]
            leads.add_note(
                sandbox,
                actor,
                entity,
                _ref(args["parent"], records),
                args["subject"],
                "",
                kind="task",
                due_on=due.date() if isinstance(due, datetime) else due,
            )
        elif action == "answer":
            if isinstance(records, Scenario):
                records.answers[args["check"]] = str(args["value"])
        elif action == "ticket.close":
            tickets.close(sandbox, actor, get(Ticket, "ticket"), args.get("satisfaction"))
        elif action == "opportunity.stage":
            opportunities.move_stage(
                sandbox,
                actor,
                get(Opportunity, "opportunity"),
                args["stage"],
                args.get("reason", ""),
            )
        elif action == "automation.create":
            automations.save_automation(sandbox, actor, None, active=True, **args)
        elif action == "clock.advance":
            clock.advance_clock(sandbox, actor, int(args.get("days", 1)))
        elif action == "clock.wait":
            clock.wait(sandbox, int(args["minutes"]))
            scenario_events.play_due(sandbox, actor)
            records.update(scenario_events.made_records(sandbox, getattr(records, "since", 0)))
        elif action == "report.view":
            log_event(sandbox, actor, "report.viewed", report=args.get("report", ""))
        elif action == "lead.assign":
            leads.assign_lead(sandbox, actor, get(Lead, "lead"), learner_colleague(sandbox))
        elif action in ("consent.give", "consent.withdraw"):
            solution_data.set_consent(
                sandbox,
                actor,
                get(Customer, "customer"),
                action == "consent.give",
                args.get("channel") or "",
            )
        elif action == "customer.preferences":
            solution_data.set_preferences(
                sandbox, actor, get(Customer, "customer"), args["preferences"]
            )
        elif action == "import.sample":
            solution_data.import_sample(
                sandbox,
                actor,
                args["sample"],
                args.get("columns", ""),
                args.get("skip", ""),
                args.get("duplicates", "skip"),
            )
        elif action == "duplicates.merge":
            entity, survivor_id = records[_ref_key(args["survivor"])]
            model = Lead if entity == "lead" else Customer
            solution_data.merge_group(
                sandbox, actor, db.session.get(model, survivor_id), args.get("take", "")
            )
        else:
            raise ScenarioError(f"unknown action '{action}'")
        ran += 1
    db.session.flush()
    return ran
