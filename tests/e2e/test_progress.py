"""The trainer's progress page in a real browser: nobody is ticked for a reminder until
the trainer chooses, and "Select those behind" picks the right learners."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.authoring.models import Assignment
from portal.courseformat import read_course
from portal.database import utcnow
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course
from tests.e2e.conftest import login
from tests.learning.conftest import course_files


def test_select_those_behind_then_none(page, make, app_ctx):
    apply_bundle(read_course(course_files()))
    db.session.commit()
    course = db.session.scalar(select(Course).where(Course.slug == "sample-course"))
    trainer = make.user(roles=("trainer",), department="Customer Service")
    idle = make.user(roles=("learner",), department="Billing", name="Ida Idle")
    fresh = make.user(roles=("learner",), department="Sales", name="Fred Fresh")
    for learner, assigned_days_ago in ((idle, 10), (fresh, 0)):
        db.session.add(
            Assignment(
                course_id=course.id,
                department_id=learner.department_id,
                due_on=date.today() + timedelta(days=30),
                created_at=utcnow() - timedelta(days=assigned_days_ago),
            )
        )
    db.session.commit()

    login(page, trainer)
    page.goto("/author/courses/sample-course/progress")
    boxes = page.locator("[data-testid=progress] input[type=checkbox]")
    expect(boxes).to_have_count(2)
    for index in range(2):
        expect(boxes.nth(index)).not_to_be_checked()
    idle_box = page.get_by_label("Remind Ida Idle")
    fresh_box = page.get_by_label("Remind Fred Fresh")

    page.get_by_role("button", name="Select those behind").click()
    expect(idle_box).to_be_checked()
    expect(fresh_box).not_to_be_checked()
    page.get_by_role("button", name="Select none").click()
    expect(idle_box).not_to_be_checked()
    expect(fresh_box).not_to_be_checked()
