"""The actions a reference-solution step can take, and the arguments each one has.

They are the ones sandbox.scenarios.apply_solution understands; each argument says how
its form field reads and checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from sandbox import codes, vocabulary
from sandbox.services.clock import MAX_DAYS

MAX_ACTIONS = 6  # action slots a step form reads
ACTIVITY_PARENTS = ("customer", "lead", "opportunity", "ticket")
REPORTS = {"sales_targets": _l("Sales against target")}


@dataclass(frozen=True)
class Param:
    """One argument of an action, and how its form field reads and checks it."""

    name: str
    kind: str  # ref | code | text | long | int | number | date | name
    label: object  # a lazy string
    required: bool = False
    entities: tuple[str, ...] = ()  # ref: the kinds of record it may point at
    codes: tuple[str, ...] = ()  # code: the allowed codes
    group: str = ""  # code: the vocabulary group that labels them
    low: int = 0  # int: the allowed range
    high: int = 0
    default: str = ""  # name: what apply_solution calls the record when left empty


def _codes(group: str, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(code for code in codes.CODES[group] if code not in exclude)


def _code(
    name: str, label, group: str, *, required: bool = False, exclude: tuple[str, ...] = ()
) -> Param:
    """An argument taking one of `group`'s codes, less `exclude`."""
    return Param(name, "code", label, required=required, codes=_codes(group, exclude), group=group)


def _ref(name: str, label, *entities: str) -> Param:
    return Param(name, "ref", label, required=True, entities=entities)


ACTIONS: dict[str, tuple[Param, ...]] = {
    "lead.create": (
        Param("as", "name", _l("Name for later steps"), default="lead"),
        Param("first_name", "text", _l("First name"), required=True),
        Param("last_name", "text", _l("Last name")),
        Param("company", "text", _l("Company")),
        Param("title", "text", _l("Job title")),
        Param("email", "text", _l("Email")),
        Param("phone", "text", _l("Phone")),
        _code("source", _l("Source"), "lead_source"),
        Param("description", "long", _l("Description")),
    ),
    "lead.status": (
        _ref("lead", _l("Lead"), "lead"),
        _code("status", _l("Status"), "lead_status", required=True),
    ),
    "note": (
        _ref("parent", _l("Record the note is on"), *ACTIVITY_PARENTS),
        _code("kind", _l("Kind"), "activity", exclude=("task",)),
        Param("subject", "text", _l("Subject")),
        Param("body", "long", _l("What happened")),
    ),
    "lead.convert": (
        _ref("lead", _l("Lead"), "lead"),
        Param("opportunity_name", "text", _l("Opportunity name")),
        Param("amount", "number", _l("Amount")),
        _code("stage", _l("Stage"), "stage", exclude=("closed_won", "closed_lost")),
        Param("close_date", "date", _l("Expected close date")),
        Param("as", "name", _l("Name of the new customer for later steps"), default="customer"),
        Param(
            "opportunity_as",
            "name",
            _l("Name of the new opportunity for later steps"),
            default="opportunity",
        ),
    ),
    "ticket.assign": (
        _ref("ticket", _l("Ticket"), "ticket"),
        Param("to", "code", _l("To (me, or other: a colleague)"), codes=("me", "other")),
    ),
    "ticket.respond": (
        _ref("ticket", _l("Ticket"), "ticket"),
        Param("message", "long", _l("Reply to the customer"), required=True),
    ),
    "ticket.resolve": (
        _ref("ticket", _l("Ticket"), "ticket"),
        Param("cause", "long", _l("What was wrong")),
        Param("action", "long", _l("What we did")),
        Param("expectation", "long", _l("What the customer can expect")),
        Param("resolution", "long", _l("Or a note in one text (taken as what we did)")),
    ),
    "ticket.close": (
        _ref("ticket", _l("Ticket"), "ticket"),
        Param("satisfaction", "int", _l("Customer satisfaction"), required=True, low=1, high=5),
    ),
    "opportunity.stage": (
        _ref("opportunity", _l("Opportunity"), "opportunity"),
        _code("stage", _l("Move to stage"), "stage", required=True),
        Param("reason", "text", _l("Reason (needed to close won or lost)")),
    ),
    "automation.create": (
        Param("name", "text", _l("Name"), required=True),
        _code("trigger", _l("Send when"), "trigger", required=True),
        Param("subject", "text", _l("Subject"), required=True),
        Param("body", "long", _l("Email"), required=True),
    ),
    "clock.advance": (Param("days", "int", _l("Days"), low=1, high=MAX_DAYS),),
    "clock.wait": (Param("minutes", "int", _l("Sandbox minutes"), low=1, high=60 * 24 * 30),),
    "report.view": (Param("report", "code", _l("Report"), required=True, codes=tuple(REPORTS)),),
    "lead.assign": (_ref("lead", _l("Lead"), "lead"),),
    "consent.give": (
        _ref("customer", _l("Customer"), "customer"),
        _code("channel", _l("Agreed by"), "channel", required=True),
    ),
    "consent.withdraw": (
        _ref("customer", _l("Customer"), "customer"),
        _code("channel", _l("Withdrew by"), "channel"),
    ),
    "import.sample": (
        Param("sample", "code", _l("Practice file"), required=True, codes=("lead", "customer")),
        Param("columns", "text", _l("Columns mapped by hand (Header=field, ...)")),
        Param("skip", "text", _l("Line numbers to skip (5, 6, ...)")),
        Param("duplicates", "code", _l("Possible duplicates"), codes=("skip", "import")),
    ),
    "duplicates.merge": (
        _ref("survivor", _l("Record that survives"), "lead", "customer"),
        Param("take", "text", _l("Fields taken from the duplicate (last_name, email, ...)")),
    ),
    "customer.preferences": (
        _ref("customer", _l("Customer"), "customer"),
        Param("preferences", "text", _l("Interested in"), required=True),
    ),
    "lead.qualify": (
        _ref("lead", _l("Lead"), "lead"),
        Param("need", "long", _l("Need")),
        Param("authority", "text", _l("Who decides")),
        Param("budget", "number", _l("Budget")),
        _code("budget_status", _l("Budget status"), "budget_status"),
        Param("timing", "date", _l("Timing")),
    ),
    "answer": (
        Param("check", "text", _l("Answer check (its key)"), required=True),
        Param("value", "text", _l("Answer as the learner types it"), required=True),
    ),
    "task": (
        _ref("parent", _l("Record the task is on"), *ACTIVITY_PARENTS),
        Param("subject", "text", _l("Task"), required=True),
        Param("due", "date", _l("Due")),
    ),
}
ACTION_LABELS = {
    "lead.create": _l("Create a lead"),
    "lead.status": _l("Change a lead's status"),
    "note": _l("Add a note or activity to a record"),
    "lead.convert": _l("Convert a lead"),
    "ticket.assign": _l("Assign a ticket to yourself"),
    "ticket.respond": _l("Respond to a ticket"),
    "ticket.resolve": _l("Resolve a ticket"),
    "ticket.close": _l("Close a ticket"),
    "opportunity.stage": _l("Move an opportunity to another stage"),
    "automation.create": _l("Create an automation"),
    "clock.advance": _l("Advance the sandbox clock"),
    "clock.wait": _l("Let sandbox time pass (scenario events that fall due happen)"),
    "report.view": _l("Open a report"),
    "lead.assign": _l("Assign a lead to yourself"),
    "consent.give": _l("Record a customer's marketing consent"),
    "consent.withdraw": _l("Withdraw a customer's marketing consent"),
    "import.sample": _l("Import the practice CSV file"),
    "duplicates.merge": _l("Merge a record's duplicates into it"),
    "customer.preferences": _l("Set what a customer is interested in"),
    "lead.qualify": _l("Record a lead's qualification"),
    "answer": _l("Answer an answer check"),
    "task": _l("Add a follow-up task to a record"),
}


def code_label(param: Param, code: str) -> str:
    """How a code shows in a select: its vocabulary label, and the code itself."""
    if param.name == "report":
        return f"{REPORTS.get(code, code)} ({code})"
    return f"{vocabulary.label(param.group, code)} ({code})" if param.group else code
