"""Publishing: what blocks a draft, making it what learners see, withdrawing, deleting.

Publishing runs the draft through the same importer as the built-in curriculum, so
lessons keep their keys (and learners their progress) across every publish.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.authoring.services.drafts import load
from portal.authoring.services.errors import AuthoringError
from portal.authoring.services.translations import translation_problems
from portal.courseformat import (
    CourseBundle,
    FormatError,
    LessonKind,
    Problem,
    bundle_to_files,
    read_course,
)
from portal.extensions import db
from portal.learning.importer import ImportResult, apply_bundle
from portal.learning.models import Course

# The code of a problem the trainer clears by ticking "I have read the dry run's warnings".
ACKNOWLEDGE = "dry_run_warnings"


def draft_problems(bundle: CourseBundle) -> list[Problem]:
    """Everything that would stop the draft from publishing (the importer's own rules)."""
    try:
        read_course(bundle_to_files(bundle))
    except FormatError as error:
        return error.problems
    if not bundle.lessons:
        message = _("Add at least one lesson before publishing.")
        return [Problem("course.yaml", None, message, code="no_lessons")]
    return []


def publish(course: Course, actor: User, acknowledged: bool = False) -> ImportResult:
    """Make the draft what learners see; raises FormatError listing what blocks it,
    including dry-run warnings until the trainer has `acknowledged` them."""
    draft, bundle = load(course)
    problems = draft_problems(bundle) or translation_problems(course, bundle)
    if not problems:
        from portal.authoring.dry_run import dry_run

        for lesson in bundle.lessons:
            if lesson.kind == LessonKind.EXERCISE:
                report = dry_run(lesson, actor)
                if not report.passes:
                    problems.append(
                        Problem(
                            f"{lesson.key}.exercise.yaml",
                            None,
                            _("Dry run: %(problem)s", problem=report.problem),
                            lesson=lesson.key,
                            code="dry_run",
                        )
                    )
                elif report.warnings and not acknowledged:
                    problems.append(
                        Problem(
                            f"{lesson.key}.exercise.yaml",
                            None,
                            _(
                                "Dry run warnings to acknowledge: %(warnings)s",
                                warnings=" ".join(report.warnings),
                            ),
                            lesson=lesson.key,
                            code=ACKNOWLEDGE,
                        )
                    )
    if problems:
        raise FormatError(problems)
    result = apply_bundle(read_course(bundle_to_files(bundle)), actor_id=actor.id)
    draft.based_on_version = result.version
    course.published = True  # also brings back a withdrawn course that did not change
    db.session.flush()
    return result


def withdraw(course: Course) -> None:
    """Take a course away from learners; their progress and certificates are kept, and
    publishing it again brings it back."""
    if not course.published:
        raise AuthoringError(_("The course is not published."))
    course.published = False
    db.session.flush()


def delete_course(course: Course) -> None:
    """Delete a course nobody has started, with its drafts, versions and assignments."""
    from portal.learning.models import Certificate, LessonProgress

    started = db.session.scalar(
        select(LessonProgress.id).where(LessonProgress.course_id == course.id).limit(1)
    ) or db.session.scalar(
        select(Certificate.id).where(Certificate.course_id == course.id).limit(1)
    )
    if started:
        raise AuthoringError(
            _("Learners have worked on this course: withdraw it instead, so their records stay.")
        )
    translations = db.session.scalars(
        select(Course.title).where(Course.translation_of_id == course.id)
    ).all()
    if translations:
        raise AuthoringError(
            _(
                "These courses translate this one: %(titles)s. Delete them first.",
                titles=", ".join(translations),
            )
        )
    db.session.execute(db.delete(Course).where(Course.id == course.id))
    db.session.expire_all()
