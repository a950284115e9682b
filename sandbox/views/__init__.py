"""Sandbox pages, driven by htmx."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from portal.accounts.roles import Role
from portal.rendering import render
from portal.security import roles_required
from sandbox import models  # noqa: F401 - the tables belong to the app

bp = Blueprint("sandbox", __name__, template_folder="../templates")


@bp.get("/")
@login_required
@roles_required(Role.LEARNER, Role.TRAINER)
def home():
    """The learner's own practice CRM."""
    return render("sandbox/home.html")
