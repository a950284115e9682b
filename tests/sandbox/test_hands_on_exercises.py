"""The hands-on exercises of the foundations, five-step and rollout courses: the
reference solution passes, an empty attempt fails every check, and every check has a
variant of the solution that fails it (with every other check that variant fails,
stated)."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from portal.courseformat import read_course, read_folder
from portal.extensions import db
from sandbox import checks, scenarios
from sandbox.services import get_or_create_sandbox
from seed.learning_demo import COURSES_DIR

COURSES = {"reward-card-history": "crm-foundations"}


def _content(key: str) -> dict:
    bundle = read_course(read_folder(COURSES_DIR / COURSES[key]))
    return next(lesson for lesson in bundle.lessons if lesson.key == key).content


def _step(steps: list, check: str | None = None, do: str | None = None) -> int:
    """The index of the solution step answering `check`, or doing `do`."""
    return next(
        i
        for i, s in enumerate(steps)
        if isinstance(s, dict) and (s.get("check") == check if check else s.get("do") == do)
    )


def _answer(check: str, value: str) -> Callable[[list], None]:
    def change(steps: list) -> None:
        steps[_step(steps, check=check)]["value"] = value

    return change


def _set(do: str, **values) -> Callable[[list], None]:
    def change(steps: list) -> None:
        steps[_step(steps, do=do)].update(values)

    return change


def _without(do: str) -> Callable[[list], None]:
    def change(steps: list) -> None:
        del steps[_step(steps, do=do)]

    return change


# check -> (a change to the reference solution, and every check the changed one fails)
VARIANTS = {
    "reward-card-history": {
        "lifetime-value": (_answer("lifetime-value", "1165"), {"lifetime-value"}),
        "usual-product": (_answer("usual-product", "1"), {"usual-product"}),
        "software-interest": (
            _set("customer.preferences", preferences="supplies, hardware"),
            {"software-interest"},
        ),
        "supplies-kept": (_set("customer.preferences", preferences="software"), {"supplies-kept"}),
    },
}
CASES = [(key, check) for key, variants in VARIANTS.items() for check in variants]


def _run(make, content: dict, steps: list | None) -> dict:
    learner = make.user(department="Customer Service")
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, content["setup"], actor=learner)
    if steps is not None:
        scenarios.apply_solution(sandbox, learner, steps, records)
    results = checks.evaluate(sandbox, content["checks"], records)
    db.session.commit()
    return {r.key: r for r in results}


def _failed(results: dict) -> set[str]:
    return {key for key, result in results.items() if not result.passed}


@pytest.mark.parametrize("key", COURSES)
def test_reference_solution_passes_every_check(app_ctx, make, key):
    content = _content(key)
    results = _run(make, content, content["solution"])
    assert {k: r.message for k, r in results.items() if not r.passed} == {}


@pytest.mark.parametrize("key", COURSES)
def test_no_check_passes_on_the_bare_setup(app_ctx, make, key):
    content = _content(key)
    assert _failed(_run(make, content, None)) == {c["key"] for c in content["checks"]}


@pytest.mark.parametrize("key", COURSES)
def test_every_check_has_a_failing_variant(key):
    assert set(VARIANTS[key]) == {c["key"] for c in _content(key)["checks"]}


@pytest.mark.parametrize(("key", "check"), CASES, ids=[f"{k}:{c}" for k, c in CASES])
def test_the_variant_fails_its_check(app_ctx, make, key, check):
    content = _content(key)
    change, fails = VARIANTS[key][check]
    steps = copy.deepcopy(content["solution"])
    change(steps)
    assert _failed(_run(make, content, steps)) == fails
