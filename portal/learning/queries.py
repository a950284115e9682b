"""Read-side queries for the learner's pages; each page runs a fixed number of statements.

Over 400 lines: the learner pages share their row builders and statement budgets, which
read best in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.authoring.models import Assignment
from portal.extensions import db
from portal.learning.models import (
    Certificate,
    Course,
    Lesson,
    LessonProgress,
    Module,
    QuizAttempt,
    QuizQuestion,
)


class LessonLink(NamedTuple):
    """What a course card's "Next" link needs of a lesson: never its content."""

    key: str
    title: str


@dataclass
class CourseCard:
    """One course as the learner sees it: progress, due date, what to do next."""

    course: Course
    total: int = 0
    done: int = 0
    due_on: date | None = None
    required: bool = False
    assigned: bool = False
    next_lesson: LessonLink | None = None
    certificate: Certificate | None = None
    lessons: int = 0
    minutes: int = 0
    started: bool = False
    # Set when the learner joined the assigned department late: their due date is this
    # many days after they joined (Assignment.due_for).
    late_joiner_days: int | None = None

    @property
    def percent(self) -> int:
        if self.certificate is not None:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        """Finished: a certificate in this course or in a translation of it, or every
        required lesson done."""
        return self.certificate is not None or (self.total > 0 and self.done >= self.total)

    @property
    def finished_in_translation(self) -> bool:
        """The certificate is of another language's version of the course."""
        return self.certificate is not None and self.certificate.course_id != self.course.id

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today and not self.complete


@dataclass
class Outline:
    course: Course
    modules: list[tuple[Module, list[Lesson]]]
    progress: dict[int, LessonProgress] = field(default_factory=dict)
    certificate: Certificate | None = None  # of this course or a translation of it
    due_on: date | None = None
    late_joiner_days: int | None = None  # see CourseCard

    @property
    def minutes(self) -> int:
        """Counted at publish, as the course cards show it."""
        return self.course.minutes

    @property
    def finished_in_translation(self) -> bool:
        return self.certificate is not None and self.certificate.course_id != self.course.id

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for _, lessons in self.modules for lesson in lessons]

    def status(self, lesson: Lesson) -> str:
        progress = self.progress.get(lesson.id)
        if progress is None:
            return "not_started"
        return "done" if progress.completed else "started"

    @property
    def required_total(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.required)

    @property
    def required_done(self) -> int:
        return sum(
            1 for lesson in self.lessons if lesson.required and self.status(lesson) == "done"
        )

    @property
    def percent(self) -> int:
        if self.certificate is not None:
            return 100
        total = self.required_total
        return round(100 * self.required_done / total) if total else 0

    @property
    def next_lesson(self) -> Lesson | None:
        """The first lesson the learner has not finished."""
        return next((lesson for lesson in self.lessons if self.status(lesson) != "done"), None)

    def next_after(self, lesson: Lesson) -> Lesson | None:
        lessons = self.lessons
        for index, candidate in enumerate(lessons):
            if candidate.id == lesson.id:
                return lessons[index + 1] if index + 1 < len(lessons) else None
        return None

    def previous_before(self, lesson: Lesson) -> Lesson | None:
        lessons = self.lessons
        for index, candidate in enumerate(lessons):
            if candidate.id == lesson.id:
                return lessons[index - 1] if index > 0 else None
        return None


def _cards(
    user: User, course_ids: set[int], certificates: Certificates | None = None
) -> dict[int, CourseCard]:
    """Cards of the published courses among `course_ids`; `certificates` when the caller
    already read the learner's certificates in these courses' families."""
    if not course_ids:
        return {}
    courses = db.session.scalars(
        select(Course).where(Course.id.in_(course_ids), Course.published.is_(True))
    )
    cards = {
        course.id: CourseCard(course, lessons=course.lesson_count, minutes=course.minutes)
        for course in courses
    }
    # The lessons' keys and titles for the "Next" link, as plain rows: no content, no
    # ORM objects, so a long catalogue costs little more than a short one.
    lessons = db.session.execute(
        select(Lesson.id, Lesson.course_id, Lesson.key, Lesson.title, Lesson.required)
        .where(Lesson.course_id.in_(cards), Lesson.archived.is_(False))
        .order_by(Lesson.course_id, Lesson.position)
    )
    done = set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.user_id == user.id,
                LessonProgress.course_id.in_(cards),
                LessonProgress.completed_at.is_not(None),
            )
        )
    )
    for lesson_id, course_id, key, title, required in lessons:
        card = cards[course_id]
        finished = lesson_id in done
        if required:
            card.total += 1
            card.done += finished
        if card.next_lesson is None and not finished:
            card.next_lesson = LessonLink(key, title)
    _family_certificates(user, cards.values(), certificates)
    return cards


class Certificates(NamedTuple):
    """The learner's certificates in some translation families."""

    held: dict[int, Certificate]  # family -> the first certificate in it
    own: dict[int, Certificate]  # course -> its certificate


def _certificates(user: User, families: set[int]) -> Certificates:
    found = Certificates({}, {})
    if not families:
        return found
    family = func.coalesce(Course.translation_of_id, Course.id)
    for certificate, family_id in db.session.execute(
        select(Certificate, family)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.user_id == user.id, family.in_(families))
        .order_by(Certificate.issued_at)
    ):
        found.held.setdefault(family_id, certificate)
        found.own[certificate.course_id] = certificate
    return found


def _family_certificates(
    user: User, cards: Iterable[CourseCard | Outline], certificates: Certificates | None = None
) -> None:
    """Give each card the learner's certificate in its course or, failing that, in a
    translation of it: a course finished in one language is finished in all."""
    cards = list(cards)
    if not cards:
        return
    if certificates is None:
        certificates = _certificates(user, {card.course.family_id for card in cards})
    held, own = certificates
    for card in cards:
        card.certificate = own.get(card.course.id) or held.get(card.course.family_id)


def assignments_for(user: User):
    """Assignments that reach the user, directly or through their department."""
    reach = [Assignment.user_id == user.id]
    if user.department_id:
        reach.append(Assignment.department_id == user.department_id)
    return select(Assignment).where(or_(*reach))


def _families() -> dict[int, list[tuple[int, str]]]:
    """Published courses by translation family: family id -> [(course id, language)]."""
    families: dict[int, list[tuple[int, str]]] = {}
    for course_id, original_id, language in db.session.execute(
        select(Course.id, Course.translation_of_id, Course.language)
        .where(Course.published.is_(True))
        .order_by(Course.id)
    ):
        families.setdefault(original_id or course_id, []).append((course_id, language))
    return families


def _pick(cards: list[CourseCard], locale: str, preferred: int | None) -> CourseCard:
    """The one course of a family to show: the one the learner is taking, else their language."""

    def rank(card: CourseCard):
        return (
            card.certificate is not None,
            card.done > 0 or card.started,
            card.course.language == locale,
            card.course.id == preferred,
        )

    return max(cards, key=rank)


def learner_home(user: User, locale: str = "en") -> tuple[list[CourseCard], list[CourseCard]]:
    """Assigned courses (soonest due first) and other courses the learner has started.

    A course and its translations are one course here: an assignment of the English
    course shows the learner's own language version, or the version they are taking,
    and finishing a translation finishes the assignment.
    """
    assigned, others, _hidden = _home(user, locale)
    return assigned, others


def _home(
    user: User, locale: str, limit: int | None = None
) -> tuple[list[CourseCard], list[CourseCard], int]:
    """learner_home, with at most `limit` courses of each kind (to do, under way of the
    learner's own accord, finished) and how many courses that left out."""
    assignments = db.session.scalars(assignments_for(user)).all()
    started = set(
        db.session.scalars(
            select(LessonProgress.course_id).where(LessonProgress.user_id == user.id).distinct()
        )
    )
    families = _families()
    family_of = {cid: fid for fid, members in families.items() for cid, _ in members}
    assigned_families = {family_of[a.course_id] for a in assignments if a.course_id in family_of}
    started_families = {family_of[c] for c in started if c in family_of}
    shown_families = assigned_families | started_families
    certificates = _certificates(user, shown_families)
    hidden = 0
    if limit is not None:
        bounded = _bounded(
            user, assignments, family_of, assigned_families, started_families, certificates, limit
        )
        hidden = len(shown_families) - len(bounded)
        shown_families = bounded
    wanted = {cid for fid in shown_families for cid, _ in families[fid]}
    cards = _cards(user, wanted, certificates)
    for card in cards.values():
        card.started = card.course.id in started

    def shown(family: int, preferred: int | None = None) -> CourseCard:
        members = [cards[cid] for cid, _ in families[family] if cid in cards]
        return _pick(members, locale, preferred)

    chosen: dict[int, CourseCard] = {}
    for assignment in assignments:
        family = family_of.get(assignment.course_id)
        if family not in shown_families:
            continue
        card = chosen.setdefault(family, shown(family, assignment.course_id))
        card.assigned = True
        card.required = card.required or assignment.required
        _take_due(card, assignment, user)
    for family in (started_families - assigned_families) & shown_families:
        chosen[family] = shown(family)
    assigned = sorted(
        (c for c in chosen.values() if c.assigned),
        key=lambda c: (c.complete, c.due_on or date.max, c.course.title),
    )
    others = sorted(
        (c for c in chosen.values() if not c.assigned), key=lambda c: (c.complete, c.course.title)
    )
    return assigned, others, hidden


def _bounded(
    user: User,
    assignments: list[Assignment],
    family_of: dict[int, int],
    assigned: set[int],
    started: set[int],
    certificates: Certificates,
    limit: int,
) -> set[int]:
    """The families a bounded home page shows: the `limit` soonest due of the unfinished
    assigned ones, `limit` the learner started of their own accord, the `limit` last
    finished. Finished here means a certificate, read before any lesson is counted."""
    due: dict[int, date] = {}
    for assignment in assignments:
        family = family_of.get(assignment.course_id)
        if family is not None:
            joined = user.department_since if assignment.department_id is not None else None
            due_on = assignment.due_for(joined) or date.max
            due[family] = min(due.get(family, date.max), due_on)
    held = certificates.held
    to_do = sorted((f for f in assigned if f not in held), key=lambda f: (due[f], f))
    own = sorted(f for f in started - assigned if f not in held)
    finished = sorted(
        (f for f in assigned | started if f in held),
        key=lambda f: held[f].issued_at,
        reverse=True,
    )
    return {*to_do[:limit], *own[:limit], *finished[:limit]}


def _take_due(card: CourseCard | Outline, assignment: Assignment, user: User) -> None:
    """Give the card this assignment's due date for the user if it is the soonest yet."""
    joined = user.department_since if assignment.department_id is not None else None
    due_on = assignment.due_for(joined)
    if due_on and (card.due_on is None or due_on < card.due_on):
        card.due_on = due_on
        card.late_joiner_days = (
            assignment.late_joiner_days if assignment.joined_late(joined) else None
        )


@dataclass
class Home:
    """My learning, in three parts that never overlap."""

    assigned: list[CourseCard]  # assigned and not finished, soonest due first
    in_progress: list[CourseCard]  # started of their own accord, not finished
    finished: list[CourseCard]  # finished (in any language), assigned or not
    hidden: int = 0  # courses left out of a bounded page


def my_learning(user: User, locale: str = "en", limit: int | None = None) -> Home:
    """The learner's home page: what is assigned, what else is under way, what is done;
    with `limit`, at most that many of each (the soonest due, the last finished)."""
    assigned, others, hidden = _home(user, locale, limit)
    return Home(
        assigned=[card for card in assigned if not card.complete],
        in_progress=[card for card in others if not card.complete],
        finished=[card for card in assigned + others if card.complete],
        hidden=hidden,
    )


CATALOGUE_PAGE = 12  # course cards on a page of the catalogue


class ListPage(Pagination):
    """A page of an already sorted list, with the sandbox lists' page links."""

    def _query_items(self) -> list:
        rows = self._query_args["rows"]
        return rows[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def catalogue(user: User, locale: str, page: int = 1, search: str = "") -> ListPage:
    """A page of the published courses, one per translation family, in the learner's
    language if any, by title; `search` keeps the titles that contain it.

    Only the page's courses become cards: a long catalogue costs a list of titles."""
    chosen: dict[int, Row] = {}
    for row in db.session.execute(
        select(Course.id, Course.translation_of_id, Course.language, Course.title).where(
            Course.published.is_(True)
        )
    ):
        family = row.translation_of_id or row.id
        current = chosen.get(family)
        if current is None or (row.language == locale and current.language != locale):
            chosen[family] = row
    rows = sorted(chosen.values(), key=lambda row: (row.title.lower(), row.id))
    needle = search.strip().casefold()
    if needle:
        rows = [row for row in rows if needle in row.title.casefold()]
    listing = ListPage(page=page, per_page=CATALOGUE_PAGE, error_out=False, rows=rows)
    cards = _cards(user, {row.id for row in listing.items})
    listing.items = [cards[row.id] for row in listing.items if row.id in cards]
    return listing


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug, Course.published.is_(True)))


def outline(user: User, course: Course) -> Outline:
    """The course's current modules and lessons with the learner's status on each."""
    modules = db.session.scalars(
        select(Module)
        .where(Module.course_id == course.id, Module.archived.is_(False))
        .order_by(Module.position)
    ).all()
    lessons = db.session.scalars(
        select(Lesson)
        .where(Lesson.course_id == course.id, Lesson.archived.is_(False))
        .order_by(Lesson.position)
    ).all()
    progress = {
        p.lesson_id: p
        for p in db.session.scalars(
            select(LessonProgress).where(
                LessonProgress.user_id == user.id, LessonProgress.course_id == course.id
            )
        )
    }
    grouped = [(m, [lesson for lesson in lessons if lesson.module_id == m.id]) for m in modules]
    found = Outline(course, [(m, ls) for m, ls in grouped if ls], progress)
    _family_certificates(user, [found])
    # The assignments of this course or a translation of it (either counts).
    family = select(Course.id).where(
        func.coalesce(Course.translation_of_id, Course.id) == course.family_id
    )
    for assignment in db.session.scalars(
        assignments_for(user).where(Assignment.course_id.in_(family))
    ):
        _take_due(found, assignment, user)
    return found


def lesson_by_key(course: Course, key: str) -> Lesson | None:
    return db.session.scalar(
        select(Lesson)
        .where(Lesson.course_id == course.id, Lesson.key == key, Lesson.archived.is_(False))
        .options(selectinload(Lesson.questions).selectinload(QuizQuestion.choices))
    )


def quiz_history(user: User, lesson: Lesson) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id, QuizAttempt.lesson_id == lesson.id)
            .order_by(QuizAttempt.submitted_at.desc())
        )
    )
