"""Adoption after go-live, read beside the training evidence.

Definitions (the pages, the goal metrics and the benchmark use these alone):

- learners: the active learners of a department, as the training evidence counts them.
- trained: those of them whose evidence is complete (every required course certified:
  the completion rate of the gates and the dashboard).
- active in a week: they signed in or created or updated a record in the CRM that
  calendar week (Monday first), per the imported usage (portal.adoption.weeks).
- records per active user per week: records created and updated, every kind, divided by
  the active people of the weeks counted.
- the gap: trained against untrained people, as the share of them active and as records
  per active person.

A page reads the last TREND_WEEKS complete weeks from the wave's go-live in three
statements: the learners per department and trained; the active people and their records
per department and week (adoption_department_weeks: one row each, whatever the number of
people; counted in the department a person was in when the week was imported); and for
the last week alone, those split between trained and untrained people (one row per
active person of the departments).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, case, func, select

from portal.accounts.models import Department
from portal.adoption.weeks import WEEK, DepartmentWeek, UsageWeek, monday
from portal.extensions import db
from portal.rollout import evidence
from portal.rollout.evidence.stored import LearnerSummary
from portal.rollout.models import Wave, wave_departments

TREND_WEEKS = 12


@dataclass
class Group:
    """People of a department, a wave or the organisation, and their use of the CRM in a
    week (or over several: `weeks` counts them). `split` says whether the active people and
    their records are known apart for the trained (the last week is; a trend week is not)."""

    learners: int = 0
    trained: int = 0
    active: int = 0
    records: int = 0
    deals: int = 0
    active_trained: int = 0
    records_trained: int = 0
    split: bool = True
    weeks: int = 1

    def merge(self, other: Group) -> Group:
        """Add another group's use of the CRM (not its people) into this one."""
        for name in ("active", "records", "deals", "active_trained", "records_trained"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.split = self.split and other.split
        return self

    @property
    def untrained(self) -> int:
        return self.learners - self.trained

    @property
    def active_untrained(self) -> int:
        return self.active - self.active_trained

    @property
    def records_untrained(self) -> int:
        return self.records - self.records_trained

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return 100 * part / whole if whole else None

    @staticmethod
    def _per(records: int, people: int) -> float | None:
        return records / people if people else None

    @property
    def active_rate(self) -> float | None:
        """Active people per week against the learners (%)."""
        return self._share(self.active, self.learners * self.weeks)

    @property
    def trained_active_rate(self) -> float | None:
        return self._share(self.active_trained, self.trained * self.weeks) if self.split else None

    @property
    def untrained_active_rate(self) -> float | None:
        if not self.split:
            return None
        return self._share(self.active_untrained, self.untrained * self.weeks)

    @property
    def per_active(self) -> float | None:
        return self._per(self.records, self.active)

    @property
    def trained_per_active(self) -> float | None:
        return self._per(self.records_trained, self.active_trained) if self.split else None

    @property
    def untrained_per_active(self) -> float | None:
        return self._per(self.records_untrained, self.active_untrained) if self.split else None

    def value(self, metric: str) -> float | None:
        """An adoption goal metric (portal.rollout.metrics) of this group."""
        if metric == "adoption_active_rate":
            return self.active_rate
        if metric == "adoption_records":
            return self.per_active
        return float(self.deals) if self.learners else None

    @property
    def gap(self) -> float | None:
        """Records per active person, trained less untrained."""
        if self.trained_per_active is None or self.untrained_per_active is None:
            return None
        return self.trained_per_active - self.untrained_per_active


@dataclass
class DepartmentAdoption:
    department_id: int
    name: str
    people: Group  # learners and trained, no use
    by_week: dict[date, Group] = field(default_factory=dict)

    def week(self, week: date) -> Group:
        """The department in one week (no use recorded: nobody active)."""
        found = Group(self.people.learners, self.people.trained)
        return found.merge(self.by_week[week]) if week in self.by_week else found

    def over(self, weeks: list[date]) -> Group:
        """The department over several weeks: active person-weeks and their records."""
        total = Group(self.people.learners, self.people.trained, weeks=max(len(weeks), 1))
        for week in weeks:
            total.merge(self.by_week.get(week) or Group(split=False))
        return total


@dataclass
class Adoption:
    """A group of departments from a first week on: weeks newest last."""

    weeks: list[date]
    departments: list[DepartmentAdoption]

    def only(self, department_ids: Collection[int]) -> Adoption:
        """The same weeks for some of the departments."""
        return Adoption(
            self.weeks, [d for d in self.departments if d.department_id in department_ids]
        )

    @property
    def latest(self) -> date | None:
        """The last complete week shown."""
        return self.weeks[-1] if self.weeks else None

    def _total(self, weeks: int = 1) -> Group:
        total = Group(weeks=weeks)
        for department in self.departments:
            total.learners += department.people.learners
            total.trained += department.people.trained
        return total

    def week(self, week: date) -> Group:
        total = self._total()
        for department in self.departments:
            total.merge(department.week(week))
        return total

    def over(self) -> Group:
        total = self._total(max(len(self.weeks), 1))
        for department in self.departments:
            total.merge(department.over(self.weeks))
        return total

    @property
    def last_week(self) -> Group:
        return self.week(self.latest) if self.latest else self.over()


def shown_weeks(go_live: date | None, today: date, count: int = TREND_WEEKS) -> list[date]:
    """The complete calendar weeks from the one holding go-live to last week, at most `count`."""
    last = monday(today) - WEEK
    first = monday(go_live) if go_live else last
    first = max(first, last - WEEK * (count - 1))
    weeks = []
    while first <= last:
        weeks.append(first)
        first += WEEK
    return weeks


def _people(catalogue: evidence.Catalogue, department_ids: Collection[int]) -> Select:
    """user_id, department_id, trained (1/0) of the active learners of the departments."""
    if catalogue.stored:
        s = LearnerSummary
        complete = and_(s.required_n > 0, s.done_n >= s.required_n)
        return select(
            s.user_id, s.department_id, case((complete, 1), else_=0).label("trained")
        ).where(s.department_id.in_(list(department_ids)))
    relation = evidence.learner_evidence(catalogue, department_ids)
    return select(
        relation.c.user_id,
        relation.c.department_id,
        case((evidence.is_complete(relation), 1), else_=0).label("trained"),
    )


def adoption(department_ids: Collection[int], weeks: list[date], now: datetime) -> Adoption:
    """The departments' learners, trained, and their use of the CRM in `weeks`."""
    department_ids = sorted(set(department_ids))
    if not department_ids:
        return Adoption(weeks, [])
    names = dict(
        db.session.execute(
            select(Department.id, Department.name).where(Department.id.in_(department_ids))
        ).all()
    )
    found = {
        d: DepartmentAdoption(d, names.get(d, ""), Group()) for d in department_ids if d in names
    }
    people = _people(evidence.load_catalogue(), department_ids).subquery()
    values = evidence.params(now.date(), now)
    counted = select(people.c.department_id, people.c.trained, func.count()).group_by(
        people.c.department_id, people.c.trained
    )
    for department_id, trained, count in db.session.execute(counted, values):
        group = found[department_id].people
        group.learners += count
        group.trained += count if trained else 0
    if weeks:
        _trend(found, department_ids, weeks)
        _split(found, people, weeks[-1], values)
    ordered = sorted(found.values(), key=lambda d: d.name.casefold())
    return Adoption(weeks, ordered)


def _trend(found: dict[int, DepartmentAdoption], department_ids: list[int], weeks: list[date]):
    """Each department's active people and records per week (not split: see _split)."""
    d = DepartmentWeek
    rows = db.session.execute(
        select(d.week_start, d.department_id, d.active, d.records, d.deals).where(
            d.department_id.in_(department_ids),
            d.week_start >= weeks[0],
            d.week_start <= weeks[-1],
        )
    )
    for week, department_id, active, records, deals in rows:
        found[department_id].by_week[week] = Group(
            active=active, records=records, deals=deals, split=False
        )


def _split(found: dict[int, DepartmentAdoption], people, week: date, values: dict) -> None:
    """The last week's active people and records, trained and untrained apart."""
    w = UsageWeek
    used = (
        select(
            people.c.department_id,
            people.c.trained,
            func.count(),
            func.sum(w.records),
            func.sum(w.deals),
        )
        .join(people, people.c.user_id == w.user_id)
        .where(w.week_start == week)
        .group_by(people.c.department_id, people.c.trained)
    )
    split = {d: Group() for d in found}
    for department_id, trained, active, records, deals in db.session.execute(used, values):
        group = split[department_id]
        group.active += active
        group.records += int(records or 0)
        group.deals += int(deals or 0)
        if trained:
            group.active_trained += active
            group.records_trained += int(records or 0)
    for department_id, group in split.items():
        found[department_id].by_week[week] = group


def wave_adoption(wave: Wave, today: date, now: datetime) -> Adoption:
    """The wave's departments from its go-live (no weeks before it goes live)."""
    weeks = shown_weeks(wave.go_live_on, today) if wave.go_live_on <= today else []
    return adoption([d.id for d in wave.departments], weeks, now)


def live_departments(today: date) -> list[int]:
    """The departments of every wave that has gone live."""
    return list(
        db.session.scalars(
            select(wave_departments.c.department_id)
            .join(Wave, Wave.id == wave_departments.c.wave_id)
            .where(Wave.go_live_on <= today)
            .distinct()
        )
    )


def last_week(today: date, now: datetime) -> Group:
    """The departments of live waves in the last complete week (the goal metrics)."""
    weeks = shown_weeks(None, today, 1)
    return adoption(live_departments(today), weeks, now).week(weeks[0])
