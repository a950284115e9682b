"""The course format: every check type, broken three ways, is refused at file:line by
`flask courses validate`, `flask courses import` and publishing; built-in courses read,
write and read back unchanged; the codes match the sandbox's tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from portal.courseformat import validate_check, validate_exercise
from portal.courseformat.course import bundle_from_dict, bundle_to_dict
from portal.courseformat.files import load_yaml, plain, read_folder
from portal.courseformat.problems import FormatError
from portal.courseformat.reader import read_course
from portal.courseformat.values import resolve_relative
from portal.courseformat.writer import bundle_to_files
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course
from sandbox import codes
from sandbox.codes import CHECK_FIELDS, LINK_FIELDS
from seed.learning_demo import COURSES_DIR
from tests.learning.conftest import course_files, write_course
from tests.learning.exercise_course import BREAKS, HOW, broken_line, exercise_files

CASES = [(kind, how) for kind in BREAKS for how in HOW]


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_course(tmp_path / "sample-course", files)


def test_the_exercise_course_with_every_check_type_is_valid(app, tmp_path):
    files, _marker = exercise_files()
    bundle = read_course(files)
    kinds = [c["type"] for c in bundle.lessons[-2].content["checks"]]
    assert sorted(kinds) == sorted(BREAKS)
    result = app.test_cli_runner().invoke(
        args=["courses", "validate", str(_folder(tmp_path, files))]
    )
    assert " 0 error(s)" in result.output


@pytest.mark.parametrize(("kind", "how"), CASES)
def test_flask_courses_validate_names_the_file_and_line(app, tmp_path, kind, how):
    files, marker = exercise_files(kind, how)
    folder = _folder(tmp_path, files)
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(folder)])
    assert result.exit_code == 1
    line = broken_line(files, marker)
    assert f"sample-course/drill.exercise.yaml:{line}: error:" in result.output, result.output


@pytest.mark.parametrize(("kind", "how"), CASES)
def test_flask_courses_import_refuses_it_and_imports_nothing(app, app_ctx, tmp_path, kind, how):
    files, marker = exercise_files(kind, how)
    folder = _folder(tmp_path, files)
    result = app.test_cli_runner().invoke(args=["courses", "import", str(folder)])
    assert result.exit_code != 0
    assert f"sample-course/drill.exercise.yaml:{broken_line(files, marker)}:" in result.output
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(func.count(Course.id))) == 0


@pytest.mark.parametrize(("kind", "how"), CASES)
def test_a_bundle_with_the_broken_check_cannot_be_published(app_ctx, kind, how):
    """However a bundle is made (a draft, stored data), publishing validates it again."""
    bundle = read_course(exercise_files()[0])
    bad_files, _marker = exercise_files(kind, how)
    data = bundle_to_dict(bundle)
    data["lessons"][2]["content"]["checks"] = plain(
        load_yaml(bad_files["drill.exercise.yaml"])["checks"]
    )
    with pytest.raises(FormatError) as error:
        apply_bundle(bundle_from_dict(data))
    assert "drill.exercise.yaml" in str(error.value)
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_messages_say_what_is_wrong():
    _check, problems = validate_check(
        {"key": "a", "type": "record_exist", "target": {"setup": "x"}}, setup={}
    )
    assert [(p.field, p.message) for p in problems] == [
        (
            "type",
            "type 'record_exist' is not one of: record_exists, field_equals, "
            "count_at_least, event_happened, events_in_order, within_sla, responded_within, "
            "answer, content, consent",
        ),
    ]
    closed = {"key": "a", "type": "field_equals", "field": "status", "value": "closed"}
    _check, problems = validate_check(
        {**closed, "target": {"setup": "tiket"}, "colour": "red"}, setup={"ticket": "ticket"}
    )
    assert {p.field: p.message for p in problems} == {
        "target.setup": "no setup record 'tiket'",
        "colour": "unknown field 'colour'",
    }
    _check, problems = validate_check(
        {**closed, "target": {"setup": "ticket"}, "field": "statuss"}, setup={"ticket": "ticket"}
    )
    assert "a ticket has no field 'statuss'" in problems[0].message
    _check, problems = validate_check(
        {
            "key": "a",
            "type": "record_exists",
            "target": {"entity": "lead", "filter": {"status": "won"}},
        },
    )
    assert problems[0].field == "target.filter"
    assert "lead.status 'won' is not one of" in problems[0].message


def test_an_exercise_without_checks_or_with_a_key_twice_is_refused():
    _exercise, problems = validate_exercise({"checks": []})
    assert [p.field for p in problems] == ["checks"]
    check = {"key": "a", "type": "record_exists", "target": {"entity": "lead"}}
    _exercise, problems = validate_exercise({"checks": [check, check]})
    assert problems[0].message == "every check needs its own key: 'a' is used twice"


def test_relative_dates_are_bounded_like_the_builder():
    clock = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert resolve_relative("@today-1y+5d", clock) == date(2025, 4, 5)
    assert resolve_relative("@today+99y", clock) == date(2125, 3, 31)
    assert resolve_relative("@now+2h", clock) == datetime(2026, 3, 31, 11, 0, tzinfo=UTC)
    assert resolve_relative("@today-1m", clock) == date(2026, 2, 28)
    for bad in ("@today+100y", "@today+9999y", "@now+1d+1d+1d+1d", "@tomorrow", "@today+y"):
        with pytest.raises(ValueError, match="not a relative date"):
            resolve_relative(bad, clock)


def test_a_slug_with_an_underscore_is_refused_as_the_message_says():
    files = course_files()
    files["course.yaml"] = files["course.yaml"].replace("slug: sample-course", "slug: my_course")
    with pytest.raises(FormatError, match="slug 'my_course' must be lower-case letters, digits"):
        read_course(files)


def test_a_course_cover_is_part_of_the_format(app, tmp_path):
    files = course_files()
    files["course.yaml"] += "cover: |\n  Why this course matters.\n"
    assert read_course(files).cover == "Why this course matters."
    result = app.test_cli_runner().invoke(
        args=["courses", "validate", str(_folder(tmp_path, files))]
    )
    assert " 0 error(s)" in result.output and "cover" not in result.output


@pytest.mark.parametrize("folder", sorted(p.parent.name for p in COURSES_DIR.glob("*/course.yaml")))
def test_every_builtin_course_reads_writes_and_reads_back_the_same(folder):
    bundle = read_course(read_folder(COURSES_DIR / folder))
    again = read_course(bundle_to_files(bundle))
    assert bundle_to_dict(again) == bundle_to_dict(bundle)
    assert bundle_to_files(again) == bundle_to_files(bundle)


def test_the_fields_checks_may_name_are_the_sandbox_tables_columns(app_ctx):
    from sandbox.models import ENTITIES

    columns = {name: column for name, column in LINK_FIELDS.items()}
    for entity, model in ENTITIES.items():
        own = {c.key for c in inspect(model).column_attrs} - {"id", "sandbox_id", "data"}
        if entity != "activity":
            own -= {"at", "sandbox_at"}
        else:
            own -= {"sandbox_at"}
        named = {columns.get(name, name) for name in CHECK_FIELDS[entity]}
        assert named == own, entity
    assert set(codes.SETUP_FIELDS) <= set(CHECK_FIELDS)


def test_a_check_stored_before_the_format_refused_it_is_no_500(client, make, app_ctx):
    """A lesson published by an older portal may hold a check the format now refuses:
    Check my work says so instead of failing."""
    from portal.learning.models import Lesson

    apply_bundle(read_course(exercise_files()[0]))
    lesson = db.session.scalar(select(Lesson).where(Lesson.key == "drill"))
    content = dict(lesson.content)
    content["checks"] = [{**content["checks"][0], "type": "record_exist"}]
    lesson.content = content
    db.session.commit()
    client.login(make.user(roles=("learner",)))
    url = "/courses/sample-course/drill"
    assert client.post(f"{url}/start", headers={"HX-Request": "true"}).status_code == 200
    response = client.post(f"{url}/check", headers={"HX-Request": "true"})
    assert response.status_code < 500
    assert "cannot be checked as it stands" in response.get_data(as_text=True)


def test_a_check_without_a_hint_is_refused_at_its_line():
    files, _marker = exercise_files()
    files["drill.exercise.yaml"] = files["drill.exercise.yaml"].replace(
        "  hint: Convert the lead.\n", ""
    )
    with pytest.raises(FormatError) as error:
        read_course(files)
    (problem,) = error.value.problems
    assert (problem.message, problem.code, problem.params) == (
        "'hint' is missing",
        "missing",
        {"name": "hint"},
    )
    assert problem.line == broken_line(files, "key: converted")
