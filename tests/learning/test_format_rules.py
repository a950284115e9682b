"""Rules a finished course keeps: errors where every course and draft keeps them, and
`flask courses validate --strict` warnings where the editor lets a draft leave them out."""

from __future__ import annotations

import copy

import pytest
import yaml

from portal.courseformat import FormatError, read_course
from portal.courseformat.library import check_library
from tests.learning.conftest import QUIZ_YAML, course_files, write_course
from tests.learning.exercise_course import EXERCISE, exercise_files


def _problems(files: dict[str, str]) -> list[str]:
    with pytest.raises(FormatError) as refused:
        read_course(files)
    return [p.message for p in refused.value.problems]


def test_true_false_choices_are_keyed_true_and_false():
    quiz = QUIZ_YAML.replace('key: "true"', "key: yes-it-is")
    assert _problems(course_files(**{"basics-quiz.quiz.yaml": quiz})) == [
        "true/false question 'older' has the choice keys 'true' and 'false'"
    ]


def test_an_exercise_needs_a_required_check():
    files, _marker = exercise_files()
    exercise = copy.deepcopy(EXERCISE)
    for check in exercise["checks"]:
        check["required"] = False
    files["drill.exercise.yaml"] = yaml.safe_dump(exercise, sort_keys=False)
    with pytest.raises(FormatError) as refused:
        read_course(files)
    (problem,) = refused.value.problems
    assert problem.code == "no_required_check"
    assert problem.line == files["drill.exercise.yaml"].splitlines().index("checks:") + 1


def test_what_a_draft_may_leave_out_is_a_warning(tmp_path):
    files, _marker = exercise_files()
    exercise = copy.deepcopy(EXERCISE) | {"solution": []}
    files["drill.exercise.yaml"] = yaml.safe_dump(exercise, sort_keys=False)
    report = check_library([write_course(tmp_path / "sample-course", files)])
    assert report.errors == []
    warned = [str(p) for p in report.warnings]
    quiz = "sample-course/basics-quiz.quiz.yaml"
    assert f"{quiz}: question 'benefits' has no explanation" in warned
    assert f"{quiz}: a choice of 'what-is-crm' has no feedback" in warned
    assert "sample-course/drill.exercise.yaml: the exercise has no reference solution" in warned
    assert f"{quiz}: question 'what-is-crm' has no explanation" not in warned
