"""Translations that know their source, through the trainer's pages: starting one,
translating a lesson beside the original, publishing it current, and seeing it go out of
date, lesson by lesson, when the original is published with other text."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.authoring.models import CourseDraft, CourseVersion
from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course, Lesson
from portal.learning.translations import fingerprint
from tests.learning.conftest import INTRO_MD, course_files

URDU_INTRO = "سی آر ایم گاہک سے ہر رابطہ درج کرتا ہے۔"


def _course(slug: str) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


@pytest.fixture
def english(app_ctx):
    apply_bundle(read_course(course_files()))
    db.session.commit()
    return _course("sample-course")


def _translate_everything(client, slug: str, keys=("intro", "basics-quiz", "wrap-up")) -> None:
    """Post every text field of each lesson in Urdu (the source's text with a mark)."""
    from portal.authoring.services import load
    from portal.authoring.services.translations import text_fields

    course = _course(slug)
    _draft, bundle = load(course)
    db.session.commit()
    for lesson in bundle.lessons:
        if lesson.key not in keys:
            continue
        data = {f.path: f"اردو: {f.value}" if f.value else "" for f in text_fields(lesson)}
        response = client.post(f"/author/courses/{slug}/translate/{lesson.key}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def _start_urdu(client) -> Course:
    response = client.post("/author/courses/sample-course/translations", data={"language": "ur"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return _course("sample-course-ur")


def test_a_trainer_translates_a_course_beside_its_original(client, trainer, english):
    page = client.get("/author/courses/sample-course/translations")
    assert page.status_code == 200 and "No translations yet." in page.get_data(as_text=True)

    urdu = _start_urdu(client)
    assert urdu.translation_of_id == english.id and urdu.language == "ur"
    assert not urdu.published
    draft = db.session.scalar(select(CourseDraft).where(CourseDraft.course_id == urdu.id))
    assert draft.data["source_version"] == fingerprint(read_course(course_files()))

    page = client.get("/author/courses/sample-course-ur/translate/intro")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # The original on one side, read only, in its language; the translation on the other.
    assert 'lang="en" dir="ltr" data-testid="source-text"># Welcome' in html
    assert 'name="body" rows="18" maxlength="50000" required  lang="ur" dir="rtl"># Welcome' in html

    response = client.post(
        "/author/courses/sample-course-ur/translate/intro",
        data={"title": "تعارف", "body": URDU_INTRO},
    )
    assert response.status_code == 302
    _translate_everything(client, "sample-course-ur", keys=("basics-quiz", "wrap-up"))
    response = client.post("/author/courses/sample-course-ur/publish")
    assert response.status_code == 302
    urdu = _course("sample-course-ur")
    assert urdu.published and urdu.source_version == english.fingerprint
    intro = db.session.scalar(
        select(Lesson).where(Lesson.course_id == urdu.id, Lesson.key == "intro")
    )
    assert intro.title == "تعارف" and intro.body == URDU_INTRO
    version = db.session.scalar(select(CourseVersion).where(CourseVersion.course_id == urdu.id))
    assert version.source_version == english.fingerprint

    listing = client.get("/author/courses/sample-course/translations").get_data(as_text=True)
    assert "sample-course-ur" in listing and "Current" in listing


def test_the_translation_keeps_the_originals_answers(client, trainer, english):
    _start_urdu(client)
    _translate_everything(client, "sample-course-ur")
    client.post("/author/courses/sample-course-ur/publish")
    mine = read_course(course_files())
    quiz = db.session.scalar(
        select(Lesson).where(
            Lesson.course_id == _course("sample-course-ur").id, Lesson.key == "basics-quiz"
        )
    )
    source = next(lesson for lesson in mine.lessons if lesson.key == "basics-quiz")
    assert [(q.key, [(c.key, c.correct) for c in q.choices]) for q in quiz.questions] == [
        (q.key, [(c.key, c.correct) for c in q.choices]) for q in source.questions
    ]
    assert all(q.prompt.startswith("اردو: ") for q in quiz.questions)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "x" * 201, "body": URDU_INTRO}, "At most 200 characters."),
        ({"title": "تعارف", "body": "   "}, "This text is required."),
    ],
)
def test_bad_text_is_refused_with_422(client, trainer, english, data, message):
    _start_urdu(client)
    response = client.post("/author/courses/sample-course-ur/translate/intro", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    draft = db.session.scalar(select(CourseDraft).where(CourseDraft.course_id.isnot(None)))
    intro = next(
        lesson
        for lesson in db.session.get(CourseDraft, draft.id).data["lessons"]
        if lesson["key"] == "intro"
    )
    assert intro["title"] == "Introduction"  # nothing saved


def test_only_trainers_translate_and_forms_need_their_token(client, make, english):
    learner = make.user(roles=("learner",))
    client.login(learner)
    assert client.get("/author/courses/sample-course/translations").status_code == 403
    response = client.post("/author/courses/sample-course/translations", data={"language": "ur"})
    assert response.status_code == 403
    assert _course("sample-course-ur") is None
    trainer = make.user(roles=("trainer",))
    client.login(trainer)
    response = client.post(
        "/author/courses/sample-course/translations", data={"language": "ur"}, csrf=False
    )
    assert response.status_code == 400
    assert _course("sample-course-ur") is None


def test_translations_are_refused_where_they_make_no_sense(client, trainer, english):
    response = client.post("/author/courses/sample-course/translations", data={"language": "en"})
    assert response.status_code == 422
    _start_urdu(client)
    again = client.post("/author/courses/sample-course/translations", data={"language": "ur"})
    assert again.status_code == 422
    assert "already has a translation in that language" in again.get_data(as_text=True)
    # An original's lessons have no "translate" page; nor has a lesson the course lacks.
    assert client.get("/author/courses/sample-course/translate/intro").status_code == 404
    assert client.get("/author/courses/sample-course-ur/translate/nope").status_code == 404


def test_republishing_the_original_puts_the_translation_out_of_date(client, trainer, english):
    _start_urdu(client)
    _translate_everything(client, "sample-course-ur")
    client.post("/author/courses/sample-course-ur/publish")
    made_from = english.fingerprint

    # The original is republished with another reading text.
    changed = INTRO_MD.replace("every** contact", "every** call, visit and email")
    apply_bundle(read_course(course_files(**{"intro.md": changed})))
    db.session.commit()
    english = _course("sample-course")
    assert english.fingerprint != made_from

    page = client.get("/author/courses/sample-course-ur/translations")
    html = page.get_data(as_text=True)
    assert "Out of date" in html
    assert "Made from version 1 of the original; the original is at version 2." in html
    assert html.count('data-testid="lesson-change"') == 1  # only the reading changed
    assert 'data-lesson="intro"' in html
    assert "-A CRM records **every** contact with a customer." in html
    assert "+A CRM records **every** call, visit and email with a customer." in html
    assert "Out of date" in client.get("/author/").get_data(as_text=True)

    # Learners still get the last published translation.
    urdu = _course("sample-course-ur")
    intro = db.session.scalar(
        select(Lesson).where(Lesson.course_id == urdu.id, Lesson.key == "intro")
    )
    assert intro.body.startswith("اردو: ")

    # The trainer brings it up to date and publishes: current against version 2.
    _translate_everything(client, "sample-course-ur", keys=("intro",))
    assert client.post("/author/courses/sample-course-ur/translations/current").status_code == 302
    client.post("/author/courses/sample-course-ur/publish")
    urdu = _course("sample-course-ur")
    assert urdu.source_version == english.fingerprint and urdu.version == 2
    assert "Current" in client.get("/author/courses/sample-course-ur/translations").get_data(
        as_text=True
    )


def test_a_diff_is_escaped(client, trainer, english):
    _start_urdu(client)
    _translate_everything(client, "sample-course-ur")
    client.post("/author/courses/sample-course-ur/publish")
    changed = INTRO_MD.replace("That is all.", "x").replace(
        "log the call", "log the `<script>alert(1)</script>` call"
    )
    apply_bundle(read_course(course_files(**{"intro.md": changed})))
    db.session.commit()
    html = client.get("/author/courses/sample-course-ur/translations").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_mark_current_takes_a_lesson_the_original_gained(client, trainer, english):
    _start_urdu(client)
    _translate_everything(client, "sample-course-ur")
    client.post("/author/courses/sample-course-ur/publish")
    files = course_files()
    files["course.yaml"] = files["course.yaml"].replace(
        "lessons: [wrap-up]", "lessons: [wrap-up, extra]"
    )
    files["extra.md"] = "---\nkey: extra\ntitle: Extra\nkind: reading\n---\nMore text.\n"
    apply_bundle(read_course(files))
    db.session.commit()
    html = client.get("/author/courses/sample-course-ur/translations").get_data(as_text=True)
    assert 'data-lesson="extra"' in html and "new lesson" in html
    client.post("/author/courses/sample-course-ur/translations/current")
    from portal.authoring.services import peek

    bundle = peek(_course("sample-course-ur"))
    assert [lesson.key for lesson in bundle.lessons] == ["intro", "basics-quiz", "wrap-up", "extra"]
    assert bundle.lessons[0].body.startswith("اردو: ")  # the translation's words are kept
    assert bundle.lessons[3].body == "More text."  # to translate


def test_a_translation_that_changes_an_answer_does_not_publish(client, trainer, english):
    from portal.authoring.services import load, save

    _start_urdu(client)
    _translate_everything(client, "sample-course-ur")
    urdu = _course("sample-course-ur")
    draft, bundle = load(urdu)
    quiz = next(lesson for lesson in bundle.lessons if lesson.key == "basics-quiz")
    quiz.questions[0].choices[0].correct = False  # as the quiz editor could
    quiz.questions[0].choices[1].correct = True
    save(draft, bundle, trainer)
    db.session.commit()
    response = client.post("/author/courses/sample-course-ur/publish")
    assert response.status_code == 422
    assert "answers or checks differ from the original" in response.get_data(as_text=True)
    assert not _course("sample-course-ur").published


def test_the_editor_and_history_point_at_the_translation_state(client, trainer, english):
    _start_urdu(client)
    _translate_everything(client, "sample-course-ur")
    client.post("/author/courses/sample-course-ur/publish")
    editor = client.get("/author/courses/sample-course-ur/").get_data(as_text=True)
    assert 'data-testid="translation-note"' in editor
    history = client.get("/author/courses/sample-course-ur/history").get_data(as_text=True)
    assert f"Translated from the original's text {english.fingerprint}." in history


def test_the_course_title_and_modules_are_translated_beside_the_original(client, trainer, english):
    _start_urdu(client)
    page = client.get("/author/courses/sample-course-ur/translate/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="module.basics"' in html
    data = {"title": "نمونہ کورس", "summary": "ٹیسٹ کا کورس۔", "module.basics": "بنیادیں"}
    response = client.post("/author/courses/sample-course-ur/translate/", data=data)
    assert response.status_code == 302
    refused = client.post(
        "/author/courses/sample-course-ur/translate/", data={"title": "نمونہ\x00کورس"}
    )
    assert refused.status_code == 422
    assert "characters that are not allowed" in refused.get_data(as_text=True)
    assert client.get("/author/courses/sample-course/translate/").status_code == 404
    client.post("/author/courses/sample-course-ur/publish")
    urdu = _course("sample-course-ur")
    assert (urdu.title, urdu.summary) == ("نمونہ کورس", "ٹیسٹ کا کورس۔")
    assert [m.title for m in urdu.modules] == ["بنیادیں", "More"]


@pytest.mark.parametrize(("locale", "label"), [("ur", "زبان"), ("hi", "भाषा")])
def test_the_new_translation_form_speaks_the_trainers_language(
    client, trainer, english, locale, label
):
    client.post("/language", data={"locale": locale})
    page = client.get("/author/courses/sample-course/translations").get_data(as_text=True)
    assert re.search(rf'<label[^>]*for="language"[^>]*>{label}</label>', page), page[:200]
    assert ">Language</label>" not in page
