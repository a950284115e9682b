"""Every built-in course in every language imports, and each translated exercise's
reference solution, run in a scratch sandbox, meets the same checks as the original's."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from portal.authoring.dry_run import dry_run
from portal.courseformat import read_course
from portal.courseformat.course import LessonData
from portal.courseformat.files import read_folder
from portal.extensions import db
from portal.learning.importer import apply_bundle, import_folders
from portal.learning.models import Course, Lesson
from portal.learning.translations import fingerprint, shared_checks
from seed.learning_demo import COURSES_DIR


def _solved(lesson: Lesson, actor) -> set[str]:
    """The keys of the checks the lesson's reference solution meets, graded as a
    learner's work on it is (a translation by its original's checks)."""
    content = {**lesson.content, "checks": shared_checks(lesson)}
    data = LessonData(
        key=lesson.key, title=lesson.title, kind=lesson.kind, module_key="m", content=content
    )
    report = dry_run(data, actor)
    assert report.passes, (lesson.course.slug, lesson.key, report.problem)
    return {result.key for result in report.solved if result.passed}


def _translated_exercises() -> list[tuple[Lesson, Lesson]]:
    pairs = []
    for course in db.session.scalars(select(Course).where(Course.translation_of_id.isnot(None))):
        for lesson in db.session.scalars(
            select(Lesson).where(Lesson.course_id == course.id, Lesson.kind == "exercise")
        ):
            original = db.session.scalar(
                select(Lesson).where(
                    Lesson.course_id == course.translation_of_id, Lesson.key == lesson.key
                )
            )
            pairs.append((original, lesson))
    return pairs


def test_every_translated_exercise_meets_the_originals_checks(app_ctx, make, tmp_path):
    # The built-in courses, and one hands-on course put into Urdu as a file translation
    # would be (its text left as it is: the checks are what this test is about).
    library = tmp_path / "courses"
    shutil.copytree(COURSES_DIR, library)
    source = read_course(read_folder(library / "leads-and-qualification"))
    copy = library / "leads-and-qualification-ur"
    shutil.copytree(library / "leads-and-qualification", copy)
    head = (copy / "course.yaml").read_text(encoding="utf-8")
    head = head.replace(
        "slug: leads-and-qualification",
        "slug: leads-and-qualification-ur\ntranslation_of: leads-and-qualification\n"
        f"source_version: {fingerprint(source)}",
    ).replace("language: en", "language: ur")
    (copy / "course.yaml").write_text(head, encoding="utf-8")
    folders = sorted(p.parent for p in library.glob("*/course.yaml"))
    import_folders(folders)
    db.session.commit()

    actor = make.user(roles=("trainer",))
    pairs = _translated_exercises()
    assert pairs, "no translated exercise to run"
    for original, translated in pairs:
        assert _solved(translated, actor) == _solved(original, actor), translated.key
    assert apply_bundle(read_course(read_folder(copy))).outcome == "unchanged"
