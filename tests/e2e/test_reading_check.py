"""A reading's knowledge check in a real browser: a wrong answer shows the feedback of
the choice picked and keeps the reading open; the right one finishes it in place (no
reload), and the lesson list beside it says Done."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.learning.importer import import_folders
from portal.learning.models import Course, Lesson
from seed.learning_demo import COURSES_DIR
from tests.e2e.conftest import login, wait_until_ready


def _lesson(slug: str, key: str) -> Lesson:
    return db.session.scalar(
        select(Lesson)
        .join(Course, Course.id == Lesson.course_id)
        .where(Course.slug == slug, Lesson.key == key)
    )


def _same(text: str) -> str:
    return text


def answer_check_right(page: Page, slug: str, key: str, t=_same) -> None:
    """Pick the right choices of the reading's check and send them (`t` gives a label in
    the learner's language)."""
    _pick_right(page, slug, key)
    page.get_by_role("button", name=t("Check my answers")).click()
    expect(page.locator("#check-result")).to_contain_text(t("All correct: this reading is done."))


def _pick_right(page: Page, slug: str, key: str) -> None:
    for question in _lesson(slug, key).questions:
        for choice in question.choices:
            if choice.correct and not choice.archived:
                page.locator(f"#c-{choice.id}").check()


def read_through(page: Page, slug: str, t=_same) -> None:
    """Go on through the course's readings and quizzes: mark plain readings done, answer
    each reading's check and each quiz right; stop at the first exercise or the end. `t`
    gives a button's label in the learner's language."""
    while True:
        # `count()` does not wait: read the page only once it is ready.
        wait_until_ready(page)
        url = page.url
        key = url.rstrip("/").rsplit("/", 1)[-1]
        if page.get_by_role("button", name=t("Mark as done and continue")).count():
            page.get_by_role("button", name=t("Mark as done and continue")).click()
        elif page.locator("#knowledge-check").count():
            answer_check_right(page, slug, key, t)
            page.get_by_role("button", name=t("Continue")).click()
        elif page.get_by_role("button", name=t("Submit answers")).count():
            _pick_right(page, slug, key)
            page.get_by_role("button", name=t("Submit answers")).click()
            expect(page.locator("#quiz-result.alert-success")).to_be_visible()
            page.get_by_role("link", name=t("Next lesson")).click()
        else:
            return
        page.wait_for_url(lambda next_url, left=url: next_url != left)


def test_a_reading_check_is_answered_in_place(page, make, app_ctx):
    import_folders([COURSES_DIR / "crm-foundations"])
    db.session.commit()
    login(page, make.user(roles=("learner",)))
    page.goto("/courses/crm-foundations/what-crm-means/")
    check = page.locator("#knowledge-check")
    expect(check).to_contain_text("What does the store get out of the exchange?")
    # Each question names its group of choices, and each choice's button sits beside it.
    question = check.get_by_role("group", name=re.compile("What does the store get"))
    expect(question.get_by_role("radio")).not_to_have_count(0)
    rows = check.locator(".form-check").evaluate_all(
        """rows => rows.map(row => {
          const button = row.querySelector("input").getBoundingClientRect();
          const text = row.querySelector("label").getBoundingClientRect();
          return [button.top + button.height / 2, text.top, text.bottom];
        })"""
    )
    assert rows and all(top <= middle <= bottom for middle, top, bottom in rows), rows
    expect(page.get_by_role("button", name="Mark as done and continue")).to_have_count(0)

    lesson = _lesson("crm-foundations", "what-crm-means")
    wrong = {q.key: next(c for c in q.choices if not c.correct) for q in lesson.questions}
    for choice in wrong.values():
        page.locator(f"#c-{choice.id}").check()
    url = page.url
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator("#check-result")).to_contain_text("Not all correct yet")
    expect(check).to_contain_text(wrong["card-exchange"].feedback)
    expect(page.locator("[data-lesson=what-crm-means]")).to_have_attribute("data-status", "started")

    answer_check_right(page, "crm-foundations", "what-crm-means")
    assert page.url == url  # answered in place, no reload
    expect(page.locator("[data-lesson=what-crm-means]")).to_have_attribute("data-status", "done")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CRM is older than computers")
