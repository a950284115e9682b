"""Zip export and import: round trip, and uploads that must be refused whole."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.authoring import services
from portal.authoring.models import CourseDraft
from portal.courseformat import FormatError, read_course
from portal.extensions import db
from portal.learning.models import Course
from tests.learning.conftest import course_files
from tests.learning.exercise_course import BREAKS, HOW, broken_line, exercise_files


def _zip(files: dict[str, bytes | str], folder: str = "sample-course") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}/{name}" if folder else name, content)
    return buffer.getvalue()


def _upload(client, data: bytes, name: str = "course.zip", **fields):
    return client.post(
        "/author/import",
        data={"file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def test_export_then_import_round_trips_a_course_unchanged(client, trainer):
    assert _upload(client, _zip(course_files())).status_code == 302
    course = db.session.scalar(select(Course))
    original = services.load(course)[1]
    exported = client.get(f"/author/courses/{course.slug}/export")
    assert exported.status_code == 200
    assert exported.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        names = sorted(archive.namelist())
        files = {n.split("/")[-1]: archive.read(n).decode() for n in names}
    assert names[0].startswith("sample-course/")
    assert read_course(files) == original

    # Importing over an existing course is refused unless replacing its draft is asked.
    refused = _upload(client, exported.data)
    assert refused.status_code == 422
    assert "A course with this short name already exists: Sample course." in refused.text
    assert "slug" not in refused.text and "course.yaml:" not in refused.text
    # Importing the export over the course changes nothing in its draft.
    assert _upload(client, exported.data, existing="replace").status_code == 302
    db.session.expire_all()
    assert services.load(course)[1] == original
    assert db.session.scalar(select(func.count(Course.id))) == 1


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.yaml", "a" * (5 * 1024 * 1024))
    return buffer.getvalue()


def _lying_zip() -> bytes:
    """course.yaml says it expands to 100 bytes but holds 30 MB of zeros."""
    data = bytearray(_zip({"course.yaml": b"\0" * (30 * 1024 * 1024)}, folder=""))
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    return bytes(data)


def _twice() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in course_files().items():
            archive.writestr(name, text)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("course.yaml", "slug: other\n")
    return buffer.getvalue()


def _too_much_text() -> bytes:
    """Nine files of about 1 MB of little-compressible text: more than 8 MB expanded."""
    text = "".join(f"line {i * 7919 % 1000003:07d}\n" for i in range(80000))[: 1000 * 1000]
    return _zip({**course_files(), **{f"f{i}.md": text for i in range(9)}})


def _yaml_bomb() -> bytes:
    """Nine levels of nine aliases: 387 million strings if the aliases were expanded."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    files = course_files()
    files["course.yaml"] += "\n".join(lines) + "\n"
    return _zip(files)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "The file is not a zip archive."),
        (_yaml_bomb(), "anchors and aliases (&amp; and *) are not allowed"),
        (_lying_zip(), "The file is damaged inside the zip"),
        (_twice(), "The zip holds this file twice."),
        (_too_much_text(), "The bundle is larger than the portal accepts."),
        (_zip({"../evil.md": "x"}, folder=""), "Unsafe path in the zip"),
        (_zip({"/etc/evil.yaml": "x"}, folder=""), "Unsafe path in the zip"),
        (_zip({"a/b/course.yaml": "x"}), "Put the course files at the top"),
        (_bomb(), "too large or compressed suspiciously"),
        (
            _zip(
                {
                    **course_files(),
                    "intro.md": "---\nkey: intro\ntitle: é\n---\nx".encode("latin-1"),
                }
            ),
            "The file is not UTF-8 text.",
        ),
        (_zip({**course_files(), "basics-quiz.quiz.yaml": "key: [broken"}), "not valid YAML"),
        (_zip({**course_files(), "run.sh": "rm -rf /"}), "Only .md and .yaml files"),
        (_zip({f"f{i}.md": "x" for i in range(201)}), "more than 200 files"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_imported(
    client, trainer, data, message
):
    response = _upload(client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Course.id))) == 0
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 0


def test_validation_errors_name_the_file_and_line(client, trainer):
    files = course_files()
    files["basics-quiz.quiz.yaml"] = files["basics-quiz.quiz.yaml"].replace(
        "correct: true, feedback: Right.", "correct: false"
    )
    response = _upload(client, _zip(files))
    assert response.status_code == 422
    assert "basics-quiz.quiz.yaml:5" in response.get_data(as_text=True)


def test_upload_larger_than_the_limit_gets_413(client, trainer, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = _upload(client, b"x" * (limit + 1))
    assert response.status_code == 413


def test_an_upload_does_not_replace_a_draft_with_edits_unless_asked(client, trainer):
    assert _upload(client, _zip(course_files())).status_code == 302
    course = db.session.scalar(select(Course))
    edited = course_files()
    edited["course.yaml"] = edited["course.yaml"].replace("title: Sample course", "title: Edited")
    refused = _upload(client, _zip(edited))
    assert refused.status_code == 422
    db.session.expire_all()
    assert services.load(course)[1].title == "Sample course"
    assert _upload(client, _zip(edited), existing="replace").status_code == 302
    db.session.expire_all()
    assert services.load(course)[1].title == "Edited"


BUILT_IN = sorted(
    p
    for p in (Path(__file__).resolve().parents[2] / "courses").iterdir()
    if (p / "course.yaml").exists()
)


@pytest.mark.parametrize("folder", BUILT_IN, ids=lambda p: p.name)
def test_every_built_in_course_round_trips_through_import_and_export(client, trainer, folder):
    files = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file()}
    original = read_course(files)
    assert _upload(client, _zip(files, folder=folder.name)).status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == original.slug))
    exported = client.get(f"/author/courses/{course.slug}/export")
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        again = {n.split("/")[-1]: archive.read(n).decode() for n in archive.namelist()}
    assert read_course(again) == original


def test_an_upload_whose_short_name_is_taken_can_be_imported_as_a_copy(client, trainer):
    assert _upload(client, _zip(course_files())).status_code == 302
    original = db.session.scalar(select(Course))
    edited = course_files()
    edited["course.yaml"] = edited["course.yaml"].replace("title: Sample course", "title: Edited")
    copied = _upload(client, _zip(edited), existing="copy")
    assert copied.status_code == 302
    assert copied.headers["Location"].endswith("/author/courses/sample-course-2/")
    page = client.get(copied.headers["Location"]).get_data(as_text=True)
    assert "Imported as a copy: Edited (copy)." in page
    copy = db.session.scalar(select(Course).where(Course.slug == "sample-course-2"))
    assert services.load(copy)[1].title == "Edited (copy)"
    db.session.expire_all()
    assert services.load(original)[1].title == "Sample course"
    assert db.session.scalar(select(func.count(Course.id))) == 2


def test_an_unknown_conflict_choice_is_refused_at_the_field(client, trainer):
    response = _upload(client, _zip(course_files()), existing="merge")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_the_import_page_states_its_limits(client, trainer):
    page = client.get("/author/import").text
    assert (
        "a zip of at most 5 MB holding at most 200 files, each at most 1 MB and 4 MB together "
        "when unpacked" in page
    )
    assert "anchors and aliases" in page


@pytest.mark.parametrize(("kind", "how"), [(k, h) for k in BREAKS for h in HOW])
def test_an_upload_with_a_broken_check_is_refused_at_file_and_line(client, trainer, kind, how):
    files, marker = exercise_files(kind, how)
    response = _upload(client, _zip(files))
    assert response.status_code == 422
    assert f"drill.exercise.yaml:{broken_line(files, marker)}" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_an_upload_with_every_check_type_imports(client, trainer):
    files, _marker = exercise_files()
    response = _upload(client, _zip(files))
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    draft = db.session.scalar(select(CourseDraft))
    checks = draft.data["lessons"][2]["content"]["checks"]
    assert sorted(c["type"] for c in checks) == sorted(BREAKS)


def test_a_problem_shows_in_the_readers_language_and_in_english_on_the_cli(
    client, trainer, app, monkeypatch
):
    """The import page translates a problem's text (its code's template, with its
    parameters); the file and line stay as they are."""
    from flask_babel import force_locale, get_translations

    from portal.courseformat.messages import TEXTS

    files = course_files()
    files["course.yaml"] = files["course.yaml"].replace("title:", "colour: red\ntitle:", 1)
    with app.test_request_context(), force_locale("ur"):
        catalog = get_translations()._catalog
    monkeypatch.setitem(catalog, TEXTS["unknown_field"], "نامعلوم خانہ '%(name)s'")
    client.post("/language", data={"locale": "ur"})
    page = _upload(client, _zip(files)).get_data(as_text=True)
    assert "course.yaml:" in page
    assert "نامعلوم خانہ &#39;colour&#39;" in page
    assert "unknown field" not in page
    with pytest.raises(FormatError) as error:
        read_course(files)
    assert error.value.problems[0].message == "unknown field 'colour'"
