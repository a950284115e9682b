"""Export a course as a zip bundle; import one from an upload."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.authoring import services
from portal.authoring.forms import UploadForm
from portal.authoring.transfer import CourseExists, export_zip, import_limits, import_zip
from portal.authoring.views.base import bp, course_or_404
from portal.courseformat import FormatError
from portal.domain import transaction
from portal.extensions import db
from portal.learning.models import Course
from portal.rendering import attachment, render_form


@bp.get("/courses/<slug>/export")
def course_export(slug: str):
    """The course's current draft (the published version if untouched) as a zip."""
    course = course_or_404(slug)
    _draft, bundle = services.load(course)
    db.session.commit()
    return attachment(export_zip(bundle), f"{course.slug}.zip", "application/zip")


@bp.route("/import", methods=["GET", "POST"])
def course_import():
    """Import a bundle; problems in its files or a short name already taken come back here."""
    # Longer than most views: an upload fails in three ways (its files, a taken short
    # name, a refusal at a field), and each comes back on the page in its own place.
    form = UploadForm()
    problems, conflict = [], None
    if form.validate_on_submit():
        try:  # the transaction rolls back on these two as well, then lets them through
            with transaction(form) as saved:
                course, created = import_zip(
                    form.file.data.read(), current_user, on_conflict=form.existing.data
                )
        except FormatError as error:
            problems = error.problems
        except CourseExists as exists:
            conflict = exists.course
            form.existing.errors = [_taken(conflict)]
        else:
            if saved:
                flash(_imported(course, created, copy=form.existing.data == "copy"), "success")
                return redirect(url_for("authoring.course_edit", slug=course.slug))
    return render_form(
        "authoring/import.html",
        form,
        problems=problems,
        conflict=conflict,
        limits=import_limits(current_app.config["MAX_CONTENT_LENGTH"]),
    )


def _taken(course: Course) -> str:
    """Why an upload whose short name is taken waits for a choice."""
    return _(
        "A course with this short name already exists: %(title)s. Choose whether to "
        "replace its draft or import the upload as a copy, and upload it again.",
        title=course.title,
    )


def _imported(course: Course, created: bool, copy: bool) -> str:
    """What an import did, in words."""
    if created and copy:
        return _("Imported as a copy: %(title)s. Check it, then publish.", title=course.title)
    if created:
        return _("Course imported as a draft. Check it, then publish.")
    return _("The upload is now this course's draft. Check it, then publish.")
