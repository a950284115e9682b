"""An exercise's running clock and its scenario events: what the sandbox does on its own
while the learner works.

    clock: {rate: 30, business_hours: true}
        one real minute is 30 sandbox minutes while the exercise is open; with
        business_hours the clock runs only in the SLA policy's working hours.

    scenario_events:
      - key: sana-follow-up
        kind: ticket.message          # a customer writes on a setup ticket
        ticket: {setup: billing-ticket}
        after: {event: ticket.responded, setup: billing-ticket}
        minutes: 120                  # sandbox minutes after `after` (or the start)
        subject: Photo of the statement
        body: Here is the statement with both payments.

Kinds: ticket.message (an inbound email on a setup ticket), ticket.new (a new ticket from
a setup customer: subject, body, category, priority; checks name it by the event's key,
as if it were a setup record), lead.email (an inbound email on a setup lead).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationInfo, model_validator

from portal.courseformat.messages import invalid
from portal.courseformat.values import Key, Model, SetupRef, setup_entities
from sandbox import codes

SCENARIO_KINDS = ("ticket.message", "ticket.new", "lead.email")
# The setup record each kind happens on: the field naming it, and its entity.
SCENARIO_RECORD = {
    "ticket.message": ("ticket", "ticket"),
    "ticket.new": ("customer", "customer"),
    "lead.email": ("lead", "lead"),
}
# The records a kind makes, which checks may name by the scenario event's key.
SCENARIO_MAKES = {"ticket.new": "ticket"}
MAX_MINUTES = 60 * 24 * 30  # a month of sandbox time
EventVerb = Literal[tuple(codes.EVENT_VERBS)]  # type: ignore[valid-type]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ClockSettings(Model):
    """How the sandbox clock runs while the exercise is open."""

    rate: int = Field(ge=1, le=600, strict=True)  # sandbox minutes per real minute
    business_hours: bool = False


class After(Model):
    """The learner's action a scenario event waits for: the first `event` on `setup`."""

    event: EventVerb
    setup: Key | None = None

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> After:
        setup = setup_entities(info)
        if self.setup is not None and setup is not None and self.setup not in setup:
            raise invalid("no_setup_record", key=self.setup)
        return self


class ScenarioEventSpec(Model):
    """Something that happens in the sandbox `minutes` after the exercise starts (or
    after the learner's action `after`)."""

    key: Key
    kind: Literal[SCENARIO_KINDS]  # type: ignore[valid-type]
    minutes: int = Field(0, ge=0, le=MAX_MINUTES, strict=True)
    after: After | None = None
    ticket: SetupRef | None = None
    customer: SetupRef | None = None
    lead: SetupRef | None = None
    subject: Line
    body: str = Field("", max_length=5000)
    category: Literal[codes.CATEGORIES] = "technical"  # type: ignore[valid-type]
    priority: Literal[codes.PRIORITIES] = "normal"  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _record(self, info: ValidationInfo) -> ScenarioEventSpec:
        field, entity = SCENARIO_RECORD[self.kind]
        for other, _entity in SCENARIO_RECORD.values():
            given = getattr(self, other) is not None
            if given != (other == field):
                raise invalid("scenario_record", kind=self.kind, name=field)
        ref = getattr(self, field)
        setup = setup_entities(info)
        if setup is not None and setup.get(ref.setup) not in (None, entity):
            raise invalid("scenario_record", kind=self.kind, name=field)
        return self

    @property
    def record(self) -> SetupRef:
        """The setup record the event happens on."""
        return getattr(self, SCENARIO_RECORD[self.kind][0])


def scenario_entities(data: Any) -> dict[str, str]:
    """The records scenario events make, by key (checks may name them like setup records)."""
    events = data.get("scenario_events") if isinstance(data, dict) else None
    return {
        str(e["key"]): SCENARIO_MAKES[e["kind"]]
        for e in events or []
        if isinstance(e, dict) and "key" in e and e.get("kind") in SCENARIO_MAKES
    }
