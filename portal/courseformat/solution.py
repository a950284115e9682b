"""Reference-solution steps: one class per action, told apart by `do`.

A step is plain text for people, or {step, do, ...arguments} (one action), or
{step, actions: [{do, ...arguments}, ...]}. Each action has its own arguments, typed as
sandbox.scenarios.apply_solution uses them, so a misspelt action or argument is an error
at its file and line rather than a failed dry run. Records are named by a link to a setup
record ({setup: key}) or by the name an earlier step gave with `as`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    RootModel,
    StringConstraints,
    Tag,
    model_validator,
)

from portal.courseformat.messages import invalid
from portal.courseformat.values import Key, Model, Plain, SetupRef, link_or_value
from sandbox import codes

NOTE_KINDS = tuple(kind for kind in codes.ACTIVITY_KINDS if kind != "task")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


# A record: a link to a setup record, or the `as` name of one an earlier step made.
Ref = Annotated[
    Annotated[SetupRef, Tag("<link>")] | Annotated[Key, Tag("<value>")],
    Discriminator(link_or_value),
]


class BaseAction(Model):
    """What every action may have: the step's text for people (required when the action
    is a step by itself, rather than one of a step's `actions`)."""

    step: Text | None = None


class LeadCreate(BaseAction):
    do: Literal["lead.create"]
    as_: Key = Field("lead", alias="as")
    first_name: Text
    last_name: str = ""
    company: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    source: Literal[codes.LEAD_SOURCES] = "other"  # type: ignore[valid-type]
    description: str = ""


class LeadStatus(BaseAction):
    do: Literal["lead.status"]
    lead: Ref
    status: Literal[codes.LEAD_STATUSES]  # type: ignore[valid-type]


class Note(BaseAction):
    do: Literal["note"]
    parent: Ref
    kind: Literal[NOTE_KINDS] = "note"  # type: ignore[valid-type]
    subject: str = ""
    body: str = ""


class LeadConvert(BaseAction):
    do: Literal["lead.convert"]
    lead: Ref
    opportunity_name: str = ""
    amount: int | float | None = None
    stage: Literal[tuple(codes.STAGES)] = "prospecting"  # type: ignore[valid-type]
    close_date: Plain = None
    as_: Key = Field("customer", alias="as")
    opportunity_as: Key = "opportunity"


class TicketAssign(BaseAction):
    """Assign a ticket to the learner ("me"), or hand it to another colleague ("other")."""

    do: Literal["ticket.assign"]
    ticket: Ref
    to: Literal["me", "other"] = "me"


class TicketRespond(BaseAction):
    do: Literal["ticket.respond"]
    ticket: Ref
    message: Text


class TicketResolve(BaseAction):
    """Resolve with the note's parts (what was wrong, what we did, what the customer can
    expect), or with `resolution`, plain text taken as what we did."""

    do: Literal["ticket.resolve"]
    ticket: Ref
    resolution: str = ""
    cause: str = ""
    action: str = ""
    expectation: str = ""

    @model_validator(mode="after")
    def _note(self) -> TicketResolve:
        if not (self.resolution.strip() or self.action.strip()):
            raise invalid("missing", name="action")
        return self


class Task(BaseAction):
    """Add a task (a follow-up) to a record, due on `due` (a date or "@today+2d")."""

    do: Literal["task"]
    parent: Ref
    subject: Text
    due: Plain = "@today+1d"


class LeadQualify(BaseAction):
    """Record a lead's qualification (BANT)."""

    do: Literal["lead.qualify"]
    lead: Ref
    need: str = ""
    authority: str = ""
    budget: int | float | None = None
    budget_status: Literal[codes.BUDGET_STATUSES] = "unknown"  # type: ignore[valid-type]
    timing: Plain = None


class Answer(BaseAction):
    """Enter the answer to an answer check, as a learner types it (an option's position,
    from 0, for a choice)."""

    do: Literal["answer"]
    check: Key
    value: Text


class TicketClose(BaseAction):
    do: Literal["ticket.close"]
    ticket: Ref
    satisfaction: int = Field(ge=1, le=5, strict=True)


class OpportunityStage(BaseAction):
    do: Literal["opportunity.stage"]
    opportunity: Ref
    stage: Literal[tuple(codes.STAGES)]  # type: ignore[valid-type]
    reason: str = ""


class AutomationCreate(BaseAction):
    do: Literal["automation.create"]
    name: Text
    trigger: Literal[codes.TRIGGERS]  # type: ignore[valid-type]
    subject: Text
    body: Text


class ClockAdvance(BaseAction):
    do: Literal["clock.advance"]
    days: int = Field(1, ge=1, le=codes.MAX_CLOCK_DAYS, strict=True)


class ClockWait(BaseAction):
    """Sandbox time passes as the running clock would: due scenario events play."""

    do: Literal["clock.wait"]
    minutes: int = Field(ge=1, le=60 * 24 * 30, strict=True)


class LeadAssign(BaseAction):
    do: Literal["lead.assign"]
    lead: Ref


class ConsentGive(BaseAction):
    do: Literal["consent.give"]
    customer: Ref
    channel: Literal[codes.CHANNELS]  # type: ignore[valid-type]


class ConsentWithdraw(BaseAction):
    do: Literal["consent.withdraw"]
    customer: Ref
    channel: Literal[codes.CHANNELS] | None = None  # type: ignore[valid-type]


class CustomerPreferences(BaseAction):
    """Set what the customer is interested in, as the customer form's field says it."""

    do: Literal["customer.preferences"]
    customer: Ref
    preferences: Text


class ImportSample(BaseAction):
    """Import the Import page's practice file: the suggested mapping, then `columns`
    ("Header=field, ..."), skipping the line numbers in `skip`."""

    do: Literal["import.sample"]
    sample: Literal["lead", "customer"]
    columns: str = ""
    skip: str = ""
    duplicates: Literal["skip", "import"] = "skip"


class DuplicatesMerge(BaseAction):
    """Merge a record's group on the Duplicates page into it, taking the fields in
    `take` ("last_name, email") from the other record."""

    do: Literal["duplicates.merge"]
    survivor: Ref
    take: str = ""


class ReportView(BaseAction):
    do: Literal["report.view"]
    report: Literal[codes.REPORTS]  # type: ignore[valid-type]


ACTION_CLASSES = (
    LeadCreate,
    LeadStatus,
    Note,
    LeadConvert,
    TicketAssign,
    TicketRespond,
    TicketResolve,
    TicketClose,
    OpportunityStage,
    AutomationCreate,
    ClockAdvance,
    ClockWait,
    ReportView,
    LeadAssign,
    ConsentGive,
    ConsentWithdraw,
    ImportSample,
    DuplicatesMerge,
    CustomerPreferences,
    LeadQualify,
    Answer,
    Task,
)
# What a solution step may ask the sandbox to do, in the order the step form offers them.
ACTIONS = tuple(cls.model_fields["do"].annotation.__args__[0] for cls in ACTION_CLASSES)
Action = Annotated[
    LeadCreate
    | LeadStatus
    | Note
    | LeadConvert
    | TicketAssign
    | TicketRespond
    | TicketResolve
    | TicketClose
    | OpportunityStage
    | AutomationCreate
    | ClockAdvance
    | ClockWait
    | ReportView
    | LeadAssign
    | ConsentGive
    | ConsentWithdraw
    | ImportSample
    | DuplicatesMerge
    | CustomerPreferences
    | LeadQualify
    | Answer
    | Task,
    Field(discriminator="do"),
]


class Actions(Model):
    """A step that carries out several actions (or none: text kept as a mapping)."""

    step: Text
    actions: list[Action] | None = None

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {"step": self.step}
        if self.actions is not None:
            data["actions"] = [action.dump() for action in self.actions]
        return data


def _step_kind(value: Any) -> str:
    if isinstance(value, Actions) or (isinstance(value, dict) and "do" not in value):
        return "<actions>"
    return "<action>"


class SolutionStep(RootModel):
    """A step of the reference solution that the sandbox can carry out: its text for
    people, and one action (`do` ...) or several (`actions`)."""

    root: Annotated[
        Annotated[Action, Tag("<action>")] | Annotated[Actions, Tag("<actions>")],
        Discriminator(_step_kind),
    ]

    @model_validator(mode="after")
    def _text(self) -> SolutionStep:
        if isinstance(self.root, BaseAction) and self.root.step is None:
            raise invalid("step_text")
        return self

    def dump(self) -> dict[str, Any]:
        """Plain data as the course files write it."""
        return self.root.dump()


# A step as written: plain text, or a step the sandbox can carry out.
Step = Annotated[
    Annotated[str, Tag("<text>")] | Annotated[SolutionStep, Tag("<step>")],
    Discriminator(lambda value: "<text>" if isinstance(value, str) else "<step>"),
]
# Union tags that appear in error paths but are not fields of the data.
STEP_TAGS = {*ACTIONS, "<action>", "<actions>", "<text>", "<step>"}
