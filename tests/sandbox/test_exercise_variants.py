"""Every check of every built-in exercise is proven able to fail.

For the leads, pipeline and personal-relationships exercises: the reference solution
passes, an empty attempt fails every check, and each check has a variant of the solution
(a step left out, changed, moved or added) that fails it, with every other check that
variant also fails stated. Then, across all built-in courses, a check with no failing
variant in any exercise's registry (VARIANTS of the tests/sandbox exercise modules) fails
the last test: a new check must come with the case that proves it can fail.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
from collections.abc import Callable

import pytest

import tests.sandbox
from portal.courseformat import read_course, read_folder
from portal.extensions import db
from sandbox import checks, scenarios
from sandbox.services import get_or_create_sandbox
from seed.learning_demo import COURSES_DIR

COURSES = {
    "trade-show-lead": "leads-and-qualification",
    "move-deals": "pipeline-and-targets",
    "anniversary-and-birthday": "personal-relationships",
}
Change = Callable[[list], None]


def exercise_content(courses: dict[str, str], key: str) -> dict:
    """The content of exercise `key`, read from its built-in course (`courses` maps
    exercise keys to course folders)."""
    bundle = read_course(read_folder(COURSES_DIR / courses[key]))
    return next(lesson for lesson in bundle.lessons if lesson.key == key).content


def _index(steps: list, do: str, **match) -> int:
    """The first step doing `do` whose arguments include `match`."""
    return next(
        i
        for i, s in enumerate(steps)
        if isinstance(s, dict)
        and s.get("do") == do
        and all(s.get(name) == value for name, value in match.items())
    )


def _holder(steps: list, do: str, **match) -> tuple[list, int]:
    """The list holding the first action doing `do` (a step, or one of a step's
    `actions`) whose arguments include `match`, and its place in it."""
    for step in steps:
        if isinstance(step, dict) and "actions" in step:
            try:
                return step["actions"], _index(step["actions"], do, **match)
            except StopIteration:
                continue
    return steps, _index(steps, do, **match)


def _without(do: str, **match) -> Change:
    def change(steps: list) -> None:
        holder, i = _holder(steps, do, **match)
        del holder[i]

    return change


def _set(do: str, match: dict | None = None, **values) -> Change:
    def change(steps: list) -> None:
        holder, i = _holder(steps, do, **(match or {}))
        holder[i].update(values)

    return change


def _move(do: str, before: str, **match) -> Change:
    def change(steps: list) -> None:
        step = steps.pop(_index(steps, do, **match))
        steps.insert(_index(steps, before), step)

    return change


def _before(do: str, step: dict, **match) -> Change:
    def change(steps: list) -> None:
        steps.insert(_index(steps, do, **match), {"step": "A variant's step.", **step})

    return change


def _after(do: str, after: str, **match) -> Change:
    """Move the step doing `do` (matching `match`) to just after the first `after` step."""

    def change(steps: list) -> None:
        step = steps.pop(_index(steps, do, **match))
        steps.insert(_index(steps, after) + 1, step)

    return change


def _without_last(do: str) -> Change:
    def change(steps: list) -> None:
        del steps[max(i for i, s in enumerate(steps) if isinstance(s, dict) and s.get("do") == do)]

    return change


def _all(*changes: Change) -> Change:
    def change(steps: list) -> None:
        for one in changes:
            one(steps)

    return change


def _answer(check: str, value: str) -> Change:
    return _set("answer", {"check": check}, value=value)


IMRAN = "imran"
RIVERSIDE = {"opportunity": {"setup": "opp-riverside"}}
ANNIVERSARY = {"trigger": "purchase_anniversary"}
BIRTHDAY = {"trigger": "birthday"}
_ANNIVERSARY_MAIL = {"anniversary-email-sent", "emails-use-first-name"}
# Without the conversion there is no customer, deal or task: one variant for two checks.
_NOT_CONVERTED = (
    _all(_without("task"), _without("lead.convert")),
    {
        "lead-converted",
        "customer-created",
        "opportunity-created",
        "opportunity-details",
        "follow-up-task",
        "worked-in-order",
    },
)
# check -> (a change to the reference solution, every check the changed solution fails)
VARIANTS: dict[str, dict[str, tuple[Change, set[str]]]] = {
    "trade-show-lead": {
        "lead-logged": (_set("lead.create", source="web_site"), {"lead-logged"}),
        "lead-details": (_set("lead.create", last_name=""), {"lead-details"}),
        # Without In Process the order cannot hold either.
        "lead-in-process": (
            _without("lead.status", lead=IMRAN),
            {"lead-in-process", "worked-in-order"},
        ),
        "qualified": (
            _set("lead.qualify", need="Fixed.", budget_status="unknown"),
            {"qualified"},
        ),
        # Conversion makes the customer and the deal the later checks look for.
        "lead-converted": _NOT_CONVERTED,
        "customer-created": _NOT_CONVERTED,
        "opportunity-created": (
            _all(_set("task", parent="customer"), _set("lead.convert", opportunity_name="")),
            {"opportunity-created", "opportunity-details", "follow-up-task"},
        ),
        "opportunity-details": (
            _set("lead.convert", stage="qualification"),
            {"opportunity-details"},
        ),
        "follow-up-task": (_set("task", due="@today+3w"), {"follow-up-task"}),
        "worked-in-order": (
            _without("lead.status", lead=IMRAN),
            {"lead-in-process", "worked-in-order"},
        ),
        "old-lead-untouched": (
            _before(
                "lead.qualify",
                {"do": "lead.status", "lead": {"setup": "old-web-lead"}, "status": "in_process"},
            ),
            {"old-lead-untouched"},
        ),
    },
    "move-deals": {
        "harbour-proposal": (
            _without("opportunity.stage", opportunity={"setup": "opp-harbour"}),
            {"harbour-proposal", "weighted-answer"},
        ),
        "northgate-negotiation": (
            _without("opportunity.stage", opportunity={"setup": "opp-northgate"}),
            {"northgate-negotiation", "weighted-answer"},
        ),
        "riverside-won": (
            _set("opportunity.stage", RIVERSIDE, stage="closed_lost"),
            {
                "riverside-won",
                "riverside-from-negotiation",
                "report-read",
                "attainment-answer",
                "gap-answer",
            },
        ),
        "riverside-from-negotiation": (
            _before(
                "opportunity.stage",
                {"do": "opportunity.stage", **RIVERSIDE, "stage": "proposal"},
                **RIVERSIDE,
            ),
            {"riverside-from-negotiation"},
        ),
        "harbour-note": (_without("note", parent={"setup": "opp-harbour"}), {"harbour-note"}),
        "northgate-note": (
            _without("note", parent={"setup": "opp-northgate"}),
            {"northgate-note"},
        ),
        "report-read": (_without_last("report.view"), {"report-read"}),
        # The figures before the changes, as the task's first report shows them.
        "attainment-answer": (_answer("attainment-answer", "42"), {"attainment-answer"}),
        "gap-answer": (_answer("gap-answer", "35,000"), {"gap-answer"}),
        "weighted-answer": (_answer("weighted-answer", "23,000"), {"weighted-answer"}),
    },
    "anniversary-and-birthday": {
        "anniversary-automation": (
            _without("automation.create", **ANNIVERSARY),
            {
                "anniversary-automation",
                "anniversary-before-clock",
                "anniversary-mentions-product",
                *_ANNIVERSARY_MAIL,
            },
        ),
        "birthday-automation": (
            _without("automation.create", **BIRTHDAY),
            {
                "birthday-automation",
                "birthday-before-clock",
                "birthday-email-sent",
                "emails-use-first-name",
            },
        ),
        "anniversary-before-clock": (
            _after("automation.create", "clock.advance", **ANNIVERSARY),
            {"anniversary-before-clock", "anniversary-mentions-product", *_ANNIVERSARY_MAIL},
        ),
        "birthday-before-clock": (
            _after("automation.create", "clock.advance", **BIRTHDAY),
            {"birthday-before-clock", "birthday-email-sent", "emails-use-first-name"},
        ),
        "clock-advanced": (
            _set("clock.advance", days=4),
            {"clock-advanced", "anniversary-mentions-product", *_ANNIVERSARY_MAIL},
        ),
        "anniversary-email-sent": (
            _set("clock.advance", days=4),
            {"clock-advanced", "anniversary-mentions-product", *_ANNIVERSARY_MAIL},
        ),
        "birthday-email-sent": (
            _without("automation.create", **BIRTHDAY),
            {
                "birthday-automation",
                "birthday-before-clock",
                "birthday-email-sent",
                "emails-use-first-name",
            },
        ),
        "emails-use-first-name": (
            _set("automation.create", BIRTHDAY, body="Everyone here wishes you a happy birthday."),
            {"emails-use-first-name"},
        ),
        "anniversary-mentions-product": (
            _set("automation.create", ANNIVERSARY, body="Dear {first_name}, thank you."),
            {"anniversary-mentions-product"},
        ),
        # Recording consent Bilal never gave lets the greeting through.
        "bilal-not-greeted": (
            _before(
                "clock.advance",
                {"do": "consent.give", "customer": {"setup": "bilal"}, "channel": "visit"},
            ),
            {"bilal-not-greeted"},
        ),
    },
}


def _run(make, content: dict, steps: list | None, learner=None) -> dict:
    """Each check's result once `steps` of the solution (none: the bare setup) have been
    done in a fresh sandbox of `learner` (a new one when not given)."""
    learner = learner or make.user()
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, content["setup"], actor=learner)
    if steps is not None:
        scenarios.apply_solution(sandbox, learner, steps, records)
    results = checks.evaluate(sandbox, content["checks"], records)
    db.session.commit()
    return {r.key: r for r in results}


def _failed(results: dict) -> set[str]:
    return {key for key, result in results.items() if not result.passed}


class ExerciseChecks:
    """The tests every exercise module runs, once per exercise (`courses`) and once per
    variant (`variants`): the reference solution passes every check; an empty attempt
    fails every check but those on what to leave alone; each variant fails its check and
    exactly the others it states. A module subclasses this as Test... with its data."""

    courses: dict[str, str]
    variants: dict[str, dict[str, tuple[Change, set[str]]]]
    left_alone: frozenset[str] = frozenset()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "check" in metafunc.fixturenames:
            cases = [(key, check) for key, variants in self.variants.items() for check in variants]
            metafunc.parametrize(("key", "check"), cases, ids=[f"{k}:{c}" for k, c in cases])
        elif "key" in metafunc.fixturenames:
            metafunc.parametrize("key", list(self.courses))

    def run(self, make, content: dict, steps: list | None) -> dict:
        return _run(make, content, steps)

    def test_reference_solution_passes_every_check(self, app_ctx, make, key):
        content = exercise_content(self.courses, key)
        results = self.run(make, content, content["solution"])
        assert {k: r.message for k, r in results.items() if not r.passed} == {}

    def test_an_empty_attempt_fails_every_check_but_those_on_what_to_leave_alone(
        self, app_ctx, make, key
    ):
        content = exercise_content(self.courses, key)
        keys = {c["key"] for c in content["checks"]}
        assert _failed(self.run(make, content, None)) == keys - self.left_alone

    def test_the_variant_fails_its_check(self, app_ctx, make, key, check):
        content = exercise_content(self.courses, key)
        change, fails = self.variants[key][check]
        steps = copy.deepcopy(content["solution"])
        change(steps)
        failed = _failed(self.run(make, content, steps))
        assert check in failed and failed == fails | {check}


class TestExercises(ExerciseChecks):
    courses = COURSES
    variants = VARIANTS
    # Checks that something was left alone pass on the bare setup, as the dry run warns.
    left_alone = frozenset({"old-lead-untouched", "bilal-not-greeted"})


def _registries() -> dict[str, dict]:
    """Every exercise's variants, from each tests/sandbox module that keeps VARIANTS."""
    found: dict[str, dict] = {}
    for module in pkgutil.iter_modules(tests.sandbox.__path__):
        if module.name.startswith("test_"):
            variants = getattr(
                importlib.import_module(f"tests.sandbox.{module.name}"), "VARIANTS", {}
            )
            for key, cases in variants.items():
                found.setdefault(key, {}).update(cases)
    return found


def test_every_builtin_check_has_a_failing_variant():
    registries = _registries()
    missing = []
    for folder in sorted(p for p in COURSES_DIR.iterdir() if (p / "course.yaml").exists()):
        for lesson in read_course(read_folder(folder)).lessons:
            if lesson.kind != "exercise":
                continue
            cases = registries.get(lesson.key, {})
            missing += [
                f"{folder.name}/{lesson.key}:{check['key']}"
                for check in lesson.content["checks"]
                if check["key"] not in cases
            ]
    assert missing == [], "checks with no variant proving they can fail"
