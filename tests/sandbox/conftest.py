"""Sandbox fixtures: a signed-in learner with their own sandbox."""

from __future__ import annotations

import pytest

from portal.extensions import db
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
