"""Dry run: an exercise's setup and reference solution, tried in a throw-away sandbox.

Everything happens inside a savepoint that is rolled back, so nothing of it stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.courseformat import validate_exercise
from portal.courseformat.course import LessonData
from portal.extensions import db
from sandbox.scenarios import ScenarioError


@dataclass
class DryRun:
    untouched: list = field(default_factory=list)  # CheckResults on the bare setup
    solved: list = field(default_factory=list)  # CheckResults after the reference solution
    error: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)  # check key -> what it checks
    # Check keys that pass before the learner does anything, and those that no step of
    # the reference solution, left out, makes fail in a way another check does not
    # already: warnings the trainer acknowledges before publishing.
    free: list[str] = field(default_factory=list)
    unproven: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """What the trainer must acknowledge before publishing, in their words."""
        free = [
            _("“%(check)s” passes before the learner does anything.", check=self.describe(key))
            for key in self.free
        ]
        unproven = [
            _(
                "No step of the reference solution, left out, makes “%(check)s” fail "
                "unless another check fails with it: it may not be able to fail on its own.",
                check=self.describe(key),
            )
            for key in self.unproven
        ]
        return free + unproven

    def describe(self, key: str) -> str:
        """What a check looks at, in the trainer's words (its key when it has none)."""
        return self.descriptions.get(key) or key

    @property
    def passes(self) -> bool:
        """The solution meets every required check, and the bare setup does not."""
        required_solved = [r for r in self.solved if r.required]
        required_bare = [r for r in self.untouched if r.required]
        return (
            not self.error
            and bool(required_solved)
            and all(r.passed for r in required_solved)
            and not all(r.passed for r in required_bare)
        )

    @property
    def problem(self) -> str:
        if self.error:
            return self.error
        if not [r for r in self.solved if r.required]:
            return _("The exercise needs at least one required check.")
        failing = [self.describe(r.key) for r in self.solved if r.required and not r.passed]
        if failing:
            return _("The reference solution fails: %(checks)s", checks="; ".join(failing))
        if all(r.passed for r in self.untouched if r.required):
            return _("The checks already pass before the learner does anything.")
        return ""


def dry_run(lesson: LessonData, actor: User) -> DryRun:
    """Set the exercise up in a scratch sandbox, check it, solve it, check again, undo."""
    from portal.database import utcnow
    from sandbox import checks, scenarios
    from sandbox.fill import populate
    from sandbox.models import Sandbox
    from sandbox.services import scenario_events

    report = DryRun(
        descriptions={
            str(check.get("key")): str(check.get("description") or "")
            for check in lesson.content.get("checks", [])
            if isinstance(check, dict)
        }
    )
    _exercise, problems = validate_exercise(lesson.content)
    if problems:
        report.error = _("The exercise is not valid yet: %(problem)s", problem=str(problems[0]))
        return report
    savepoint = db.session.begin_nested()
    try:
        sandbox = Sandbox(
            owner_id=None,
            seed=4242,
            generation=1,
            clock=utcnow().replace(hour=9, minute=0, second=0, microsecond=0),
        )
        db.session.add(sandbox)
        db.session.flush()
        populate(sandbox.id, sandbox.seed, sandbox.clock, actor.name)
        content = lesson.content
        scenario = scenarios.inject(sandbox, content.get("setup", []), actor=actor)
        # The solution's waits (clock.wait) play them, as the running clock would.
        events = content.get("scenario_events") or []
        scenario_events.schedule(sandbox, events, scenario, scenario.since)
        report.untouched = checks.evaluate(sandbox, content.get("checks", []), scenario)
        setup, bare = db.session.begin_nested(), scenarios.Scenario(scenario, scenario.since)
        try:
            scenarios.apply_solution(sandbox, actor, content.get("solution", []), scenario)
            report.solved = checks.evaluate(sandbox, content.get("checks", []), scenario)
        finally:
            setup.rollback()
        if report.passes:
            report.free = [r.key for r in report.untouched if r.passed]
            report.unproven = _unproven(sandbox, actor, content, bare)
    except (ScenarioError, ValueError, KeyError, TypeError) as error:
        report.error = _worded(error)
    finally:
        savepoint.rollback()
    return report


def _unproven(sandbox, actor: User, content: dict, scenario) -> list[str]:
    """The checks no single left-out solution step makes fail, or that fail exactly
    where an earlier check does (the setup is in place; each try is undone).

    A check fails in the tries its "signature" lists; one whose signature is empty, or
    the same as an earlier check's, has no failure of its own to show
    (riverside-close-date failed exactly where riverside-won did).
    """
    from sandbox import checks, scenarios

    steps = content.get("solution", [])
    actions = [i for i, step in enumerate(steps) if isinstance(step, dict)]
    keys = [str(c.get("key")) for c in content.get("checks", [])]
    fails: dict[str, set[int]] = {key: set() for key in keys}
    for i in actions:
        attempt = db.session.begin_nested()
        try:
            tried = scenarios.Scenario(dict(scenario), scenario.since)
            scenarios.apply_solution(sandbox, actor, steps[:i] + steps[i + 1 :], tried)
            for result in checks.evaluate(sandbox, content.get("checks", []), tried):
                if not result.passed:
                    fails[result.key].add(i)
        except (ScenarioError, ValueError, KeyError, TypeError, AttributeError):
            pass  # a later step needs the one left out: no learner could do that either
        finally:
            attempt.rollback()

    def covered(key: str) -> bool:  # by an earlier check failing exactly where it does
        return any(fails[other] == fails[key] for other in keys[: keys.index(key)])

    return [key for key in keys if not fails[key] or covered(key)]


# What the sandbox says when a setup or solution names a record that is not there, and the
# trainer's words for it (%(key)s: the record).
_MISSING_RECORD = (
    (
        re.compile(r"no setup record '(.*)'"),
        _l(
            "Something refers to the setup record “%(key)s”, which does not exist: "
            "add that record or choose another."
        ),
    ),
    (
        re.compile(r"the solution refers to '(.*)', which no step or setup made"),
        _l(
            "A solution step refers to “%(key)s”, which no setup record or earlier step "
            "made: choose a record that exists."
        ),
    ),
)


def _worded(error: Exception) -> str:
    """Why the sandbox could not carry the exercise out, in the trainer's words."""
    text = str(error)
    for pattern, message in _MISSING_RECORD:
        found = pattern.match(text)
        if found:
            return str(message) % {"key": found.group(1)}
    return _(
        "The exercise could not be set up or solved: check its setup records and solution steps."
    )
