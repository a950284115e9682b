"""CRM profiles: the sandbox in the words and stages of the CRM the organisation chose.

Design
------
A profile is a data file, ``sandbox/profiles/<key>.yaml`` (espocrm, suitecrm, salesforce,
hubspot, odoo), read into the `Profile` model below. Each file cites the vendor page or
source file it was taken from, and marks with ``vendor: false`` every entry the vendor has
no default for (the organisation's own, with a note why).

A profile sets, for each profiled group of `sandbox.codes.PROFILED_GROUPS` (lead statuses,
deal stages, ticket statuses, priorities, ticket categories), an ordered list of entries:
``code`` (stored in the database), ``label`` (English source text, translated when the
catalogue has it), ``role`` and, for stages, ``probability``. It also sets the entity
labels, singular and plural (``customer: [Account, Accounts]``: what the sandbox's
navigation and headings call its records), and the SLA policy (first response and
resolution per priority, round the clock or in business hours, whether a pending
ticket's clock stops).

Roles are the fixed vocabulary of `sandbox.codes` (``STAGES``, ``LEAD_STATUSES``, ...):
what course files, checks, services and the fill name. Every role has an entry whose
code is the role itself, so an exercise's setup and solution store the same codes under
every profile; a profile may add entries of its own code that play a role (Salesforce's
"Needs Analysis" plays "qualification"). Checks compare roles, never labels or codes
(`Profile.plays`), so every built-in exercise passes under every profile.

An organisation picks a profile with ``PORTAL_CRM_PROFILE`` (default ``espocrm``) and may
replace any list, the entity labels or the SLA policy with ``PORTAL_CRM_OVERRIDES`` (a
JSON object shaped like a profile file), or rename single entries with its ``labels`` key
(``{"labels": {"lead_status": {"in_process": "Working"}}}``); the result is validated
when the portal starts (portal.config) and an unknown profile or a bad override stops it
with a ConfigError.
`active()` is the running app's profile.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from flask import current_app, has_app_context, has_request_context, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sandbox.codes import CODE_WIDTHS, CODES, PRIORITIES, PROFILED_ENTITIES, PROFILED_GROUPS

FOLDER = Path(__file__).parent
BUILT_IN = ("espocrm", "suitecrm", "salesforce", "hubspot", "odoo")
DEFAULT = "espocrm"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CODE = r"^[a-z][a-z0-9_]*$"


class ProfileError(ValueError):
    """A profile file or an organisation's override is not usable."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Label = Annotated[str, Field(min_length=1, max_length=60)]


class Entry(_Strict):
    """One status, stage, priority or category: its stored code and what it means."""

    code: str = Field(pattern=_CODE)
    label: str = Field(min_length=1, max_length=60)
    role: str = ""  # empty: the code is the role
    probability: int | None = Field(default=None, ge=0, le=100)
    vendor: bool = True  # False: not a vendor default, the organisation's own
    note: str = ""

    @property
    def plays(self) -> str:
        return self.role or self.code


class SlaTarget(_Strict):
    """Hours to the first response and to the resolution."""

    first_response: float = Field(gt=0, le=24 * 90)
    resolution: float = Field(gt=0, le=24 * 365)

    @model_validator(mode="after")
    def _in_order(self):
        if self.first_response > self.resolution:
            raise ValueError("first_response must not be longer than resolution")
        return self


class BusinessHours(_Strict):
    days: tuple[Literal[WEEKDAYS], ...] = Field(min_length=1)  # type: ignore[valid-type]
    start: time
    end: time

    @model_validator(mode="after")
    def _in_order(self):
        if self.start >= self.end:
            raise ValueError("business hours must start before they end")
        return self


class SlaPolicy(_Strict):
    vendor_default: bool
    note: str = Field(min_length=1)
    hours: Literal["24x7", "business"]
    business_hours: BusinessHours | None = None
    pending_pauses: bool
    targets: dict[str, SlaTarget]

    @model_validator(mode="after")
    def _complete(self):
        if sorted(self.targets) != sorted(PRIORITIES):
            raise ValueError(f"targets must give every priority: {', '.join(PRIORITIES)}")
        if self.hours == "business" and self.business_hours is None:
            raise ValueError("hours: business needs business_hours (days, start, end)")
        return self

    def due(self, opened: datetime, priority: str, measure: str) -> datetime:
        """When `measure` ("first_response"/"resolution") is due for a ticket opened then."""
        hours = getattr(self.targets[priority], measure)
        if self.hours == "24x7" or self.business_hours is None:
            return opened + timedelta(hours=hours)
        return _add_business_time(opened, timedelta(hours=hours), self.business_hours)

    def add_working_time(self, start: datetime, left: timedelta) -> datetime:
        """`start` plus `left` of the policy's working time (every hour under 24x7)."""
        if self.hours == "24x7" or self.business_hours is None:
            return start + left
        return _add_business_time(start, left, self.business_hours)


class Profile(_Strict):
    """A CRM's vocabulary: see the module's docstring."""

    key: str
    name: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    # entity -> (singular, plural), e.g. "ticket": ("Case", "Cases")
    entities: dict[str, tuple[Label, Label]]
    lead_status: tuple[Entry, ...]
    stage: tuple[Entry, ...]
    ticket_status: tuple[Entry, ...]
    priority: tuple[Entry, ...]
    category: tuple[Entry, ...]
    sla: SlaPolicy

    @model_validator(mode="after")
    def _consistent(self):
        unknown = sorted(set(self.entities) - set(PROFILED_ENTITIES))
        if unknown:
            raise ValueError(f"entities: unknown {', '.join(unknown)}")
        missing = sorted(set(PROFILED_ENTITIES) - set(self.entities))
        if missing:
            raise ValueError(f"entities: no label for {', '.join(missing)}")
        for group in PROFILED_GROUPS:
            _check_group(group, getattr(self, group))
        return self

    def entity_label(self, entity: str, plural: bool = False) -> str:
        """What this CRM calls a kind of record ("Case"), or several ("Cases")."""
        return self.entities[entity][1 if plural else 0]

    def entries(self, group: str) -> tuple[Entry, ...]:
        return getattr(self, group) if group in PROFILED_GROUPS else ()

    def codes(self, group: str) -> tuple[str, ...]:
        """The group's stored codes in the profile's order (a plain group: its codes)."""
        if group not in PROFILED_GROUPS:
            return CODES[group]
        return tuple(e.code for e in self.entries(group))

    def entry(self, group: str, code: str | None) -> Entry | None:
        return next((e for e in self.entries(group) if e.code == code), None)

    def label(self, group: str, code: str | None) -> str | None:
        """The profile's English label for a code, None when the profile has none."""
        found = self.entry(group, code)
        return found.label if found else None

    def role(self, group: str, code: str | None) -> str | None:
        """The role a stored code plays (a plain group's code is its own role)."""
        if group not in PROFILED_GROUPS:
            return code
        found = self.entry(group, code)
        return found.plays if found else None

    def plays(self, group: str, role: str) -> tuple[str, ...]:
        """Every stored code that plays `role` (the role's own code first)."""
        if group not in PROFILED_GROUPS:
            return (role,)
        return tuple(e.code for e in self.entries(group) if e.plays == role)

    def playing(self, group: str, roles) -> tuple[str, ...]:
        """Every stored code that plays one of `roles`."""
        return tuple(code for role in roles for code in self.plays(group, role))

    def probability(self, stage: str | None) -> int:
        found = self.entry("stage", stage)
        return (found.probability or 0) if found else 0

    @property
    def probabilities(self) -> dict[str, int]:
        """Stage code -> probability, in pipeline order."""
        return {e.code: e.probability or 0 for e in self.stage}

    def is_closed(self, stage: str | None) -> bool:
        return self.role("stage", stage) in ("closed_won", "closed_lost")

    def open_stages(self) -> list[str]:
        return [e.code for e in self.stage if not self.is_closed(e.code)]


def _check_group(group: str, entries: tuple[Entry, ...]) -> None:
    roles = CODES[group]
    codes = [e.code for e in entries]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValueError(f"{group}: code {repeated[0]!r} is given twice")
    for e in entries:
        if len(e.code) > CODE_WIDTHS[group]:
            raise ValueError(f"{group}: code {e.code!r} is longer than {CODE_WIDTHS[group]}")
        if e.plays not in roles:
            raise ValueError(
                f"{group}: {e.code!r} needs a role, one of {', '.join(roles)}"
                if not e.role
                else f"{group}: {e.code!r} has an unknown role {e.role!r}"
            )
        if e.code in roles and e.plays != e.code:
            raise ValueError(f"{group}: the code {e.code!r} is a role and must play itself")
        if (group == "stage") != (e.probability is not None):
            raise ValueError(
                f"stage {e.code!r} needs a probability"
                if group == "stage"
                else f"{group}: only stages have a probability"
            )
    missing = [r for r in roles if r not in codes]
    if missing:
        raise ValueError(f"{group}: every role needs its own entry; missing {', '.join(missing)}")


def _add_business_time(start: datetime, left: timedelta, hours: BusinessHours) -> datetime:
    """`start` plus `left` of working time, counted only inside business hours."""
    day = start
    for _ in range(3660):  # ten years of days: a policy always ends
        if WEEKDAYS[day.weekday()] in hours.days:
            opens = day.replace(hour=hours.start.hour, minute=hours.start.minute, second=0)
            closes = day.replace(hour=hours.end.hour, minute=hours.end.minute, second=0)
            begin = max(opens, start)
            if begin < closes:
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        day = (day + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    raise ProfileError("business hours never open")


def _read(key: str) -> dict[str, Any]:
    if key not in BUILT_IN:
        raise ProfileError(f"unknown CRM profile {key!r}: choose one of {', '.join(BUILT_IN)}")
    with open(FOLDER / f"{key}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _merge(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Lists and scalars replace the profile's; entity labels and the SLA merge key by key;
    ``labels`` renames single entries of a group ({group: {code: label}})."""
    merged = dict(data)
    for key, value in overrides.items():
        if key in ("entities", "sla") and isinstance(value, dict):
            merged[key] = {**data.get(key, {}), **value}
        elif key != "labels":
            merged[key] = value
    renames = overrides.get("labels") or {}
    if not isinstance(renames, dict):
        raise ProfileError("labels: must map a group to {code: label}")
    for group, names in renames.items():
        if group not in PROFILED_GROUPS or not isinstance(names, dict):
            raise ProfileError(f"labels: unknown group {group!r}")
        entries = [dict(entry) for entry in merged[group]]
        unknown = sorted(set(names) - {entry["code"] for entry in entries})
        if unknown:
            raise ProfileError(f"labels.{group}: unknown code {', '.join(map(str, unknown))}")
        for entry in entries:
            entry["label"] = names.get(entry["code"], entry["label"])
        merged[group] = entries
    return merged


def _readable(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load(key: str, overrides: dict[str, Any] | None = None) -> Profile:
    """A built-in profile, with an organisation's overrides; ProfileError says what is wrong."""
    if overrides is not None and not isinstance(overrides, dict):
        raise ProfileError("overrides must be a mapping (a JSON object), like a profile file")
    if not overrides:
        return _built_in(key)
    if "key" in overrides:
        raise ProfileError("overrides cannot change the profile's key")
    try:
        return Profile.model_validate({**_merge(_read(key), overrides), "key": key})
    except ValidationError as error:
        raise ProfileError(f"CRM profile {key!r} with overrides: {_readable(error)}") from None


@cache
def _built_in(key: str) -> Profile:
    try:
        return Profile.model_validate({**_read(key), "key": key})
    except ValidationError as error:
        raise ProfileError(f"CRM profile {key!r}: {_readable(error)}") from None


def active() -> Profile:
    """The running app's profile: the organisation's chosen CRM (the rollout's selection,
    `portal.rollout.crm_choice`), else the one configuration set at start, else the default.

    A request looks it up once: a list page asks for labels and roles a hundred times."""
    if has_request_context():
        found = request.environ.get(_REQUEST_KEY)
        if found is None:
            found = request.environ[_REQUEST_KEY] = _looked_up()
        return found
    return _looked_up()


_REQUEST_KEY = "sandbox.profile"


def _looked_up() -> Profile:
    if has_app_context():
        choice = current_app.extensions.get("crm_profile_choice")
        found = choice() if choice is not None else None
        if found is not None:
            return found
        found = current_app.extensions.get("crm_profile")
        if found is not None:
            return found
    return _built_in(DEFAULT)
