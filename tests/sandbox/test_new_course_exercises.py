"""The exercises of the three rollout courses (consent, data quality, your role): the
reference solution passes, an empty attempt fails every check, and every check has a
variant of the solution that fails it (with the other checks that variant also fails,
stated). test_exercise_variants finds VARIANTS here for its every-check-has-a-variant test."""

from __future__ import annotations

from tests.sandbox.test_exercise_variants import (
    ExerciseChecks,
    _answer,
    _before,
    _move,
    _set,
    _without,
)

COURSES = {
    "consent-requests": "customer-data-and-consent",
    "import-and-merge": "data-quality-and-migration",
    "my-open-items": "your-role-in-the-crm",
}


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


class TestExercises(ExerciseChecks):
    courses = COURSES
    variants = VARIANTS
