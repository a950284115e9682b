"""The demo organisation's curriculum: the built-in courses, imported and assigned."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.accounts.models import Department, User
from portal.extensions import db
from portal.learning.importer import course_folders, import_folders
from portal.learning.models import Assignment, Course

COURSES_DIR = Path(__file__).resolve().parent.parent / "courses"

# Which departments take which built-in course, and how many days they have.
DEMO_ASSIGNMENTS = {
    "crm-foundations": (None, 14),  # None: every department
    "crm-five-steps": (None, 21),
    "why-our-rollout-works": (None, 21),
    "leads-and-qualification": (("Sales", "Marketing"), 28),
    "pipeline-and-targets": (("Sales",), 35),
    "after-sale-service": (("Customer Service", "Sales", "Billing"), 28),
    "personal-relationships": (("Customer Service", "Marketing"), 35),
}


def import_builtin_courses() -> int:
    """Import (or update) every course under courses/; returns how many there are."""
    folders = course_folders(COURSES_DIR) if COURSES_DIR.exists() else []
    if not folders:
        return 0
    import_folders(folders)
    return len(folders)


def assign_demo_courses(today: date | None = None) -> int:
    """Assign the built-in courses to the demo departments, once."""
    today = today or date.today()
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    departments = {d.name: d for d in db.session.scalars(select(Department))}
    admin = db.session.scalar(select(User).where(User.email == "trainer@demo.test"))
    existing = {(a.course_id, a.department_id) for a in db.session.scalars(select(Assignment))}
    added = 0
    for slug, (names, days) in DEMO_ASSIGNMENTS.items():
        course = courses.get(slug)
        if course is None:
            continue
        for name in names or departments:
            department = departments.get(name)
            if department is None or (course.id, department.id) in existing:
                continue
            db.session.add(
                Assignment(
                    course_id=course.id,
                    department_id=department.id,
                    due_on=today + timedelta(days=days),
                    required=True,
                    assigned_by_id=admin.id if admin else None,
                )
            )
            added += 1
    db.session.flush()
    return added
