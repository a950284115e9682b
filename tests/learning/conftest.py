"""A small course written as files, the same format as the built-in curriculum."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.courseformat import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Course
from seed.learning_demo import import_builtin_courses

COURSE_YAML = """\
slug: sample-course
title: Sample course
summary: A course used by the tests.
language: en
modules:
  - key: basics
    title: Basics
    lessons: [intro, basics-quiz]
  - key: more
    title: More
    lessons: [wrap-up]
"""

INTRO_MD = """\
---
key: intro
title: Introduction
kind: reading
minutes: 4
---
# Welcome

A CRM records **every** contact with a customer.

> **Tip:** log the call while it is fresh.
"""

QUIZ_YAML = """\
key: basics-quiz
title: Basics quiz
pass_mark: 70
questions:
  - key: what-is-crm
    kind: single
    prompt: What does a CRM keep?
    explanation: It keeps the history of every customer relationship.
    choices:
      - {key: history, text: The customer history, correct: true, feedback: Right.}
      - {key: payroll, text: The payroll, correct: false, feedback: That is HR software.}
      - {key: nothing, text: Nothing, correct: false}
  - key: benefits
    kind: multiple
    prompt: Which are customer benefits?
    choices:
      - {key: offers, text: Tailored offers, correct: true}
      - {key: pricing, text: Better pricing for budgets, correct: true}
      - {key: spam, text: More spam, correct: false, feedback: Targeting means less noise.}
  - key: older
    kind: true_false
    prompt: CRM is older than computers.
    choices:
      - {key: "true", text: "True", correct: true}
      - {key: "false", text: "False", correct: false}
"""

WRAP_MD = """\
---
key: wrap-up
title: Wrap-up
kind: reading
---
That is all.
"""


def course_files(**overrides: str) -> dict[str, str]:
    files = {
        "course.yaml": COURSE_YAML,
        "intro.md": INTRO_MD,
        "basics-quiz.quiz.yaml": QUIZ_YAML,
        "wrap-up.md": WRAP_MD,
    }
    files.update(overrides)
    return {name: text for name, text in files.items() if text is not None}


def write_course(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def sample_course(app_ctx) -> Course:
    apply_bundle(read_course(course_files()))
    db.session.commit()
    return db.session.scalar(db.select(Course).where(Course.slug == "sample-course"))


def sign_in_learner(client, make, department: str):
    """A learner of `department`, signed in on `client`, once the built-in courses are in."""
    import_builtin_courses()
    db.session.commit()
    user = make.user(roles=("learner",), department=department)
    client.login(user)
    return user
