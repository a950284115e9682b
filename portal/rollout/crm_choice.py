"""The CRM the organisation chose, as the sandbox's profile.

The newest signed selection decision (of any plan) names the profile; it wins over the
PORTAL_CRM_PROFILE configuration. `sandbox.profiles.active()` asks `chosen_profile()`,
which keeps the answer per process: it reads the database at most once every
CRM_CHOICE_SECONDS (default 30) and at once after a decision made in this process, so a
sandbox page costs no extra query.
"""

from __future__ import annotations

import time

from flask import Flask, current_app
from sqlalchemy import inspect, select

from portal.extensions import db
from portal.rollout.strategy import SelectionDecision
from sandbox.profiles import Profile, ProfileError, load

_CACHE = "crm_choice_cache"


def install(app: Flask) -> None:
    """Let the sandbox's `active()` profile follow the organisation's stored choice."""
    app.extensions["crm_profile_choice"] = chosen_profile
    app.extensions[_CACHE] = None


def invalidate() -> None:
    """Forget the cached choice: the next profile look-up reads the database."""
    current_app.extensions[_CACHE] = None


def chosen_key() -> str | None:
    """The key of the profile the newest decision chose, None if nobody chose yet."""
    with db.session.no_autoflush:
        return db.session.scalar(
            select(SelectionDecision.profile)
            .order_by(SelectionDecision.signed_at.desc(), SelectionDecision.id.desc())
            .limit(1)
        )


def configured() -> Profile:
    """The profile configuration gives, before (or without) any decision."""
    return current_app.extensions["crm_profile"]


def chosen_profile() -> Profile | None:
    """The chosen profile, with the organisation's overrides where they fit it."""
    cached = current_app.extensions.get(_CACHE)
    lifetime = current_app.config.get("CRM_CHOICE_SECONDS", 30)
    if cached is not None and time.monotonic() - cached[0] < lifetime:
        return cached[1]
    profile = profile_for(chosen_key()) if _migrated() else None
    current_app.extensions[_CACHE] = (time.monotonic(), profile)
    return profile


def _migrated() -> bool:
    """Whether the database has the decisions table yet (a portal before its first
    upgrade has not); once it has, the answer is kept."""
    if current_app.extensions.get("crm_choice_table"):
        return True
    found = inspect(db.engine).has_table(SelectionDecision.__tablename__)
    current_app.extensions["crm_choice_table"] = found
    return found


def profile_for(key: str | None) -> Profile | None:
    """The profile `key` with the configured overrides (None for no key)."""
    if key is None:
        return None
    base = configured()
    if key == base.key:
        return base
    try:
        return load(key, current_app.config.get("CRM_OVERRIDES") or None)
    except ProfileError:  # overrides written for another CRM: its own words, unchanged
        return load(key)
