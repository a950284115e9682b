"""The demo's use of the real CRM after go-live: weekly usage rows for the people of every
wave already live, imported as one CSV batch in the chosen CRM's export format.

Shaped as a rollout goes: people who finished their courses use the CRM more than those
who did not, use grows week by week after go-live, and a few never sign in at all.
Deterministic for a given random generator. The caller commits.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.adoption.importing import UsageRow, save_usage
from portal.adoption.models import ImportSource
from portal.adoption.presets import PRESETS
from portal.adoption.weeks import monday
from portal.extensions import db
from portal.learning.models import Certificate
from portal.rollout import crm_choice
from portal.rollout.models import Wave

WEEK = timedelta(days=7)
NEVER_SIGN_IN = 0.08  # share of people who never open the CRM
# Weekly records (created and updated, every kind) in a person's first week, by training.
FIRST_WEEK_RECORDS = {True: 14, False: 5}
RAMP = 0.25  # each week after go-live adds this share of the first week's use
STAFF = ("exec@demo.test", "trainer@demo.test")  # they run the rollout, not the CRM


def create_demo_usage(waves: list, today: date, rng: random.Random) -> int:
    """Import weekly usage from each live wave's go-live to last week; the rows made."""
    last = monday(today) - WEEK
    rows: list[UsageRow] = []
    for wave, _chosen, tied in waves:
        if wave.go_live_on > today:
            continue
        for user, trained in _people(wave, tied):
            if rng.random() < NEVER_SIGN_IN:
                continue
            week, number = monday(wave.go_live_on), 0
            while week <= last:
                rows.append(_week_row(len(rows) + 2, user, week, trained, number, rng))
                week, number = week + WEEK, number + 1
    if rows:
        preset = crm_choice.chosen_key()
        save_usage(
            rows,
            source=ImportSource.CSV,
            preset=preset if preset in PRESETS else None,
            filename=f"usage-{last.isoformat()}.csv",
        )
    return len(rows)


def _people(wave: Wave, tied: list) -> list[tuple[User, bool]]:
    """The wave's active people, and whether they hold a certificate of every tied course."""
    course_ids = [course.id for course in tied]
    held = dict(
        db.session.execute(
            select(Certificate.user_id, func.count())
            .where(Certificate.course_id.in_(course_ids))
            .group_by(Certificate.user_id)
        ).all()
    )
    users = db.session.scalars(
        select(User)
        .where(
            User.department_id.in_([d.id for d in wave.departments]),
            User.active.is_(True),
            User.email.notlike("%admin@%"),
            User.email.not_in(STAFF),
        )
        .order_by(User.id)
    )
    return [(user, held.get(user.id, 0) >= len(course_ids)) for user in users]


def _week_row(
    line: int, user: User, week: date, trained: bool, number: int, rng: random.Random
) -> UsageRow:
    """One person's week: records spread over the kinds, growing with the weeks since go-live."""
    scale = FIRST_WEEK_RECORDS[trained] * (1 + RAMP * number) * rng.uniform(0.5, 1.5)
    records = max(0, round(scale))
    sign_ins = min(7, max(1, round(records / 4 + rng.uniform(0, 2))))
    counts = {"sign_ins": sign_ins}
    shares = {"leads": 0.3, "deals": 0.3, "tickets": 0.1, "activities": 0.3}
    for kind, share in shares.items():
        made = round(records * share * rng.uniform(0.6, 1.4))
        created = round(made * rng.uniform(0.3, 0.6))
        counts[f"{kind}_created"] = created
        counts[f"{kind}_updated"] = made - created
    return UsageRow(line=line, user_id=user.id, period_start=week, days=7, counts=counts)
