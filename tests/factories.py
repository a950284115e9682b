"""Factory callables for tests, built on the same Faker builders as the demo seed."""

from __future__ import annotations

import itertools
from datetime import timedelta

from portal.accounts import services
from portal.accounts.models import Department, User
from portal.accounts.services import UserData
from portal.database import utcnow
from portal.extensions import db
from seed.people import employee, make_faker


class Factories:
    def __init__(self, password: str) -> None:
        self.password = password
        self.faker = make_faker(seed=1234)
        self._taken: set[str] = set()
        self._counter = itertools.count(1)

    def department(self, name: str | None = None) -> Department:
        name = name or f"Department {next(self._counter)}"
        department = services.find_department(name) or services.create_department(name)
        db.session.commit()
        return department

    def user(
        self,
        *,
        roles=("learner",),
        department: str | None = "Sales",
        password=...,
        active: bool = True,
        joined_days_ago: int = 60,
        **overrides,
    ) -> User:
        """A committed user; pass password=None for one who cannot sign in. Their account
        and their place in the department date from `joined_days_ago` days back (an
        established employee unless a test says 0: joined just now)."""
        person = employee(self.faker, department or "Sales", self._taken, **overrides)
        dept = self.department(department) if department else None
        user = services.create_user(
            UserData(
                email=person["email"],
                name=person["name"],
                roles=list(roles),
                department_id=dept.id if dept else None,
                job_title=person["job_title"],
                locale=person.get("locale"),
            ),
            self.password if password is ... else password,
        )
        user.active = active
        if joined_days_ago:
            user.created_at = user.department_since = utcnow() - timedelta(days=joined_days_ago)
        db.session.commit()
        return user


def user_form(user: User, roles: list[str], **fields) -> dict:
    """The admin's edit form for `user`: name and email kept, these roles, other fields."""
    return {"name": user.name, "email": user.email, "roles": roles, **fields}


def quiz_answers(picks: dict[int, list[int]]) -> dict:
    """What the quiz form sends for question id -> chosen choice ids: a row per question."""
    data: dict = {}
    for row, (question_id, chosen) in enumerate(picks.items()):
        data[f"answers-{row}-question"] = question_id
        data[f"answers-{row}-choices"] = chosen
    return data
