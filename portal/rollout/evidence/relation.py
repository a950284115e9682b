"""The per-learner relation: one row per learner with everything readiness needs.

Required courses reach a learner through their department or by name. Counts are taken
from the evidence side (certificates, passed exercises, quiz progress) restricted to
what each learner must take, so the work grows with the evidence, not with learners x
courses. Only requirements already past due are expanded per learner, to find the oldest
one still open. Who the learners are and what they practised come from `parts`.

Over 400 lines: `_Relation` builds one SQL statement step by step, each step a CTE the
next one reads; split across files, one query would have to be read in several places.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Date,
    Float,
    Join,
    Select,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    null,
    or_,
    select,
    tuple_,
    type_coerce,
    union_all,
)

from portal.accounts.models import User
from portal.authoring.models import Assignment
from portal.database import UTCDateTime
from portal.learning.models import (
    Certificate,
    ExerciseAttempt,
    LessonProgress,
    LessonView,
    QuizAttempt,
)
from portal.rollout.evidence.catalogue import Catalogue
from portal.rollout.evidence.departments import latest
from portal.rollout.evidence.parts import (
    SINCE,
    TODAY,
    effective_due,
    learners,
    studied,
)
from portal.rollout.evidence.practice import practice_actions, practice_actions_of
from portal.rollout.evidence.stored import practice_counted, stored_evidence
from portal.rollout.sqltime import days_between
from sandbox.models import SandboxEvent

STUCK_AFTER_FAILS = 3


class _Relation:
    """Builds the pieces of the per-learner relation for some learners (or everyone)."""

    def __init__(
        self,
        catalogue: Catalogue,
        department_ids: Collection[int] | None,
        user_ids: Collection[int] | None,
        names: bool = False,
    ) -> None:
        self.catalogue = catalogue
        self.names = names
        # The departments every learner here belongs to, when known: CASE maps on the
        # department need branches for these only.
        self.departments = None if department_ids is None else set(department_ids)
        self.bits = catalogue.family_bits
        # Not materialised: inlined where it is used, the databases keep the users table's
        # statistics (a materialised CTE has none, and PostgreSQL then misjudges joins).
        self.base = (
            learners(department_ids, user_ids, names=names)
            .cte("learners")
            .prefix_with("NOT MATERIALIZED")
        )
        self.scoped = department_ids is not None or user_ids is not None
        # For some learners only, evidence is read for just their people's rows (each a
        # range in a user_id index); who is a learner is settled by the final join.
        self.who: list[ColumnElement] = []  # conditions on users selecting those people
        if department_ids is not None:
            self.who.append(User.department_id.in_(list(department_ids)))
        if user_ids is not None:
            self.who.append(User.id.in_(list(user_ids)))
        self.people = select(User.id).where(*self.who)
        self._requirements()

    def scope(self, column) -> list[ColumnElement]:
        return [column.in_(self.people)] if self.scoped else []

    def units(self, column) -> ColumnElement:
        per_family = self.catalogue.units_per_family
        return case(per_family, value=column, else_=0) if per_family else literal(0)

    def _requirements(self) -> None:
        """What each department must take (`by_department`), and what people must take by
        name beyond their department's courses (`by_user`, only when there are any)."""
        catalogue, base = self.catalogue, self.base
        # The course family worked out first, so that grouping by family names one column
        # (PostgreSQL will not match two renderings of the same CASE).
        assigned = (
            select(
                Assignment.department_id,
                Assignment.user_id,
                catalogue.family_of(Assignment.course_id).label("family"),
                Assignment.due_on,
                Assignment.created_at.label("assigned_at"),
                Assignment.late_joiner_days.label("late_days"),
            )
            .where(Assignment.required.is_(True), Assignment.course_id.in_(catalogue.published))
            .subquery("assigned")
        )
        self.assigned = assigned
        self.by_department = (
            select(
                assigned.c.department_id,
                assigned.c.family,
                func.min(assigned.c.due_on).label("due_on"),
            )
            .where(assigned.c.department_id.is_not(None))
            .group_by(assigned.c.department_id, assigned.c.family)
            .subquery("by_department")
        )
        self.by_user = self.user_needs = None
        if not catalogue.personal:
            return
        covered = (
            select(self.by_department.c.family)
            .where(
                self.by_department.c.department_id == base.c.department_id,
                self.by_department.c.family == assigned.c.family,
            )
            .exists()
        )
        self.by_user = (
            select(
                assigned.c.user_id, assigned.c.family, func.min(assigned.c.due_on).label("due_on")
            )
            .join(base, base.c.user_id == assigned.c.user_id)
            .where(~covered)
            .group_by(assigned.c.user_id, assigned.c.family)
            .subquery("by_user")
        )
        self.user_needs = (
            select(
                self.by_user.c.user_id,
                func.count().label("courses"),
                func.sum(self.units(self.by_user.c.family)).label("units"),
            )
            .group_by(self.by_user.c.user_id)
            .subquery("user_needs")
        )

    def required_only(
        self, query: Select, user_column, family_column, department_test: ColumnElement
    ) -> Select:
        """Keep the evidence rows of courses their learner must take: the learner's
        department (read from users by primary key) tested against its list of required
        ids, or the course given to them by name."""
        query = query.join(User, User.id == user_column).where(*self.who)
        required = department_test
        if self.by_user is not None:
            required = or_(
                required,
                tuple_(user_column, family_column).in_(
                    select(self.by_user.c.user_id, self.by_user.c.family)
                ),
            )
        return query.where(required)

    def certified(self) -> Subquery:
        """Per learner: required courses certified (in any language), and when first."""
        catalogue = self.catalogue
        family = catalogue.family_of(Certificate.course_id)
        done = func.count(distinct(family)) if catalogue.family else func.count()
        query = select(
            Certificate.user_id,
            done.label("done_n"),
            func.min(Certificate.issued_at).label("first_certificate"),
        )
        if self.bits:
            # The families certified, a bit each (see overdue_since); once each, as done_n.
            bit = case(
                {f: literal(b, BigInteger) for f, b in self.bits.items()},
                value=family,
                else_=literal(0, BigInteger),
            )
            held = func.sum(distinct(bit)) if catalogue.family else func.sum(bit)
            query = query.add_columns(cast(held, BigInteger).label("held"))
        test = catalogue.required_here(
            User.department_id, Certificate.course_id, catalogue.members, self.departments
        )
        return (
            self.required_only(query, Certificate.user_id, family, test)
            .group_by(Certificate.user_id)
            .subquery("certified")
        )

    def passed(self) -> Subquery | None:
        """Per learner: required hands-on exercises passed (each counted once)."""
        catalogue = self.catalogue
        if not catalogue.exercise_unit:
            return None
        lesson = ExerciseAttempt.lesson_id
        unit = case(catalogue.exercise_unit, value=lesson)
        query = select(ExerciseAttempt.user_id, func.count(distinct(unit)).label("units")).where(
            ExerciseAttempt.passed.is_(True), lesson.in_(list(catalogue.exercise_unit))
        )
        test = catalogue.required_here(
            User.department_id,
            lesson,
            lambda families: [
                lesson_id
                for lesson_id, root in catalogue.exercise_family.items()
                if root in families
            ],
            self.departments,
        )
        family = case(catalogue.exercise_family, value=lesson)
        return (
            self.required_only(query, ExerciseAttempt.user_id, family, test)
            .group_by(ExerciseAttempt.user_id)
            .subquery("passed")
        )

    def overdue_since(
        self,
        department: ColumnElement,
        joined: ColumnElement,
        held: ColumnElement,
        other: ColumnElement | None = None,
    ) -> ColumnElement:
        """The oldest due date already past of a course the learner's department requires
        and they hold no certificate in, or `other` (a date column) where older: an
        expression on their department, when they joined it (`joined`: a late joiner's
        due date is later, see effective_due) and the bits of the families they are
        certified in (`held`), the due dates being constants, so nothing is joined. Only
        with family_bits; see overdue() for the general case. (The families are tried in
        the order of their own due dates: for a late joiner the date found is the first
        missed in that order, which may not be their oldest.)"""

        def older(day: ColumnElement) -> ColumnElement:
            return day if other is None else case((other < day, other), else_=day)

        branches = {}
        for department_id, dues in self.catalogue.due.items():
            if self.departments is not None and department_id not in self.departments:
                continue
            whens = []
            for due_on, family, assigned_at, late_days in dues:  # soonest first
                day = effective_due(
                    literal(due_on, Date), joined, literal(assigned_at, UTCDateTime), late_days
                )
                missing = held.op("&")(literal(self.bits[family], BigInteger)) == 0
                whens.append((and_(day < TODAY, missing), older(day)))
            branches[department_id] = case(*whens, else_=other)
        if not branches:
            return other if other is not None else cast(null(), Date)
        return case(branches, value=department, else_=other)

    def overdue(
        self, by_department: bool = True, until: ColumnElement | None = TODAY
    ) -> Subquery | None:
        """Per learner: the oldest due date before `until` (None: any) of a required
        course still not certified; with `by_department` false, of the courses required
        of them by name only."""
        base, by_user = self.base, self.by_user
        pairs = []
        if by_department:
            assigned = self.assigned
            due = effective_due(
                assigned.c.due_on, base.c.joined_at, assigned.c.assigned_at, assigned.c.late_days
            )
            pairs.append(
                select(base.c.user_id, assigned.c.family, due.label("due_on"))
                .join_from(base, assigned, assigned.c.department_id == base.c.department_id)
                .where(due < until if until is not None else due.is_not(None))
            )
        if by_user is not None:
            pairs.append(
                select(by_user.c.user_id, by_user.c.family, by_user.c.due_on).where(
                    by_user.c.due_on < until if until is not None else by_user.c.due_on.is_not(None)
                )
            )
        if not pairs:
            return None
        past_due = (union_all(*pairs) if len(pairs) > 1 else pairs[0]).subquery("past_due")
        still_open = ~(
            select(Certificate.id)
            .where(
                Certificate.user_id == past_due.c.user_id,
                self.catalogue.family_of(Certificate.course_id) == past_due.c.family,
            )
            .exists()
        )
        return (
            select(past_due.c.user_id, func.min(past_due.c.due_on).label("overdue_since"))
            .where(still_open)
            .group_by(past_due.c.user_id)
            .subquery("overdue")
        )

    def quizzes(self) -> Subquery:
        """Per learner: the sum and number of best quiz scores (kept on progress rows), and
        the quizzes still not passed after STUCK_AFTER_FAILS attempts."""
        progress = LessonProgress
        attempts = (
            select(func.count())
            .where(
                QuizAttempt.user_id == progress.user_id, QuizAttempt.lesson_id == progress.lesson_id
            )
            .scalar_subquery()
        )
        stuck = and_(
            progress.completed_at.is_(None),
            progress.best_score.is_not(None),
            attempts >= STUCK_AFTER_FAILS,
        )
        return (
            select(
                progress.user_id,
                func.sum(progress.best_score).label("quiz_sum"),
                func.count(progress.best_score).label("quiz_n"),
                func.sum(case((stuck, 1), else_=0)).label("stuck"),
            )
            .where(
                progress.best_score.is_not(None),  # the rows of ix_lesson_progress_scored
                progress.lesson_id.in_(self.catalogue.quiz_lessons),
                *self.scope(progress.user_id),
            )
            .group_by(progress.user_id)
            .subquery("quizzes")
        )

    def build(self) -> CTE:
        base = self.base
        certified, quizzes, passed = self.certified(), self.quizzes(), self.passed()
        # With family bits, the department's courses past due are an expression (no join);
        # the courses required by name, if any, are still joined.
        overdue = self.overdue(by_department=not self.bits)
        joined = base.outerjoin(certified, certified.c.user_id == base.c.user_id)
        if overdue is not None:
            joined = joined.outerjoin(overdue, overdue.c.user_id == base.c.user_id)
        joined = joined.outerjoin(quizzes, quizzes.c.user_id == base.c.user_id)
        overdue_since = overdue.c.overdue_since if overdue is not None else None
        if self.bits:
            overdue_since = self.overdue_since(
                base.c.department_id,
                base.c.joined_at,
                func.coalesce(certified.c.held, 0),
                overdue_since,
            )
        if self.scoped:  # a few learners: count each one's events
            actions = practice_actions_of(base.c.user_id, SINCE)
        else:  # everyone: group the window's events once
            practice = practice_actions(SINCE, self.scope)
            joined = joined.outerjoin(practice, practice.c.user_id == base.c.user_id)
            actions = func.coalesce(practice.c.actions, 0)
        joined, required_n, ex_required, ex_passed = self.training_counts(joined, passed)
        done_n = func.coalesce(certified.c.done_n, 0)
        # Whether a learner studied changes nothing once their required training is complete
        # (see summary.is_inactive): it is looked up (a probe per learner) only while open.
        looked_up = case(
            (and_(required_n > 0, done_n >= required_n), null()),
            else_=studied(base.c.user_id, SINCE),
        )
        return (
            select(
                base.c.user_id,
                base.c.department_id,
                required_n.label("required_n"),
                done_n.label("done_n"),
                overdue_since.label("overdue_since"),
                ex_required.label("ex_required"),
                ex_passed.label("ex_passed"),
                func.coalesce(quizzes.c.quiz_sum, 0).label("quiz_sum"),
                func.coalesce(quizzes.c.quiz_n, 0).label("quiz_n"),
                func.coalesce(quizzes.c.stuck, 0).label("stuck"),
                actions.label("actions"),
                looked_up.label("studied"),
                # 1 while the account is younger than the practice window: too new to be
                # called inactive.
                case((base.c.created_at >= SINCE, 1), else_=0).label("new_account"),
                base.c.first_login_at,
                certified.c.first_certificate,
                # The name read with the rest of the user's row: a page that picks learners
                # by name (a gate) needs no join to users for them.
                *([base.c.name, base.c.sort_name] if self.names else []),
            )
            .select_from(joined)
            # Computed once: the summary reads these rows several times.
            .cte("evidence")
            .prefix_with("MATERIALIZED")
        )

    def facts(self) -> Select:
        """What the relation says of each learner that does not depend on the day, in the
        columns of learner_summaries: the earliest due date of a required course still
        open (overdue once past), the last lesson opened, the account's dates, practice
        from the kept hour on."""
        base = self.base
        certified, quizzes, passed = self.certified(), self.quizzes(), self.passed()
        due = self.overdue(until=None)
        joined = base.outerjoin(certified, certified.c.user_id == base.c.user_id)
        joined = joined.outerjoin(quizzes, quizzes.c.user_id == base.c.user_id)
        if due is not None:
            joined = joined.outerjoin(due, due.c.user_id == base.c.user_id)
        joined, required_n, ex_required, ex_passed = self.training_counts(joined, passed)
        last_view = (
            select(func.max(LessonView.viewed_at))
            .where(LessonView.user_id == base.c.user_id)
            .scalar_subquery()
        )
        last_action = (
            select(func.max(SandboxEvent.at))
            .where(SandboxEvent.actor_id == base.c.user_id)
            .scalar_subquery()
        )
        done_n = func.coalesce(certified.c.done_n, 0)
        created = base.c.created_at
        idle_from = case(
            (and_(required_n > 0, done_n >= required_n), null()),
            else_=latest(
                created, func.coalesce(last_view, created), func.coalesce(last_action, created)
            ),
        )
        first_certificate = certified.c.first_certificate
        elapsed = days_between(base.c.first_login_at, first_certificate)
        proficiency = case(
            (or_(base.c.first_login_at.is_(None), first_certificate.is_(None)), null()),
            # A certificate dated before the first sign-in (imported history) is day 0.
            (elapsed < 0, literal(0.0, Float)),
            else_=elapsed,
        )
        return select(
            base.c.user_id,
            base.c.department_id,
            required_n.label("required_n"),
            done_n.label("done_n"),
            (due.c.overdue_since if due is not None else cast(null(), Date)).label("due_on"),
            ex_required.label("ex_required"),
            ex_passed.label("ex_passed"),
            func.coalesce(quizzes.c.quiz_sum, 0).label("quiz_sum"),
            func.coalesce(quizzes.c.quiz_n, 0).label("quiz_n"),
            func.coalesce(quizzes.c.stuck, 0).label("stuck"),
            base.c.created_at,
            base.c.first_login_at,
            certified.c.first_certificate,
            last_view.label("studied_at"),
            type_coerce(idle_from, UTCDateTime).label("idle_from"),
            type_coerce(proficiency, Float).label("proficiency_days"),
            practice_counted(base.c.user_id).label("practice"),
        ).select_from(joined)

    def training_counts(
        self, joined: Join, passed: Subquery | None
    ) -> tuple[Join, ColumnElement, ColumnElement, ColumnElement]:
        """`joined` with each learner's own needs and passed exercises joined on, and the
        courses required, the exercise units required and the units passed. What each
        department requires is a constant, not a join (for some departments, only theirs:
        the learners are of them); a learner's own assignments add to it."""
        base = self.base
        required_n, ex_required = self.required_counts()
        if self.user_needs is not None:
            needs = self.user_needs
            joined = joined.outerjoin(needs, needs.c.user_id == base.c.user_id)
            required_n = required_n + func.coalesce(needs.c.courses, 0)
            ex_required = ex_required + func.coalesce(needs.c.units, 0)
        ex_passed = literal(0)
        if passed is not None:
            joined = joined.outerjoin(passed, passed.c.user_id == base.c.user_id)
            ex_passed = func.coalesce(passed.c.units, 0)
        return joined, required_n, ex_required, ex_passed

    def required_counts(self) -> tuple[ColumnElement, ColumnElement]:
        """Courses and exercise units each department requires, as CASE maps on the
        department (constants: what each requires is small and known)."""
        catalogue = self.catalogue
        required = {
            d: families
            for d, families in catalogue.required.items()
            if self.departments is None or d in self.departments
        }
        courses_of = {d: len(families) for d, families in required.items()}
        units_of = {
            d: sum(catalogue.units_per_family.get(f, 0) for f in families)
            for d, families in required.items()
        }
        department = self.base.c.department_id
        required_n = case(courses_of, value=department, else_=0) if courses_of else literal(0)
        ex_required = case(units_of, value=department, else_=0) if units_of else literal(0)
        return required_n, ex_required


def learner_facts(
    catalogue: Catalogue,
    department_ids: Collection[int] | None = None,
    user_ids: Collection[int] | None = None,
) -> Select:
    """The rows of learner_summaries for everyone or some departments or people, counted
    from progress, attempts, certificates and lesson views (see _Relation.facts)."""
    return _Relation(catalogue, department_ids, user_ids).facts()


def learner_evidence(
    catalogue: Catalogue,
    department_ids: Collection[int] | None = None,
    user_ids: Collection[int] | None = None,
    *,
    names: bool = False,
) -> CTE:
    """The per-learner relation, for everyone or some departments or people.

    Columns: user_id, department_id, required_n, done_n, overdue_since, ex_required,
    ex_passed, quiz_sum, quiz_n, stuck, actions (practice in the sandbox), studied (1 if
    they opened a lesson in the window, else 0; NULL, not looked up, once their required
    training is complete), new_account (1 if the account is younger than the window),
    first_login_at, first_certificate (of a required course); with
    `names`, also name (the user's).
    """
    if catalogue.stored:
        return stored_evidence(department_ids, user_ids, names=names)
    return _Relation(catalogue, department_ids, user_ids, names).build()
