"""Courses and their drafts: start, load, store and throw away the draft a trainer edits.

A draft is a CourseBundle kept as JSON. Every edit loads it, changes it, and stores it
back (load, save); publishing.py makes it what learners see.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.authoring.models import CourseDraft, CourseVersion
from portal.authoring.services.errors import AuthoringError
from portal.authoring.services.keys import clean_title, slugify, unique_key
from portal.courseformat import CourseBundle, bundle_from_dict, bundle_to_dict
from portal.extensions import db
from portal.learning.importer import bundle_hash, latest_version
from portal.learning.models import Course


def create_course(title: str, summary: str, language: str, actor: User) -> Course:
    """A new, unpublished course with one empty module to start from."""
    title = clean_title(title, _("Enter a title."))
    taken = set(db.session.scalars(select(Course.slug)))
    details = {
        "slug": unique_key(slugify(title, "course"), taken),
        "title": title,
        "summary": summary.strip(),
        "language": language,
    }
    course = Course(**details, published=False, version=0)
    db.session.add(course)
    db.session.flush()
    bundle = CourseBundle(
        **details,
        translation_of=None,
        modules=[{"key": "module-1", "title": _("Module 1"), "lessons": []}],
        lessons=[],
    )
    return start_draft(course, bundle, actor)


def start_draft(course: Course, bundle: CourseBundle, actor: User) -> Course:
    """Give a course never published its first draft, `bundle`."""
    db.session.add(
        CourseDraft(
            course_id=course.id,
            data=bundle_to_dict(bundle),
            based_on_version=0,
            updated_by_id=actor.id,
        )
    )
    db.session.flush()
    return course


def _existing_draft(course: Course) -> CourseDraft | None:
    return db.session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))


def _version_to_edit(course: Course) -> CourseVersion:
    """The published version a new draft starts from."""
    version = latest_version(course)
    if version is None:
        raise AuthoringError(_("This course has no content to edit."))
    return version


def get_draft(course: Course) -> CourseDraft:
    """The course's draft, started from the published version when there is none."""
    draft = _existing_draft(course)
    if draft is None:
        version = _version_to_edit(course)
        draft = CourseDraft(course_id=course.id, data=version.data, based_on_version=version.number)
        db.session.add(draft)
        db.session.flush()
    return draft


def load(course: Course) -> tuple[CourseDraft, CourseBundle]:
    draft = get_draft(course)
    return draft, bundle_from_dict(draft.data)


def peek(course: Course) -> CourseBundle:
    """What load() would give, without starting a draft: for pages that only read."""
    draft = _existing_draft(course)
    return bundle_from_dict((draft or _version_to_edit(course)).data)


def save(draft: CourseDraft, bundle: CourseBundle, actor: User) -> None:
    """Store the bundle as the draft; AuthoringError when the course would grow past the
    size every editor page can afford to read (the import limit)."""
    from portal.authoring.transfer import MAX_COURSE_BYTES

    data = bundle_to_dict(bundle)
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_COURSE_BYTES:
        raise AuthoringError(
            _(
                "The course is larger than %(size)d MB; split it into two courses.",
                size=MAX_COURSE_BYTES // (1024 * 1024),
            )
        )
    draft.data = data
    draft.updated_by_id = actor.id
    db.session.flush()


def has_unpublished_changes(course: Course, bundle: CourseBundle) -> bool:
    return not course.published or bundle_hash(bundle) != course.source_hash


def courses_with_pending_drafts(courses: list[Course]) -> set[int]:
    """Ids of the courses whose draft differs from what learners see, read from the drafts'
    stored digests (a draft saved before digests were kept is read once, here)."""
    digests = dict(
        db.session.execute(select(CourseDraft.course_id, CourseDraft.content_hash)).all()
    )
    unknown = [course_id for course_id, digest in digests.items() if digest is None]
    if unknown:
        query = select(CourseDraft).where(CourseDraft.course_id.in_(unknown))
        for draft in db.session.scalars(query):
            digests[draft.course_id] = bundle_hash(bundle_from_dict(draft.data))
    return {
        course.id
        for course in courses
        if course.id in digests
        and (not course.published or digests[course.id] != course.source_hash)
    }


def discard_draft(course: Course) -> None:
    """Throw the draft away; the next edit starts again from the published version."""
    if latest_version(course) is None:
        raise AuthoringError(_("A course that was never published has only its draft."))
    db.session.execute(db.delete(CourseDraft).where(CourseDraft.course_id == course.id))
    db.session.flush()


def update_details(
    course: Course, title: str, summary: str, language: str, actor: User, cover: str = ""
) -> None:
    title = clean_title(title, _("Enter a title."))
    draft, bundle = load(course)
    details = {"title": title, "summary": summary.strip(), "cover": cover.strip()}
    changed = bundle.model_copy(update=details | {"language": language})
    save(draft, changed, actor)
