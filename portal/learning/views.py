"""The learner's pages."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from portal.accounts.roles import Role
from portal.rendering import render
from portal.security import roles_required

bp = Blueprint("learning", __name__, template_folder="templates")


@bp.get("/")
@login_required
@roles_required(Role.LEARNER)
def home():
    """My learning: assigned courses and what to do next."""
    return render("learning/home.html")
