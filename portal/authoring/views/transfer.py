"""Export a course as a zip bundle; import one from an upload."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.authoring import services
from portal.authoring.forms import UploadForm
from portal.authoring.transfer import CourseExists, export_zip, import_limits, import_zip
from portal.authoring.views import bp, course_or_404
from portal.extensions import db
from portal.learning.bundle import BundleError
from portal.rendering import render


@bp.get("/courses/<slug>/export")
def course_export(slug: str):
    """The course's current draft (the published version if untouched) as a zip."""
    course = course_or_404(slug)
    _draft, bundle = services.load(course)
    db.session.commit()
    return Response(
        export_zip(bundle),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}.zip"'},
    )


@bp.route("/import", methods=["GET", "POST"])
def course_import():
    form = UploadForm()
    problems = []
    conflict = None
    if form.validate_on_submit():
        try:
            course, created = import_zip(
                form.file.data.read(), current_user, on_conflict=form.existing.data
            )
        except BundleError as error:
            db.session.rollback()
            problems = error.problems
        except CourseExists as exists:
            db.session.rollback()
            form.existing.errors = [
                _(
                    "A course with this short name already exists: %(title)s. Choose "
                    "whether to replace its draft or import the upload as a copy, and "
                    "upload it again.",
                    title=exists.course.title,
                )
            ]
            conflict = exists.course
        else:
            db.session.commit()
            if created and form.existing.data == "copy":
                flash(
                    _("Imported as a copy: %(title)s. Check it, then publish.", title=course.title),
                    "success",
                )
            elif created:
                flash(_("Course imported as a draft. Check it, then publish."), "success")
            else:
                flash(
                    _("The upload is now this course's draft. Check it, then publish."), "success"
                )
            return redirect(url_for("authoring.course_edit", slug=course.slug))
    status = 422 if form.is_submitted() else 200
    return render(
        "authoring/import.html",
        form=form,
        problems=problems,
        conflict=conflict,
        limits=import_limits(current_app.config["MAX_CONTENT_LENGTH"]),
        status=status,
    )
