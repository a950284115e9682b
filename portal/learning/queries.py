"""Read-side queries for the learner's pages; each page runs a fixed number of statements.

Over 400 lines: the learner pages share their row builders and statement budgets, which
read best in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from typing import NamedTuple

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    CursorResult,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, selectinload

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
from portal.rollout.sqltime import days_after


def _rows(statement: Select, params: Mapping) -> CursorResult:
    """Run a read of plain columns on the session's connection, past the ORM's layer for
    each statement (autoflush, execution events, loading), which cost a card page about
    as much as its SQL. The learner pages read after their writes are committed, so
    there is nothing to flush."""
    return db.session.connection().execute(statement, params)


class CardCourse(NamedTuple):
    """What a course card shows of a course: never its cover or lesson rows."""

    id: int
    slug: str
    title: str
    summary: str
    language: str
    translation_of_id: int | None
    lesson_count: int
    minutes: int

    @property
    def family_id(self) -> int:
        """The id shared by a course and all its translations (Course.family_id)."""
        return self.translation_of_id or self.id


class HeldCertificate(NamedTuple):
    """What the learner's pages show of a certificate: its link and when it was issued."""

    code: str
    course_id: int
    issued_at: datetime


class LessonLink(NamedTuple):
    """What a course card's "Next" link needs of a lesson: never its content."""

    key: str
    title: str


@dataclass
class CourseCard:
    """One course as the learner sees it: progress, due date, what to do next."""

    course: CardCourse
    total: int = 0
    done: int = 0
    due_on: date | None = None
    required: bool = False
    assigned: bool = False
    next_lesson: LessonLink | None = None
    certificate: HeldCertificate | None = None
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


class OutlineModule(NamedTuple):
    id: int
    title: str


class OutlineLesson(NamedTuple):
    """What the outline shows of a lesson: never its Markdown or content."""

    id: int
    key: str
    title: str
    kind: str
    minutes: int
    required: bool


@dataclass
class Outline:
    course: Course
    modules: list[tuple[OutlineModule, list[OutlineLesson]]]
    progress: dict[int, bool] = field(default_factory=dict)  # lesson id -> done
    certificate: HeldCertificate | None = None  # of this course or a translation of it
    due_on: date | None = None
    late_joiner_days: int | None = None  # see CourseCard
    # The course's published versions in other languages, for the page's links to them.
    translations: list[Course] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        """Counted at publish, as the course cards show it."""
        return self.course.minutes

    @property
    def finished_in_translation(self) -> bool:
        return self.certificate is not None and self.certificate.course_id != self.course.id

    @cached_property
    def lessons(self) -> list[OutlineLesson]:
        return [lesson for _, lessons in self.modules for lesson in lessons]

    def status(self, lesson: Lesson | OutlineLesson) -> str:
        done = self.progress.get(lesson.id)
        if done is None:
            return "not_started"
        return "done" if done else "started"

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
    def next_lesson(self) -> OutlineLesson | None:
        """The first lesson the learner has not finished."""
        return next((lesson for lesson in self.lessons if self.status(lesson) != "done"), None)

    def next_after(self, lesson: Lesson) -> OutlineLesson | None:
        lessons = self.lessons
        for index, candidate in enumerate(lessons):
            if candidate.id == lesson.id:
                return lessons[index + 1] if index + 1 < len(lessons) else None
        return None

    def previous_before(self, lesson: Lesson) -> OutlineLesson | None:
        lessons = self.lessons
        for index, candidate in enumerate(lessons):
            if candidate.id == lesson.id:
                return lessons[index - 1] if index > 0 else None
        return None


def _cards(user: User, course_ids: set[int]) -> dict[int, CourseCard]:
    """Cards of the published courses among `course_ids`, each with the learner's
    certificate in it or, failing that, in a translation of it (a course finished in one
    language is finished in all)."""
    if not course_ids:
        return {}
    courses_of, lessons_of = _card_statements()
    cards = {}
    for *columns, code, course_id, issued_at in _rows(
        courses_of, {"ids": list(course_ids), "user_id": user.id}
    ):
        course = CardCourse(*columns)
        cards[course.id] = CourseCard(course, lessons=course.lesson_count, minutes=course.minutes)
        if code is not None:
            cards[course.id].certificate = HeldCertificate(code, course_id, issued_at)
    shown = {"ids": list(cards), "user_id": user.id}
    for course_id, key, title, required, finished in _rows(lessons_of, shown):
        card = cards[course_id]
        if required:
            card.total += 1
            card.done += finished
        if card.next_lesson is None and not finished:
            card.next_lesson = LessonLink(key, title)
    return cards


@cache
def _card_statements() -> tuple[Select, Select]:
    """The course cards' statements, built once (building them cost about as much as
    running them). The courses come with the columns a card shows (a cover's Markdown
    stays behind) and the learner's certificate in the course, else the first in its
    family; the lessons' keys and titles for the "Next" link, each with whether
    the learner finished it. Plain rows, no content, no ORM objects: a long catalogue
    costs little more than a short one."""
    ids = bindparam("ids", expanding=True)
    finished = and_(
        LessonProgress.lesson_id == Lesson.id,
        LessonProgress.user_id == bindparam("user_id"),
        LessonProgress.completed_at.is_not(None),
    )
    # The learner's certificate in the course, else the first in its family.
    certified, certificate = aliased(Course), aliased(Certificate)
    mine = certificate.user_id == bindparam("user_id")
    held = func.coalesce(
        select(certificate.id).where(mine, certificate.course_id == Course.id).scalar_subquery(),
        select(certificate.id)
        .join(certified, certified.id == certificate.course_id)
        .where(
            mine,
            func.coalesce(certified.translation_of_id, certified.id)
            == func.coalesce(Course.translation_of_id, Course.id),
        )
        .order_by(certificate.issued_at)
        .limit(1)
        .scalar_subquery(),
    )
    courses = (
        select(*(getattr(Course, name) for name in CardCourse._fields), held.label("held"))
        .where(Course.id.in_(ids), Course.published.is_(True))
        .subquery("cards")
    )
    return (
        select(
            *list(courses.c)[:-1],
            *(getattr(Certificate, name) for name in HeldCertificate._fields),
        ).outerjoin(Certificate, Certificate.id == courses.c.held),
        select(
            Lesson.course_id,
            Lesson.key,
            Lesson.title,
            Lesson.required,
            LessonProgress.id.is_not(None),
        )
        .outerjoin(LessonProgress, finished)
        .where(Lesson.course_id.in_(ids), Lesson.archived.is_(False))
        .order_by(Lesson.course_id, Lesson.position),
    )


class Certificates(NamedTuple):
    """The learner's certificates in some translation families."""

    held: dict[int, HeldCertificate]  # family -> the first certificate in it
    own: dict[int, HeldCertificate]  # course -> its certificate


def _certificates(user: User, families: set[int]) -> Certificates:
    found = Certificates({}, {})
    if not families:
        return found
    for *held, family_id in _rows(
        _certificates_statement(), {"user_id": user.id, "families": list(families)}
    ):
        certificate = HeldCertificate(*held)
        found.held.setdefault(family_id, certificate)
        found.own[certificate.course_id] = certificate
    return found


@cache
def _certificates_statement() -> Select:
    family = func.coalesce(Course.translation_of_id, Course.id)
    return (
        select(Certificate.code, Certificate.course_id, Certificate.issued_at, family)
        .join(Course, Course.id == Certificate.course_id)
        .where(
            Certificate.user_id == bindparam("user_id"),
            family.in_(bindparam("families", expanding=True)),
        )
        .order_by(Certificate.issued_at)
    )


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


# The parts of My learning, in the order the page shows them.
TO_DO, UNDER_WAY, FINISHED = 0, 1, 2


@cache
def _home_statements() -> tuple[Select, Select]:
    """My learning's statements, built once.

    The first ranks the learner's course families in SQL, so the page reads only the
    families it shows however many reach the learner: each family assigned to them or
    started by them (published courses only), the part of the page it belongs to
    (finished: a certificate in any of its languages; to do: assigned; else under way of
    their own accord), and how many that part holds; the first `limit` of each part come
    back, the soonest due first, the last finished first, each with its published
    courses (a row a course) and whether the learner started each. The second reads
    the assignments of the families shown that reach the learner, each with the
    learner's due date (Assignment.due_for) and, when that is later as they joined late,
    the days it gives.
    """
    user_id = bindparam("user_id")
    family = func.coalesce(Course.translation_of_id, Course.id)
    reach = or_(Assignment.user_id == User.id, Assignment.department_id == User.department_id)
    # Assignment.due_for in SQL: a late joiner is due days after joining.
    later = days_after(User.department_since, Assignment.late_joiner_days)
    due = case(
        (
            and_(
                Assignment.department_id.is_not(None),
                User.department_since > Assignment.created_at,
                later > Assignment.due_on,
            ),
            later,
        ),
        else_=Assignment.due_on,
    )
    assigned = (
        select(family.label("family"), due.label("due"), literal(1).label("assigned"))
        .select_from(Assignment)
        .join(Course, Course.id == Assignment.course_id)
        .join(User, User.id == user_id)
        .where(Course.published.is_(True), reach)
    )
    # The courses first (a progress row a lesson), then their families.
    taken = (
        select(LessonProgress.course_id)
        .where(LessonProgress.user_id == user_id)
        .distinct()
        .subquery("taken")
    )
    started = (
        select(family, null(), literal(0))
        .select_from(taken)
        .join(Course, Course.id == taken.c.course_id)
        .where(Course.published.is_(True))
    )
    facts = union_all(assigned, started).subquery("facts")
    mine = (
        select(
            facts.c.family,
            func.min(facts.c.due).label("due"),
            func.max(facts.c.assigned).label("assigned"),
        )
        .group_by(facts.c.family)
        .subquery("mine")
    )
    held = (
        select(family.label("family"), func.min(Certificate.issued_at).label("issued"))
        .select_from(Certificate)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.user_id == user_id)
        .group_by(family)
        .subquery("held")
    )
    part = case(
        (held.c.issued.is_not(None), literal_column(str(FINISHED))),
        (mine.c.assigned == 1, literal_column(str(TO_DO))),
        else_=literal_column(str(UNDER_WAY)),
    )
    due_first = case((and_(held.c.issued.is_(None), mine.c.assigned == 1), mine.c.due))
    order = (due_first.is_(None), due_first, held.c.issued.desc(), mine.c.family)
    ranked = (
        select(
            mine.c.family,
            part.label("part"),
            func.row_number().over(partition_by=part, order_by=order).label("place"),
            func.count().over(partition_by=part).label("total"),
        )
        .select_from(mine.outerjoin(held, held.c.family == mine.c.family))
        .subquery("ranked")
    )
    # A family's courses: the original (its id is the family's) and its translations.
    member = and_(
        or_(Course.id == ranked.c.family, Course.translation_of_id == ranked.c.family),
        family == ranked.c.family,
        Course.published.is_(True),
    )
    shown = bindparam("families", expanding=True)
    return (
        select(
            ranked.c.family,
            ranked.c.part,
            ranked.c.total,
            Course.id,
            Course.language,
            select(LessonProgress.id)
            .where(LessonProgress.user_id == user_id, LessonProgress.course_id == Course.id)
            .exists(),
        )
        .join(Course, member)
        .where(ranked.c.place <= bindparam("limit"))
        .order_by(ranked.c.part, ranked.c.place, Course.id),
        select(
            Assignment.course_id,
            Assignment.required,
            due,
            case((due != Assignment.due_on, Assignment.late_joiner_days)),
            family,
        )
        .join(Course, Course.id == Assignment.course_id)
        .join(User, User.id == user_id)
        .where(Course.published.is_(True), reach, family.in_(shown))
        .order_by(Assignment.id),
    )


def _pick(
    members: list[tuple[int, str]], started: set[int], locale: str, preferred: int | None = None
) -> int:
    """The one course of a family to show: the one the learner is taking, else their
    language, else the one assigned (`preferred`); `members` are (course id, language)."""

    def rank(member: tuple[int, str]):
        course_id, language = member
        return (course_id in started, language == locale, course_id == preferred)

    return max(members, key=rank)[0]


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
    """learner_home, with at most `limit` courses in all (see _share) and how many
    courses that left out."""
    ranked_of, assignments_of = _home_statements()
    every = 2**31 - 1  # no limit: each part's every family
    shown = {"user_id": user.id, "limit": every if limit is None else limit}
    rows = _rows(ranked_of, shown).all()
    ranked = list(dict.fromkeys((family, part, total) for family, part, total, *_ in rows))
    families = _share(ranked, limit)
    hidden = sum({part: total for _family, part, total in ranked}.values()) - len(families)
    if not families:
        return [], [], hidden
    members: dict[int, list[tuple[int, str]]] = {}
    started: set[int] = set()
    for family, _part, _total, course_id, language, taking in rows:
        if family in families:
            members.setdefault(family, []).append((course_id, language))
            if taking:
                started.add(course_id)
    shown = {"user_id": user.id, "families": list(families)}
    assignments = _rows(assignments_of, shown).all()
    # One course of each family becomes a card, picked before any is read: a family's
    # members share its certificate, so what ranks them is known from the lists above.
    picks: dict[int, int] = {}
    for course_id, *_assignment, family in assignments:
        if family not in picks:
            picks[family] = _pick(members[family], started, locale, course_id)
    for family in families - picks.keys():
        picks[family] = _pick(members[family], started, locale)
    cards = _cards(user, set(picks.values()))
    for card in cards.values():
        card.started = card.course.id in started

    chosen: dict[int, CourseCard] = {}
    for _course_id, required, due_on, late_joiner_days, family in assignments:
        card = chosen.setdefault(family, cards[picks[family]])
        card.assigned = True
        card.required = card.required or required
        _soonest_due(card, due_on, late_joiner_days)
    for family in families - chosen.keys():
        chosen[family] = cards[picks[family]]
    assigned = sorted(
        (c for c in chosen.values() if c.assigned),
        key=lambda c: (c.complete, c.due_on or date.max, c.course.title),
    )
    others = sorted(
        (c for c in chosen.values() if not c.assigned), key=lambda c: (c.complete, c.course.title)
    )
    return assigned, others, hidden


def _share(ranked: list[tuple[int, int, int]], limit: int | None) -> set[int]:
    """The families a page of at most `limit` cards shows, from the ranked rows (each
    part's first `limit`): one for each part that has any, so every part stays in view,
    and the rest to the parts in the page's order; every family without a limit."""
    parts: dict[int, list[int]] = {}
    for family, part, _total in ranked:
        parts.setdefault(part, []).append(family)
    if limit is None:
        return {family for families in parts.values() for family in families}
    take = dict.fromkeys(parts, 1)
    left = limit - len(take)
    for part in sorted(parts):
        extra = max(0, min(len(parts[part]) - 1, left))
        take[part] += extra
        left -= extra
    return {family for part, families in parts.items() for family in families[: take[part]]}


def _take_due(card: CourseCard | Outline, assignment: Assignment, user: User) -> None:
    """Give the card this assignment's due date for the user if it is the soonest yet."""
    joined = user.department_since if assignment.department_id is not None else None
    late = assignment.late_joiner_days if assignment.joined_late(joined) else None
    _soonest_due(card, assignment.due_for(joined), late)


def _soonest_due(
    card: CourseCard | Outline, due_on: date | None, late_joiner_days: int | None
) -> None:
    """Give the card this due date, and the late joiner's days that made it, if it is the
    soonest yet."""
    if due_on and (card.due_on is None or due_on < card.due_on):
        card.due_on = due_on
        card.late_joiner_days = late_joiner_days


@dataclass
class Home:
    """My learning, in three parts that never overlap."""

    assigned: list[CourseCard]  # assigned and not finished, soonest due first
    in_progress: list[CourseCard]  # started of their own accord, not finished
    finished: list[CourseCard]  # finished (in any language), assigned or not
    hidden: int = 0  # courses left out of a bounded page


def my_learning(user: User, locale: str = "en", limit: int | None = None) -> Home:
    """The learner's home page: what is assigned, what else is under way, what is done;
    with `limit`, at most that many cards in all (the soonest due, the last finished;
    see _share)."""
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
    # family -> (title as sorted, course id, title, language): plain tuples, which sort
    # by title then id as they are, at a small cost per course of a long catalogue.
    chosen: dict[int, tuple[str, int, str, str]] = {}
    for course_id, translation_of_id, language, title in _rows(_titles_statement(), {}):
        family = translation_of_id or course_id
        current = chosen.get(family)
        if current is None or (language == locale and current[3] != locale):
            chosen[family] = (title.lower(), course_id, title, language)
    rows = sorted(chosen.values())
    needle = search.strip().casefold()
    if needle:
        rows = [row for row in rows if needle in row[2].casefold()]
    listing = ListPage(page=page, per_page=CATALOGUE_PAGE, error_out=False, rows=rows)
    shown = [course_id for _key, course_id, _title, _language in listing.items]
    cards = _cards(user, set(shown))
    listing.items = [cards[course_id] for course_id in shown if course_id in cards]
    return listing


@cache
def _titles_statement() -> Select:
    """Every published course's title, language and family, built once."""
    return select(Course.id, Course.translation_of_id, Course.language, Course.title).where(
        Course.published.is_(True)
    )


class OutlineStatements(NamedTuple):
    course: Select  # the published course of a slug
    family: Select  # the published courses of the family of a slug's course, itself among them
    lessons: Select  # a course's current lessons with their modules, in the outline's order
    progress: Select  # the learner's progress in some courses: course, lesson, done
    assignments: Select  # the assignments of a family that reach the learner


@cache
def _outline_statements() -> OutlineStatements:
    """The course page's statements, built once (on first use, every model mapped):
    building them anew cost as much as running them. Lessons and progress come as plain
    rows, with only the columns the outline shows: a lesson's Markdown and content only
    the lesson's own page reads."""
    slug = bindparam("slug")
    family = func.coalesce(Course.translation_of_id, Course.id)
    family_of_slug = (
        select(family).where(Course.slug == slug, Course.published.is_(True)).scalar_subquery()
    )
    members = select(Course.id).where(family == bindparam("family_id"))
    return OutlineStatements(
        course=select(Course).where(Course.slug == slug, Course.published.is_(True)),
        family=select(Course)
        .where(Course.published.is_(True), family == family_of_slug)
        .order_by(Course.id),
        lessons=select(
            Module.id,
            Module.title,
            Lesson.id,
            Lesson.key,
            Lesson.title,
            Lesson.kind,
            Lesson.minutes,
            Lesson.required,
        )
        .join(Module, Module.id == Lesson.module_id)
        .where(
            Lesson.course_id == bindparam("course_id"),
            Lesson.archived.is_(False),
            Module.archived.is_(False),
        )
        .order_by(Module.position, Module.id, Lesson.position, Lesson.id),
        progress=select(
            LessonProgress.course_id,
            LessonProgress.lesson_id,
            LessonProgress.completed_at.is_not(None),
        ).where(
            LessonProgress.user_id == bindparam("user_id"),
            LessonProgress.course_id.in_(bindparam("ids", expanding=True)),
        ),
        assignments=select(Assignment).where(
            or_(
                Assignment.user_id == bindparam("user_id"),
                Assignment.department_id == bindparam("department_id"),
            ),
            Assignment.course_id.in_(members),
        ),
    )


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(_outline_statements().course, {"slug": slug})


class CoursePage(NamedTuple):
    """The course page of a slug: its outline, or the course of its family the learner
    is sent to instead (see course_page)."""

    outline: Outline | None = None
    elsewhere: Course | None = None


def course_page(user: User, slug: str, locale: str, chosen: bool = False) -> CoursePage | None:
    """The outline of the published course `slug`, or None when there is none.

    A learner who has not begun the course in any language is sent to its family's
    course in their language instead (`elsewhere`): a link to the English course (an
    assignment, a reminder) so opens the Urdu one for an Urdu reader new to it; one who
    began it in any language, or `chosen` it from the page's links to its other
    languages, reads the course they asked for, whose page says when it was finished in
    another."""
    statements = _outline_statements()
    members = db.session.scalars(statements.family, {"slug": slug}).all()
    course = next((member for member in members if member.slug == slug), None)
    if course is None:
        return None
    ids = {"user_id": user.id, "ids": [member.id for member in members]}
    progress = db.session.execute(statements.progress, ids).all()
    certificates = _certificates(user, {course.family_id})
    taken = {course_id for course_id, _lesson, _done in progress} | certificates.own.keys()
    if len(members) > 1 and not taken and not chosen:
        own = next((member for member in members if member.language == locale), course)
        if own.id != course.id:
            return CoursePage(elsewhere=own)
    mine = {lesson: done for course_id, lesson, done in progress if course_id == course.id}
    found = _outline(user, course, mine, certificates)
    found.translations = [member for member in members if member.id != course.id]
    return CoursePage(found)


def outline(user: User, course: Course) -> Outline:
    """The course's current modules and lessons with the learner's status on each."""
    ids = {"user_id": user.id, "ids": [course.id]}
    progress = db.session.execute(_outline_statements().progress, ids)
    return _outline(user, course, {lesson: done for _course, lesson, done in progress})


def _outline(
    user: User, course: Course, progress: dict[int, bool], certificates: Certificates | None = None
) -> Outline:
    statements = _outline_statements()
    modules: list[tuple[OutlineModule, list[OutlineLesson]]] = []
    for module_id, module_title, *lesson in db.session.execute(
        statements.lessons, {"course_id": course.id}
    ):
        if not modules or modules[-1][0].id != module_id:
            modules.append((OutlineModule(module_id, module_title), []))
        modules[-1][1].append(OutlineLesson(*lesson))
    found = Outline(course, modules, progress)
    _family_certificates(user, [found], certificates)
    # The assignments of this course or a translation of it (either counts).
    reach = {"user_id": user.id, "department_id": user.department_id, "family_id": course.family_id}
    for assignment in db.session.scalars(statements.assignments, reach):
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
