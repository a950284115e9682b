"""An exercise: setup records put into the learner's sandbox, the checks that grade the
work, hints, and a reference solution whose steps a dry run can carry out."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from portal.courseformat.checks import Check, check_codes
from portal.courseformat.values import Key, Model, Value
from sandbox import codes

# What a solution step may ask the sandbox to do (sandbox.scenarios.apply_solution).
ACTIONS = (
    "lead.create",
    "lead.status",
    "note",
    "lead.convert",
    "ticket.assign",
    "ticket.respond",
    "ticket.resolve",
    "ticket.close",
    "opportunity.stage",
    "automation.create",
    "clock.advance",
    "report.view",
)
PARTS = ("setup", "checks", "hints", "solution")


class SetupRecord(Model):
    """One record the exercise puts into the sandbox before the learner starts."""

    key: Key
    entity: Literal[codes.SETUP_ENTITIES]  # type: ignore[valid-type]
    fields: dict[str, Value] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _fields(cls, fields: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        entity = info.data.get("entity")
        if entity is None:
            return fields
        for name, value in fields.items():
            if name not in codes.SETUP_FIELDS[entity]:
                raise ValueError(
                    f"a {entity} record cannot set '{name}' "
                    f"(fields: {', '.join(codes.SETUP_FIELDS[entity])})"
                )
            check_codes(entity, name, value)
        return fields


class Action(Model):
    """One thing the sandbox carries out: `do` names it, the other fields are its
    arguments (links as {setup: key}), `as` names the record it makes."""

    model_config = ConfigDict(extra="allow")

    do: Literal[ACTIONS]  # type: ignore[valid-type]


class SolutionStep(Action):
    """A step of the reference solution that the sandbox can carry out: its text for
    people, and one action (`do` ...) or several (`actions`)."""

    step: str = Field(min_length=1)
    do: Literal[ACTIONS] | None = None  # type: ignore[valid-type]
    actions: list[Action] | None = None


class Exercise(Model):
    """An exercise's content, as lessons keep it: setup, checks, hints and solution."""

    setup: list[SetupRecord] = Field(default_factory=list)
    checks: list[Check] = Field(min_length=1)
    hints: list[str] = Field(default_factory=list)
    solution: list[str | SolutionStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> Exercise:
        for what, items in (("setup", self.setup), ("check", self.checks)):
            keys = [item.key for item in items]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise ValueError(f"every {what} needs its own key: '{twice[0]}' is used twice")
        return self

    def dump(self) -> dict[str, Any]:
        """Plain data as the course files write it."""
        return {
            "setup": [record.dump() for record in self.setup],
            "checks": [check.dump() for check in self.checks],
            "hints": list(self.hints),
            "solution": [s if isinstance(s, str) else s.dump() for s in self.solution],
        }


def setup_context(data: Any) -> dict[str, dict[str, str]]:
    """The validation context for an exercise's data: its setup records' entities by key
    (so checks and links can be told whether a setup key exists)."""
    records = data.get("setup") if isinstance(data, dict) else None
    return {
        "setup": {
            str(r["key"]): str(r.get("entity"))
            for r in records or []
            if isinstance(r, dict) and "key" in r
        }
    }
