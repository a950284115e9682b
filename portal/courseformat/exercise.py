"""An exercise: setup records put into the learner's sandbox, the checks that grade the
work, hints, and a reference solution whose steps a dry run can carry out."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from portal.courseformat.checks import CHECK_TAGS, Check, check_fields
from portal.courseformat.messages import invalid
from portal.courseformat.problems import FieldProblem, field_problems
from portal.courseformat.scenario import ClockSettings, ScenarioEventSpec, scenario_entities
from portal.courseformat.solution import STEP_TAGS, Step
from portal.courseformat.values import Key, Model, Value
from sandbox import codes

PARTS = ("setup", "checks", "hints", "solution")
OPTIONAL_PARTS = ("clock", "scenario_events")  # written only when the exercise has them


class SetupRecord(Model):
    """One record the exercise puts into the sandbox before the learner starts."""

    key: Key
    entity: Literal[codes.SETUP_ENTITIES]  # type: ignore[valid-type]
    fields: dict[str, Value] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _fields(cls, fields: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        return check_fields(fields, info, codes.SETUP_FIELDS, "setup_field")


class Exercise(Model):
    """An exercise's content, as lessons keep it: setup, checks, hints and solution."""

    setup: list[SetupRecord] = Field(default_factory=list)
    checks: list[Check] = Field(min_length=1)
    hints: list[str] = Field(default_factory=list)
    solution: list[Step] = Field(default_factory=list)
    clock: ClockSettings | None = None
    scenario_events: list[ScenarioEventSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> Exercise:
        for what, items in (
            ("setup", [*self.setup, *self.scenario_events]),
            ("check", self.checks),
        ):
            keys = [item.key for item in items]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise invalid(f"{what}_key_twice", key=twice[0])
        return self

    def dump(self) -> dict[str, Any]:
        """Plain data as the course files write it."""
        data = {
            "setup": [record.dump() for record in self.setup],
            "checks": [check.dump() for check in self.checks],
            "hints": list(self.hints),
            "solution": [s if isinstance(s, str) else s.dump() for s in self.solution],
        }
        if self.clock is not None:
            data["clock"] = self.clock.dump()
        if self.scenario_events:
            data["scenario_events"] = [event.dump() for event in self.scenario_events]
        return data


def setup_context(data: Any) -> dict[str, dict[str, str]]:
    """The validation context for an exercise's data: its setup records' entities by key
    (so checks and links can be told whether a setup key exists), and the records its
    scenario events make, which checks name the same way."""
    records = data.get("setup") if isinstance(data, dict) else None
    setup = {
        str(r["key"]): str(r.get("entity"))
        for r in records or []
        if isinstance(r, dict) and "key" in r
    }
    events = data.get("scenario_events") if isinstance(data, dict) else None
    scenario = [str(e["key"]) for e in events or [] if isinstance(e, dict) and "key" in e]
    return {"setup": setup | scenario_entities(data), "scenario": scenario}


def validate_exercise(data: Any) -> tuple[Exercise | None, list[FieldProblem]]:
    """An exercise's content (setup, checks, hints, solution) from plain data, or its
    problems (paths relative to the content)."""
    try:
        return Exercise.model_validate(data, context=setup_context(data)), []
    except ValidationError as error:
        return None, field_problems(error, CHECK_TAGS | STEP_TAGS)
