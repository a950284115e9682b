"""The courses the demo rollout assigns: the built-in ones, or a small fallback."""

from __future__ import annotations

from sqlalchemy import select

from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course
from seed.learning_demo import import_builtin_courses

# A small course of its own, used only when no course can be found or imported.
FALLBACK_COURSE = {
    "course.yaml": "slug: crm-go-live-basics\ntitle: CRM go-live basics\nsummary: What "
    "changes on go-live day.\nlanguage: en\nmodules:\n  - key: basics\n    "
    "title: Basics\n    lessons: [why-a-crm, logging-calls, basics-quiz]\n",
    "why-a-crm.md": "---\nkey: why-a-crm\ntitle: Why a CRM\nkind: reading\n---\nOne record "
    "of every customer, shared by everyone who serves them.\n",
    "logging-calls.md": "---\nkey: logging-calls\ntitle: Logging calls\nkind: reading\n---\n"
    "Log every call while it is fresh.\n",
    "basics-quiz.quiz.yaml": "key: basics-quiz\ntitle: Basics quiz\npass_mark: 70\nquestions:\n"
    "  - key: where\n    kind: single\n    prompt: Where is a call "
    "logged?\n    choices:\n      - {key: crm, text: In the CRM, "
    "correct: true}\n      - {key: notebook, text: In a notebook, "
    "correct: false}\n",
}


def ensure_courses() -> list[Course]:
    """The published courses; imports the built-in ones (or a small fallback) if none."""
    if not db.session.scalar(select(Course.id).where(Course.published.is_(True)).limit(1)):
        if not import_builtin_courses():
            apply_bundle(read_course(FALLBACK_COURSE))
        db.session.flush()
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.published.is_(True), Course.translation_of_id.is_(None))
            .order_by(Course.id)
        )
    )
