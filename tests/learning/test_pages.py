"""Learner pages: home with assignments, catalogue, outline, lessons, certificates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.authoring.models import Assignment
from portal.courseformat import read_course
from portal.extensions import db
from portal.learning import services
from portal.learning.importer import apply_bundle
from portal.learning.models import Certificate, Course, LessonProgress, LessonView, QuizQuestion
from tests.factories import quiz_answers
from tests.learning.conftest import course_files


@pytest.fixture
def learner(client, make, sample_course):
    user = make.user(roles=("learner",), department="Sales")
    client.login(user)
    return user


def _assign(course, *, required=True, **target):
    """Assigns `course` to the department_id or user_id given, due on due_on if given."""
    db.session.add(Assignment(course_id=course.id, required=required, **target))
    db.session.commit()


def _pass_everything(client):
    client.post("/courses/sample-course/intro/done")
    ids = {q.key: q for q in db.session.scalars(select(QuizQuestion))}
    right = quiz_answers({q.id: [c.id for c in q.choices if c.correct] for q in ids.values()})
    client.post("/courses/sample-course/basics-quiz/quiz", data=right)
    return client.post("/courses/sample-course/wrap-up/done", data={"last": "1"})


def test_home_shows_department_assignment_with_due_date_and_overdue_flag(
    client, learner, sample_course
):
    page = client.get("/learn/").get_data(as_text=True)
    assert "No courses are assigned to you yet" in page
    _assign(
        sample_course, department_id=learner.department_id, due_on=date.today() - timedelta(days=2)
    )
    page = client.get("/learn/").get_data(as_text=True)
    assert "Sample course" in page and "Overdue" in page
    assert "Next:" in page and "Introduction" in page


def test_reading_records_views_and_done_moves_to_the_next_lesson(client, learner):
    client.get("/courses/sample-course/intro/")
    client.get("/courses/sample-course/intro/")  # the same visit: nothing more is written
    assert db.session.scalar(select(func.count(LessonView.id))) == 1
    progress = db.session.scalar(select(LessonProgress))
    progress.last_viewed_at -= services.VISIT  # the learner comes back later
    db.session.commit()
    client.get("/courses/sample-course/intro/")
    assert db.session.scalar(select(func.count(LessonView.id))) == 2
    page = client.get("/courses/sample-course/intro/").get_data(as_text=True)
    assert '<blockquote class="callout callout-tip' in page
    response = client.post("/courses/sample-course/intro/done")
    assert response.headers["Location"].endswith("/courses/sample-course/basics-quiz/")
    outline = client.get("/courses/sample-course/").get_data(as_text=True)
    assert "1 of 3 required lessons done." in outline


def test_finishing_the_course_issues_one_certificate_that_verifies(client, learner, app):
    response = _pass_everything(client)
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.learner_name == learner.name
    assert response.headers["Location"].endswith(f"/certificates/{certificate.code}")
    page = client.get(f"/certificates/{certificate.code}").get_data(as_text=True)
    assert learner.name in page and "Sample course" in page
    _pass_everything(client)  # doing it again issues no second certificate
    assert db.session.scalar(select(func.count(Certificate.id))) == 1

    anonymous = app.test_client()
    page = anonymous.get(f"/verify/{certificate.code.lower()}")
    assert page.status_code == 200 and "Genuine" in page.get_data(as_text=True)
    guessed = anonymous.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert guessed.status_code == 404 and "Genuine" not in guessed.get_data(as_text=True)


def test_certificate_page_is_private_to_its_owner(client, learner, make, app):
    _pass_everything(client)
    code = db.session.scalar(select(Certificate.code))
    other = make.user(roles=("learner",))
    other_client = app.test_client()
    other_client.login(other)
    assert other_client.get(f"/certificates/{code}").status_code == 404


def test_certificate_codes_are_long_and_random(app_ctx):
    from portal.learning.services import new_certificate_code

    codes = {new_certificate_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code.replace("-", "")) == 16 for code in codes)


def _add_urdu_translation() -> None:
    """The sample course in Urdu, as a translation of the English one."""
    files = course_files()
    files["course.yaml"] = (
        files["course.yaml"]
        .replace("slug: sample-course", "slug: sample-course-ur\ntranslation_of: sample-course")
        .replace("title: Sample course", "title: نمونہ کورس")
        .replace("language: en", "language: ur")
    )
    apply_bundle(read_course(files))
    db.session.commit()


def test_catalogue_prefers_the_course_in_the_learners_language(client, learner, make, app):
    _add_urdu_translation()
    english = client.get("/courses/").get_data(as_text=True)
    assert "Sample course" in english and "نمونہ کورس" not in english
    client.post("/language", data={"locale": "ur"})
    urdu = client.get("/courses/").get_data(as_text=True)
    assert "نمونہ کورس" in urdu and "Sample course" not in urdu


def test_a_course_page_links_its_other_languages_and_opens_the_one_chosen(client, learner):
    alone = client.get("/courses/sample-course/").get_data(as_text=True)
    assert 'data-testid="course-languages"' not in alone  # no translation yet
    _add_urdu_translation()
    client.post("/language", data={"locale": "ur"})

    # New to the course, an Urdu reader following a link to the English one gets Urdu...
    sent = client.get("/courses/sample-course/")
    assert sent.status_code == 302 and sent.headers["Location"] == "/courses/sample-course-ur/"
    urdu = client.get("/courses/sample-course-ur/").get_data(as_text=True)
    links = urdu[urdu.index('data-testid="course-languages"') :].split("</p>")[0]
    assert 'href="/courses/sample-course/?language=chosen"' in links
    assert 'lang="en"' in links and ">English</a>" in links and "sample-course-ur" not in links
    assert "یہ کورس دوسری زبانوں میں" in links

    # ...and can still choose the English one from the page, which links back to Urdu.
    english = client.get("/courses/sample-course/?language=chosen")
    assert english.status_code == 200
    page = english.get_data(as_text=True)
    assert "<h1" in page and "Sample course" in page
    links = page[page.index('data-testid="course-languages"') :].split("</p>")[0]
    assert 'href="/courses/sample-course-ur/?language=chosen"' in links and ">اردو</a>" in links

    # The choice holds when the learner comes back by a plain link (a lesson's breadcrumb)
    # before a lesson of theirs is recorded: the session keeps it.
    assert client.get("/courses/sample-course/").status_code == 200
    with client.session_transaction() as kept:
        assert kept.pop("chosen_courses") == ["sample-course"]
    assert client.get("/courses/sample-course/").status_code == 302
    client.get("/courses/sample-course/?language=chosen")
    assert client.get("/courses/sample-course/intro/").status_code == 200
    assert client.get("/courses/sample-course/").status_code == 200


def test_an_assignment_is_shown_and_met_in_the_learners_language(client, learner, sample_course):
    _add_urdu_translation()
    due = date.today() + timedelta(days=9)
    _assign(sample_course, user_id=learner.id, due_on=due)

    english = client.get("/learn/").get_data(as_text=True)
    assert "Sample course" in english and "نمونہ کورس" not in english
    client.post("/language", data={"locale": "ur"})
    urdu = client.get("/learn/").get_data(as_text=True)
    assert "نمونہ کورس" in urdu and "Sample course" not in urdu

    # Progress in the Urdu course is progress on the assignment, in either language.
    assert client.post("/courses/sample-course-ur/intro/done").status_code in (200, 302)
    client.post("/language", data={"locale": "en"})
    home = client.get("/learn/").get_data(as_text=True)
    assert "نمونہ کورس" in home and "Sample course" not in home
    assert "Also in progress" not in home  # one course, not an assignment plus a stray
    card = home[home.index("Assigned to you") :]
    assert "نمونہ کورس" in card and "Not started" not in card


def test_built_in_foundations_course_is_offered_in_hindi_and_urdu(client, make):
    from seed.learning_demo import import_builtin_courses

    import_builtin_courses()
    db.session.commit()
    english = db.session.scalar(select(Course).where(Course.slug == "crm-foundations"))
    user = make.user(roles=("learner",), department="Sales")
    _assign(english, user_id=user.id, due_on=date.today())
    client.login(user)
    for locale, slug in (("hi", "crm-foundations-hi"), ("ur", "crm-foundations-ur")):
        client.post("/language", data={"locale": locale})
        translated = db.session.scalar(select(Course).where(Course.slug == slug))
        assert translated.language == locale
        for url in ("/courses/", "/learn/"):
            page = client.get(url).get_data(as_text=True)
            assert translated.title in page and english.title not in page, (locale, url)


@pytest.mark.parametrize(
    ("url", "statements"),
    [
        ("/learn/", 5),
        ("/courses/", 4),
        ("/courses/sample-course/", 6),
        ("/courses/sample-course/basics-quiz/", 18),
    ],
)
def test_learner_pages_run_a_fixed_number_of_queries(
    client, make, sample_course, count_queries, url, statements, monkeypatch
):
    monkeypatch.setattr(services, "VISIT", timedelta(0))  # every lesson view writes
    learner = make.user(roles=("learner",), department="Sales")
    client.login(learner)

    def add_courses_and_history(n: int) -> None:
        for i in range(n):
            files = course_files()
            files["course.yaml"] = files["course.yaml"].replace(
                "slug: sample-course", f"slug: extra-{i}-{n}"
            )
            apply_bundle(read_course(files))
        db.session.commit()
        for course in db.session.scalars(select(Course)):
            _assign(course, department_id=learner.department_id, due_on=date.today())
        for key in ("intro", "wrap-up"):
            client.post(f"/courses/sample-course/{key}/done")

    add_courses_and_history(2)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    add_courses_and_history(20)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count == statements, (small.statements, large.statements)


def _extra_courses(n: int) -> list[Course]:
    for i in range(n):
        files = course_files()
        files["course.yaml"] = (
            files["course.yaml"]
            .replace("slug: sample-course", f"slug: extra-{i:02d}")
            .replace("title: Sample course", f"title: Extra course {i:02d}")
        )
        apply_bundle(read_course(files))
    db.session.commit()
    return list(db.session.scalars(select(Course).where(Course.slug.like("extra-%"))))


def test_the_catalogue_shows_a_page_of_cards_with_page_links_and_a_search(client, learner):
    _extra_courses(14)  # 15 courses with the sample
    first = client.get("/courses/").get_data(as_text=True)
    assert first.count('data-course="') == 12 and "15 courses" in first
    assert 'href="/courses/?page=2"' in first
    second = client.get("/courses/?page=2").get_data(as_text=True)
    assert second.count('data-course="') == 3 and "Sample course" in second
    found = client.get("/courses/?q=course+07").get_data(as_text=True)
    assert found.count('data-course="') == 1 and 'data-course="extra-07"' in found
    none = client.get("/courses/?q=nothing+like+it").get_data(as_text=True)
    assert 'data-course="' not in none and "Show all courses" in none


def test_my_learning_shows_the_soonest_due_first_and_links_to_the_rest(client, learner):
    courses = _extra_courses(9)
    for days, course in enumerate(sorted(courses, key=lambda c: c.slug)):
        _assign(course, user_id=learner.id, due_on=date.today() + timedelta(days=days))
    page = client.get("/learn/").get_data(as_text=True)
    assert page.count('data-course="') == 6 and "Show 3 more courses" in page
    assert 'data-course="extra-05"' in page and 'data-course="extra-06"' not in page
    everything = client.get("/learn/?all=1").get_data(as_text=True)
    assert everything.count('data-course="') == 9 and "Show fewer courses" in everything


def test_my_learning_shows_six_cards_in_all_and_keeps_each_part_in_view(client, learner):
    courses = _extra_courses(9)
    for days, course in enumerate(sorted(courses, key=lambda c: c.slug)):
        _assign(course, user_id=learner.id, due_on=date.today() + timedelta(days=days))
    _finish(client, "sample-course")  # not assigned: finished of their own accord
    page = client.get("/learn/").get_data(as_text=True)
    assert page.count('data-course="') == 6 and "Show 4 more courses" in page
    assert 'data-course="extra-04"' in page and 'data-course="extra-05"' not in page
    assert 'data-testid="finished"' in page and 'data-course="sample-course"' in page
    everything = client.get("/learn/?all=1").get_data(as_text=True)
    assert everything.count('data-course="') == 10


@pytest.mark.parametrize("role", ["trainer", "executive", "admin"])
def test_learning_pages_need_the_learner_role(client, make, sample_course, role):
    client.login(make.user(roles=(role,)))
    for url in ["/learn/", "/courses/", "/courses/sample-course/", "/courses/sample-course/intro/"]:
        assert client.get(url).status_code == 403
    assert client.post("/courses/sample-course/intro/done").status_code == 403


def test_unknown_course_and_lesson_are_404(client, learner):
    assert client.get("/courses/nope/").status_code == 404
    assert client.get("/courses/sample-course/nope/").status_code == 404
    assert client.post("/courses/sample-course/nope/done").status_code == 404
    # A quiz cannot be "marked as done": it is passed.
    assert client.post("/courses/sample-course/basics-quiz/done").status_code == 400


def test_english_course_text_keeps_its_own_language_in_the_urdu_ui(client, learner):
    client.post("/language", data={"locale": "ur"})
    page = client.get("/courses/sample-course/intro/").text
    assert '<html lang="ur" dir="rtl">' in page
    assert '<div class="lesson-body" lang="en" dir="ltr" data-testid="lesson-body">' in page
    assert '<h1 class="h3" id="lesson-title" lang="en" dir="ltr">' in page
    quiz = client.get("/courses/sample-course/basics-quiz/").text
    assert '<legend class="fs-6 fw-semibold">1. <bdi lang="en" dir="ltr">' in quiz
    assert 'class="form-check-label" for="c-' in quiz and '" lang="en" dir="ltr">' in quiz
    outline = client.get("/courses/sample-course/").text
    assert '<h1 class="h3" lang="en" dir="ltr">Sample course</h1>' in outline


def _finish(client, slug: str) -> None:
    """Pass every lesson of the course `slug` through the learner's pages."""
    from portal.learning.models import Lesson

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    client.post(f"/courses/{slug}/intro/done")
    questions = db.session.scalars(
        select(QuizQuestion).join(Lesson).where(Lesson.course_id == course.id)
    )
    right = quiz_answers({q.id: [c.id for c in q.choices if c.correct] for q in questions})
    client.post(f"/courses/{slug}/basics-quiz/quiz", data=right)
    client.post(f"/courses/{slug}/wrap-up/done", data={"last": "1"})
    assert db.session.scalar(select(Certificate).where(Certificate.course_id == course.id))


def _section(page: str, testid: str) -> str:
    """The part of My learning marked data-testid=`testid` ('' when it is absent)."""
    marker = f'data-testid="{testid}"'
    if marker not in page:
        return ""
    rest = page[page.index(marker) :]
    return rest[: rest.index("</section>")]


def test_a_finished_course_is_listed_as_finished_not_in_progress(client, learner, sample_course):
    client.post("/courses/sample-course/intro/done")  # started of their own accord
    home = client.get("/learn/").get_data(as_text=True)
    assert "Sample course" in _section(home, "in-progress")
    _finish(client, "sample-course")
    home = client.get("/learn/").get_data(as_text=True)
    assert "Also in progress" not in home
    finished = _section(home, "finished")
    assert "Sample course" in finished and "Certificate" in finished and "100%" in finished

    _assign(
        sample_course, department_id=learner.department_id, due_on=date.today() + timedelta(days=5)
    )
    home = client.get("/learn/").get_data(as_text=True)
    assert _section(home, "assigned") == "" and "Sample course" in _section(home, "finished")
    assert "You have finished every course assigned to you." in home


@pytest.mark.parametrize(
    ("finished", "other", "locale"),
    [
        ("sample-course", "sample-course-ur", "ur"),
        ("sample-course-ur", "sample-course", "en"),
    ],
)
def test_a_course_finished_in_one_language_is_finished_in_the_other(
    client, learner, sample_course, finished, other, locale
):
    """Finishing either language's version finishes the course, in every language, and
    an assignment of the other version counts as met."""
    _add_urdu_translation()
    other_course = db.session.scalar(select(Course).where(Course.slug == other))
    _assign(
        other_course, department_id=learner.department_id, due_on=date.today() + timedelta(days=5)
    )
    _finish(client, finished)
    client.post("/language", data={"locale": locale})

    catalogue = client.get("/courses/").get_data(as_text=True)
    card = catalogue[catalogue.index(f'data-course="{other}"') :]
    card = card[: card.index('data-course="', 20) if 'data-course="' in card[20:] else None]
    assert 'aria-valuenow="100"' in card and 'data-testid="finished-elsewhere"' in card
    page = client.get(f"/courses/{other}/").get_data(as_text=True)
    assert 'data-testid="finished-elsewhere"' in page and 'aria-valuenow="100"' in page
    assert "/certificates/" in page
    home = client.get("/learn/").get_data(as_text=True)
    assert _section(home, "assigned") == ""
    assert 'aria-valuenow="100"' in _section(home, "finished")


def test_reading_time_is_one_figure_on_card_and_course_page(client, learner, sample_course):
    from portal.learning.models import Lesson

    minutes = db.session.scalar(
        select(func.sum(Lesson.minutes)).where(
            Lesson.course_id == sample_course.id, Lesson.archived.is_(False)
        )
    )
    card = client.get("/courses/").get_data(as_text=True)
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert f"about {minutes} min" in card
    assert f"about {minutes} min" in page[page.index('data-testid="reading-time"') :]


def test_a_late_joiner_is_due_days_after_joining_not_in_the_past(client, make, app, sample_course):
    """The course was assigned to Sales 30 days ago, due 2 days ago. Someone who joins
    Sales today is due 14 days from today, and told why; a colleague who was there
    all along is overdue."""
    from portal.database import utcnow

    _assign(
        sample_course,
        department_id=make.department("Sales").id,
        due_on=date.today() - timedelta(days=2),
    )
    assignment = db.session.scalar(select(Assignment))
    assignment.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    newcomer = make.user(roles=("learner",), department="Sales", joined_days_ago=0)
    client.login(newcomer)
    due = date.today() + timedelta(days=14)
    shown = f"Due {due.strftime('%b')} {due.day}, {due.year} (14 days after you joined)"
    home = client.get("/learn/").get_data(as_text=True)
    import re

    assert shown in " ".join(re.sub(r"<[^>]+>", "", home).split())
    assert "Overdue" not in home
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    assert shown in " ".join(re.sub(r"<[^>]+>", "", page).split()) and "Overdue" not in page

    veteran = make.user(roles=("learner",), department="Sales")
    colleague = app.test_client()
    colleague.login(veteran)
    home = colleague.get("/learn/").get_data(as_text=True)
    assert "Overdue" in home and "after you joined" not in home


@pytest.mark.parametrize(("locale", "back", "forward"), [("en", "←", "→"), ("ur", "→", "←")])
def test_previous_and_next_lesson_arrows_point_the_way_the_page_reads(
    client, learner, locale, back, forward
):
    client.post("/language", data={"locale": locale})
    page = client.get("/courses/sample-course/basics-quiz/").get_data(as_text=True)
    steps = page[page.index('border-top pt-3" aria-label=') :].split("</nav>")[0]
    previous, following = steps.split("</a>")[:2]
    assert f"{back} <bdi" in previous and "<bdi" in following
    assert following.rstrip().endswith(forward), following
