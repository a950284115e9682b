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
from tests.sandbox.test_hands_on_exercises import _run


def _reads_the_plan(content: dict) -> bool:
    return any(str(check.get("source", "")).startswith("rollout.") for check in content["checks"])


def _solved(lesson: Lesson, actor, make) -> set[str]:
    """The keys of the checks the lesson's reference solution meets, graded as a
    learner's work on it is (a translation by its original's checks). An exercise that
    reads the organisation's rollout plan needs a learner in one of its waves, which a
    dry run's ownerless sandbox has not: it runs in that learner's sandbox instead."""
    content = {**lesson.content, "checks": shared_checks(lesson)}
    if _reads_the_plan(content):
        results = _run(make, content, content["solution"])
        return {key for key, result in results.items() if result.passed}
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


def _translated_folders_with_exercises(library) -> list:
    return [
        folder.parent
        for folder in library.glob("*/course.yaml")
        if "translation_of:" in folder.read_text(encoding="utf-8")
        and any(folder.parent.glob("*.exercise.yaml"))
    ]


def _stand_in_translation(library) -> None:
    """The leads course put into Urdu as a file translation would be (its text left as
    it is: the checks are what this test is about), for a library with no translated
    exercise yet."""
    source = read_course(read_folder(library / "leads-and-qualification"))
    copy = library / "stand-in-leads-ur"
    shutil.copytree(library / "leads-and-qualification", copy)
    head = (copy / "course.yaml").read_text(encoding="utf-8")
    head = head.replace(
        "slug: leads-and-qualification",
        "slug: stand-in-leads-ur\ntranslation_of: leads-and-qualification\n"
        f"source_version: {fingerprint(source)}",
    ).replace("language: en", "language: ur")
    (copy / "course.yaml").write_text(head, encoding="utf-8")


def test_every_translated_exercise_meets_the_originals_checks(app_ctx, make, tmp_path):
    library = tmp_path / "courses"
    shutil.copytree(COURSES_DIR, library)
    if not _translated_folders_with_exercises(library):
        _stand_in_translation(library)
    folders = sorted(p.parent for p in library.glob("*/course.yaml"))
    import_folders(folders)
    db.session.commit()

    actor = make.user(roles=("trainer",))
    pairs = _translated_exercises()
    assert pairs, "no translated exercise to run"
    for original, translated in pairs:
        assert _solved(translated, actor, make) == _solved(original, actor, make), translated.key
    for folder in _translated_folders_with_exercises(library):
        assert apply_bundle(read_course(read_folder(folder))).outcome == "unchanged"


def test_a_translated_answer_check_asks_in_its_language_and_grades_by_the_original(app_ctx):
    """The learner reads the question in the translation's words; what counts as the
    right answer (the computation and its parameters) is the original's."""
    folders = [COURSES_DIR / "your-role-in-the-crm", COURSES_DIR / "your-role-in-the-crm-ur"]
    import_folders(folders)
    db.session.commit()
    translated = db.session.scalar(
        select(Lesson)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug == "your-role-in-the-crm-ur", Lesson.key == "my-open-items")
    )
    checks = {check["key"]: check for check in shared_checks(translated)}
    gap = checks["gap-answer"]
    assert gap["source"] == "sales.gap"
    assert gap["question"].startswith("اپنے ہدف")
    assert "ہدف" in gap["hint"]
