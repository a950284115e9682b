"""The executive's rollout plan pages."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from portal.accounts.roles import Role
from portal.rendering import render
from portal.security import roles_required

bp = Blueprint("rollout", __name__, template_folder="templates")


@bp.get("/")
@login_required
@roles_required(Role.EXECUTIVE, Role.ADMIN)
def home():
    """The rollout plan: phases, goals, waves and their go-live gates."""
    return render("rollout/home.html")
