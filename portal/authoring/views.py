"""The trainer's pages."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from portal.accounts.roles import Role
from portal.rendering import render
from portal.security import roles_required

bp = Blueprint("authoring", __name__, template_folder="templates")


@bp.get("/")
@login_required
@roles_required(Role.TRAINER, Role.ADMIN)
def home():
    """Authoring home: the courses a trainer builds and assigns."""
    return render("authoring/home.html")
