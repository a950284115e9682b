"""A reading's knowledge check: one or two questions in its front matter, read like a
quiz's, refused at file:line, written back and imported onto the reading."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.courseformat.problems import FormatError
from portal.courseformat.reader import read_course
from portal.courseformat.writer import bundle_to_files
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import Lesson
from tests.learning.conftest import course_files

CHECKED_INTRO = """\
---
key: intro
title: Introduction
kind: reading
minutes: 4
check:
  - key: keeps
    kind: single
    prompt: What does a CRM keep?
    explanation: The history of every customer relationship.
    choices:
      - {key: history, text: The customer history, correct: true, feedback: Right.}
      - {key: payroll, text: The payroll, feedback: That is HR software.}
  - key: who
    kind: multiple
    prompt: Who records contacts?
    choices:
      - {key: sales, text: Sales, correct: true, feedback: Yes.}
      - {key: service, text: Customer service, correct: true, feedback: Yes.}
      - {key: nobody, text: Nobody outside IT, feedback: Everyone who talks to customers.}
---
# Welcome

A CRM records **every** contact with a customer.
"""


def checked_files(**overrides: str) -> dict[str, str]:
    return course_files(**{"intro.md": CHECKED_INTRO, **overrides})


def _problems(files: dict[str, str]) -> list[str]:
    with pytest.raises(FormatError) as raised:
        read_course(files)
    return [str(problem) for problem in raised.value.problems]


def test_a_reading_check_is_read_as_questions_and_written_back():
    bundle = read_course(checked_files())
    intro = next(lesson for lesson in bundle.lessons if lesson.key == "intro")
    assert [q.key for q in intro.questions] == ["keeps", "who"]
    assert intro.questions[0].choices[1].feedback == "That is HR software."
    files = bundle_to_files(bundle)
    assert "check:" in files["intro.md"] and "check:" not in files["wrap-up.md"]
    assert read_course(files) == bundle


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("kind: multiple", "kind: single"), "intro.md:14: question 'who' is single but has 2"),
        (("      - {key: payroll", "      - {key: history"), "intro.md:7: choice key 'history'"),
        (("key: who", "key: keeps"), "intro.md:14: question key 'keeps' is used twice"),
        (("check:\n", "check: yes\n"), "intro.md:6: 'check' lists the knowledge check's"),
    ],
)
def test_a_broken_check_is_refused_at_its_line(edit, expected):
    text = CHECKED_INTRO.replace(*edit, 1)
    if edit[1] == "check: yes\n":  # the list that followed is now an unknown field
        text = text.replace("  - key: keeps", "x:\n  - key: keeps", 1)
    problems = _problems(checked_files(**{"intro.md": text}))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_a_check_of_three_questions_is_refused():
    third = CHECKED_INTRO.split("check:\n")[1].split("---")[0].replace("key: keeps", "key: more")
    third = third.replace("key: who", "key: also")
    text = CHECKED_INTRO.replace("---\n# Welcome", third + "---\n# Welcome")
    assert any("at most 2" in p for p in _problems(checked_files(**{"intro.md": text})))


def test_importing_puts_the_check_on_the_reading(app_ctx):
    apply_bundle(read_course(checked_files()))
    db.session.flush()
    intro = db.session.scalar(select(Lesson).where(Lesson.key == "intro"))
    assert [q.key for q in intro.questions] == ["keeps", "who"]
    apply_bundle(read_course(course_files()))  # the check taken out again
    db.session.flush()
    db.session.refresh(intro)
    assert all(q.archived for q in intro.questions)
