"""The authoring blueprint (/author/, trainers and admins only) and what its pages share."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

from portal.accounts.roles import Role
from portal.authoring.problems import problem_text
from portal.learning.models import Course
from portal.security import roles_required

bp = Blueprint("authoring", __name__, template_folder="../templates")
bp.add_app_template_global(problem_text)  # course-format problems in the reader's language


@bp.before_request
@login_required
@roles_required(Role.TRAINER, Role.ADMIN)
def require_trainer():
    """Every authoring page needs a signed-in trainer or admin."""
    return None


def course_or_404(slug: str) -> Course:
    from portal.extensions import db

    course = db.session.scalar(db.select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course
