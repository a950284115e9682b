"""The executive's pages."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from portal.accounts import queries
from portal.accounts.roles import Role
from portal.rendering import render
from portal.security import roles_required

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/")
@login_required
@roles_required(Role.EXECUTIVE, Role.ADMIN)
def home():
    """Readiness at a glance; for now, who is in the organisation per department."""
    return render("dashboard/home.html", departments=queries.departments_with_counts())
