"""Sandbox fixtures: a signed-in learner with their own sandbox, and small helpers that read
the database the way a test wants to (always inside one sandbox)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from sandbox.models import SandboxEvent
from sandbox.services import get_or_create_sandbox


@pytest.fixture
def learner(client, make):
    user = make.user(roles=("learner",))
    client.login(user)
    return user


@pytest.fixture
def sandbox(learner, app_ctx):
    box = get_or_create_sandbox(learner)
    db.session.commit()
    return box


def count(model, sandbox, *where) -> int:
    """How many rows of `model` in this sandbox match."""
    return db.session.scalar(
        select(func.count(model.id)).where(model.sandbox_id == sandbox.id, *where)
    )


def first(model, sandbox, *where):
    """The first row (by id) of `model` in this sandbox that matches, or None."""
    return db.session.scalar(
        select(model).where(model.sandbox_id == sandbox.id, *where).order_by(model.id).limit(1)
    )


def events(sandbox, prefix: str = "") -> list[str]:
    """The verbs of the sandbox's events, oldest first."""
    verbs = db.session.scalars(
        select(SandboxEvent.verb)
        .where(SandboxEvent.sandbox_id == sandbox.id)
        .order_by(SandboxEvent.id)
    ).all()
    return [verb for verb in verbs if verb.startswith(prefix)]


def last_event(sandbox, verb: str) -> SandboxEvent | None:
    """The newest event with this verb."""
    return db.session.scalar(
        select(SandboxEvent)
        .where(SandboxEvent.sandbox_id == sandbox.id, SandboxEvent.verb == verb)
        .order_by(SandboxEvent.id.desc())
        .limit(1)
    )
