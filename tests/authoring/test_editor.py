"""Building a course in the browser's forms: lessons, quizzes, reorder, publish, history."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.authoring import services
from portal.authoring.models import CourseVersion
from portal.extensions import db
from portal.learning.models import (
    Certificate,
    Course,
    Lesson,
    LessonProgress,
    QuizAttempt,
    QuizQuestion,
)
from tests.factories import quiz_answers


def _bundle(course):
    _draft, bundle = services.load(course)
    db.session.commit()
    return bundle


def test_a_trainer_builds_and_publishes_a_course(client, author):
    course = author.course()
    intro = author.lesson(course, "Why service matters")
    assert (
        author.reading(
            course,
            intro,
            "# Service\n\nCustomers call **their** salesperson.",
            title="Why service matters",
        ).status_code
        == 302
    )
    quiz = author.lesson(course, "Check yourself", kind="quiz")
    response = author.question(
        course, quiz, "Who do customers call?", [("Their salesperson", True), ("Nobody", False)]
    )
    assert response.status_code == 302
    page = client.get(f"/author/courses/{course.slug}/").get_data(as_text=True)
    assert "Unpublished changes" not in page  # never published: it is a draft
    assert "Draft" in page

    # Learners do not see the draft.
    assert client.get("/courses/").status_code == 403  # trainers have no learner pages
    assert db.session.scalar(select(func.count(Lesson.id))) == 0

    response = author.publish(course)
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.published and course.version == 1
    lessons = db.session.scalars(select(Lesson).order_by(Lesson.position)).all()
    assert [(lesson.kind, lesson.title) for lesson in lessons] == [
        ("reading", "Why service matters"),
        ("quiz", "Check yourself"),
    ]
    assert "Customers call **their** salesperson." in lessons[0].body
    history = client.get(f"/author/courses/{course.slug}/history").get_data(as_text=True)
    assert "Version 1" in history and "Course published for the first time" in history


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("single", [("A", False), ("B", False)], "Mark at least one choice as correct."),
        ("single", [("A", True), ("B", True)], "exactly one correct choice; 2 are marked"),
        ("multiple", [("A", True), ("", False)], "Fill in at least two choices."),
        (
            "true_false",
            [("True", False), ("False", False)],
            "Choose whether True or False is the correct answer.",
        ),
    ],
)
def test_quiz_builder_catches_broken_questions(client, author, kind, choices, message):
    course = author.course()
    quiz = author.lesson(course, "Quiz", kind="quiz")
    response = author.question(course, quiz, "Question?", choices, kind=kind)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _bundle(course).lessons[0].questions == []


def test_a_true_or_false_question_gets_exactly_true_and_false(client, author):
    course = author.course()
    quiz = author.lesson(course, "Quiz", kind="quiz")
    page = client.get(f"/author/courses/{course.slug}/lessons/{quiz}").get_data(as_text=True)
    offered = page[page.index('data-testid="true-false-choices"') :]
    assert 'name="tf-correct" value="0"' in offered and 'name="tf-correct" value="1"' in offered
    url = f"/author/courses/{course.slug}/lessons/{quiz}/questions"
    data = {
        "prompt": "Leads can be deleted.",
        "kind": "true_false",
        "tf-correct": "1",
        "tf-1-feedback": "Leads are closed, not deleted.",
        # Rows typed before switching the type do not become choices.
        "choice-0-text": "Maybe",
        "choice-0-correct": "y",
    }
    assert client.post(url, data=data).status_code == 302
    (question,) = _bundle(course).lessons[0].questions
    assert [(c.text, c.correct) for c in question.choices] == [
        ("True", False),
        ("False", True),
    ]
    assert question.choices[1].feedback == "Leads are closed, not deleted."
    keys = [c.key for c in question.choices]
    # Editing it keeps the choices' keys, so learners' answers still point at them.
    data = {
        "prompt": "Leads can be deleted.",
        "kind": "true_false",
        "tf-correct": "0",
        "question_key": question.key,
    }
    assert client.post(url, data=data).status_code == 302
    (question,) = _bundle(course).lessons[0].questions
    assert [c.key for c in question.choices] == keys
    assert [c.correct for c in question.choices] == [True, False]
    editor = client.get(f"/author/courses/{course.slug}/lessons/{quiz}").get_data(as_text=True)
    form = editor[editor.index(f'data-question-form="{question.key}"') :]
    assert 'name="tf-correct" value="0" checked' in form


def test_empty_prompt_and_empty_title_are_refused_at_the_field(client, author):
    course = author.course()
    quiz = author.lesson(course, "Quiz", kind="quiz")
    response = author.question(course, quiz, "  ", [("A", True), ("B", False)])
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    reading = author.lesson(course, "Reading")
    response = author.reading(course, reading, "Text", title=" ")
    assert response.status_code == 422
    response = client.post("/author/courses/new", data={"title": "", "language": "en"})
    assert response.status_code == 422


def test_reorder_with_htmx_returns_the_structure_fragment(client, author):
    course = author.course()
    first = author.lesson(course, "First")
    second = author.lesson(course, "Second")
    response = client.post(
        f"/author/courses/{course.slug}/lessons/{second}/move",
        data={"direction": "up"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert fragment.index('data-lesson="second"') < fragment.index('data-lesson="first"')
    assert [lesson.key for lesson in _bundle(course).lessons] == [second, first]


def test_structure_buttons_name_the_module_or_lesson_they_act_on(client, author):
    """Icon-only move and remove buttons say, in one sentence, which item they move."""
    course = author.course()
    author.lesson(course, "Greeting the caller")
    page = client.get(f"/author/courses/{course.slug}/").get_data(as_text=True)
    assert 'aria-label="Move the lesson Greeting the caller up"' in page
    assert 'aria-label="Remove the lesson Greeting the caller"' in page
    module_title = _bundle(course).modules[0].title
    assert f'aria-label="Remove the module {module_title}"' in page


def test_publish_keeps_a_learners_progress_through_edits(client, author, make, app):
    course = author.course()
    keys = [author.lesson(course, title) for title in ("One", "Two", "Three")]
    for key in keys:
        author.reading(course, key, f"Text of {key}")
    quiz = author.lesson(course, "Quiz", kind="quiz")
    author.question(course, quiz, "Q1?", [("Yes", True), ("No", False)])
    author.publish(course)

    learner = make.user(roles=("learner",))
    learner_client = app.test_client()
    learner_client.login(learner)
    learner_client.post(f"/courses/{course.slug}/{keys[0]}/done")
    learner_client.post(f"/courses/{course.slug}/{keys[1]}/done")
    question = db.session.scalar(select(QuizQuestion))
    wrong = next(c.id for c in question.choices if not c.correct)
    learner_client.post(
        f"/courses/{course.slug}/{quiz}/quiz", data=quiz_answers({question.id: [wrong]})
    )
    # Another learner finished the whole course, lesson Three included, and has a certificate.
    finisher = make.user(roles=("learner",))
    finisher_client = app.test_client()
    finisher_client.login(finisher)
    for key in keys:
        finisher_client.post(f"/courses/{course.slug}/{key}/done")
    right = next(c.id for c in question.choices if c.correct)
    finisher_client.post(
        f"/courses/{course.slug}/{quiz}/quiz", data=quiz_answers({question.id: [right]})
    )
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == finisher.id))
    assert certificate is not None

    # The trainer reorders, edits, adds and removes lessons, then publishes again.
    client.post(f"/author/courses/{course.slug}/lessons/{keys[1]}/move", data={"direction": "up"})
    author.reading(course, keys[0], "Rewritten text", title="One, rewritten")
    client.post(f"/author/courses/{course.slug}/lessons/{keys[2]}/remove")
    author.lesson(course, "Four")
    author.question(
        course, quiz, "Q1, reworded?", [("Yes", True), ("No", False)], question_key=question.key
    )
    assert author.publish(course).status_code == 302

    done = db.session.scalars(
        select(Lesson.key)
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.user_id == learner.id, LessonProgress.completed_at.is_not(None))
    ).all()
    assert sorted(done) == sorted(keys[:2])
    assert (
        db.session.scalar(
            select(func.count(QuizAttempt.id)).where(QuizAttempt.user_id == learner.id)
        )
        == 1
    )
    outline = learner_client.get(f"/courses/{course.slug}/").get_data(as_text=True)
    assert "One, rewritten" in outline and "Three" not in outline and "Four" in outline
    assert "2 of 4 required lessons done." in outline  # Two, One done; Quiz and Four to go
    # The certificate stands, and the removed lesson keeps its history.
    assert "Genuine" in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    removed = db.session.scalar(select(Lesson).where(Lesson.key == keys[2]))
    assert removed is not None and removed.archived
    kept = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.lesson_id == removed.id, LessonProgress.user_id == finisher.id
        )
    )
    assert kept is not None and kept.completed_at is not None
    version = db.session.scalar(select(CourseVersion).where(CourseVersion.number == 2))
    kinds = {change["change"] for change in version.changes}
    assert {"lesson_added", "lesson_removed", "lesson_edited", "lessons_reordered"} <= kinds


def test_a_course_with_problems_cannot_be_published(client, author):
    course = author.course()
    quiz = author.lesson(course, "Empty quiz", kind="quiz")
    client.post(f"/author/courses/{course.slug}/modules", data={"title": "Wrap-up"})
    response = author.publish(course)
    assert response.status_code == 422
    db.session.refresh(course)
    assert not course.published
    for page in (
        response.get_data(as_text=True),
        client.get(f"/author/courses/{course.slug}/").get_data(as_text=True),
    ):
        problems = page[page.index('data-testid="problems"') :]
        problems = problems[: problems.index("</ul>")]
        # Named by title and linked in the editor; the file format stays out of the browser.
        lesson_url = f"/author/courses/{course.slug}/lessons/{quiz}"
        assert f'href="{lesson_url}">Empty quiz</a>: This quiz has no questions yet.' in problems
        assert (
            f'href="/author/courses/{course.slug}/#module-wrap-up">Wrap-up</a>: '
            "This module has no lessons yet"
        ) in problems
        assert ".yaml" not in problems and "module-1" not in problems
    assert 'id="module-wrap-up"' in page


def test_file_imports_keep_file_and_line_in_their_problems():
    from portal.courseformat import FormatError, read_course

    files = {"course.yaml": "slug: c\ntitle: C\nmodules:\n  - key: m\n    title: M\n"}
    with pytest.raises(FormatError) as refused:
        read_course(files)
    assert "course.yaml:4: module 'm' lists no lessons" in str(refused.value)


def test_preview_renders_exactly_as_learners_see_it(client, author):
    response = client.post(
        "/author/preview",
        data={"body": "**bold** <script>x</script>"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.get_data(as_text=True)
    assert "The preview appears here" not in response.get_data(as_text=True)


def test_an_empty_cover_shows_a_placeholder_not_an_empty_frame(client, author):
    course = author.course()
    page = client.get(f"/author/courses/{course.slug}/").get_data(as_text=True)
    box = page[page.index('data-testid="cover-preview"') :]
    box = box[: box.index("</div>")]
    assert "The preview appears here." in box
    blank = client.post("/author/preview", data={"cover": "  "}, headers={"HX-Request": "true"})
    assert "The preview appears here." in blank.get_data(as_text=True)


@pytest.mark.parametrize("role", ["learner", "executive"])
def test_authoring_is_closed_to_learners_and_executives(client, make, role):
    client.login(make.user(roles=(role,)))
    for url in ("/author/", "/author/courses/new", "/author/import"):
        assert client.get(url).status_code == 403
    assert client.post("/author/preview", data={"body": "x"}).status_code == 403
    assert (
        client.post("/author/courses/new", data={"title": "X", "language": "en"}).status_code == 403
    )


def test_admins_can_author(client, make):
    client.login(make.user(roles=("admin",)))
    assert client.get("/author/").status_code == 200


def test_the_cover_text_opens_the_course_page_sanitised_and_travels_with_the_course(
    client, author, make, app
):
    course = author.course()
    key = author.lesson(course, "One")
    author.reading(course, key, "Text")
    cover = "**Who it is for:** the service desk.\n\n<script>alert(1)</script>"
    response = client.post(
        f"/author/courses/{course.slug}/details",
        data={
            "title": course.title,
            "summary": "Service basics.",
            "language": "en",
            "cover": cover,
        },
    )
    assert response.status_code == 302
    assert author.publish(course).status_code == 302

    learner = make.user(roles=("learner",))
    learner_client = app.test_client()
    learner_client.login(learner)
    page = learner_client.get(f"/courses/{course.slug}/").get_data(as_text=True)
    shown = page[page.index('data-testid="course-cover"') :]
    assert "<strong>Who it is for:</strong> the service desk." in shown
    assert "<script>alert(1)</script>" not in page
    import io
    import zipfile

    exported = zipfile.ZipFile(io.BytesIO(client.get(f"/author/courses/{course.slug}/export").data))
    course_yaml = exported.read(f"{course.slug}/course.yaml").decode()
    assert "cover:" in course_yaml and "Who it is for" in course_yaml
    too_long = client.post(
        f"/author/courses/{course.slug}/details",
        data={"title": course.title, "language": "en", "cover": "x" * 20001},
    )
    assert too_long.status_code == 422


def test_withdraw_hides_a_course_keeps_learners_records_and_publish_brings_it_back(
    client, author, make, app
):
    course = author.course()
    key = author.lesson(course, "One")
    author.reading(course, key, "Text")
    author.publish(course)
    learner = make.user(roles=("learner",))
    learner_client = app.test_client()
    learner_client.login(learner)
    learner_client.post(f"/courses/{course.slug}/{key}/done")
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None

    assert client.post(f"/author/courses/{course.slug}/withdraw").status_code == 302
    assert course.title not in learner_client.get("/courses/").get_data(as_text=True)
    assert learner_client.get(f"/courses/{course.slug}/").status_code == 404
    assert "Genuine" in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    refused = client.post(f"/author/courses/{course.slug}/delete", follow_redirects=True)
    assert "withdraw it instead" in refused.get_data(as_text=True)
    assert db.session.get(Course, course.id) is not None

    assert author.publish(course).status_code == 302
    assert course.title in learner_client.get("/courses/").get_data(as_text=True)
    assert (
        db.session.scalar(
            select(LessonProgress).where(LessonProgress.user_id == learner.id)
        ).completed_at
        is not None
    )


def test_a_course_nobody_started_is_deleted_with_its_assignments(client, author, make):
    from portal.authoring.models import Assignment

    course = author.course(title="Short-lived")
    key = author.lesson(course, "One")
    author.reading(course, key, "Text")
    author.publish(course)
    learner = make.user(roles=("learner",), department="Sales")
    client.post(
        f"/author/courses/{course.slug}/assignments",
        data={"departments": [str(learner.department_id)]},
    )
    assert db.session.scalar(select(func.count(Assignment.id))) == 1
    response = client.post(f"/author/courses/{course.slug}/delete", follow_redirects=True)
    assert "Short-lived is deleted." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Course.id))) == 0
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_a_course_with_translations_is_not_deleted_from_under_them(client, author):
    from portal.courseformat import read_course
    from portal.learning.importer import apply_bundle
    from tests.learning.conftest import course_files

    apply_bundle(read_course(course_files()))
    files = course_files()
    files["course.yaml"] = (
        files["course.yaml"]
        .replace("slug: sample-course", "slug: sample-course-hi\ntranslation_of: sample-course")
        .replace("language: en", "language: hi")
    )
    apply_bundle(read_course(files))
    db.session.commit()
    response = client.post("/author/courses/sample-course/delete", follow_redirects=True)
    assert "These courses translate this one" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Course.id))) == 2
