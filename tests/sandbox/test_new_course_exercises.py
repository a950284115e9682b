"""The exercises of the three rollout courses (consent, data quality, your role): the
reference solution passes, an empty attempt fails every check, and every check has a
variant of the solution that fails it (with the other checks that variant also fails,
stated). test_exercise_variants finds VARIANTS here for its every-check-has-a-variant test."""

from __future__ import annotations

import copy

import pytest

from tests.sandbox.test_exercise_variants import (
    _answer,
    _before,
    _failed,
    _move,
    _run,
    _set,
    _without,
    exercise_content,
)

COURSES = {
    "consent-requests": "customer-data-and-consent",
    "import-and-merge": "data-quality-and-migration",
    "my-open-items": "your-role-in-the-crm",
}


def _content(key: str) -> dict:
    return exercise_content(COURSES, key)


# check -> (a change to the solution, and every check it fails)
VARIANTS = {
    "consent-requests": {
        "adnan-consent": (
            _without("consent.give"),
            {"adnan-consent", "adnan-channel", "adnan-greeted-after-consent"},
        ),
        "adnan-channel": (_set("consent.give", channel="email"), {"adnan-channel"}),
        "adnan-greeted-after-consent": (
            _move("clock.advance", before="consent.give"),
            {"adnan-greeted-after-consent", "hina-withdrawn-in-time"},
        ),
        "hina-withdrawn": (
            _without("consent.withdraw"),
            {"hina-withdrawn", "hina-withdrawn-by-email", "hina-withdrawn-in-time"},
        ),
        "hina-withdrawn-by-email": (
            _set("consent.withdraw", channel="phone"),
            {"hina-withdrawn-by-email"},
        ),
        "hina-withdrawn-in-time": (
            _move("clock.advance", before="consent.withdraw"),
            {"hina-withdrawn-in-time"},
        ),
        "meera-greeting-held": (
            _before(
                "clock.advance",
                {"do": "consent.give", "customer": {"setup": "meera"}, "channel": "web"},
            ),
            {"meera-greeting-held"},
        ),
    },
    "import-and-merge": {
        "leads-imported": (
            _set("import.sample", skip="2, 4, 5, 6, 7, 9, 11, 12"),
            {"leads-imported"},
        ),
        "duplicates-left-out": (
            _set("import.sample", duplicates="import"),
            {"duplicates-left-out"},
        ),
        "rahul-merged": (
            _without("duplicates.merge"),
            {"rahul-merged", "rahul-work-email", "rahul-phone", "rahul-spelling"},
        ),
        "rahul-work-email": (
            _set("duplicates.merge", take="last_name, phone"),
            {"rahul-work-email"},
        ),
        "rahul-phone": (_set("duplicates.merge", take="last_name, email"), {"rahul-phone"}),
        "rahul-spelling": (_set("duplicates.merge", take="email, phone"), {"rahul-spelling"}),
    },
    "my-open-items": {
        "bilal-owned": (_without("lead.assign"), {"bilal-owned", "open-leads-answer"}),
        "open-leads-answer": (_answer("open-leads-answer", "4"), {"open-leads-answer"}),
        "crescent-open-tickets": (
            _answer("crescent-open-tickets", "3"),
            {"crescent-open-tickets"},
        ),
        "report-read": (_without("report.view"), {"report-read"}),
        "gap-answer": (_answer("gap-answer", "18000"), {"gap-answer"}),
    },
}
CASES = [(key, check) for key, variants in VARIANTS.items() for check in variants]


@pytest.mark.parametrize("key", COURSES)
def test_reference_solution_passes_every_check(app_ctx, make, key):
    content = _content(key)
    results = _run(make, content, content["solution"])
    assert {k: r.message for k, r in results.items() if not r.passed} == {}


@pytest.mark.parametrize("key", COURSES)
def test_no_check_passes_on_the_bare_setup(app_ctx, make, key):
    """An empty attempt fails every check, not only the exercise: none is free."""
    content = _content(key)
    results = _run(make, content, None)
    assert _failed(results) == {c["key"] for c in content["checks"]}


@pytest.mark.parametrize(("key", "check"), CASES, ids=[f"{k}:{c}" for k, c in CASES])
def test_the_variant_fails_its_check(app_ctx, make, key, check):
    content = _content(key)
    change, fails = VARIANTS[key][check]
    steps = copy.deepcopy(content["solution"])
    change(steps)
    assert _failed(_run(make, content, steps)) == fails
