"""What the evidence statements need to know about the course library, read first.

A handful of small statements per page: courses and their translations, quizzes and
required hands-on exercises, what each department must take. The big statements then
carry these facts as CASE maps and lists instead of joining courses and lessons.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, false, select

from portal.authoring.models import Assignment
from portal.courseformat import LessonKind
from portal.extensions import db
from portal.learning.models import Course, Lesson
from portal.rollout.evidence.stored import stored_digest


@dataclass(frozen=True)
class Catalogue:
    """Facts about the course library that the big queries bake in as CASE maps.

    Read once per page (four small statements); it keeps joins to courses and lessons
    out of the statements that scan progress and attempts.
    """

    family: dict[int, int]  # translated course id -> the course it translates
    published: tuple[int, ...]
    exercise_unit: dict[int, int]  # required exercise lesson id -> unit number
    exercise_family: dict[int, int]  # required exercise lesson id -> course family
    units_per_family: dict[int, int]
    quiz_lessons: tuple[int, ...]
    personal: bool  # whether any required course is assigned to people by name
    # department id -> the course families it must take (through its assignments)
    required: dict[int, tuple[int, ...]]
    # department id -> (due date, family, assigned at, late joiner days) of its required
    # families that have a due date, soonest first: the department's assignment of the
    # family with the earliest due date (see Assignment.due_for for the late joiners)
    due: dict[int, tuple[tuple[date, int, datetime, int], ...]]
    # whether a course not published belongs to a family some department requires
    hidden: bool
    # whether learner_summaries were counted against this catalogue (see stored): then
    # evidence is read from them
    stored: bool = False

    @property
    def key(self) -> tuple:
        """Everything the statements bake in, as a hashable value."""
        return (self.content, self.stored)

    @property
    def digest(self) -> str:
        """The catalogue's content as a short string, kept with learner_summaries."""
        return hashlib.sha256(repr(self.content).encode()).hexdigest()

    @property
    def content(self) -> tuple:
        """What the catalogue says of the course library, as a hashable value."""
        return (
            tuple(sorted(self.family.items())),
            self.published,
            tuple(sorted(self.exercise_unit.items())),
            tuple(sorted(self.exercise_family.items())),
            tuple(sorted(self.units_per_family.items())),
            self.quiz_lessons,
            self.personal,
            tuple(sorted(self.required.items())),
            tuple(sorted(self.due.items())),
            self.hidden,
        )

    @property
    def family_bits(self) -> dict[int, int]:
        """A bit for each family some department requires, so that the families a learner
        holds certificates in can be one integer (see relation.overdue_since). Empty when
        they need more than 62 bits, or when a course not published shares such a family:
        a certificate in it counts against being overdue but not towards completion, so
        the certificates counted for completion would not tell."""
        families = sorted({f for required in self.required.values() for f in required})
        if self.hidden or len(families) > 62:
            return {}
        return {family: 1 << number for number, family in enumerate(families)}

    def members(self, families: tuple[int, ...]) -> list[int]:
        """The published course ids of these families (originals and translations)."""
        return [c for c in self.published if self.family.get(c, c) in families]

    def required_here(
        self,
        department: ColumnElement,
        column: ColumnElement,
        ids_of: Callable[[tuple[int, ...]], list[int]],
        departments: Collection[int] | None = None,
    ) -> ColumnElement:
        """True where `column` (a course or lesson id) is required of `department`: a CASE
        on the department choosing its list, so each row is tested against one list (with
        `departments`, a list for those only: the rows are known to be of them)."""
        branches = {
            d: column.in_(ids_of(families))
            for d, families in self.required.items()
            if departments is None or d in departments
        }
        return case(branches, value=department, else_=false()) if branches else false()

    def family_of(self, column: ColumnElement) -> ColumnElement:
        """A course id column mapped to its family (a translation counts as its original)."""
        return case(self.family, value=column, else_=column) if self.family else column


def load_catalogue() -> Catalogue:
    """Courses, quizzes and required hands-on exercises, as the evidence queries need them."""
    return _with_stored(_read(), stored_digest())


def _with_stored(catalogue: Catalogue, digest: str | None) -> Catalogue:
    """The catalogue marked stored when learner_summaries were counted against it."""
    return dataclasses.replace(catalogue, stored=True) if digest == catalogue.digest else catalogue


def _read() -> Catalogue:
    courses = db.session.execute(
        select(Course.id, Course.translation_of_id, Course.published)
    ).all()
    family = {cid: parent for cid, parent, _ in courses if parent}
    rows = db.session.execute(
        select(
            Lesson.id, Lesson.course_id, Lesson.key, Lesson.kind, Lesson.required, Lesson.archived
        ).where(Lesson.kind.in_((LessonKind.QUIZ, LessonKind.EXERCISE)))
    ).all()
    quiz_lessons = tuple(row.id for row in rows if row.kind == LessonKind.QUIZ)
    lessons = [
        (row.id, row.course_id, row.key)
        for row in rows
        if row.kind == LessonKind.EXERCISE and row.required and not row.archived
    ]
    roots = {(course_id, key) for _, course_id, key in lessons if course_id not in family}
    unit_numbers = {unit: number for number, unit in enumerate(sorted(roots), start=1)}
    exercise_unit: dict[int, int] = {}
    exercise_family: dict[int, int] = {}
    for lesson_id, course_id, key in lessons:
        root = family.get(course_id, course_id)
        number = unit_numbers.get((root, key))
        if number is not None:
            exercise_unit[lesson_id] = number
            exercise_family[lesson_id] = root
    units_per_family: dict[int, int] = {}
    for root, _key in roots:
        units_per_family[root] = units_per_family.get(root, 0) + 1
    required: dict[int, set[int]] = {}
    # department -> family -> (due date, assigned at, late joiner days), the earliest due
    due: dict[int, dict[int, tuple[date, datetime, int]]] = {}
    published = tuple(cid for cid, _, is_published in courses if is_published)
    for department_id, course_id, due_on, assigned_at, late_days in db.session.execute(
        select(
            Assignment.department_id,
            Assignment.course_id,
            Assignment.due_on,
            Assignment.created_at,
            Assignment.late_joiner_days,
        ).where(
            Assignment.required.is_(True),
            Assignment.department_id.is_not(None),
            Assignment.course_id.in_(published),
        )
    ):
        root = family.get(course_id, course_id)
        required.setdefault(department_id, set()).add(root)
        if due_on is not None:
            dates = due.setdefault(department_id, {})
            found = (due_on, assigned_at, late_days)
            dates[root] = min(found, dates.get(root, found))
    families = {f for found in required.values() for f in found}
    return Catalogue(
        required={d: tuple(sorted(f)) for d, f in required.items()},
        due={
            d: tuple(sorted((day, f, at, late) for f, (day, at, late) in dates.items()))
            for d, dates in due.items()
        },
        hidden=any(
            family.get(cid, cid) in families for cid, _, is_published in courses if not is_published
        ),
        family=family,
        published=published,
        exercise_unit=exercise_unit,
        exercise_family=exercise_family,
        units_per_family=units_per_family,
        quiz_lessons=quiz_lessons,
        personal=db.session.scalar(
            select(Assignment.id)
            .where(Assignment.user_id.is_not(None), Assignment.required.is_(True))
            .limit(1)
        )
        is not None,
    )


_kept: dict[str, Catalogue] = {}


def kept_catalogue() -> Catalogue:
    """load_catalogue, from this process's copy while learner_summaries are counted
    against it: keyed by the digest they keep, which every change to the course library
    moves in the same transaction (portal.rollout.summaries), so it is never stale. A
    transaction that changed the library itself reads it again."""
    from portal.rollout import summaries

    digest = stored_digest()  # flushes first: what the transaction changed is noted
    found = db.session.info.get(summaries.PENDING)
    changed = found is not None and (found.catalogue or found.assignments or found.everyone)
    if not changed and digest in _kept:
        return _kept[digest]
    catalogue = _with_stored(_read(), digest)
    if catalogue.stored and not changed:
        if len(_kept) > 16:
            _kept.clear()
        _kept[catalogue.digest] = catalogue
    return catalogue
