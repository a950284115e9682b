"""Read-side queries for the learner's pages; each page runs a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.extensions import db
from portal.learning.models import (
    Assignment,
    Certificate,
    Course,
    ExerciseAttempt,
    Lesson,
    LessonProgress,
    Module,
    QuizAttempt,
    QuizQuestion,
)


@dataclass
class CourseCard:
    """One course as the learner sees it: progress, due date, what to do next."""

    course: Course
    total: int = 0
    done: int = 0
    due_on: date | None = None
    required: bool = False
    assigned: bool = False
    next_lesson: Lesson | None = None
    certificate: Certificate | None = None
    lessons: int = 0
    minutes: int = 0
    started: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today and not self.complete


@dataclass
class Outline:
    course: Course
    modules: list[tuple[Module, list[Lesson]]]
    progress: dict[int, LessonProgress] = field(default_factory=dict)
    certificate: Certificate | None = None
    due_on: date | None = None

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


def _cards(user: User, course_ids: set[int]) -> dict[int, CourseCard]:
    if not course_ids:
        return {}
    courses = db.session.scalars(
        select(Course).where(Course.id.in_(course_ids), Course.published.is_(True))
    )
    cards = {course.id: CourseCard(course) for course in courses}
    lessons = db.session.scalars(
        select(Lesson)
        .where(Lesson.course_id.in_(cards), Lesson.archived.is_(False))
        .order_by(Lesson.course_id, Lesson.position)
    ).all()
    done = set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.user_id == user.id,
                LessonProgress.course_id.in_(cards),
                LessonProgress.completed_at.is_not(None),
            )
        )
    )
    for lesson in lessons:
        card = cards[lesson.course_id]
        card.lessons += 1
        card.minutes += lesson.minutes
        if lesson.required:
            card.total += 1
            card.done += lesson.id in done
        if card.next_lesson is None and lesson.id not in done:
            card.next_lesson = lesson
    for certificate in db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.course_id.in_(cards))
    ):
        cards[certificate.course_id].certificate = certificate
    return cards


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
    wanted = {cid for fid in assigned_families | started_families for cid, _ in families[fid]}
    cards = _cards(user, wanted)
    for card in cards.values():
        card.started = card.course.id in started

    def shown(family: int, preferred: int | None = None) -> CourseCard:
        members = [cards[cid] for cid, _ in families[family] if cid in cards]
        return _pick(members, locale, preferred)

    chosen: dict[int, CourseCard] = {}
    for assignment in assignments:
        family = family_of.get(assignment.course_id)
        if family is None:
            continue
        card = chosen.setdefault(family, shown(family, assignment.course_id))
        card.assigned = True
        card.required = card.required or assignment.required
        if assignment.due_on and (card.due_on is None or assignment.due_on < card.due_on):
            card.due_on = assignment.due_on
    for family in started_families - assigned_families:
        chosen[family] = shown(family)
    assigned = sorted(
        (c for c in chosen.values() if c.assigned),
        key=lambda c: (c.complete, c.due_on or date.max, c.course.title),
    )
    others = sorted(
        (c for c in chosen.values() if not c.assigned), key=lambda c: (c.complete, c.course.title)
    )
    return assigned, others


def catalogue(user: User, locale: str) -> list[CourseCard]:
    """Every published course, one per translation family, in the learner's language if any."""
    courses = db.session.scalars(
        select(Course).where(Course.published.is_(True)).order_by(Course.title)
    ).all()
    chosen: dict[int, Course] = {}
    for course in courses:
        current = chosen.get(course.family_id)
        if current is None or (course.language == locale and current.language != locale):
            chosen[course.family_id] = course
    cards = _cards(user, {c.id for c in chosen.values()})
    return sorted(cards.values(), key=lambda c: c.course.title.lower())


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
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id, Certificate.course_id == course.id
        )
    )
    due_on = db.session.scalar(
        select(func.min(Assignment.due_on)).where(
            Assignment.course_id == course.id,
            assignments_for(user).whereclause,
        )
    )
    grouped = [(m, [lesson for lesson in lessons if lesson.module_id == m.id]) for m in modules]
    return Outline(course, [(m, ls) for m, ls in grouped if ls], progress, certificate, due_on)


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


def latest_exercise_attempt(user: User, lesson: Lesson) -> ExerciseAttempt | None:
    return db.session.scalar(
        select(ExerciseAttempt)
        .where(ExerciseAttempt.user_id == user.id, ExerciseAttempt.lesson_id == lesson.id)
        .order_by(ExerciseAttempt.started_at.desc(), ExerciseAttempt.id.desc())
        .limit(1)
    )
