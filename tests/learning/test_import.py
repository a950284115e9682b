"""Course files: validation with file and line, idempotent import, progress kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.courseformat import FormatError, read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course, Lesson, LessonProgress, QuizChoice, QuizQuestion
from tests.learning.conftest import QUIZ_YAML, course_files, write_course


def _problems(**overrides) -> list[str]:
    with pytest.raises(FormatError) as caught:
        read_course(course_files(**overrides))
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"course.yaml": "slug: [unclosed\n"}, "course.yaml:2: not valid YAML"),
        ({"course.yaml": "title: No slug\nmodules: []\n"}, "course.yaml:1: 'slug' is missing"),
        (
            {"course.yaml": course_files()["course.yaml"] + "notes: &n [a, b]\nmore: *n\n"},
            "course.yaml:12: not valid YAML: anchors and aliases (& and *) are not allowed",
        ),
        (
            {"intro.md": "---\nkey: &k intro\ntitle: *k\n---\nText\n"},
            "intro.md:2: not valid YAML: anchors and aliases",
        ),
        (
            {"intro.md": "---\nkey: intro\ntitle: Intro\nkind: reading\n---\n" + "x" * 50001},
            "intro.md: the reading is longer than 50000 characters",
        ),
        ({"intro.md": None}, "lesson 'intro' has no file"),
        ({"intro.md": "no front matter\n"}, "intro.md:1: a reading starts with front matter"),
        ({"intro.md": "---\nkey: intro\ntitle: [x\n---\nText\n"}, "intro.md:3: not valid YAML"),
        (
            {"extra.md": "---\nkey: extra\ntitle: Extra\n---\nText\n"},
            "extra.md: this file is not listed",
        ),
        (
            {
                "basics-quiz.quiz.yaml": QUIZ_YAML.replace(
                    "correct: true, feedback: Right.", "correct: false"
                )
            },
            "basics-quiz.quiz.yaml:5: question 'what-is-crm' has no correct choice",
        ),
        (
            {
                "basics-quiz.quiz.yaml": QUIZ_YAML.replace(
                    "correct: false, feedback: That is HR", "correct: true, feedback: That is HR"
                )
            },
            "question 'what-is-crm' is single but has 2 correct choices",
        ),
        (
            {"basics-quiz.quiz.yaml": QUIZ_YAML.replace("key: older", "key: benefits")},
            "question key 'benefits' is used twice",
        ),
        (
            {"basics-quiz.quiz.yaml": QUIZ_YAML.replace("pass_mark: 70", "pass_mark: 170")},
            "'pass_mark' must be a percentage",
        ),
        (
            {"course.yaml": course_files()["course.yaml"].replace("key: more", "key: More Stuff")},
            "key 'More Stuff' must be lower-case",
        ),
    ],
)
def test_invalid_files_are_reported_with_file_and_line(overrides, expected):
    problems = _problems(**overrides)
    assert any(expected in problem for problem in problems), problems


def test_import_is_idempotent_and_keeps_progress_when_the_course_changes(app_ctx, make):
    apply_bundle(read_course(course_files()))
    db.session.commit()
    learner = make.user()
    intro = db.session.scalar(select(Lesson).where(Lesson.key == "intro"))
    db.session.add(
        LessonProgress(user_id=learner.id, lesson_id=intro.id, course_id=intro.course_id)
    )
    db.session.commit()

    again = apply_bundle(read_course(course_files()))
    assert again.outcome == "unchanged" and again.version == 1

    # Reorder, rename, drop the wrap-up, add a lesson; drop a choice.
    files = course_files()
    files["course.yaml"] = (
        files["course.yaml"]
        .replace("lessons: [intro, basics-quiz]", "lessons: [basics-quiz, intro, new-one]")
        .replace("    lessons: [wrap-up]", "    lessons: [intro-2]")
    )
    files["intro.md"] = files["intro.md"].replace("title: Introduction", "title: Welcome")
    files["new-one.md"] = "---\nkey: new-one\ntitle: New\n---\nNew text\n"
    files["intro-2.md"] = "---\nkey: intro-2\ntitle: Second\n---\nMore\n"
    del files["wrap-up.md"]
    files["basics-quiz.quiz.yaml"] = QUIZ_YAML.replace(
        "      - {key: nothing, text: Nothing, correct: false}\n", ""
    )
    result = apply_bundle(read_course(files))
    db.session.commit()
    assert (result.outcome, result.version) == ("updated", 2)

    intro_after = db.session.scalar(select(Lesson).where(Lesson.key == "intro"))
    assert intro_after.id == intro.id and intro_after.title == "Welcome"
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 1
    wrap = db.session.scalar(select(Lesson).where(Lesson.key == "wrap-up"))
    assert wrap.archived  # kept, with whatever history it had
    order = db.session.scalars(
        select(Lesson.key).where(Lesson.archived.is_(False)).order_by(Lesson.position)
    ).all()
    assert order == ["basics-quiz", "intro", "new-one", "intro-2"]
    nothing = db.session.scalar(select(QuizChoice).where(QuizChoice.key == "nothing"))
    assert nothing.archived
    assert db.session.scalar(select(func.count(Course.id))) == 1


def test_a_lesson_cannot_change_kind_under_the_same_key(app_ctx):
    apply_bundle(read_course(course_files()))
    db.session.commit()
    files = course_files()
    del files["intro.md"]
    files["intro.quiz.yaml"] = QUIZ_YAML.replace("key: basics-quiz", "key: intro")
    with pytest.raises(FormatError, match="give the new lesson a key of its own"):
        apply_bundle(read_course(files))


def test_cli_imports_folders_and_reports_errors_without_importing(app, app_ctx, tmp_path):
    good = write_course(tmp_path / "good", course_files())
    bad_files = course_files()
    bad_files["course.yaml"] = bad_files["course.yaml"].replace("sample-course", "second")
    bad_files["intro.md"] = "broken"
    bad = write_course(tmp_path / "bad", bad_files)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["courses", "import", str(good), str(bad)])
    assert result.exit_code != 0
    assert "bad/intro.md:1: a reading starts with front matter" in result.output
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(func.count(Course.id))) == 0

    result = runner.invoke(args=["courses", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "sample-course: created (version 1)" in result.output
    result = runner.invoke(args=["courses", "import", str(good)])
    assert "sample-course: unchanged (version 1)" in result.output
    assert db.session.scalar(select(func.count(QuizQuestion.id))) == 3


def test_a_course_without_a_cover_keeps_the_digest_it_was_published_with(app_ctx):
    """Courses published before the cover field existed must not all look changed."""
    import hashlib
    import json

    from portal.learning.importer import bundle_hash

    bundle = read_course(course_files())
    later = ("cover", "source_version")  # fields the format gained later
    before_covers = {k: v for k, v in bundle.model_dump(mode="json").items() if k not in later}
    digest = hashlib.sha256(
        json.dumps(before_covers, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    assert bundle_hash(bundle) == digest
    files = course_files()
    files["course.yaml"] = files["course.yaml"].replace("language: en", "cover: Hi\nlanguage: en")
    assert bundle_hash(read_course(files)) != digest
