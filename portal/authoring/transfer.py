"""Course bundles as zip files: export a course, import one safely.

Uploads are untrusted: the zip is size- and count-limited, its real sizes and checksums
are checked while reading in bounded chunks (headers can lie), names may not repeat,
paths may not climb out or nest, and text must be UTF-8. Everything is validated before
anything is written.
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
import zlib
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.authoring.models import CourseDraft
from portal.authoring.services import unique_key
from portal.courseformat.course import CourseBundle, bundle_to_dict
from portal.courseformat.problems import FormatError, Problem
from portal.courseformat.reader import read_course
from portal.courseformat.writer import bundle_to_files
from portal.extensions import db
from portal.learning.models import Course

# The limits the import page and the README publish.
MAX_FILES = 200  # entries in one zip
MAX_FILE_BYTES = 1024 * 1024  # one file, expanded
MAX_TOTAL_BYTES = 4 * 1024 * 1024  # all files together, expanded
MAX_RATIO = 100  # expanded size over compressed size, per file
CHUNK_BYTES = 64 * 1024
MAX_COURSE_BYTES = 4 * 1024 * 1024  # a course's stored content (its draft), as JSON
TEXT_SUFFIXES = (".md", ".yaml", ".yml")


def export_zip(bundle: CourseBundle) -> bytes:
    """The course as a zip of course files in one folder named by its slug."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(bundle_to_files(bundle).items()):
            archive.writestr(f"{bundle.slug}/{name}", text)
    return buffer.getvalue()


def _fail(message: str, file: str = "upload") -> FormatError:
    return FormatError([Problem(file, None, message)])


def read_zip(data: bytes) -> dict[str, str]:
    """The course files inside an uploaded zip, checked for size, paths and encoding."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _fail(_("The file is not a zip archive.")) from exc
    entries = [e for e in archive.infolist() if not e.is_dir()]
    if len(entries) > MAX_FILES:
        raise _fail(_("The zip holds more than %(count)d files.", count=MAX_FILES))
    names: list[tuple[zipfile.ZipInfo, list[str]]] = []
    for entry in entries:
        name = entry.filename
        parts = [p for p in name.split("/") if p]
        if (
            name.startswith("/")
            or "\\" in name
            or ".." in parts
            or ":" in name
            or posixpath.normpath(name) != name.rstrip("/")
        ):
            raise _fail(_("Unsafe path in the zip: %(name)s", name=name[:200]))
        if parts[0] == "__MACOSX" or parts[-1].startswith("."):
            continue
        names.append((entry, parts))
    folders = {tuple(parts[:-1]) for _entry, parts in names}
    if len(folders) > 1 or any(len(folder) > 1 for folder in folders):
        raise _fail(_("Put the course files at the top of the zip or in one folder."))
    files: dict[str, str] = {}
    total = 0
    for entry, parts in names:
        name = parts[-1]
        if name in files:
            raise _fail(_("The zip holds this file twice."), name)
        if not name.endswith(TEXT_SUFFIXES):
            raise _fail(_("Only .md and .yaml files belong in a course bundle."), name)
        if entry.file_size > MAX_FILE_BYTES or (
            entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO
        ):
            raise _fail(_("This file is too large or compressed suspiciously."), name)
        raw = _read_entry(archive, entry, name, MAX_TOTAL_BYTES - total)
        total += len(raw)
        try:
            files[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _fail(_("The file is not UTF-8 text."), name) from exc
    if not files:
        raise _fail(_("The zip holds no course files."))
    return files


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str, room: int) -> bytes:
    """One entry's bytes, read in chunks and never more than the limits allow.

    zipfile stops at the size the header declares and then checks the CRC, so an entry
    that holds more than it says fails the checksum instead of being read whole.
    """
    limit = min(MAX_FILE_BYTES, room)
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(entry) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise _fail(_("The bundle is larger than the portal accepts."), name)
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # A wrong checksum or size, a damaged stream, an unknown method, or encryption.
        raise _fail(_("The file is damaged inside the zip; make the zip again."), name) from exc
    if size != entry.file_size:
        raise _fail(_("The file is damaged inside the zip; make the zip again."), name)
    return b"".join(chunks)


def import_limits(upload_bytes: int) -> dict[str, int]:
    """The limits a course upload must keep, in the units the import page states them."""
    return {
        "upload_mb": upload_bytes // (1024 * 1024),
        "files": MAX_FILES,
        "file_mb": MAX_FILE_BYTES // (1024 * 1024),
        "expanded_mb": MAX_TOTAL_BYTES // (1024 * 1024),
        "course_mb": MAX_COURSE_BYTES // (1024 * 1024),
    }


def check_course_size(data: dict[str, Any]) -> None:
    """Refuse course content whose stored form would pass MAX_COURSE_BYTES.

    Every page of the course editor reads the whole draft, so its size is bounded.
    """
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_COURSE_BYTES:
        raise _fail(
            _(
                "The course is larger than %(size)d MB; split it into two courses.",
                size=MAX_COURSE_BYTES // (1024 * 1024),
            ),
            "course.yaml",
        )


class CourseExists(Exception):
    """The upload's short name (slug) is taken, and neither replacing nor copying was asked."""

    def __init__(self, course: Course):
        super().__init__(course.slug)
        self.course = course


ON_CONFLICT = ("stop", "replace", "copy")


def _as_copy(bundle: CourseBundle) -> CourseBundle:
    """The bundle under a free short name (slug-2, slug-3...), its title marked as a copy."""
    taken = set(db.session.scalars(select(Course.slug)))
    title = _("%(title)s (copy)", title=bundle.title)[:200]
    return bundle.model_copy(update={"slug": unique_key(bundle.slug, taken), "title": title})


def import_zip(data: bytes, actor: User, on_conflict: str = "stop") -> tuple[Course, bool]:
    """Make the uploaded course the draft of the course with its slug (or a new course).

    When the slug is taken, `on_conflict` decides: "replace" makes the upload that
    course's draft, "copy" imports it as a new course under a free slug, "stop" raises
    CourseExists. Returns the course and whether it was new. Nothing is written if
    anything is wrong.
    """
    bundle = read_course(read_zip(data))
    check_course_size(bundle_to_dict(bundle))
    course = db.session.scalar(select(Course).where(Course.slug == bundle.slug))
    if course is not None and on_conflict == "copy":
        bundle, course = _as_copy(bundle), None
    elif course is not None and on_conflict != "replace":
        raise CourseExists(course)
    created = course is None
    if created:
        course = Course(
            slug=bundle.slug,
            title=bundle.title,
            summary=bundle.summary,
            language=bundle.language,
            published=False,
            version=0,
        )
        db.session.add(course)
        db.session.flush()
    draft = db.session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))
    if draft is None:
        draft = CourseDraft(course_id=course.id, data={}, based_on_version=course.version)
        db.session.add(draft)
    draft.data = bundle_to_dict(bundle)
    draft.updated_by_id = actor.id
    db.session.flush()
    return course, created
